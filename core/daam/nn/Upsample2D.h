// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' Upsample2D with use_conv: nearest-neighbour ×2 (or to an explicit size, for latents whose size is
// not a multiple of the UNet's total downsampling) followed by a 3×3 conv named `conv`.
#pragma once

#include "daam/nn/DenseLayers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

#include <vector>

namespace daam {

class Upsample2DImpl : public torch::nn::Module {
public:
    explicit Upsample2DImpl(int64_t channels);
    // size empty: ×2.
    torch::Tensor forward(const torch::Tensor& x, std::vector<int64_t> size = {});

private:
    Conv2d conv{nullptr};
};
TORCH_MODULE(Upsample2D);

} // namespace daam
