// SPDX-License-Identifier: GPL-3.0-or-later
// A small DAAM session built in memory for the UI tests, so that they need no model: a 64x64 grey image,
// a 16x16 grid, three cross-attention layers and four UNet calls. Words: "a" (flat), "cat" and "dog".
// Over calls 0-1 "cat" attends to the left half and "dog" to the right half; over calls 2-3 "cat" moves to
// the top half (so a step range changes its map) while "dog" stays on the right.
#pragma once

#include "daam/trace/Session.h"

#include <torch/torch.h>

#include <string>

namespace daam::test {

enum SyntheticWord { kWordA = 0, kWordCat = 1, kWordDog = 2 };
constexpr int kSyntheticCalls = 4;
constexpr int kSyntheticImageSide = 64;

inline daam::Session makeSyntheticSession() {
    daam::CrossAttentionLayerTable table(3);
    daam::parseLayerPath("down_blocks.0.attentions.0.transformer_blocks.0.attn2", table[0]);
    daam::parseLayerPath("down_blocks.1.attentions.0.transformer_blocks.0.attn2", table[1]);
    daam::parseLayerPath("up_blocks.1.attentions.0.transformer_blocks.0.attn2", table[2]);
    const int sides[3] = {8, 4, 8};
    for (int l = 0; l < 3; ++l) {
        table[l].heads = 2;
        table[l].height = table[l].width = sides[l];
    }
    daam::Session s;
    s.prompt = "a cat dog";
    s.gridSide = 16;
    const int tokens = 5;
    s.trace = std::make_shared<daam::AttentionTrace>(table, tokens);
    for (int c = 0; c < kSyntheticCalls; ++c)
        for (int l = 0; l < 3; ++l) {
            const int side = sides[l];
            auto logits = torch::full({2, side * side, 77}, -20.0f);
            for (int y = 0; y < side; ++y)
                for (int x = 0; x < side; ++x) {
                    const int p = y * side + x;
                    const bool left = x < side / 2, top = y < side / 2;
                    const bool catHere = c < 2 ? left : top;
                    logits.index_put_({torch::indexing::Slice(), p, 0}, 2.0f);                   // start token
                    logits.index_put_({torch::indexing::Slice(), p, 1}, 0.0f);                   // "a"
                    logits.index_put_({torch::indexing::Slice(), p, 2}, catHere ? 3.0f : -3.0f); // "cat"
                    logits.index_put_({torch::indexing::Slice(), p, 3}, !left ? 3.0f : -3.0f);   // "dog"
                    logits.index_put_({torch::indexing::Slice(), p, 4}, 1.0f);                   // end token
                }
            s.trace->add(c, l, torch::softmax(logits, -1));
        }
    s.tokens = {{49406, "<|startoftext|>", 0, 0},
                {320, "a</w>", 0, 1},
                {2368, "cat</w>", 2, 5},
                {1929, "dog</w>", 6, 9},
                {49407, "<|endoftext|>", 9, 9}};
    s.words = {{"a", 0, 1, {1}, false}, {"cat", 2, 5, {2}, false}, {"dog", 6, 9, {3}, false}};
    s.generation = {{"prompt", "a cat dog"}, {"seed", 1}, {"timesteps", {999, 749, 499, 249}}};
    const int side = kSyntheticImageSide;
    s.image = daam::PngImage{side, side, 3, std::vector<uint8_t>(size_t(side) * side * 3, 128)};
    return s;
}

// Saves the synthetic session under a fresh temporary folder and returns its path.
inline std::string saveSyntheticSession(const std::string& root) {
    const std::string dir = root + "/synthetic-session";
    daam::saveSession(dir, makeSyntheticSession());
    return dir;
}

} // namespace daam::test
