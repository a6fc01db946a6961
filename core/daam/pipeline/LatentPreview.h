// SPDX-License-Identifier: GPL-3.0-or-later
// Cheap RGB previews of latents during denoising. Instead of a VAE decoder pass per step (as expensive as
// several UNet layers at full size), a per-pixel affine map latent → RGB is fitted once per model by least
// squares against the model's own decoder, on random latents; a preview then costs a [3 x C] product.
// Model-agnostic: no per-family constants.
#pragma once

#include <torch/types.h>

#include <functional>

namespace daam {

class LatentPreview {
public:
    LatentPreview() = default;

    // `decode` maps latents [1,C,h,w] (as the pipeline holds them) to an image [1,3,h*f,w*f] in [0,1].
    static LatentPreview fit(const std::function<torch::Tensor(const torch::Tensor&)>& decode, int latentChannels,
                             int vaeScaleFactor);

    bool valid() const { return weight_.defined(); }
    // Latents [1,C,h,w] (any device/dtype) → uint8 CPU tensor [h,w,3].
    torch::Tensor toRgb(const torch::Tensor& latents) const;
    // Mean absolute error of the fit on its training data, in [0,1] colour units (reported for tests).
    double fitError() const { return fitError_; }

private:
    torch::Tensor weight_; // [3, C] float32
    torch::Tensor bias_;   // [3]
    double fitError_ = 0.0;
};

} // namespace daam
