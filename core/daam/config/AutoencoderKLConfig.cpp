// SPDX-License-Identifier: GPL-3.0-or-later
// Parses AutoencoderKL's config.json with diffusers 0.21.2's defaults (and mid_block_add_attention, which
// later diffusers added, default true).
#include "daam/config/AutoencoderKLConfig.h"

#include "daam/config/ConfigLimits.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <nlohmann/json.hpp>

namespace daam {

AutoencoderKLConfig AutoencoderKLConfig::fromFile(const std::string& path) {
    return fromJson(readJsonFile(path), path);
}

AutoencoderKLConfig AutoencoderKLConfig::fromJson(const nlohmann::json& j, const std::string& path) {
    using nlohmann::json;
    if (!j.is_object()) throw FileError(path, "expected a JSON object");
    AutoencoderKLConfig c;
    auto read = [&](const char* key, auto& field) {
        if (!j.contains(key) || j.at(key).is_null()) return;
        try {
            field = j.at(key).get<std::decay_t<decltype(field)>>();
        } catch (const json::exception& e) {
            throw FileError(path, std::string(key) + ": " + jsonErrorText(e.what()));
        }
    };
    c.inChannels = configSize(j, "in_channels", c.inChannels, path, limits::kWidth);
    c.outChannels = configSize(j, "out_channels", c.outChannels, path, limits::kWidth);
    c.latentChannels = configSize(j, "latent_channels", c.latentChannels, path, limits::kWidth);
    c.blockOutChannels = configSizes(j, "block_out_channels", c.blockOutChannels, path, limits::kWidth);
    c.layersPerBlock = configSize(j, "layers_per_block", c.layersPerBlock, path, limits::kLayers);
    c.normNumGroups = configSize(j, "norm_num_groups", c.normNumGroups, path, limits::kWidth);
    read("scaling_factor", c.scalingFactor);
    read("mid_block_add_attention", c.midBlockAddAttention);
    read("force_upcast", c.forceUpcast);
    std::vector<std::string> down(c.blockOutChannels.size(), "DownEncoderBlock2D");
    std::vector<std::string> up(c.blockOutChannels.size(), "UpDecoderBlock2D");
    read("down_block_types", down);
    read("up_block_types", up);
    if (c.blockOutChannels.empty()) throw FileError(path, "block_out_channels: empty");
    if (c.blockOutChannels.size() > size_t(limits::kBlocks))
        throw FileError(path, "key \"block_out_channels\" has " + std::to_string(c.blockOutChannels.size()) +
                                  " blocks, more than the " + std::to_string(limits::kBlocks) + " this build reads");
    if (down.size() != c.blockOutChannels.size() || up.size() != c.blockOutChannels.size())
        throw FileError(path, "down_block_types/up_block_types: must have one entry per block_out_channels entry");
    for (const auto& t : down)
        if (t != "DownEncoderBlock2D")
            throw FileError(path, "down_block_types: unsupported block type " + excerpt(t, 40));
    for (const auto& t : up)
        if (t != "UpDecoderBlock2D") throw FileError(path, "up_block_types: unsupported block type " + excerpt(t, 40));
    for (int64_t ch : c.blockOutChannels)
        if (ch % c.normNumGroups != 0)
            throw FileError(path,
                            "block_out_channels: " + std::to_string(ch) + " is not a multiple of norm_num_groups");
    if (j.contains("act_fn") && j.at("act_fn") != "silu") throw FileError(path, "act_fn: only \"silu\" is implemented");
    return c;
}

} // namespace daam
