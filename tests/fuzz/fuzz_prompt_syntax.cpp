// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for A1111's prompt syntax: any byte string, read as a prompt, must parse into fragments whose
// offsets lie in the prompt and whose weights are finite, or throw daam::Error with a short message; the
// fragments' tokens (a byte per code point, a comma now and then) must lay out into whole windows that hold
// every token exactly once, in order.
#include "daam/text/PromptSyntax.h"
#include "daam/text/Utf8.h"
#include "daam/util/Error.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string prompt(reinterpret_cast<const char*>(data), size);
    std::vector<daam::WeightedText> fragments;
    try {
        fragments = daam::parsePromptAttention(prompt);
    } catch (const daam::Error& e) {
        if (std::strlen(e.what()) > 600) std::abort();
        return 0;
    }
    const auto length = static_cast<int64_t>(daam::utf8::decode(prompt).size());
    for (const auto& f : fragments) {
        if (!f.isBreak && !std::isfinite(f.weight)) std::abort();
        if (f.begin < 0 || f.end < f.begin || f.end > length) std::abort();
        if (!f.isBreak && f.sourceOffsets.size() != daam::utf8::decode(f.text).size()) std::abort();
        for (int64_t o : f.sourceOffsets)
            if (o < 0 || o >= length) std::abort();
    }
    // Token ids: one per code point of each fragment; "," is the comma.
    const auto tokens = daam::tokenizeFragments(fragments, [](const std::string& text) {
        std::vector<int64_t> ids;
        for (char32_t c : daam::utf8::decode(text))
            ids.push_back(c == U',' ? 1 : 10 + int64_t(c % 1000));
        return ids;
    });
    daam::PromptChunkSettings settings;
    settings.startId = 2;
    settings.endId = 3;
    settings.commaId = 1;
    settings.chunkLength = 1 + int(size % 12); // short windows reach the edge cases
    settings.commaBacktrack = int(size % 5);
    const auto chunks = daam::layoutPromptChunks(tokens, settings);
    if (chunks.empty()) std::abort();
    int next = 0;
    for (const auto& chunk : chunks) {
        if (chunk.ids.size() != size_t(settings.chunkLength + 2) || chunk.weights.size() != chunk.ids.size() ||
            chunk.sourceTokens.size() != chunk.ids.size() || chunk.ids.front() != settings.startId)
            std::abort();
        for (int source : chunk.sourceTokens) {
            if (source < 0) continue;
            while (next < int(tokens.size()) && tokens[size_t(next)].isBreak)
                ++next;
            if (source != next) std::abort(); // every token once, in order
            ++next;
        }
    }
    while (next < int(tokens.size()) && tokens[size_t(next)].isBreak)
        ++next;
    if (next != int(tokens.size())) std::abort();
    return 0;
}
