// SPDX-License-Identifier: GPL-3.0-or-later
// Reading JSON config files with errors that name the file and the key.
#include "daam/util/JsonConfig.h"

#include "daam/util/AtomicFile.h"

#include <filesystem>

#include <fstream>
#include <sstream>

namespace daam {

nlohmann::json readJsonFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError(path, "cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number past a double ("1e705"): both a malformed file.
        throw FileError(path, std::string("malformed JSON: ") + jsonErrorText(e.what()));
    }
    if (!j.is_object()) throw FileError(path, "the top level must be a JSON object");
    return j;
}

void writeJsonFile(const std::string& path, const nlohmann::json& j) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    writeFileAtomically(path, j.dump(2) + "\n");
}

namespace detail {
void throwJsonKeyError(const std::string& path, const char* key, const char* expected, const nlohmann::json& found) {
    throw FileError(path,
                    std::string("key \"") + key + "\" must be " + expected + ", got " + excerpt(found.dump(), 60));
}
} // namespace detail

} // namespace daam
