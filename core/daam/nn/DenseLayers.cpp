// SPDX-License-Identifier: GPL-3.0-or-later
// Linear and Conv2d: see DenseLayers.h.
#include "daam/nn/DenseLayers.h"

#include "daam/nn/ChannelsLastConvolution.h"
#include "daam/nn/WinogradConvolution.h"
#include "daam/util/CpuPeak.h"
#include "daam/util/ProcessMemory.h"

#include <ATen/Context.h>
#include <torch/torch.h>

#include <variant>

namespace daam {
namespace {

// Below this many rows (the time embedding's single row, a batch of pooled text) oneDNN's convolution is slower
// than the BLAS product, and LibTorch would not pick oneDNN for it anyway.
constexpr int64_t kMinConvRows = 64;
// In bfloat16 LibTorch's product is oneDNN's matmul already; the 1×1 convolution still beats it by 10-55 % on SD 1.5's
// 8192- and 2048-row products (AMD EPYC Zen 5, 2 threads, a kept heap), is even at 512 rows and loses 15 % there
// with 5120 input columns.
constexpr int64_t kMinBf16ConvRows = 1024;

bool cpuInference(const torch::Tensor& x, const torch::Tensor& weight, torch::ScalarType type) {
    return !torch::GradMode::is_enabled() && x.device().is_cpu() && weight.device().is_cpu() &&
           x.scalar_type() == type && weight.scalar_type() == type && at::globalContext().userEnabledMkldnn() &&
           at::hasMKLDNN();
}

bool floatInference(const torch::Tensor& x, const torch::Tensor& weight) {
    return cpuInference(x, weight, torch::kFloat32);
}

// Measured where the CPU multiplies bf16 itself; elsewhere oneDNN emulates it, or LibTorch's convolution may not
// reach oneDNN at all.
bool bf16Inference(const torch::Tensor& x, const torch::Tensor& weight) {
    return cpuHasAvx512Bf16() && cpuInference(x, weight, torch::kBFloat16);
}

// LibTorch 1.13 holds options in c10::variant, later versions in std::variant: ordinary lookup then finds the
// one get_if that takes it.
template <class Variant> const torch::ExpandingArray<2>* explicitPadding(const Variant& padding) {
    using namespace c10;
    using namespace std;
    return get_if<torch::ExpandingArray<2>>(&padding);
}

template <class Variant> bool zeroPadded(const Variant& mode) {
    using namespace c10;
    using namespace std;
    return get_if<torch::enumtype::kZeros>(&mode) != nullptr;
}

// Calls visit(conv, weight) for every daam::Conv2d below `module`, its weight named as named_parameters() names it.
template <class Visit> void forEachConvolution(torch::nn::Module& module, const Visit& visit) {
    for (const auto& item : module.named_modules())
        if (auto* conv = dynamic_cast<Conv2dImpl*>(item.value().get()))
            visit(*conv, item.key().empty() ? std::string("weight") : item.key() + ".weight");
}

} // namespace

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    const bool fp32 = floatInference(x, weight), bf16 = !fp32 && bf16Inference(x, weight);
    if (x.dim() >= 2 && x.is_contiguous() && (fp32 || bf16)) {
        const int64_t k = weight.size(1), n = weight.size(0), m = x.numel() / k;
        if (m >= (fp32 ? kMinConvRows : kMinBf16ConvRows)) {
            // [m, k] row-major is an NHWC image of one row of m pixels: [1, k, 1, m] in channels-last strides,
            // and the output comes back channels-last too, which is [m, n] row-major again.
            const auto image = x.reshape({1, 1, m, k}).permute({0, 3, 1, 2});
            const auto out = at::conv2d(image, weight.reshape({n, k, 1, 1}), bias);
            auto sizes = x.sizes().vec();
            sizes.back() = n;
            return out.permute({0, 2, 3, 1}).reshape(sizes);
        }
    }
    return torch::nn::LinearImpl::forward(x);
}

bool Conv2dImpl::packable(torch::ScalarType type) const {
    if (!explicitPadding(options.padding()) || !zeroPadded(options.padding_mode()) || options.transposed() ||
        !weight.device().is_cpu() || !at::hasMKLDNN())
        return false;
    if (type == torch::kFloat32) return weight.scalar_type() == torch::kFloat32;
    return type == torch::kBFloat16 && cpuHasAvx512Bf16() && torch::isFloatingType(weight.scalar_type());
}

bool Conv2dImpl::packForInference(torch::ScalarType type) {
    packed_ = torch::Tensor();
    winograd_.reset();
    winogradUnavailable_ = false;
    channelsLast_.reset();
    channelsLastUnavailable_ = false;
    if (!packable(type)) return false;
    torch::NoGradGuard noGrad;
    packedType_ = type;
    packedData_ = weight.data_ptr();
    packedVersion_ = weight._version();
    // bf16 goes straight into the layout oneDNN's kernel reads on channels-last activations, made for a 64×64 input:
    // SD 1.5's layouts do not depend on the size, and a size that needs another reorders the weight again then.
    // Reordered at the first call instead, after LibTorch's packed copy, the copies' holes in the kept heap added
    // 0.26 GB to a bf16 generation's peak.
    if (type == torch::kBFloat16 && channelsLastAllowed_) {
        channelsLast_ = makeChannelsLast({1, options.in_channels(), 64, 64});
        if (channelsLast_) return true;
        channelsLastUnavailable_ = true; // no kernel, or no oneDNN headers: no second try at the first call
    }
    const auto source = weight.scalar_type() == type ? weight : weight.to(type);
    packed_ = at::mkldnn_reorder_conv2d_weight(source.contiguous().to_mkldnn(), **explicitPadding(options.padding()),
                                               *options.stride(), *options.dilation(), options.groups());
    return true;
}

