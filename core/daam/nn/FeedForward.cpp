// GEGLU and FeedForward: see FeedForward.h.
#include "daam/nn/FeedForward.h"

#include <torch/nn/modules/dropout.h>
#include <torch/torch.h>

namespace daam {

GEGLUImpl::GEGLUImpl(int64_t in, int64_t out) {
    proj = register_module("proj", torch::nn::Linear(in, out * 2));
}

torch::Tensor GEGLUImpl::forward(const torch::Tensor& x) {
    auto parts = proj->forward(x).chunk(2, -1); // hidden, gate
    return parts[0] * torch::gelu(parts[1]);
}

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult) {
    geglu = GEGLU(dim, dim * mult);
    out = torch::nn::Linear(dim * mult, dim);
    net = register_module("net", torch::nn::ModuleList(geglu, torch::nn::Dropout(0.0), out));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
    return out->forward(geglu->forward(x));
}

} // namespace daam
