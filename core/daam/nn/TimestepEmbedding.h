// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' sinusoidal timestep projection (Timesteps / get_timestep_embedding) and TimestepEmbedding
// (linear_1 → SiLU → linear_2).
#pragma once

#include "daam/nn/DenseLayers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

namespace daam {

// timesteps [N] (any numeric dtype) → [N, dim] float32, cos/sin halves ordered as diffusers does.
torch::Tensor timestepProjection(const torch::Tensor& timesteps, int64_t dim, bool flipSinToCos, double freqShift);

class TimestepEmbeddingImpl : public torch::nn::Module {
public:
    TimestepEmbeddingImpl(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& x); // [B, in] → [B, out]

private:
    Linear linear_1{nullptr}, linear_2{nullptr};
};
TORCH_MODULE(TimestepEmbedding);

} // namespace daam
