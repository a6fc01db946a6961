// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/util/DataDir.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace daam {

std::vector<std::string> dataDirs() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("DAAM_DATA_DIR"); env && *env) dirs.emplace_back(env);
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    // Installed and build trees alike: bin/../share/daam-studio (see the top CMakeLists.txt).
    if (!ec) dirs.push_back((exe.parent_path() / DAAM_BIN_TO_DATADIR).lexically_normal().string());
    return dirs;
}

std::string findDataFile(const std::string& relative) {
    for (const auto& dir : dataDirs()) {
        std::error_code ec;
        if (fs::exists(fs::path(dir) / relative, ec)) return (fs::path(dir) / relative).string();
    }
    return {};
}

std::string dataDirsSearched() {
    std::string out;
    for (const auto& dir : dataDirs())
        out += (out.empty() ? "" : ", ") + dir;
    return out.empty() ? "nowhere (no program path)" : out;
}

} // namespace daam
