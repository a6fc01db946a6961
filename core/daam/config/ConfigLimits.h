// SPDX-License-Identifier: GPL-3.0-or-later
// The largest sizes the model configs may give. A config.json is read before its model is built, and a
// model is allocated in full from its config before the weights are compared with it, so every size is
// bounded first: far above the largest real models (SDXL), far below what would allocate absurd memory.
#pragma once

#include "daam/util/Error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace daam {

namespace limits {
constexpr int64_t kWidth = 16384;           // hidden sizes, channels, cross-attention dims (SDXL: 2048 at most)
constexpr int64_t kFeedForward = 65536;     // a text encoder's intermediate_size (SDXL: 5120)
constexpr int64_t kLayers = 256;            // text-encoder layers, resnets or transformer layers per block (SDXL: 32)
constexpr int64_t kBlocks = 16;             // down (and up) blocks of a UNet or VAE (SD: 4)
constexpr int64_t kHeads = 1024;            // attention heads (SDXL: 20)
constexpr int64_t kVocab = 1'000'000;       // a text encoder's vocab_size (CLIP: 49408)
constexpr int64_t kPositions = 65536;       // max_position_embeddings (CLIP: 77)
constexpr int64_t kSampleSize = 4096;       // a UNet's sample_size, in latent pixels (SDXL: 128)
constexpr int64_t kTrainTimesteps = 100000; // a scheduler's num_train_timesteps (SD: 1000)
} // namespace limits

// Throws FileError(path, "key \"<key>\" must be from <min> to <max>, got <value>") unless min <= value <= max.
inline void checkConfigSize(int64_t value, const std::string& path, const std::string& key, int64_t max,
                            int64_t min = 1) {
    if (value < min || value > max)
        throw FileError(path, "key \"" + key + "\" must be from " + std::to_string(min) + " to " + std::to_string(max) +
                                  ", got " + std::to_string(value));
}

namespace detail {
// One integer `e` of key `key`, from `min` to `max`; anything else throws, quoting `shown` (the value or its list)
// as what was not `expected`. An unsigned value past int64_t's range is out of range, not wrapped.
inline int64_t boundedInteger(const nlohmann::json& e, const nlohmann::json& shown, const char* expected,
                              const std::string& path, const char* key, int64_t max, int64_t min) {
    if (!e.is_number_integer())
        throw FileError(path,
                        std::string("key \"") + key + "\" must be " + expected + ", got " + excerpt(shown.dump(), 40));
    if (e.is_number_unsigned() && e.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
        throw FileError(path, std::string("key \"") + key + "\" must be from " + std::to_string(min) + " to " +
                                  std::to_string(max) + ", got " + e.dump());
    const int64_t value = e.get<int64_t>();
    checkConfigSize(value, path, key, max, min);
    return value;
}
} // namespace detail

// `j[key]` as an integer from `min` to `max`, or `def` when the key is absent or null. Anything else is a
// FileError naming the file and the key.
inline int64_t configSize(const nlohmann::json& j, const char* key, int64_t def, const std::string& path, int64_t max,
                          int64_t min = 1) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    return detail::boundedInteger(*it, *it, "an integer", path, key, max, min);
}

// `j[key]` as a non-empty list of integers from `min` to `max`, or `def` when the key is absent or null.
inline std::vector<int64_t> configSizes(const nlohmann::json& j, const char* key, const std::vector<int64_t>& def,
                                        const std::string& path, int64_t max, int64_t min = 1) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_array() || it->empty())
        throw FileError(path,
                        std::string("key \"") + key + "\" must be a list of integers, got " + excerpt(it->dump(), 40));
    std::vector<int64_t> out;
    for (const auto& e : *it)
        out.push_back(detail::boundedInteger(e, *it, "a list of integers", path, key, max, min));
    return out;
}

} // namespace daam
