// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' ResnetBlock2D ("default" time scale shift, SiLU): GroupNorm → SiLU → conv → (+ time projection)
// → GroupNorm → SiLU → conv, plus a 1×1 conv_shortcut when the channel count changes.
#pragma once

#include "daam/nn/Normalization.h"

#include "daam/nn/DenseLayers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace daam {

class ResnetBlock2DImpl : public torch::nn::Module {
public:
    // tembChannels 0: no time embedding (VAE).
    ResnetBlock2DImpl(int64_t in, int64_t out, int64_t tembChannels, int64_t groups, double eps,
                      double outputScaleFactor = 1.0);
    // x [B, in, H, W], temb [B, tembChannels] or undefined → [B, out, H, W]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb = {});

private:
    double outputScaleFactor_;
    GroupNorm norm1{nullptr}, norm2{nullptr};
    Conv2d conv1{nullptr}, conv2{nullptr}, conv_shortcut{nullptr};
    Linear time_emb_proj{nullptr};
};
TORCH_MODULE(ResnetBlock2D);

} // namespace daam
