// SPDX-License-Identifier: GPL-3.0-or-later
// TimestepEmbedding and the sinusoidal projection: see TimestepEmbedding.h.
#include "daam/nn/TimestepEmbedding.h"

#include <torch/torch.h>

#include <cmath>

namespace daam {

torch::Tensor timestepProjection(const torch::Tensor& timesteps, int64_t dim, bool flipSinToCos, double freqShift) {
    const int64_t half = dim / 2;
    // Same float32 operation order as diffusers so the embedding matches to the last bit.
    auto exponent = torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat32).device(timesteps.device())) *
                    static_cast<float>(-std::log(10000.0));
    exponent = exponent / static_cast<float>(half - freqShift);
    auto emb = timesteps.to(torch::kFloat32).unsqueeze(1) * torch::exp(exponent).unsqueeze(0); // [N, half]
    emb = flipSinToCos ? torch::cat({torch::cos(emb), torch::sin(emb)}, -1)
                       : torch::cat({torch::sin(emb), torch::cos(emb)}, -1);
    if (dim % 2 == 1) emb = torch::constant_pad_nd(emb, {0, 1, 0, 0}, 0);
    return emb;
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t in, int64_t out) {
    linear_1 = register_module("linear_1", Linear(in, out));
    linear_2 = register_module("linear_2", Linear(out, out));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& x) {
    return linear_2->forward(torch::silu(linear_1->forward(x)));
}

} // namespace daam