bool Conv2dImpl::packedStillValid() const {
    return weight.data_ptr() == packedData_ && weight._version() == packedVersion_;
}

bool Conv2dImpl::winogradShape() const {
    const auto& k = *options.kernel_size();
    const auto& s = *options.stride();
    const auto& d = *options.dilation();
    // A UNet's conv_in (4 latent channels) runs slower as Winograd (bench_winograd: 0.64x): oneDNN pads the
    // channels to 16.
    return k[0] == 3 && k[1] == 3 && s[0] == 1 && s[1] == 1 && d[0] == 1 && d[1] == 1 && options.groups() == 1 &&
           options.in_channels() >= 16;
}

torch::Tensor Conv2dImpl::winogradForward(const torch::Tensor& x) {
    if (winograd_ && winograd_->fits(x.sizes())) return winograd_->forward(x);
    const auto& padding = **explicitPadding(options.padding());
    std::shared_ptr<WinogradConvolution> made =
        WinogradConvolution::make(weight, bias, {padding[0], padding[1]}, x.sizes());
    // The transform read the weight's file pages back in; the transformed copy takes their place, as the packed one
    // did.
    releaseCleanFilePages(weight.data_ptr(), weight.nbytes());
    if (!made) {
        if (!winograd_) winogradUnavailable_ = true;
        return torch::Tensor();
    }
    winograd_ = std::move(made);
    packed_ = torch::Tensor();
    return winograd_->forward(x);
}

void Conv2dImpl::allowChannelsLast(bool allow) {
    channelsLastAllowed_ = allow;
    if (!allow && channelsLast_) packForInference(packedType_); // LibTorch's packed copy instead
}

std::shared_ptr<ChannelsLastConvolution> Conv2dImpl::makeChannelsLast(c10::IntArrayRef inputSizes) const {
    ConvolutionGeometry geometry;
    const auto& padding = **explicitPadding(options.padding());
    for (int i = 0; i < 2; ++i) {
        geometry.stride[i] = (*options.stride())[i];
        geometry.padding[i] = padding[i];
        geometry.dilation[i] = (*options.dilation())[i];
    }
    geometry.groups = options.groups();
    return ChannelsLastConvolution::make(weight, bias, geometry, inputSizes);
}

torch::Tensor Conv2dImpl::channelsLastForward(const torch::Tensor& x) {
    if (channelsLast_ && channelsLast_->fits(x.sizes())) return channelsLast_->forward(x);
    if (channelsLastUnavailable_ || !channelsLastAllowed_) return torch::Tensor();
    std::shared_ptr<ChannelsLastConvolution> made = makeChannelsLast(x.sizes());
    // The reorder read the weight's file pages back in; the reordered copy takes their place, as the packed one did.
    releaseCleanFilePages(weight.data_ptr(), weight.nbytes());
    if (!made) {
        if (!channelsLast_) channelsLastUnavailable_ = true;
        return torch::Tensor();
    }
    channelsLast_ = std::move(made);
    packed_ = torch::Tensor();
    return channelsLast_->forward(x);
}

torch::Tensor Conv2dImpl::forward(const torch::Tensor& x) {
    if ((packed_.defined() || winograd_ || channelsLast_) && !packedStillValid()) {
        packed_ = torch::Tensor();
        winograd_.reset();
        channelsLast_.reset();
    }
    const bool packedFor = x.dim() == 4 && packed_.defined() && packedType_ == x.scalar_type();
    if (x.dim() == 4 && floatInference(x, weight)) {
        // Only convolutions packed for inference switch: that is the model's opt-in to keeping weight copies.
        const bool toWinograd = winograd_ || (packedFor && !winogradUnavailable_ && winogradShape() &&
                                              x.size(2) * x.size(3) >= kWinogradMinPixels);
        if (toWinograd) {
            if (auto y = winogradForward(x); y.defined()) return y;
        }
    }
    if (x.dim() == 4 && (channelsLast_ || (packedFor && packedType_ == torch::kBFloat16)) &&
        cpuInference(x, x, torch::kBFloat16)) {
        if (auto y = channelsLastForward(x); y.defined()) return y;
    }
    if (packedFor && cpuInference(x, packed_, packedType_))
        return at::mkldnn_convolution(x.contiguous(), packed_, bias, **explicitPadding(options.padding()),
                                      *options.stride(), *options.dilation(), options.groups());
    // A bfloat16 model's packed convolutions may keep their weight in the file's dtype: a forward the packed copy
    // does not serve (training, a replaced weight) converts it.
    if (weight.scalar_type() != x.scalar_type()) return _conv_forward(x, weight.to(x.scalar_type()));
    return torch::nn::Conv2dImpl::forward(x);
}

void packConvolutionsForInference(torch::nn::Module& module,
                                  const std::function<void(const std::string& weight)>& packed,
                                  torch::ScalarType type) {
    forEachConvolution(module, [&](Conv2dImpl& conv, const std::string& weight) {
        if (conv.packForInference(type) && packed) packed(weight);
    });
}

std::vector<std::string> packableConvolutionWeights(torch::nn::Module& module, torch::ScalarType type) {
    std::vector<std::string> names;
    forEachConvolution(module, [&](Conv2dImpl& conv, const std::string& weight) {
        if (conv.packable(type)) names.push_back(weight);
    });
    return names;
}

} // namespace daam
