// Parses AutoencoderKL's config.json with diffusers 0.21.2's defaults (and mid_block_add_attention, which
// later diffusers added, default true).
#include "daam/config/AutoencoderKLConfig.h"

#include "daam/util/Error.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace daam {

AutoencoderKLConfig AutoencoderKLConfig::fromFile(const std::string& path) {
    using nlohmann::json;
    std::ifstream in(path);
    if (!in) throw FileError(path, "cannot open the VAE config");
    json j;
    try {
        j = json::parse(in);
    } catch (const json::exception& e) {
        throw FileError(path, std::string("not valid JSON: ") + e.what());
    }
    AutoencoderKLConfig c;
    auto read = [&](const char* key, auto& field) {
        if (!j.contains(key) || j.at(key).is_null()) return;
        try {
            field = j.at(key).get<std::decay_t<decltype(field)>>();
        } catch (const json::exception& e) {
            throw FileError(path, std::string(key) + ": " + e.what());
        }
    };
    read("in_channels", c.inChannels);
    read("out_channels", c.outChannels);
    read("latent_channels", c.latentChannels);
    read("block_out_channels", c.blockOutChannels);
    read("layers_per_block", c.layersPerBlock);
    read("norm_num_groups", c.normNumGroups);
    read("scaling_factor", c.scalingFactor);
    read("mid_block_add_attention", c.midBlockAddAttention);
    std::vector<std::string> down(c.blockOutChannels.size(), "DownEncoderBlock2D");
    std::vector<std::string> up(c.blockOutChannels.size(), "UpDecoderBlock2D");
    read("down_block_types", down);
    read("up_block_types", up);
    if (c.blockOutChannels.empty()) throw FileError(path, "block_out_channels: empty");
    if (down.size() != c.blockOutChannels.size() || up.size() != c.blockOutChannels.size())
        throw FileError(path, "down_block_types/up_block_types: must have one entry per block_out_channels entry");
    for (const auto& t : down)
        if (t != "DownEncoderBlock2D") throw FileError(path, "down_block_types: unsupported block type " + t);
    for (const auto& t : up)
        if (t != "UpDecoderBlock2D") throw FileError(path, "up_block_types: unsupported block type " + t);
    for (int64_t ch : c.blockOutChannels)
        if (ch <= 0 || ch % c.normNumGroups != 0)
            throw FileError(path,
                            "block_out_channels: " + std::to_string(ch) + " is not a multiple of norm_num_groups");
    if (j.contains("act_fn") && j.at("act_fn") != "silu") throw FileError(path, "act_fn: only \"silu\" is implemented");
    return c;
}

} // namespace daam
