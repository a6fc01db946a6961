// A session is one generation and its DAAM trace, saved as a folder:
//   generation.json   what was generated and how (the engine's record), plus DAAM's additions:
//                     "session": {format_version, tokens, words, layers, trace: {calls, tokens, grid}}
//   image.png         the generated image
//   trace.safetensors per cross-attention layer NN (table order, zero-padded to 2 digits):
//                       layerNN.maps        [calls, tokens, h, w]  heads summed (float16 or float32)
//                       layerNN.head_totals [heads, tokens, h, w]  float32, summed over calls
//                       layerNN.head_maps   [calls, heads, tokens, h, w]  only when captured per head
// Saving writes a sibling temporary folder and swaps it in, so a session on disk is always whole.
// Loading checks the format version and every shape against the layer table and names what is wrong.
#pragma once

#include "daam/io/PngImage.h"
#include "daam/text/Tokenizer.h"
#include "daam/trace/AttentionTrace.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace daam {

struct Session {
    static constexpr int kFormatVersion = 1;

    nlohmann::json generation = nlohmann::json::object(); // the engine's generation record
    std::vector<Token> tokens;                            // start token, prompt tokens, end token
    std::vector<Word> words;
    std::string prompt;
    int gridSide = 64; // DAAM's X (HeatMapAggregator::referenceSide)
    std::shared_ptr<AttentionTrace> trace;
    PngImage image;
};

void saveSession(const std::string& dir, const Session& session);
Session loadSession(const std::string& dir); // throws FileError naming the file and the problem

} // namespace daam
