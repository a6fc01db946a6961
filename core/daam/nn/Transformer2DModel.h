// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' Transformer2DModel for continuous (latent) input: GroupNorm → proj_in (1×1 conv, or Linear with
// use_linear_projection) → transformer_blocks → proj_out, plus the residual.
#pragma once

#include "daam/nn/BasicTransformerBlock.h"
#include "daam/nn/Normalization.h"

#include "daam/nn/DenseLayers.h"

#include <torch/nn/modules/conv.h>

#include <vector>

namespace daam {

struct Transformer2DOptions {
    int64_t channels = 0;
    int64_t heads = 8;
    int64_t dimHead = 40;
    int64_t layers = 1;
    int64_t crossAttentionDim = 768;
    int64_t groups = 32;
    bool linearProjection = false;
    bool upcast = false;
    bool onlyCrossAttention = false; // attn1 attends to the text as well (no self-attention)
};

class Transformer2DModelImpl : public torch::nn::Module {
public:
    // `layerInfos`: one per transformer block (its attn2), filled in by the UNet.
    Transformer2DModelImpl(const Transformer2DOptions& options, std::vector<CrossAttentionLayer> layerInfos);
    // x [B, C, H, W], context [B, T, crossDim] → [B, C, H, W]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, const AttentionCall* call);

private:
    Transformer2DOptions options_;
    std::vector<CrossAttentionLayer> layerInfos_;
    GroupNorm norm{nullptr};
    Conv2d proj_in_conv{nullptr}, proj_out_conv{nullptr};
    Linear proj_in_linear{nullptr}, proj_out_linear{nullptr};
    torch::nn::ModuleList transformer_blocks{nullptr};
    std::vector<BasicTransformerBlock> blocks_;
};
TORCH_MODULE(Transformer2DModel);

} // namespace daam
