// diffusers' BasicTransformerBlock (layer norms, self-attention attn1, cross-attention attn2, GEGLU feed
// forward), each sublayer residual. attn2 is the DAAM seam: it receives the layer info and the call context.
#pragma once

#include "daam/nn/Attention.h"
#include "daam/nn/FeedForward.h"

#include "daam/nn/Normalization.h"

namespace daam {

class BasicTransformerBlockImpl : public torch::nn::Module {
public:
    BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t dimHead, int64_t crossAttentionDim, bool upcast);
    // x [B, HW, dim], context [B, T, crossDim]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context, const AttentionCall* call,
                          const AttentionLayerInfo* layer, int64_t height, int64_t width);

private:
    LayerNorm norm1{nullptr}, norm2{nullptr}, norm3{nullptr};
    Attention attn1{nullptr}, attn2{nullptr};
    FeedForward ff{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

} // namespace daam
