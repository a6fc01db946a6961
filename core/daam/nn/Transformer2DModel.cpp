// SPDX-License-Identifier: GPL-3.0-or-later
// Transformer2DModel: see Transformer2DModel.h.
#include "daam/nn/Transformer2DModel.h"

#include <torch/torch.h>

namespace daam {

using namespace torch::nn;

Transformer2DModelImpl::Transformer2DModelImpl(const Transformer2DOptions& o, std::vector<CrossAttentionLayer> infos)
    : options_(o), layerInfos_(std::move(infos)) {
    const int64_t inner = o.heads * o.dimHead;
    norm = register_module("norm", GroupNorm(GroupNormOptions(o.groups, o.channels).eps(1e-6)));
    if (o.linearProjection)
        proj_in_linear = register_module("proj_in", Linear(o.channels, inner));
    else
        proj_in_conv = register_module("proj_in", Conv2d(Conv2dOptions(o.channels, inner, 1)));
    transformer_blocks = register_module("transformer_blocks", ModuleList());
    for (int64_t i = 0; i < o.layers; ++i) {
        blocks_.push_back(
            BasicTransformerBlock(inner, o.heads, o.dimHead, o.crossAttentionDim, o.upcast, o.onlyCrossAttention));
        transformer_blocks->push_back(blocks_.back());
    }
    if (o.linearProjection)
        proj_out_linear = register_module("proj_out", Linear(inner, o.channels));
    else
        proj_out_conv = register_module("proj_out", Conv2d(Conv2dOptions(inner, o.channels, 1)));
}

torch::Tensor Transformer2DModelImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                              const AttentionCall* call) {
    const auto b = x.size(0), hh = x.size(2), ww = x.size(3);
    auto h = norm->forward(x);
    torch::Tensor seq; // [B, HW, inner]
    if (proj_in_linear) {
        seq = proj_in_linear->forward(h.permute({0, 2, 3, 1}).reshape({b, hh * ww, options_.channels}));
    } else {
        h = proj_in_conv->forward(h);
        // reshape would return a transposed view here; the blocks' layer norms and residuals read rows.
        seq = h.permute({0, 2, 3, 1}).reshape({b, hh * ww, h.size(1)}).contiguous();
    }
    for (size_t i = 0; i < blocks_.size(); ++i)
        seq = blocks_[i]->forward(seq, context, call, i < layerInfos_.size() ? &layerInfos_[i] : nullptr, hh, ww);
    torch::Tensor out;
    if (proj_out_linear) {
        out = proj_out_linear->forward(seq).reshape({b, hh, ww, options_.channels}).permute({0, 3, 1, 2});
    } else {
        // The rows are a channels-last image already: a channels-last UNet (bf16, DenseLayers.h) takes them as they
        // are.
        out = proj_out_conv->forward(
            seq.reshape({b, hh, ww, seq.size(2)}).permute({0, 3, 1, 2}).contiguous(x.suggest_memory_format()));
    }
    return out + x;
}

} // namespace daam
