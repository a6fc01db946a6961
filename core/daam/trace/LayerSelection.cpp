// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/LayerSelection.h"

#include "daam/util/Error.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace daam {

namespace {
std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}
} // namespace

std::vector<int> selectLayers(const CrossAttentionLayerTable& table, const std::string& spec,
                              const std::vector<int>& defaultLayers) {
    std::set<int> chosen;
    size_t start = 0;
    while (start <= spec.size()) {
        const size_t comma = spec.find(',', start);
        const std::string part =
            trim(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
        if (part.empty()) throw Error("empty part in the layer selection '" + spec + "'");
        std::set<int> matched;
        bool known = true;
        int n = 0, h = 0, w = 0;
        char tail = 0;
        if (part == "all") {
            for (size_t i = 0; i < table.size(); ++i)
                matched.insert(static_cast<int>(i));
        } else if (part == "default") {
            matched.insert(defaultLayers.begin(), defaultLayers.end());
        } else if (part == "down" || part == "mid" || part == "up") {
            UNetBlock block;
            parseBlockName(part, block);
            for (size_t i = 0; i < table.size(); ++i)
                if (table[i].block == block) matched.insert(static_cast<int>(i));
        } else if ((std::sscanf(part.c_str(), "down%d%c", &n, &tail) == 1 ||
                    std::sscanf(part.c_str(), "up%d%c", &n, &tail) == 1)) {
            const UNetBlock block = part[0] == 'd' ? UNetBlock::Down : UNetBlock::Up;
            for (size_t i = 0; i < table.size(); ++i)
                if (table[i].block == block && table[i].blockIndex == n) matched.insert(static_cast<int>(i));
        } else if (std::sscanf(part.c_str(), "%dx%d%c", &h, &w, &tail) == 2) {
            for (size_t i = 0; i < table.size(); ++i)
                if (table[i].height == h && table[i].width == w) matched.insert(static_cast<int>(i));
        } else if (std::sscanf(part.c_str(), "#%d%c", &n, &tail) == 1) {
            if (n < 0 || n >= static_cast<int>(table.size()))
                throw Error("layer #" + std::to_string(n) + " does not exist (the UNet has " +
                            std::to_string(table.size()) + " cross-attention layers)");
            matched.insert(n);
        } else {
            known = false;
        }
        if (!known)
            throw Error("unknown layer selection '" + part +
                        "' (use all, default, down, mid, up, downN, upN, HxW or #I, separated by commas)");
        if (matched.empty()) throw Error("the layer selection '" + part + "' matches no cross-attention layer");
        chosen.insert(matched.begin(), matched.end());
    }
    return {chosen.begin(), chosen.end()};
}

std::vector<std::pair<std::string, std::string>> layerPresets(const CrossAttentionLayerTable& table) {
    std::vector<std::pair<std::string, std::string>> presets = {{"all", "all"}, {"default", "default"}};
    for (auto block : {UNetBlock::Down, UNetBlock::Mid, UNetBlock::Up})
        if (std::any_of(table.begin(), table.end(), [&](const auto& l) { return l.block == block; }))
            presets.emplace_back(blockName(block), blockName(block));
    std::set<std::pair<int, int>> sizes;
    for (const auto& l : table)
        sizes.insert({l.height, l.width});
    for (auto it = sizes.rbegin(); it != sizes.rend(); ++it) {
        const std::string spec = std::to_string(it->first) + "x" + std::to_string(it->second);
        presets.emplace_back(spec, spec);
    }
    return presets;
}

} // namespace daam
