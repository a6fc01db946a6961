// SPDX-License-Identifier: GPL-3.0-or-later
// The trainer's grounding loss (train-demo --grounding): the shape world knows every object's mask, so the
// UNet's cross-attention can be taught where each object's colour word and noun belong. Per word and
// cross-attention layer, the word's map (its tokens' probabilities, heads averaged) and its object's mask
// (each cell's share of the object) are taken as distributions over the cells, and the loss is
// KL(mask || map): zero only for a map spread over the object as the object covers the cells, which is
// what DAAM's τ-thresholded maps need. (TokenCompose's token loss, (1 - mass inside / mass)², Wang et al.
// 2024, was tried first: at weight 0.3 its maps shrank to a peak inside the object, recall 0.36, and the
// shapes it drew fell apart.) A model trained with it is taught the maps DAAM reads, so it explains itself
// more by construction than Stable Diffusion does; the README says which figures came from such a model.
#pragma once

#include "daam/builtin/ShapeWorld.h"
#include "daam/nn/AttentionObserver.h"
#include "daam/text/Tokenizer.h"

#include <torch/types.h>

#include <utility>
#include <vector>

namespace daam::builtin {

// The cross-attention probabilities of one UNet call, kept with their autograd graph.
class AttentionMapCollector : public AttentionObserver {
public:
    std::vector<std::pair<CrossAttentionLayer, torch::Tensor>> maps;
    void onCrossAttention(const CrossAttentionLayer& layer, int64_t step, const torch::Tensor& condProbs,
                          const torch::Tensor& uncondProbs) override;
};

// What the loss asks of each scene of a training pool: for up to three objects, its mask and the token
// rows of its colour word and of its noun (objectWords pairs them as the evaluation does).
class GroundingTargets {
public:
    // `tokens`: the text encoder's sequence length (rows of the attention maps).
    GroundingTargets(const std::vector<Scene>& scenes, const Tokenizer& tokenizer, int64_t tokens,
                     const torch::Device& device);

    // The loss of one UNet call on pool scenes `index` [b] (int64), whose attention `maps` the collector
    // kept: KL(mask || map) averaged over the named words of the captions not `dropped` [b] (bool; those
    // were trained on the empty prompt) and over the layers. The mask is area-averaged to each layer's grid.
    // Zero when nothing is named.
    torch::Tensor loss(const std::vector<std::pair<CrossAttentionLayer, torch::Tensor>>& maps,
                       const torch::Tensor& index, const torch::Tensor& dropped) const;

    static constexpr int64_t kObjects = 3;

private:
    torch::Tensor masks_; // uint8 [scenes, 3, side, side]
    torch::Tensor rows_;  // float [scenes, 6, tokens]: 1 on the rows of object o's noun (2o) and colour (2o+1)
    torch::Tensor named_; // float [scenes, 6]: 1 where that word is in the caption
    torch::Device device_;
};

} // namespace daam::builtin
