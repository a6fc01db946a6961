// SPDX-License-Identifier: GPL-3.0-or-later
// torch::nn::GroupNorm and LayerNorm that normalize bf16 and fp16 CPU tensors in float32.
//
// Why: LibTorch 1.13's CPU group_norm and layer_norm kernels for bf16 ran 3 to 11 times slower than
// converting to float32, normalizing and converting back (bench_normalization: SD 1.5's feature maps and
// transformer rows, the VAE's 512x512 maps), and were 20 times further from the float32 result
// (test_normalization). Other dtypes and devices use the stock kernels. Without gradients, contiguous bf16 takes
// the fused kernels of Bf16Kernels.h, which read bf16 and normalize in float32 with no float32 copy.
#pragma once

#include <torch/nn/modules/normalization.h>

namespace daam {

class GroupNormImpl : public torch::nn::GroupNormImpl {
public:
    using torch::nn::GroupNormImpl::GroupNormImpl;
    torch::Tensor forward(const torch::Tensor& x);
    // silu(forward(x)), in one pass for bf16; without gradients, SiLU works in place on the normalized map.
    torch::Tensor forwardSilu(const torch::Tensor& x);
};
TORCH_MODULE(GroupNorm);

class LayerNormImpl : public torch::nn::LayerNormImpl {
public:
    using torch::nn::LayerNormImpl::LayerNormImpl;
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(LayerNorm);

} // namespace daam
