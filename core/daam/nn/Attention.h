// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' Attention with AttnProcessor math (torch 1.13 has no SDPA): probs = softmax(q kᵀ · dim_head^-0.5)
// via bmm, heads batch-major (row b*heads + h). Used for the UNet's attn1/attn2 and the VAE mid-block
// attention (which adds group_norm and a residual). Cross-attention reports its probabilities to the
// AttentionCall's observer; self-attention is chunked over queries so large latents stay within memory.
#pragma once

#include "daam/nn/AttentionObserver.h"

#include "daam/nn/Normalization.h"

#include "daam/nn/DenseLayers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

#include <optional>

namespace daam {

struct AttentionOptions {
    int64_t queryDim = 0;
    int64_t crossAttentionDim = 0; // 0: self-attention
    int64_t heads = 8;
    int64_t dimHead = 64;
    bool bias = false;           // bias of to_q/to_k/to_v
    bool upcast = false;         // compute scores/softmax in float32
    int64_t groupNormGroups = 0; // >0: VAE-style group_norm on spatial input + residual connection
    double groupNormEps = 1e-6;
    // Self-attention score blocks above this many elements are computed in query chunks.
    int64_t maxScoreElements = int64_t(1) << 26;
};

class AttentionImpl : public torch::nn::Module {
public:
    explicit AttentionImpl(const AttentionOptions& options);

    // hidden [B, N, queryDim], context [B, T, crossDim] (undefined: self-attention) → [B, N, queryDim].
    // `layer` is non-null for the UNet's cross-attention layers; the observer of `call` gets their probs.
    torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& context = {},
                          const AttentionCall* call = nullptr, const CrossAttentionLayer* layer = nullptr,
                          int64_t height = 0, int64_t width = 0);
    // VAE form: x [B, C, H, W] → group_norm → attention → + x.
    torch::Tensor forwardSpatial(const torch::Tensor& x);

    int64_t heads() const { return options_.heads; }

private:
    AttentionOptions options_;
    double scale_;
    GroupNorm group_norm{nullptr};
    Linear to_q{nullptr}, to_k{nullptr}, to_v{nullptr};
    torch::nn::ModuleList to_out{nullptr};
    Linear out_proj{nullptr};
};
TORCH_MODULE(Attention);

} // namespace daam
