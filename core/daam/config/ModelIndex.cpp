// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing and validating model_index.json, and deriving the model family from the component configs.
#include "daam/config/ModelIndex.h"

#include "daam/config/CLIPTextConfig.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <filesystem>

namespace daam {

namespace fs = std::filesystem;

const char* toString(ModelFamily family) {
    switch (family) {
    case ModelFamily::SD1:
        return "SD1";
    case ModelFamily::SD2:
        return "SD2";
    case ModelFamily::SDXL:
        return "SDXL";
    }
    return "?";
}

ModelIndex ModelIndex::open(const std::string& folder) {
    const std::string path = (fs::path(folder) / "model_index.json").string();
    if (!fs::is_directory(folder)) throw FileError(folder, "not a folder (expected a diffusers pipeline folder)");
    const auto j = readJsonFile(path);

    ModelIndex index;
    index.folder_ = folder;
    index.className_ = jsonRequired<std::string>(j, "_class_name", path);
    for (const auto& [name, value] : j.items()) {
        // Keys starting with "_" are metadata; other non-array values are pipeline options
        // (e.g. "force_zeros_for_empty_prompt": true, "requires_safety_checker": false).
        if (name.empty() || name[0] == '_' || !value.is_array()) continue;
        if (value.size() != 2)
            throw FileError(path, "component \"" + excerpt(name, 40) + "\" must be [library, class], got " +
                                      excerpt(value.dump(), 60));
        ComponentSpec spec;
        if (!(value[0].is_null() && value[1].is_null())) {
            if (!value[0].is_string() || !value[1].is_string())
                throw FileError(path, "component \"" + excerpt(name, 40) +
                                          "\" must be two strings or [null, null], got " + excerpt(value.dump(), 60));
            spec.library = value[0].get<std::string>();
            spec.className = value[1].get<std::string>();
            if (!fs::is_directory(fs::path(folder) / name))
                throw FileError(path, "component \"" + excerpt(name, 40) + "\" (" + excerpt(spec.className, 40) +
                                          ") has no folder " + excerpt((fs::path(folder) / name).string(), 160));
        }
        index.components_[name] = spec;
    }
    if (index.components_.empty()) throw FileError(path, "lists no components");
    if (j.contains("force_zeros_for_empty_prompt")) {
        if (!j["force_zeros_for_empty_prompt"].is_boolean())
            throw FileError(path, "force_zeros_for_empty_prompt is not true or false");
        index.forceZerosForEmptyPrompt_ = j["force_zeros_for_empty_prompt"].get<bool>();
    }
    return index;
}

bool ModelIndex::has(const std::string& name) const {
    auto it = components_.find(name);
    return it != components_.end() && it->second.present();
}

std::string ModelIndex::componentDir(const std::string& name) const {
    if (!has(name))
        throw FileError((fs::path(folder_) / "model_index.json").string(), "has no component \"" + name + "\"");
    return (fs::path(folder_) / name).string();
}

ModelFamily ModelIndex::family() const {
    if (has("text_encoder_2")) return ModelFamily::SDXL;
    if (has("tokenizer")) {
        for (const char* file : {"tokenizer_config.json", "special_tokens_map.json"}) {
            const auto path = fs::path(componentDir("tokenizer")) / file;
            if (!fs::exists(path)) continue;
            const auto j = readJsonFile(path.string());
            auto pad = j.find("pad_token");
            if (pad == j.end()) continue;
            // The pad token is either a string or an AddedToken object {"content": "!", ...}.
            std::string content;
            if (pad->is_string())
                content = pad->get<std::string>();
            else if (pad->is_object() && pad->contains("content") && (*pad)["content"].is_string())
                content = (*pad)["content"].get<std::string>();
            if (content == "!") return ModelFamily::SD2;
            if (!content.empty()) break;
        }
    }
    if (has("text_encoder")) {
        const auto config = CLIPTextConfig::load((fs::path(componentDir("text_encoder")) / "config.json").string());
        if (config.hiddenAct == "gelu") return ModelFamily::SD2;
    }
    return ModelFamily::SD1;
}

} // namespace daam
