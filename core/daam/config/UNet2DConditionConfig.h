// SPDX-License-Identifier: GPL-3.0-or-later
// The subset of diffusers' UNet2DConditionModel config.json that the native UNet implements, parsed with
// diffusers' defaults for absent keys. Values the native model does not implement are rejected with a
// FileError naming the key, so an unsupported checkpoint never yields a silently different model.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace daam {

struct UNet2DConditionConfig {
    int64_t inChannels = 4;
    int64_t outChannels = 4;
    int64_t sampleSize = 64;
    std::vector<std::string> downBlockTypes;
    // "UNetMidBlock2DCrossAttn" (every SD model), "UNetMidBlock2D" (one ResNet, no attention) or "" (the
    // config's null: no mid block).
    std::string midBlockType = "UNetMidBlock2DCrossAttn";
    std::vector<std::string> upBlockTypes;
    std::vector<int64_t> blockOutChannels;
    int64_t layersPerBlock = 2;
    int64_t downsamplePadding = 1;
    double midBlockScaleFactor = 1.0;
    int64_t normNumGroups = 32;
    double normEps = 1e-5;
    std::vector<int64_t> crossAttentionDim;         // per down block
    std::vector<int64_t> numAttentionHeads;         // per down block (attention_head_dim when heads is null)
    std::vector<int64_t> transformerLayersPerBlock; // per down block
    // per down block (the up blocks take the list reversed; the mid block never): attn1 attends to the text
    // too, so the block has no self-attention.
    std::vector<bool> onlyCrossAttention;
    bool useLinearProjection = false;
    bool upcastAttention = false;
    bool flipSinToCos = true;
    double freqShift = 0;
    // SDXL "text_time" additional embedding; empty type = none.
    std::string additionEmbedType;
    int64_t additionTimeEmbedDim = 0;
    int64_t projectionClassEmbeddingsInputDim = 0;

    int64_t timeEmbedDim() const { return blockOutChannels.at(0) * 4; }

    // Throws FileError(path, "<key>: ...") for unreadable, malformed or unsupported configs.
    static UNet2DConditionConfig fromFile(const std::string& path);
    // The same from a config already read (or made from a checkpoint's own description); `path` names it in
    // messages.
    static UNet2DConditionConfig fromJson(const nlohmann::json& j, const std::string& path);
};

} // namespace daam
