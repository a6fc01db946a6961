// SPDX-License-Identifier: GPL-3.0-or-later
// LibTorch's Linear and Conv2d with the same parameters and state-dict names, whose float32 inference on the CPU
// takes oneDNN's fast paths. At SD 1.5's shapes on 2 threads (AMD EPYC, fp32 peak about 225 GFLOP/s):
// - Linear: OpenBLAS's sgemm reaches 85-160 GFLOP/s; the same product as a 1×1 convolution over a channels-last
//   view of the rows, which oneDNN runs, reaches 155-220 with no copy in or out.
// - Conv2d: oneDNN reorders the weight into its blocked layout on every call; 1280-channel 3×3 convolutions at
//   8×8 and 16×16 run at 100-175 GFLOP/s that way and at about 225 with the weight reordered once
//   (packForInference). The results are the same to the bit.
// - 3×3 convolutions whose input has at least kWinogradMinPixels pixels per image run oneDNN's Winograd kernels
//   instead (WinogradConvolution.h), three times as fast, within 2e-6 of the direct result. Their transformed
//   weight is four times the packed one, so smaller inputs, where the convolutions carry more channels and take
//   less time, keep the direct path. A convolution switches at its first such input and stays Winograd after.
// - In bfloat16, where LibTorch already runs oneDNN for both, Linear with at least 1024 rows changes path (the same
//   1×1 convolution: 700-745 GFLOP/s against 470-660 for the matmul at SD 1.5's 64×64 and 32×32 levels), and a
//   packed Conv2d runs oneDNN itself on channels-last activations (ChannelsLastConvolution.h), so that a UNet's
//   activations stay channels-last from its first convolution on; where that is not built in, LibTorch's
//   mkldnn_convolution runs from the packed weight, which took 0.11 s off a 3.0 s SD 1.5 UNet call against a
//   weight reordered every call (bench_unet_packing).
// Training (grad mode) and other devices always take LibTorch's own forward.
#pragma once

#include "daam/nn/DenseLayers.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace daam {

class ChannelsLastConvolution;
class WinogradConvolution;

// SD 1.5 at 512×512 has 64×64 latents; at 32×32 its convolutions would hold 0.75 GB more weight for 0.7 s less per
// guided step, which the 5 GB a float32 generation may take has no room for.
constexpr int64_t kWinogradMinPixels = 64 * 64;

class LinearImpl : public torch::nn::LinearImpl {
public:
    using torch::nn::LinearImpl::LinearImpl;
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(Linear);

class Conv2dImpl : public torch::nn::Conv2dImpl {
public:
    using torch::nn::Conv2dImpl::Conv2dImpl;
    torch::Tensor forward(const torch::Tensor& x);

    // Keeps a copy of the weight in oneDNN's layout for CPU inference in `type`: float32 from a float32 weight, or
    // bfloat16 (where the CPU multiplies it, cpuHasAvx512Bf16) from a weight of any floating dtype, which a bfloat16
    // model may leave in its file's dtype (LoadOptions::keepFileDtype) so that only the packed copy is held. False
    // (nothing kept) where that path does not apply (another dtype or device, padding given as "same"/"valid", no
    // oneDNN). The copy is dropped, and the plain path taken, once the weight is replaced or changed in place.
    bool packForInference(torch::ScalarType type = torch::kFloat32);
    // Whether packForInference(type) would pack, known before the weight is loaded.
    bool packable(torch::ScalarType type) const;
    bool packed() const { return packed_.defined() || channelsLast_; }
    // Whether the weight is kept transformed for oneDNN's Winograd kernels (set by the first large enough input).
    bool winograd() const { return winograd_ != nullptr; }
    // Whether a bf16 packed convolution runs on channels-last activations (ChannelsLastConvolution, made when it is
    // packed); its output is channels-last then.
    bool channelsLast() const { return channelsLast_ != nullptr; }
    // Whether a bf16 packed convolution may switch to channels-last (by default it does); false keeps it on
    // LibTorch's mkldnn_convolution, as a build without oneDNN's headers runs, for comparisons.
    void allowChannelsLast(bool allow);

private:
    bool packedStillValid() const;
    bool winogradShape() const;
    torch::Tensor winogradForward(const torch::Tensor& x);
    std::shared_ptr<ChannelsLastConvolution> makeChannelsLast(c10::IntArrayRef inputSizes) const;
    torch::Tensor channelsLastForward(const torch::Tensor& x);

    torch::Tensor packed_;
    std::shared_ptr<WinogradConvolution> winograd_;
    bool winogradUnavailable_ = false; // oneDNN had no Winograd kernel for the first large input
    std::shared_ptr<ChannelsLastConvolution> channelsLast_;
    bool channelsLastUnavailable_ = false; // oneDNN had no kernel for this convolution
    bool channelsLastAllowed_ = true;
    torch::ScalarType packedType_ = torch::kFloat32;
    const void* packedData_ = nullptr;
    int64_t packedVersion_ = -1;
};
TORCH_MODULE(Conv2d);

// Packs every daam::Conv2d below `module` (packForInference) and calls `packed` with each weight it packed, named as
// named_parameters() names it, right after packing it.
void packConvolutionsForInference(torch::nn::Module& module,
                                  const std::function<void(const std::string& weight)>& packed = {},
                                  torch::ScalarType type = torch::kFloat32);
// The weights packConvolutionsForInference(module, {}, type) would pack, named as named_parameters() names them.
std::vector<std::string> packableConvolutionWeights(torch::nn::Module& module, torch::ScalarType type);

} // namespace daam
