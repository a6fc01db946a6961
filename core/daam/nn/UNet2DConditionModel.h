// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' UNet2DConditionModel (SD 1.x / 2.x, and SDXL's "text_time" added embedding) as native LibTorch
// modules whose parameter names equal the diffusers state-dict keys. forward() takes an optional
// AttentionCall through which the cross-attention probabilities of every attn2 reach an observer;
// crossAttentionLayers() lists those layers in forward order (down → mid → up).
#pragma once

#include "daam/config/UNet2DConditionConfig.h"
#include "daam/io/WeightSet.h"
#include "daam/nn/Normalization.h"
#include "daam/nn/TimestepEmbedding.h"
#include "daam/nn/UNetBlocks.h"

#include <memory>

namespace daam {

// SDXL's added conditioning: pooled text embeds [B, P] and time ids [B, 6].
struct AddedCond {
    torch::Tensor textEmbeds;
    torch::Tensor timeIds;
};

// Random: initialised as LibTorch initialises new layers. ToBeLoaded: every parameter is a placeholder of its shape
// and dtype, a stride-0 view of one shared zero, for a loader that replaces every one of them.
enum class InitialParameters { Random, ToBeLoaded };

class UNet2DConditionModelImpl : public torch::nn::Module {
public:
    // `dtype`: the parameters' type. The blocks are converted (or made placeholders) as they are built, so that the
    // UNet never holds a whole fp32 copy it does not keep (SD 1.5's is 3.4 GB).
    explicit UNet2DConditionModelImpl(const UNet2DConditionConfig& config, torch::ScalarType dtype = torch::kFloat32,
                                      InitialParameters initial = InitialParameters::Random);

    // sample [B, in, h, w]; timestep: scalar or [B] (int or float); encoderHiddenStates [B, T, D].
    // → noise prediction [B, out, h, w].
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timestep,
                          const torch::Tensor& encoderHiddenStates, const AddedCond* added = nullptr,
                          const AttentionCall* call = nullptr);

    const UNet2DConditionConfig& config() const { return config_; }
    // The attn2 layers in forward order; height/width are 0 (they depend on the input size).
    const std::vector<CrossAttentionLayer>& crossAttentionLayers() const { return layers_; }

private:
    UNet2DConditionConfig config_;
    std::vector<CrossAttentionLayer> layers_;
    Conv2d conv_in{nullptr}, conv_out{nullptr};
    TimestepEmbedding time_embedding{nullptr}, add_embedding{nullptr};
    std::vector<UNetDownBlock> down_;
    UNetMidBlock2DCrossAttn mid_block{nullptr};
    std::vector<UNetUpBlock> up_;
    GroupNorm conv_norm_out{nullptr};
};
TORCH_MODULE(UNet2DConditionModel);

// Reads <componentDir>/config.json and the diffusion_pytorch_model weights; the model is in eval mode on
// options.device/options.dtype. Throws FileError for bad configs and missing/unexpected/misshapen tensors.
UNet2DConditionModel loadUNet(const std::string& componentDir, const LoadOptions& options = {});
// The same from a config and weights found elsewhere (a single-file checkpoint); `configPath` names the config
// in messages.
UNet2DConditionModel loadUNet(const UNet2DConditionConfig& config, const WeightSet& weights,
                              const std::string& configPath, const LoadOptions& options = {});

} // namespace daam
