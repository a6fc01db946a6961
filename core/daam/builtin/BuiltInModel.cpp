// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/BuiltInModel.h"

#include "daam/util/DataDir.h"
#include "daam/util/Error.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace daam::builtin {
namespace {

std::vector<fs::path> candidates() {
    std::vector<fs::path> dirs;
    if (const char* env = std::getenv("DAAM_BUILTIN_MODEL"); env && *env) dirs.emplace_back(env);
    // The build tree links share/daam-studio/demo-model to resources/demo-model (see CMakeLists.txt).
    for (const auto& data : dataDirs())
        dirs.push_back(fs::path(data) / "demo-model");
    return dirs;
}

} // namespace

std::string builtInModelDir() {
    for (const auto& dir : candidates()) {
        std::error_code ec;
        if (fs::is_regular_file(dir / "model_index.json", ec)) return dir.lexically_normal().string();
    }
    return {};
}

std::string requireBuiltInModelDir() {
    auto dir = builtInModelDir();
    if (!dir.empty()) return dir;
    std::string looked;
    for (const auto& c : candidates())
        looked += (looked.empty() ? "" : ", ") + c.string();
    throw Error("no model given and the built-in model is not installed (looked in " + looked + ")");
}

} // namespace daam::builtin
