// SPDX-License-Identifier: GPL-3.0-or-later
// GroupNorm and LayerNorm: see Normalization.h.
#include "daam/nn/Normalization.h"

#include "daam/nn/Bf16Kernels.h"

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
    if (bf16GroupNormSupports(x, options.num_groups()) && !torch::GradMode::is_enabled())
        return bf16GroupNorm(x, options.num_groups(), weight, bias, options.eps(), false);
    return torch::group_norm(toFloat32(x), options.num_groups(), toFloat32(weight), toFloat32(bias), options.eps())
        .to(x.scalar_type());
}

torch::Tensor GroupNormImpl::forwardSilu(const torch::Tensor& x) {
    if (bf16GroupNormSupports(x, options.num_groups()) && !torch::GradMode::is_enabled())
        return bf16GroupNorm(x, options.num_groups(), weight, bias, options.eps(), true);
    auto y = forward(x);
    return torch::GradMode::is_enabled() ? torch::silu(y) : torch::silu_(y);
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) {
    if (!reducedPrecisionOnCpu(x)) return torch::nn::LayerNormImpl::forward(x);
    const auto& shape = options.normalized_shape();
    if (shape.size() == 1 && bf16LayerNormSupports(x, shape[0]) && !torch::GradMode::is_enabled())
        return bf16LayerNorm(x, weight, bias, options.eps());
    return torch::layer_norm(toFloat32(x), options.normalized_shape(), toFloat32(weight), toFloat32(bias),
                             options.eps())
        .to(x.scalar_type());
}

} // namespace daam
