// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/io/WeightsFiles.h"

#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <vector>

namespace fs = std::filesystem;

namespace daam {
namespace {

// The variants `<base>.<variant>.safetensors[.index.json]` a folder holds, sorted.
std::vector<std::string> variantsIn(const std::string& componentDir, const std::string& baseName) {
    std::set<std::string> found;
    std::error_code ec;
    for (fs::directory_iterator it(componentDir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        for (const std::string suffix : {".safetensors", ".safetensors.index.json"}) {
            if (name.size() <= baseName.size() + 1 + suffix.size() ||
                name.compare(0, baseName.size() + 1, baseName + ".") != 0 ||
                name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
                continue;
            const std::string variant =
                name.substr(baseName.size() + 1, name.size() - baseName.size() - 1 - suffix.size());
            if (!variant.empty() && variant.find('.') == std::string::npos) found.insert(variant);
        }
    }
    return {found.begin(), found.end()};
}

} // namespace

WeightsLocation locateWeights(const std::string& componentDir, const std::string& baseName,
                              const std::string& variantAsked) {
    std::string variant = variantAsked;
    std::error_code ec;
    if (variant.empty() && !fs::is_regular_file(fs::path(componentDir) / (baseName + ".safetensors"), ec) &&
        !fs::is_regular_file(fs::path(componentDir) / (baseName + ".safetensors.index.json"), ec)) {
        // Downloads of only the fp16 files (variant="fp16") leave no plain weights: use the one variant there is.
        const auto variants = variantsIn(componentDir, baseName);
        if (variants.size() == 1) variant = variants.front();
        if (variants.size() > 1) {
            std::string list;
            for (const auto& v : variants)
                list += (list.empty() ? "" : ", ") + v;
            throw FileError(componentDir, "no plain " + baseName + ".safetensors but several variants (" + list +
                                              "): choose one (--variant)");
        }
    }
    const std::string stem = variant.empty() ? baseName : baseName + "." + variant;
    const fs::path single = fs::path(componentDir) / (stem + ".safetensors");
    const fs::path index = fs::path(componentDir) / (stem + ".safetensors.index.json");
    if (fs::is_regular_file(single, ec)) return {single.string(), {}};
    if (!fs::is_regular_file(index, ec)) {
        throw FileError(componentDir,
                        "no weights: expected " + single.filename().string() + " or " + index.filename().string() +
                            (fs::exists(fs::path(componentDir) / (stem + ".bin"), ec)
                                 ? " (PyTorch .bin weights are not supported; convert them to safetensors)"
                                 : ""));
    }
    return {{}, index.string()};
}

std::map<std::string, std::string> readWeightMap(const std::string& indexPath) {
    // Sharded: {"weight_map": {"tensor name": "shard file", ...}}
    const auto json = readJsonFile(indexPath);
    if (!json.contains("weight_map") || !json["weight_map"].is_object())
        throw FileError(indexPath, "missing object \"weight_map\"");
    std::map<std::string, std::string> map;
    for (auto it = json["weight_map"].begin(); it != json["weight_map"].end(); ++it) {
        if (!it.value().is_string())
            throw FileError(indexPath, "weight_map entry '" + excerpt(it.key()) + "' is not a file name");
        const std::string shard = it.value().get<std::string>();
        if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos)
            throw FileError(indexPath, "weight_map entry '" + excerpt(it.key()) +
                                           "' names a file outside the folder: " + excerpt(shard));
        map.emplace(it.key(), shard);
    }
    return map;
}

} // namespace daam
