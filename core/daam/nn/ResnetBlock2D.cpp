// SPDX-License-Identifier: GPL-3.0-or-later
// ResnetBlock2D: see ResnetBlock2D.h.
#include "daam/nn/ResnetBlock2D.h"

#include <torch/torch.h>

namespace daam {

using namespace torch::nn;

ResnetBlock2DImpl::ResnetBlock2DImpl(int64_t in, int64_t out, int64_t tembChannels, int64_t groups, double eps,
                                     double outputScaleFactor)
    : outputScaleFactor_(outputScaleFactor) {
    norm1 = register_module("norm1", GroupNorm(GroupNormOptions(groups, in).eps(eps)));
    conv1 = register_module("conv1", Conv2d(Conv2dOptions(in, out, 3).padding(1)));
    if (tembChannels > 0) time_emb_proj = register_module("time_emb_proj", Linear(tembChannels, out));
    norm2 = register_module("norm2", GroupNorm(GroupNormOptions(groups, out).eps(eps)));
    conv2 = register_module("conv2", Conv2d(Conv2dOptions(out, out, 3).padding(1)));
    if (in != out) conv_shortcut = register_module("conv_shortcut", Conv2d(Conv2dOptions(in, out, 1)));
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
    // Without gradients, the activation, the time embedding and the residual are applied in place on tensors
    // this block just made: at the VAE's 512x512 every map held at once is another 134-268 MB.
    const bool inPlace = !torch::GradMode::is_enabled();
    auto h = conv1->forward(norm1->forwardSilu(x));
    if (time_emb_proj && temb.defined()) {
        auto t = time_emb_proj->forward(torch::silu(temb)).unsqueeze(-1).unsqueeze(-1); // [B, out, 1, 1]
        h = inPlace ? h.add_(t) : h + t;
    }
    h = conv2->forward(norm2->forwardSilu(h));
    auto shortcut = conv_shortcut ? conv_shortcut->forward(x) : x;
    auto out = inPlace ? h.add_(shortcut) : shortcut + h;
    if (outputScaleFactor_ == 1.0) return out;
    return inPlace ? out.div_(outputScaleFactor_) : out / outputScaleFactor_;
}

} // namespace daam
