// SPDX-License-Identifier: GPL-3.0-or-later
// GroundingLoss: see GroundingLoss.h.
#include "daam/builtin/GroundingLoss.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam::builtin {

void AttentionMapCollector::onCrossAttention(const CrossAttentionLayer& layer, int64_t, const torch::Tensor& condProbs,
                                             const torch::Tensor&) {
    maps.emplace_back(layer, condProbs);
}

GroundingTargets::GroundingTargets(const std::vector<Scene>& scenes, const Tokenizer& tokenizer, int64_t tokens,
                                   const torch::Device& device)
    : device_(device) {
    if (scenes.empty()) throw Error("grounding loss: no training scenes");
    const auto n = static_cast<int64_t>(scenes.size());
    const int64_t side = scenes[0].side;
    masks_ = torch::zeros({n, kObjects, side, side}, torch::kUInt8);
    rows_ = torch::zeros({n, 2 * kObjects, tokens});
    named_ = torch::zeros({n, 2 * kObjects});
    auto rows = rows_.accessor<float, 3>();
    auto named = named_.accessor<float, 2>();
    for (int64_t i = 0; i < n; ++i) {
        const auto& scene = scenes[i];
        const auto tokenized = tokenizer.encode(scene.caption);
        const auto words = objectWords(tokenized.words, scene.objects);
        for (size_t o = 0; o < scene.objects.size() && static_cast<int64_t>(o) < kObjects; ++o) {
            masks_[i][o].copy_(scene.masks[o]);
            const int word[2] = {words[o].noun, words[o].colour};
            for (int k = 0; k < 2; ++k) {
                if (word[k] < 0) continue;
                named[i][2 * o + k] = 1;
                for (int row : tokenized.words[word[k]].tokens)
                    if (row < tokens) rows[i][2 * o + k][row] = 1;
            }
        }
    }
}

torch::Tensor GroundingTargets::loss(const std::vector<std::pair<CrossAttentionLayer, torch::Tensor>>& maps,
                                     const torch::Tensor& index, const torch::Tensor& dropped) const {
    const int64_t b = index.size(0);
    const auto masks = masks_.index_select(0, index).to(device_, torch::kFloat32); // [b, 3, S, S]
    const auto rows = rows_.index_select(0, index).to(device_);                    // [b, 6, T]
    const auto weight = (named_.index_select(0, index) * (1 - dropped.to(torch::kFloat32)).unsqueeze(1)).to(device_);
    const auto count = weight.sum().clamp_min(1);
    auto total = torch::zeros({}, torch::TensorOptions(device_));
    for (const auto& [layer, probs] : maps) {
        const int64_t cells = layer.height * layer.width, t = probs.size(-1);
        const auto p = probs.reshape({b, layer.heads, cells, t}).mean(1).to(torch::kFloat32); // [b, hw, T]
        const auto wordMaps = torch::bmm(rows.narrow(2, 0, t), p.transpose(1, 2));            // [b, 6, hw]
        // A word's object covers this share of each cell; its noun and colour word share the mask.
        const auto cover = torch::adaptive_avg_pool2d(masks, {layer.height, layer.width})
                               .reshape({b, kObjects, cells})
                               .repeat_interleave(2, 1);
        // Each word's map and its object's mask as distributions over the cells: KL(mask || map) is zero
        // only for a map spread over the object as its coverage is, which is what DAAM's τ-threshold keeps.
        const auto map = wordMaps / (wordMaps.sum(-1, true) + 1e-8);
        const auto mask = cover / cover.sum(-1, true).clamp_min(1e-8);
        const auto kl = (mask * ((mask + 1e-8).log() - (map + 1e-8).log())).sum(-1); // [b, 6]
        total = total + (kl * weight).sum() / count;
    }
    return maps.empty() ? total : total / static_cast<double>(maps.size());
}

} // namespace daam::builtin
