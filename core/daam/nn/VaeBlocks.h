// SPDX-License-Identifier: GPL-3.0-or-later
// The VAE's blocks (diffusers names): DownEncoderBlock2D, UpDecoderBlock2D and UNetMidBlock2D (resnet,
// single-head spatial attention with group_norm, resnet). No time embedding; eps 1e-6 as in diffusers' vae.py.
#pragma once

#include "daam/nn/Attention.h"
#include "daam/nn/Downsample2D.h"
#include "daam/nn/ResnetBlock2D.h"
#include "daam/nn/Upsample2D.h"

#include <vector>

namespace daam {

class DownEncoderBlock2DImpl : public torch::nn::Module {
public:
    DownEncoderBlock2DImpl(int64_t in, int64_t out, int64_t layers, int64_t groups, bool downsample);
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<ResnetBlock2D> resnets_;
    Downsample2D downsampler_{nullptr};
};
TORCH_MODULE(DownEncoderBlock2D);

class UpDecoderBlock2DImpl : public torch::nn::Module {
public:
    UpDecoderBlock2DImpl(int64_t in, int64_t out, int64_t layers, int64_t groups, bool upsample);
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<ResnetBlock2D> resnets_;
    Upsample2D upsampler_{nullptr};
};
TORCH_MODULE(UpDecoderBlock2D);

class UNetMidBlock2DImpl : public torch::nn::Module {
public:
    UNetMidBlock2DImpl(int64_t channels, int64_t groups, bool addAttention = true);
    torch::Tensor forward(torch::Tensor x);

private:
    std::vector<ResnetBlock2D> resnets_;
    Attention attention_{nullptr}; // absent without add_attention
};
TORCH_MODULE(UNetMidBlock2D);

} // namespace daam
