// SPDX-License-Identifier: GPL-3.0-or-later
// UNet down/mid/up blocks: see UNetBlocks.h.
#include "daam/nn/UNetBlocks.h"

#include <torch/torch.h>

namespace daam {
namespace {

Transformer2DModel makeTransformer(const UNetBlockOptions& o, int64_t channels, size_t index) {
    Transformer2DOptions t = o.transformer;
    t.channels = channels;
    t.dimHead = channels / t.heads;
    t.groups = o.groups;
    return Transformer2DModel(t,
                              index < o.layerInfos.size() ? o.layerInfos[index] : std::vector<CrossAttentionLayer>{});
}

} // namespace

UNetDownBlockImpl::UNetDownBlockImpl(const UNetBlockOptions& o) {
    auto resnets = register_module("resnets", torch::nn::ModuleList());
    torch::nn::ModuleList attentions{nullptr};
    if (o.crossAttention) attentions = register_module("attentions", torch::nn::ModuleList());
    for (int64_t i = 0; i < o.layers; ++i) {
        resnets_.push_back(ResnetBlock2D(i == 0 ? o.in : o.out, o.out, o.tembChannels, o.groups, o.eps));
        resnets->push_back(resnets_.back());
        if (o.crossAttention) {
            attentions_.push_back(makeTransformer(o, o.out, size_t(i)));
            attentions->push_back(attentions_.back());
        }
    }
    if (o.resample) {
        downsampler_ = Downsample2D(o.out, o.downsamplePadding);
        register_module("downsamplers", torch::nn::ModuleList(downsampler_));
    }
}

torch::Tensor UNetDownBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                         const AttentionCall* call, std::vector<torch::Tensor>& skips) {
    for (size_t i = 0; i < resnets_.size(); ++i) {
        x = resnets_[i]->forward(x, temb);
        if (!attentions_.empty()) x = attentions_[i]->forward(x, context, call);
        skips.push_back(x);
    }
    if (downsampler_) {
        x = downsampler_->forward(x);
        skips.push_back(x);
    }
    return x;
}

UNetMidBlock2DCrossAttnImpl::UNetMidBlock2DCrossAttnImpl(const UNetBlockOptions& o, double outputScaleFactor) {
    auto resnets = register_module("resnets", torch::nn::ModuleList());
    auto attentions = register_module("attentions", torch::nn::ModuleList());
    resnets_.push_back(ResnetBlock2D(o.in, o.in, o.tembChannels, o.groups, o.eps, outputScaleFactor));
    resnets->push_back(resnets_.back());
    for (int64_t i = 0; i < o.layers; ++i) {
        attentions_.push_back(makeTransformer(o, o.in, size_t(i)));
        attentions->push_back(attentions_.back());
        resnets_.push_back(ResnetBlock2D(o.in, o.in, o.tembChannels, o.groups, o.eps, outputScaleFactor));
        resnets->push_back(resnets_.back());
    }
}

torch::Tensor UNetMidBlock2DCrossAttnImpl::forward(torch::Tensor x, const torch::Tensor& temb,
                                                   const torch::Tensor& context, const AttentionCall* call) {
    x = resnets_[0]->forward(x, temb);
    for (size_t i = 0; i < attentions_.size(); ++i) {
        x = attentions_[i]->forward(x, context, call);
        x = resnets_[i + 1]->forward(x, temb);
    }
    return x;
}

UNetUpBlockImpl::UNetUpBlockImpl(const UNetBlockOptions& o) {
    auto resnets = register_module("resnets", torch::nn::ModuleList());
    torch::nn::ModuleList attentions{nullptr};
    if (o.crossAttention) attentions = register_module("attentions", torch::nn::ModuleList());
    for (int64_t i = 0; i < o.layers; ++i) {
        // The skip of the last resnet comes from the previous (shallower) down block's input channels.
        const int64_t skipChannels = i == o.layers - 1 ? o.in : o.out;
        const int64_t resnetIn = i == 0 ? o.prevOut : o.out;
        resnets_.push_back(ResnetBlock2D(resnetIn + skipChannels, o.out, o.tembChannels, o.groups, o.eps));
        resnets->push_back(resnets_.back());
        if (o.crossAttention) {
            attentions_.push_back(makeTransformer(o, o.out, size_t(i)));
            attentions->push_back(attentions_.back());
        }
    }
    if (o.resample) {
        upsampler_ = Upsample2D(o.out);
        register_module("upsamplers", torch::nn::ModuleList(upsampler_));
    }
}

torch::Tensor UNetUpBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                       const AttentionCall* call, std::vector<torch::Tensor>& skips,
                                       const std::vector<int64_t>& upsampleSize) {
    for (size_t i = 0; i < resnets_.size(); ++i) {
        x = torch::cat({x, skips.back()}, 1);
        skips.pop_back();
        x = resnets_[i]->forward(x, temb);
        if (!attentions_.empty()) x = attentions_[i]->forward(x, context, call);
    }
    if (upsampler_) x = upsampler_->forward(x, upsampleSize);
    return x;
}

} // namespace daam
