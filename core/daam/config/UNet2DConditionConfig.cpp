// SPDX-License-Identifier: GPL-3.0-or-later
// Parses UNet2DConditionModel's config.json. Mirrors diffusers 0.21.2's constructor defaults and its
// quirk that `attention_head_dim` is the number of heads when `num_attention_heads` is null.
#include "daam/config/UNet2DConditionConfig.h"

#include "daam/config/ConfigLimits.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace daam {
namespace {

using nlohmann::json;

bool present(const json& j, const char* key) {
    return j.contains(key) && !j.at(key).is_null();
}

template <typename T> T get(const json& j, const std::string& path, const char* key, T fallback) {
    if (!present(j, key)) return fallback;
    try {
        return j.at(key).get<T>();
    } catch (const json::exception& e) {
        throw FileError(path, std::string(key) + ": " + jsonErrorText(e.what()));
    }
}

// An int or a list of ints, broadcast to `n` entries, each from 1 to `max`.
std::vector<int64_t> perBlock(const json& j, const std::string& path, const char* key, int64_t fallback, size_t n,
                              int64_t max) {
    if (!present(j, key)) return std::vector<int64_t>(n, fallback);
    const json& v = j.at(key);
    std::vector<int64_t> out;
    if (v.is_number_integer()) {
        out.assign(n, v.get<int64_t>());
    } else if (v.is_array() && v.size() == n) {
        for (const auto& e : v) {
            if (!e.is_number_integer()) throw FileError(path, std::string(key) + ": expected integers");
            out.push_back(e.get<int64_t>());
        }
    } else {
        throw FileError(path,
                        std::string(key) + ": expected an integer or a list of " + std::to_string(n) + " integers");
    }
    for (size_t i = 0; i < n; ++i) {
        // An unsigned value past int64 reads as negative: refused by the lower bound.
        const auto& e = v.is_array() ? v.at(i) : v;
        if (e.is_number_unsigned() && e.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())) out[i] = -1;
        checkConfigSize(out[i], path, key, max);
    }
    return out;
}

// A bool or a list of `n` bools, broadcast to `n` entries.
std::vector<bool> perBlockFlag(const json& j, const std::string& path, const char* key, size_t n) {
    if (!present(j, key)) return std::vector<bool>(n, false);
    const json& v = j.at(key);
    if (v.is_boolean()) return std::vector<bool>(n, v.get<bool>());
    if (v.is_array() && v.size() == n &&
        std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_boolean(); })) {
        std::vector<bool> out;
        for (const auto& e : v)
            out.push_back(e.get<bool>());
        return out;
    }
    throw FileError(path, std::string(key) + ": expected a boolean or a list of " + std::to_string(n) + " booleans");
}

void expectValue(const json& j, const std::string& path, const char* key, const json& allowed) {
    if (!present(j, key)) return;
    if (j.at(key) != allowed)
        throw FileError(path, std::string(key) + ": unsupported value " + excerpt(j.at(key).dump(), 40) + " (only " +
                                  allowed.dump() + " is implemented)");
}

} // namespace

UNet2DConditionConfig UNet2DConditionConfig::fromFile(const std::string& path) {
    return fromJson(readJsonFile(path), path);
}

