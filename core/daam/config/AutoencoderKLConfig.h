// SPDX-License-Identifier: GPL-3.0-or-later
// diffusers' AutoencoderKL config.json (the keys the native VAE uses), with diffusers' defaults for
// absent keys; unsupported values give a FileError naming the key.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace daam {

struct AutoencoderKLConfig {
    int64_t inChannels = 3;
    int64_t outChannels = 3;
    int64_t latentChannels = 4;
    std::vector<int64_t> blockOutChannels{64};
    int64_t layersPerBlock = 1;
    int64_t normNumGroups = 32;
    double scalingFactor = 0.18215;
    // diffusers' mid_block_add_attention: false leaves the mid blocks' self-attention out, which at full
    // resolution (a latent factor of 1) would cost more than the rest of the autoencoder.
    bool midBlockAddAttention = true;
    // diffusers' force_upcast (default true): in float16 the decoder's activations overflow, so it decodes in
    // float32 whatever the pipeline's dtype.
    bool forceUpcast = true;

    static AutoencoderKLConfig fromFile(const std::string& path);
    static AutoencoderKLConfig fromJson(const nlohmann::json& j, const std::string& path);
};

} // namespace daam
