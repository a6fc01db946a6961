// SPDX-License-Identifier: GPL-3.0-or-later
// Reading a session folder (see Session.h) up to its tensors: generation.json's "session" object, the trace
// file's metadata and tensor table, and annotations/annotations.json. Every field, size and shape is checked
// here, before anything is allocated for it, and every error is a FileError naming the file and what is wrong.
// Torch-free, so that a fuzzer builds it alone (tests/fuzz/fuzz_session.cpp); loadSession adds the tensors.
#pragma once

#include "daam/config/CrossAttentionLayer.h"
#include "daam/io/PngImage.h"
#include "daam/io/SafetensorsFile.h"
#include "daam/text/Tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace daam {

// The format version this build writes and reads (Session::kFormatVersion).
constexpr int kSessionFormatVersion = 1;

// What a person marked for one word of the prompt (the app's Annotate tools): the word's true region on the
// image, and a rating of its map from 1 to 5 (the paper's human study).
struct WordAnnotation {
    PngImage mask;  // grey, the image's size, non-zero inside; width 0: none drawn
    int rating = 0; // 1-5; 0: not rated
};

// generation.json's "session" object, checked: format version, sizes in range, every word's tokens inside its
// trace, a known block and sizes in range for every layer.
struct SessionHeader {
    std::string prompt;
    std::vector<Token> tokens;
    std::vector<Word> words;
    int calls = 0;
    int traceTokens = 0; // rows of the prompt's trace
    int gridSide = 0;
    std::string storage; // "float16" or "float32"
    bool perHeadMaps = false;
    // The negative prompt's, when its trace was captured (negativeTraceTokens > 0).
    std::string negativePrompt;
    std::vector<Token> negativeTokens;
    std::vector<Word> negativeWords;
    int negativeTraceTokens = 0;
    CrossAttentionLayerTable layers;
};

// The parsed generation.json of session folder `dir`. Throws FileError when `dir` is not a folder or the file
// is missing or malformed JSON.
nlohmann::json readSessionGeneration(const std::string& dir);
// The "session" object of a parsed generation.json; `genPath` names the file in errors.
SessionHeader parseSessionHeader(const nlohmann::json& generation, const std::string& genPath);

// A trace tensor's name: "layerNN.<what>" (NN: the layer's index in the table, zero-padded to 2 digits).
std::string sessionLayerKey(size_t layer, const char* what);
// The trace file's metadata must be {"format": "daam-studio-trace", "format_version": "<this build's>"}.
void checkTraceFormat(const SafetensorsFile& file);

// One layer's tensors in a trace file; headMaps only when the session has per-head maps.
struct TraceLayerEntries {
    const TensorEntry* maps = nullptr;       // [calls, rows, h, w], the session's storage type
    const TensorEntry* headTotals = nullptr; // [heads, rows, h, w], float32
    const TensorEntry* headMaps = nullptr;   // [calls, heads, rows, h, w]
};
// The tensors of one trace of `rows` rows (the prompt's with prefix "", the negative prompt's with its prefix),
// layer by layer in table order, each checked to be present with its shape and type.
std::vector<TraceLayerEntries> traceEntries(const SafetensorsFile& file, const SessionHeader& header,
                                            const std::string& prefix, int rows);
// After traceEntries for each trace: the file must hold no other tensors.
void checkTraceEntryCount(const SafetensorsFile& file, const SessionHeader& header);

// annotations.json of the annotations folder `dir` and the masks it names, for a prompt of `words` words and an
// image of imageWidth x imageHeight (every mask must be its size).
std::map<int, WordAnnotation> readSessionAnnotations(const std::string& dir, size_t words, int imageWidth,
                                                     int imageHeight);

} // namespace daam
