// SPDX-License-Identifier: GPL-3.0-or-later
// VAE blocks: see VaeBlocks.h.
#include "daam/nn/VaeBlocks.h"

#include <torch/nn/modules/container/modulelist.h>

namespace daam {

namespace {
constexpr double kVaeEps = 1e-6;
}

DownEncoderBlock2DImpl::DownEncoderBlock2DImpl(int64_t in, int64_t out, int64_t layers, int64_t groups,
                                               bool downsample) {
    auto resnets = register_module("resnets", torch::nn::ModuleList());
    for (int64_t i = 0; i < layers; ++i) {
        resnets_.push_back(ResnetBlock2D(i == 0 ? in : out, out, 0, groups, kVaeEps));
        resnets->push_back(resnets_.back());
    }
    if (downsample) {
        downsampler_ = Downsample2D(out, 0); // the encoder pads asymmetrically (padding 0 + right/bottom pad)
        register_module("downsamplers", torch::nn::ModuleList(downsampler_));
    }
}

torch::Tensor DownEncoderBlock2DImpl::forward(torch::Tensor x) {
    for (auto& r : resnets_)
        x = r->forward(x);
    return downsampler_ ? downsampler_->forward(x) : x;
}

UpDecoderBlock2DImpl::UpDecoderBlock2DImpl(int64_t in, int64_t out, int64_t layers, int64_t groups, bool upsample) {
    auto resnets = register_module("resnets", torch::nn::ModuleList());
    for (int64_t i = 0; i < layers; ++i) {
        resnets_.push_back(ResnetBlock2D(i == 0 ? in : out, out, 0, groups, kVaeEps));
        resnets->push_back(resnets_.back());
    }
    if (upsample) {
        upsampler_ = Upsample2D(out);
        register_module("upsamplers", torch::nn::ModuleList(upsampler_));
    }
}

torch::Tensor UpDecoderBlock2DImpl::forward(torch::Tensor x) {
    for (auto& r : resnets_)
        x = r->forward(x);
    return upsampler_ ? upsampler_->forward(x) : x;
}

UNetMidBlock2DImpl::UNetMidBlock2DImpl(int64_t channels, int64_t groups, bool addAttention) {
    auto resnets = register_module("resnets", torch::nn::ModuleList());
    resnets_.push_back(ResnetBlock2D(channels, channels, 0, groups, kVaeEps));
    resnets->push_back(resnets_.back());
    if (addAttention) {
        // diffusers: attention_head_dim = channels, hence one head of dim `channels`, with biases.
        AttentionOptions a;
        a.queryDim = channels;
        a.heads = 1;
        a.dimHead = channels;
        a.bias = true;
        a.upcast = true;
        a.groupNormGroups = groups;
        a.groupNormEps = kVaeEps;
        attention_ = Attention(a);
        register_module("attentions", torch::nn::ModuleList(attention_));
    }
    resnets_.push_back(ResnetBlock2D(channels, channels, 0, groups, kVaeEps));
    resnets->push_back(resnets_.back());
}

torch::Tensor UNetMidBlock2DImpl::forward(torch::Tensor x) {
    x = resnets_[0]->forward(x);
    if (attention_) x = attention_->forwardSpatial(x);
    return resnets_[1]->forward(x);
}

} // namespace daam
