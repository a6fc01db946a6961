// SPDX-License-Identifier: GPL-3.0-or-later
// A session is one generation and its DAAM trace, saved as a folder:
//   generation.json   what was generated and how (the engine's record), plus DAAM's additions:
//                     "session": {format_version, tokens, words, layers, trace: {calls, tokens, grid}}
//   image.png         the generated image
//   trace.safetensors per cross-attention layer NN (table order, zero-padded to 2 digits):
//                       layerNN.maps        [calls, tokens, h, w]  heads summed (float16 or float32)
//                       layerNN.head_totals [heads, tokens, h, w]  float32, summed over calls
//                       layerNN.head_maps   [calls, heads, tokens, h, w]  only when captured per head
//                     and, when the negative prompt was captured, the same under `negative.layerNN.*`
// Saving writes a sibling temporary folder and swaps it in, so a session on disk is always whole.
// Loading checks the format version and every shape against the layer table and names what is wrong.
#pragma once

#include "daam/io/PngImage.h"
#include "daam/text/Tokenizer.h"
#include "daam/trace/AttentionTrace.h"
#include "daam/trace/SessionFile.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace daam {

struct Session {
    static constexpr int kFormatVersion = kSessionFormatVersion;

    nlohmann::json generation = nlohmann::json::object(); // the engine's generation record
    std::vector<Token> tokens;                            // start token, prompt tokens, end token
    std::vector<Word> words;
    std::string prompt;
    int gridSide = 64; // DAAM's X (HeatMapAggregator::referenceSide)
    std::shared_ptr<AttentionTrace> trace;
    PngImage image;
    PngImage inputImage; // image-to-image: the input as it was run (input.png); width 0 when there is none
    // By index into `words`; kept in annotations/ (annotations.json, and a PNG per drawn mask).
    std::map<int, WordAnnotation> annotations;

    // The unconditional half, when it was captured (a negative prompt under guidance): the negative
    // prompt's tokens, words and trace (same layer table and calls as `trace`). Null trace otherwise.
    std::string negativePrompt;
    std::vector<Token> negativeTokens;
    std::vector<Word> negativeWords;
    std::shared_ptr<AttentionTrace> negativeTrace;
};

// The size a session's word maps are drawn at: the image's, or DAAM's grid where the session holds no image.
struct MapSize {
    int height = 0, width = 0;
};
MapSize mapSize(const Session& session);

// Writes more files into the session folder before it is swapped in (`dir` is the temporary folder).
using SessionExtraFiles = std::function<void(const std::string& dir)>;

// Replaces `dir` only when it is absent, empty or a session folder (holds generation.json): a folder of
// other files is refused (FileError), never swapped away.
void saveSession(const std::string& dir, const Session& session, const SessionExtraFiles& extraFiles = {});
bool isReplaceableSessionFolder(const std::string& dir);
// Rewrites only the annotations/ folder of the saved session `dir` (its masks and ratings), leaving the rest.
void saveSessionAnnotations(const std::string& dir, const Session& session);
// Throws FileError naming the file and the problem; everything but the tensors is read and checked by
// SessionFile.h's functions, every shape before its tensor is viewed.
Session loadSession(const std::string& dir);

} // namespace daam