UNet2DConditionConfig UNet2DConditionConfig::fromJson(const nlohmann::json& j, const std::string& path) {
    if (!j.is_object()) throw FileError(path, "expected a JSON object");
    UNet2DConditionConfig c;
    c.inChannels = configSize(j, "in_channels", 4, path, limits::kWidth);
    c.outChannels = configSize(j, "out_channels", 4, path, limits::kWidth);
    c.sampleSize = configSize(j, "sample_size", 64, path, limits::kSampleSize);
    c.downBlockTypes = get<std::vector<std::string>>(
        j, path, "down_block_types",
        {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"});
    c.upBlockTypes = get<std::vector<std::string>>(
        j, path, "up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"});
    // An explicit null means no mid block (diffusers' mid_block_type=None), unlike a missing key.
    c.midBlockType = j.contains("mid_block_type") && j.at("mid_block_type").is_null()
                         ? std::string()
                         : get<std::string>(j, path, "mid_block_type", "UNetMidBlock2DCrossAttn");
    c.blockOutChannels = configSizes(j, "block_out_channels", {320, 640, 1280, 1280}, path, limits::kWidth);
    c.layersPerBlock = configSize(j, "layers_per_block", 2, path, limits::kLayers);
    c.downsamplePadding = configSize(j, "downsample_padding", 1, path, 16, 0);
    c.midBlockScaleFactor = get<double>(j, path, "mid_block_scale_factor", 1.0);
    c.normNumGroups = configSize(j, "norm_num_groups", 32, path, limits::kWidth);
    c.normEps = get<double>(j, path, "norm_eps", 1e-5);
    c.useLinearProjection = get<bool>(j, path, "use_linear_projection", false);
    c.upcastAttention = get<bool>(j, path, "upcast_attention", false);
    c.flipSinToCos = get<bool>(j, path, "flip_sin_to_cos", true);
    c.freqShift = get<double>(j, path, "freq_shift", 0.0);

    const size_t n = c.downBlockTypes.size();
    if (n == 0 || c.blockOutChannels.size() != n)
        throw FileError(path, "block_out_channels: must have one entry per down block");
    if (n > size_t(limits::kBlocks))
        throw FileError(path, "key \"down_block_types\" has " + std::to_string(n) + " blocks, more than the " +
                                  std::to_string(limits::kBlocks) + " this build reads");
    if (c.upBlockTypes.size() != n) throw FileError(path, "up_block_types: must have one entry per down block");
    for (const auto& t : c.downBlockTypes)
        if (t != "CrossAttnDownBlock2D" && t != "DownBlock2D")
            throw FileError(path, "down_block_types: unsupported block type " + excerpt(t, 40));
    for (const auto& t : c.upBlockTypes)
        if (t != "CrossAttnUpBlock2D" && t != "UpBlock2D")
            throw FileError(path, "up_block_types: unsupported block type " + excerpt(t, 40));
    if (c.midBlockType != "UNetMidBlock2DCrossAttn" && c.midBlockType != "UNetMidBlock2D" && !c.midBlockType.empty())
        throw FileError(path, "mid_block_type: unsupported block type " + excerpt(c.midBlockType, 40));
    for (int64_t ch : c.blockOutChannels)
        if (ch % c.normNumGroups != 0)
            throw FileError(path,
                            "block_out_channels: " + std::to_string(ch) + " is not a multiple of norm_num_groups");

    c.crossAttentionDim = perBlock(j, path, "cross_attention_dim", 1280, n, limits::kWidth);
    // diffusers' naming quirk: attention_head_dim holds the number of heads unless num_attention_heads is set.
    c.numAttentionHeads = present(j, "num_attention_heads")
                              ? perBlock(j, path, "num_attention_heads", 8, n, limits::kHeads)
                              : perBlock(j, path, "attention_head_dim", 8, n, limits::kHeads);
    c.onlyCrossAttention = perBlockFlag(j, path, "only_cross_attention", n);
    c.transformerLayersPerBlock = perBlock(j, path, "transformer_layers_per_block", 1, n, limits::kLayers);
    for (size_t i = 0; i < n; ++i)
        if (c.blockOutChannels[i] % c.numAttentionHeads[i] != 0)
            throw FileError(path, "attention_head_dim: " + std::to_string(c.numAttentionHeads[i]) +
                                      " heads do not divide " + std::to_string(c.blockOutChannels[i]) + " channels");

    c.additionEmbedType = get<std::string>(j, path, "addition_embed_type", "");
    if (!c.additionEmbedType.empty()) {
        if (c.additionEmbedType != "text_time")
            throw FileError(path, "addition_embed_type: unsupported value " + excerpt(c.additionEmbedType, 40));
        c.additionTimeEmbedDim = configSize(j, "addition_time_embed_dim", 0, path, limits::kWidth, 0);
        c.projectionClassEmbeddingsInputDim =
            configSize(j, "projection_class_embeddings_input_dim", 0, path, limits::kFeedForward, 0);
        if (c.additionTimeEmbedDim <= 0) throw FileError(path, "addition_time_embed_dim: required for text_time");
        if (c.projectionClassEmbeddingsInputDim <= 0)
            throw FileError(path, "projection_class_embeddings_input_dim: required for text_time");
    }

    // Keys whose non-default values change the architecture in ways not implemented here.
    expectValue(j, path, "act_fn", "silu");
    expectValue(j, path, "dual_cross_attention", false);
    expectValue(j, path, "center_input_sample", false);
    expectValue(j, path, "class_embed_type", nullptr);
    expectValue(j, path, "num_class_embeds", nullptr);
    expectValue(j, path, "encoder_hid_dim", nullptr);
    expectValue(j, path, "encoder_hid_dim_type", nullptr);
    expectValue(j, path, "time_embedding_type", "positional");
    expectValue(j, path, "time_embedding_dim", nullptr);
    expectValue(j, path, "time_embedding_act_fn", nullptr);
    expectValue(j, path, "timestep_post_act", nullptr);
    expectValue(j, path, "time_cond_proj_dim", nullptr);
    expectValue(j, path, "conv_in_kernel", 3);
    expectValue(j, path, "conv_out_kernel", 3);
    expectValue(j, path, "resnet_time_scale_shift", "default");
    expectValue(j, path, "resnet_skip_time_act", false);
    expectValue(j, path, "resnet_out_scale_factor", 1.0);
    expectValue(j, path, "cross_attention_norm", nullptr);
    expectValue(j, path, "attention_type", "default");
    expectValue(j, path, "class_embeddings_concat", false);
    if (present(j, "mid_block_only_cross_attention") && j.at("mid_block_only_cross_attention") != false)
        throw FileError(path, "mid_block_only_cross_attention: only false/null is implemented");
    return c;
}

} // namespace daam
