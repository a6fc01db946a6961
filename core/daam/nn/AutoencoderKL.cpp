// SPDX-License-Identifier: GPL-3.0-or-later
// AutoencoderKL, Encoder and Decoder: see AutoencoderKL.h.
#include "daam/nn/AutoencoderKL.h"

#include <torch/torch.h>

namespace daam {

using namespace torch::nn;

EncoderImpl::EncoderImpl(const AutoencoderKLConfig& c) {
    const auto& boc = c.blockOutChannels;
    conv_in = register_module("conv_in", Conv2d(Conv2dOptions(c.inChannels, boc[0], 3).padding(1)));
    auto blocks = register_module("down_blocks", ModuleList());
    int64_t outCh = boc[0];
    for (size_t i = 0; i < boc.size(); ++i) {
        const int64_t inCh = outCh;
        outCh = boc[i];
        down_.push_back(DownEncoderBlock2D(inCh, outCh, c.layersPerBlock, c.normNumGroups, i + 1 != boc.size()));
        blocks->push_back(down_.back());
    }
    mid_block = register_module("mid_block", UNetMidBlock2D(boc.back(), c.normNumGroups, c.midBlockAddAttention));
    conv_norm_out =
        register_module("conv_norm_out", GroupNorm(GroupNormOptions(c.normNumGroups, boc.back()).eps(1e-6)));
    conv_out = register_module("conv_out", Conv2d(Conv2dOptions(boc.back(), 2 * c.latentChannels, 3).padding(1)));
}

torch::Tensor EncoderImpl::forward(torch::Tensor x) {
    x = conv_in->forward(x);
    for (auto& b : down_)
        x = b->forward(x);
    x = mid_block->forward(x);
    return conv_out->forward(conv_norm_out->forwardSilu(x));
}

DecoderImpl::DecoderImpl(const AutoencoderKLConfig& c) {
    const auto& boc = c.blockOutChannels;
    conv_in = register_module("conv_in", Conv2d(Conv2dOptions(c.latentChannels, boc.back(), 3).padding(1)));
    mid_block = register_module("mid_block", UNetMidBlock2D(boc.back(), c.normNumGroups, c.midBlockAddAttention));
    auto blocks = register_module("up_blocks", ModuleList());
    int64_t outCh = boc.back();
    for (size_t i = 0; i < boc.size(); ++i) {
        const int64_t prevCh = outCh;
        outCh = boc[boc.size() - 1 - i];
        up_.push_back(UpDecoderBlock2D(prevCh, outCh, c.layersPerBlock + 1, c.normNumGroups, i + 1 != boc.size()));
        blocks->push_back(up_.back());
    }
    conv_norm_out = register_module("conv_norm_out", GroupNorm(GroupNormOptions(c.normNumGroups, boc[0]).eps(1e-6)));
    conv_out = register_module("conv_out", Conv2d(Conv2dOptions(boc[0], c.outChannels, 3).padding(1)));
}

torch::Tensor DecoderImpl::forward(torch::Tensor z) {
    // bf16 on the CPU decodes channels-last: oneDNN's bf16 convolutions at the VAE's 256x256 and 512x512 maps ran
    // twice as fast so (Zen 5: 128 channels at 512x512, 516 -> 242 ms), mostly by skipping the reorders of NCHW
    // maps into its blocked layout and back, whose 16-channel gathers from 0.5 MB-apart planes ran at 0.5 GB/s.
    // The bf16 GroupNorm (Bf16Kernels.h) and the mid-block attention read channels-last maps as they are.
    const bool channelsLast =
        z.device().is_cpu() && z.scalar_type() == torch::kBFloat16 && !torch::GradMode::is_enabled() && z.dim() == 4;
    auto x = conv_in->forward(channelsLast ? z.contiguous(torch::MemoryFormat::ChannelsLast) : z);
    x = mid_block->forward(x);
    for (auto& b : up_)
        x = b->forward(x);
    x = conv_out->forward(conv_norm_out->forwardSilu(x));
    return channelsLast ? x.contiguous() : x;
}

AutoencoderKLImpl::AutoencoderKLImpl(const AutoencoderKLConfig& c) : config_(c) {
    encoder = register_module("encoder", Encoder(c));
    decoder = register_module("decoder", Decoder(c));
    quant_conv = register_module("quant_conv", Conv2d(Conv2dOptions(2 * c.latentChannels, 2 * c.latentChannels, 1)));
    post_quant_conv = register_module("post_quant_conv", Conv2d(Conv2dOptions(c.latentChannels, c.latentChannels, 1)));
}

LatentDistribution AutoencoderKLImpl::encode(const torch::Tensor& x) {
    auto moments = quant_conv->forward(encoder->forward(x)).chunk(2, 1);
    return {moments[0], moments[1].clamp(-30.0, 20.0)};
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& z) {
    return decoder->forward(post_quant_conv->forward(z));
}

AutoencoderKL loadAutoencoderKL(const std::string& componentDir, const LoadOptions& options) {
    const std::string configPath = componentDir + "/config.json";
    return loadAutoencoderKL(AutoencoderKLConfig::fromFile(configPath),
                             WeightSet::open(componentDir, "diffusion_pytorch_model", options.variant), configPath,
                             options);
}

AutoencoderKL loadAutoencoderKL(const AutoencoderKLConfig& config, const WeightSet& weights,
                                const std::string& configPath, const LoadOptions& options) {
    // Every parameter's size follows from the sizes checked here.
    const ConfigShapeCheck check(weights, configPath);
    const auto& channels = config.blockOutChannels;
    check.dim("encoder.conv_in.weight", 0, channels[0], "block_out_channels")
        .dim("encoder.conv_in.weight", 1, config.inChannels, "in_channels")
        .dim("decoder.conv_out.weight", 0, config.outChannels, "out_channels")
        .dim("quant_conv.weight", 0, 2 * config.latentChannels, "latent_channels")
        .count("encoder.down_blocks.", int64_t(channels.size()), "block_out_channels")
        .count("decoder.up_blocks.", int64_t(channels.size()), "block_out_channels");
    for (size_t i = 0; i < channels.size(); ++i) {
        const std::string down = "encoder.down_blocks." + std::to_string(i) + ".";
        check.dim(down + "resnets.0.conv2.weight", 0, channels[i], "block_out_channels")
            .count(down + "resnets.", config.layersPerBlock, "layers_per_block")
            .count("decoder.up_blocks." + std::to_string(i) + ".resnets.", config.layersPerBlock + 1,
                   "layers_per_block");
    }

    AutoencoderKL model(config);
    model->to(options.device, options.dtype);
    loadStateDict(*model, weights, options);
    model->eval();
    return model;
}

} // namespace daam
