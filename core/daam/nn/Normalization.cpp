// SPDX-License-Identifier: GPL-3.0-or-later
// GroupNorm and LayerNorm: see Normalization.h.
#include "daam/nn/Normalization.h"

#include <torch/torch.h>

namespace daam {
namespace {

bool reducedPrecisionOnCpu(const torch::Tensor& x) {
    return x.is_cpu() && (x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kHalf);
}

torch::Tensor toFloat32(const torch::Tensor& t) {
    return t.defined() ? t.to(torch::kFloat32) : t; // no weight or bias without elementwise_affine
}

} // namespace

torch::Tensor GroupNormImpl::forward(const torch::Tensor& x) {
    if (!reducedPrecisionOnCpu(x)) return torch::nn::GroupNormImpl::forward(x);
    return torch::group_norm(toFloat32(x), options.num_groups(), toFloat32(weight), toFloat32(bias), options.eps())
        .to(x.scalar_type());
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) {
    if (!reducedPrecisionOnCpu(x)) return torch::nn::LayerNormImpl::forward(x);
    return torch::layer_norm(toFloat32(x), options.normalized_shape(), toFloat32(weight), toFloat32(bias),
                             options.eps())
        .to(x.scalar_type());
}

} // namespace daam
