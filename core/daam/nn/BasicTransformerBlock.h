// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' BasicTransformerBlock (layer norms, self-attention attn1, cross-attention attn2, GEGLU feed
// forward), each sublayer residual. attn2 is the DAAM seam: it receives the layer info and the call context.
#pragma once

#include "daam/nn/Attention.h"
#include "daam/nn/FeedForward.h"

#include "daam/nn/Normalization.h"

namespace daam {

class BasicTransformerBlockImpl : public torch::nn::Module {
public:
    // onlyCrossAttention: attn1 attends to the context too, as diffusers' only_cross_attention. Only attn2 is the
    // DAAM seam either way, as castorini/daam hooks attn2 alone.
    BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t dimHead, int64_t crossAttentionDim, bool upcast,
                              bool onlyCrossAttention = false);
    // x [B, HW, dim], context [B, T, crossDim]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, const AttentionCall* call,
                          const CrossAttentionLayer* layer, int64_t height, int64_t width);

private:
    LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    Attention attn1{nullptr}, attn2{nullptr};
    FeedForward ff{nullptr};
    bool onlyCrossAttention_;
};
TORCH_MODULE(BasicTransformerBlock);

} // namespace daam
