// SPDX-License-Identifier: GPL-3.0-or-later
// Upsample2D: see Upsample2D.h.
#include "daam/nn/Upsample2D.h"

#include <torch/torch.h>

namespace daam {

Upsample2DImpl::Upsample2DImpl(int64_t channels) {
    conv = register_module("conv", Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x, std::vector<int64_t> size) {
    namespace F = torch::nn::functional;
    auto opts = F::InterpolateFuncOptions().mode(torch::kNearest);
    if (size.empty())
        opts.scale_factor(std::vector<double>{2.0, 2.0});
    else
        opts.size(size);
    return conv->forward(F::interpolate(x, opts));
}

} // namespace daam
