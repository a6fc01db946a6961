// SPDX-License-Identifier: GPL-3.0-or-later
// BasicTransformerBlock: see BasicTransformerBlock.h.
#include "daam/nn/BasicTransformerBlock.h"

namespace daam {

BasicTransformerBlockImpl::BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t dimHead,
                                                     int64_t crossAttentionDim, bool upcast, bool onlyCrossAttention)
    : onlyCrossAttention_(onlyCrossAttention) {
    using torch::nn::LayerNormOptions;
    AttentionOptions self;
    self.queryDim = dim;
    self.heads = heads;
    self.dimHead = dimHead;
    self.upcast = upcast;
    AttentionOptions cross = self;
    cross.crossAttentionDim = crossAttentionDim;
    norm1 = register_module("norm1", LayerNorm(LayerNormOptions({dim}).eps(1e-5)));
    attn1 = register_module("attn1", Attention(onlyCrossAttention ? cross : self));
    norm2 = register_module("norm2", LayerNorm(LayerNormOptions({dim}).eps(1e-5)));
    attn2 = register_module("attn2", Attention(cross));
    norm3 = register_module("norm3", LayerNorm(LayerNormOptions({dim}).eps(1e-5)));
    ff = register_module("ff", FeedForward(dim));
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                                 const AttentionCall* call, const CrossAttentionLayer* layer,
                                                 int64_t height, int64_t width) {
    auto h = attn1->forward(norm1->forward(x), onlyCrossAttention_ ? context : torch::Tensor()) + x;
    h = attn2->forward(norm2->forward(h), context, call, layer, height, width) + h;
    return ff->forward(norm3->forward(h)) + h;
}

} // namespace daam
