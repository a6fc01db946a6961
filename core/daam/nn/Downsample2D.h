// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' Downsample2D with use_conv: a stride-2 3×3 conv named `conv`. With padding 0 (the VAE encoder)
// the input is first padded by one pixel on the right and bottom, as diffusers does.
#pragma once

#include "daam/nn/DenseLayers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

namespace daam {

class Downsample2DImpl : public torch::nn::Module {
public:
    Downsample2DImpl(int64_t channels, int64_t padding);
    torch::Tensor forward(const torch::Tensor& x); // [B, C, H, W] → [B, C, ceil(H/2), ceil(W/2)]

private:
    int64_t padding_;
    Conv2d conv{nullptr};
};
TORCH_MODULE(Downsample2D);

} // namespace daam
