// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/BuiltInModel.h"

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
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    // The build tree links share/daam-studio/demo-model to resources/demo-model (see CMakeLists.txt).
    if (!ec) dirs.push_back((exe.parent_path() / DAAM_BIN_TO_DATADIR / "demo-model").lexically_normal());
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
