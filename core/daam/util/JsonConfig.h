// SPDX-License-Identifier: GPL-3.0-or-later
// Reading the JSON configs of a diffusers/transformers pipeline folder (model_index.json, config.json,
// scheduler_config.json). Every error is a FileError naming the file and, where there is one, the key, so
// that config structs can be filled with one line per field.
#pragma once

#include "daam/util/Error.h"

#include <nlohmann/json.hpp>

#include <string>

namespace daam {

// Parses a JSON file whose top level must be an object. Throws FileError when it is missing or malformed.
nlohmann::json readJsonFile(const std::string& path);
// Writes `j` (2-space indented, as diffusers writes its configs) atomically, creating missing folders.
void writeJsonFile(const std::string& path, const nlohmann::json& j);

namespace detail {
[[noreturn]] void throwJsonKeyError(const std::string& path, const char* key, const char* expected,
                                    const nlohmann::json& found);
template <class T> bool jsonHasType(const nlohmann::json& v) {
    if constexpr (std::is_same_v<T, bool>)
        return v.is_boolean();
    else if constexpr (std::is_integral_v<T>)
        return v.is_number_integer();
    else if constexpr (std::is_floating_point_v<T>)
        return v.is_number();
    else if constexpr (std::is_same_v<T, std::string>)
        return v.is_string();
    else
        return true; // containers: let nlohmann check while converting
}
template <class T> const char* jsonTypeName() {
    if constexpr (std::is_same_v<T, bool>)
        return "a boolean";
    else if constexpr (std::is_integral_v<T>)
        return "an integer";
    else if constexpr (std::is_floating_point_v<T>)
        return "a number";
    else if constexpr (std::is_same_v<T, std::string>)
        return "a string";
    else
        return "a value of the expected type";
}
} // namespace detail

// `j[key]` converted to T, or `def` when the key is absent or null (transformers treats a null like an
// absent key). A value of another type throws FileError("<path>: key \"<key>\" must be <type>, got ...").
template <class T> T jsonValue(const nlohmann::json& j, const char* key, const T& def, const std::string& path) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    if (!detail::jsonHasType<T>(*it)) detail::throwJsonKeyError(path, key, detail::jsonTypeName<T>(), *it);
    try {
        return it->template get<T>();
    } catch (const nlohmann::json::exception&) {
        detail::throwJsonKeyError(path, key, detail::jsonTypeName<T>(), *it);
    }
}

// Like jsonValue, but the key must be present.
template <class T> T jsonRequired(const nlohmann::json& j, const char* key, const std::string& path) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) throw FileError(path, std::string("missing key \"") + key + "\"");
    return jsonValue<T>(j, key, T{}, path);
}

} // namespace daam
