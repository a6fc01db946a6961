// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/LatentPreview.h"

#include <torch/torch.h>

namespace daam {

LatentPreview LatentPreview::fit(const std::function<torch::Tensor(const torch::Tensor&)>& decode, int latentChannels,
                                 int vaeScaleFactor) {
    torch::NoGradGuard noGrad;
    // 16x16 latents: enough pixels (256 per sample, 4 samples) for a 4-in, 3-out affine map, and a decoder
    // pass at that size is cheap even for SD-sized VAEs.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1234);
    auto z = torch::randn({4, latentChannels, 16, 16}, gen, torch::kFloat32);
    std::vector<torch::Tensor> images;
    for (int i = 0; i < 4; ++i)
        images.push_back(decode(z.slice(0, i, i + 1)).to(torch::kCPU, torch::kFloat32));
    // Average each f x f block of the image: the colour a latent pixel stands for.
    auto rgb = torch::avg_pool2d(torch::cat(images, 0), vaeScaleFactor); // [4,3,16,16]

    auto x = z.permute({0, 2, 3, 1}).reshape({-1, latentChannels}); // [N, C]
    auto y = rgb.permute({0, 2, 3, 1}).reshape({-1, 3});            // [N, 3]
    auto design = torch::cat({x, torch::ones({x.size(0), 1})}, 1);  // [N, C+1]
    auto solution = std::get<0>(torch::linalg_lstsq(design, y));    // [C+1, 3]

    LatentPreview preview;
    preview.weight_ = solution.slice(0, 0, latentChannels).t().contiguous(); // [3, C]
    preview.bias_ = solution[latentChannels].contiguous();                   // [3]
    preview.fitError_ = (design.matmul(solution) - y).abs().mean().item<double>();
    return preview;
}

torch::Tensor LatentPreview::toRgb(const torch::Tensor& latents) const {
    torch::NoGradGuard noGrad;
    auto z = latents.detach().to(torch::kCPU, torch::kFloat32)[0]; // [C,h,w]
    auto rgb = torch::einsum("oc,chw->hwo", {weight_, z}) + bias_; // [h,w,3]
    return (rgb.clamp(0, 1) * 255).round().to(torch::kUInt8).contiguous();
}

} // namespace daam
