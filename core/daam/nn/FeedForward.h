// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' FeedForward with the GEGLU activation: net.0 = GEGLU(proj: dim → 2·inner), net.1 = dropout,
// net.2 = Linear(inner → dim). Child names mirror the state-dict keys (ff.net.0.proj, ff.net.2).
#pragma once

#include "daam/nn/DenseLayers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>

namespace daam {

class GEGLUImpl : public torch::nn::Module {
public:
    GEGLUImpl(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& x); // [.., in] → [.., out]

private:
    Linear proj{nullptr};
};
TORCH_MODULE(GEGLU);

class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int64_t dim, int64_t mult = 4);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::ModuleList net{nullptr};
    GEGLU geglu{nullptr};
    Linear out{nullptr};
};
TORCH_MODULE(FeedForward);

} // namespace daam
