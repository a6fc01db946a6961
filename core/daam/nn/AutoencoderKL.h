// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' AutoencoderKL: Encoder (→ mean/logvar moments via quant_conv) and Decoder (after
// post_quant_conv), parameter names equal to the diffusers state-dict keys.
#pragma once

#include "daam/config/AutoencoderKLConfig.h"
#include "daam/io/WeightSet.h"
#include "daam/nn/Normalization.h"
#include "daam/nn/VaeBlocks.h"

namespace daam {

class EncoderImpl : public torch::nn::Module {
public:
    explicit EncoderImpl(const AutoencoderKLConfig& config);
    torch::Tensor forward(torch::Tensor x); // [B, in, H, W] → [B, 2·latent, H/f, W/f]

private:
    Conv2d conv_in{nullptr}, conv_out{nullptr};
    std::vector<DownEncoderBlock2D> down_;
    UNetMidBlock2D mid_block{nullptr};
    GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(Encoder);

class DecoderImpl : public torch::nn::Module {
public:
    explicit DecoderImpl(const AutoencoderKLConfig& config);
    torch::Tensor forward(torch::Tensor z); // [B, latent, h, w] → [B, out, h·f, w·f]

private:
    Conv2d conv_in{nullptr}, conv_out{nullptr};
    UNetMidBlock2D mid_block{nullptr};
    std::vector<UpDecoderBlock2D> up_;
    GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(Decoder);

struct LatentDistribution {
    torch::Tensor mean;   // [B, latent, h, w]
    torch::Tensor logvar; // clamped to [-30, 20]
};

class AutoencoderKLImpl : public torch::nn::Module {
public:
    explicit AutoencoderKLImpl(const AutoencoderKLConfig& config);
    LatentDistribution encode(const torch::Tensor& x);
    torch::Tensor decode(const torch::Tensor& z); // z unscaled (divide by scalingFactor() first)
    double scalingFactor() const { return config_.scalingFactor; }
    const AutoencoderKLConfig& config() const { return config_; }

private:
    AutoencoderKLConfig config_;
    Encoder encoder{nullptr};
    Decoder decoder{nullptr};
    Conv2d quant_conv{nullptr}, post_quant_conv{nullptr};
};
TORCH_MODULE(AutoencoderKL);

AutoencoderKL loadAutoencoderKL(const std::string& componentDir, const LoadOptions& options = {});
AutoencoderKL loadAutoencoderKL(const AutoencoderKLConfig& config, const WeightSet& weights,
                                const std::string& configPath, const LoadOptions& options = {});

} // namespace daam
