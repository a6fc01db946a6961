// SPDX-License-Identifier: GPL-3.0-or-later
// The UNet's down, mid and up blocks: diffusers' CrossAttnDownBlock2D / DownBlock2D (one class, `attentions`
// present only for the cross-attention kind), UNetMidBlock2DCrossAttn, and CrossAttnUpBlock2D / UpBlock2D.
// Child names follow the state-dict keys: resnets.N, attentions.N, downsamplers.0, upsamplers.0.
#pragma once

#include "daam/nn/Downsample2D.h"
#include "daam/nn/ResnetBlock2D.h"
#include "daam/nn/Transformer2DModel.h"
#include "daam/nn/Upsample2D.h"

#include <vector>

namespace daam {

struct UNetBlockOptions {
    int64_t in = 0, out = 0, prevOut = 0; // prevOut: up blocks only
    int64_t layers = 1;
    int64_t tembChannels = 0;
    int64_t groups = 32;
    double eps = 1e-5;
    bool crossAttention = false;
    bool resample = false; // add a downsampler / upsampler
    int64_t downsamplePadding = 1;
    Transformer2DOptions transformer; // channels/dimHead are derived per block
    // Per attention: the infos of its transformer blocks' attn2.
    std::vector<std::vector<CrossAttentionLayer>> layerInfos;
};

class UNetDownBlockImpl : public torch::nn::Module {
public:
    explicit UNetDownBlockImpl(const UNetBlockOptions& options);
    // Appends every intermediate output (the skip connections) to `skips`.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          const AttentionCall* call, std::vector<torch::Tensor>& skips);

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Transformer2DModel> attentions_;
    Downsample2D downsampler_{nullptr};
};
TORCH_MODULE(UNetDownBlock);

// With options.layers 0 this is diffusers' UNetMidBlock2D as UNet2DConditionModel builds it (num_layers=0,
// no attention): the one ResNet, under the same weight names.
class UNetMidBlock2DCrossAttnImpl : public torch::nn::Module {
public:
    explicit UNetMidBlock2DCrossAttnImpl(const UNetBlockOptions& options, double outputScaleFactor);
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          const AttentionCall* call);

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Transformer2DModel> attentions_;
};
TORCH_MODULE(UNetMidBlock2DCrossAttn);

class UNetUpBlockImpl : public torch::nn::Module {
public:
    explicit UNetUpBlockImpl(const UNetBlockOptions& options);
    // Consumes skips from the back of `skips`; `upsampleSize` is the spatial size to upsample to.
    torch::Tensor forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                          const AttentionCall* call, std::vector<torch::Tensor>& skips,
                          const std::vector<int64_t>& upsampleSize);

private:
    std::vector<ResnetBlock2D> resnets_;
    std::vector<Transformer2DModel> attentions_;
    Upsample2D upsampler_{nullptr};
};
TORCH_MODULE(UNetUpBlock);

} // namespace daam
