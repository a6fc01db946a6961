// SPDX-License-Identifier: GPL-3.0-or-later
// Downsample2D: see Downsample2D.h.
#include "daam/nn/Downsample2D.h"

#include <torch/torch.h>

namespace daam {

Downsample2DImpl::Downsample2DImpl(int64_t channels, int64_t padding) : padding_(padding) {
    conv = register_module("conv", Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).stride(2).padding(padding)));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x) {
    if (padding_ == 0) return conv->forward(torch::constant_pad_nd(x, {0, 1, 0, 1}, 0));
    return conv->forward(x);
}

} // namespace daam
