// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/BuiltInModel.h"

#include "daam/util/DataDir.h"
#include "daam/util/Error.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace daam::builtin {
namespace {

struct Shipped {
    const char* id;
    const char* name;
};
constexpr Shipped kShipped[] = {{"shapes-plain", "Shapes (plain)"},
                                {"shapes-supervised", "Shapes (attention-supervised)"}};

bool isModelFolder(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "model_index.json", ec);
}

// Where a shipped model lies under a data folder (the build tree links share/daam-studio/models to resources/models,
// see CMakeLists.txt).
fs::path shippedDir(const std::string& dataDir, const char* id) {
    return fs::path(dataDir) / "models" / id;
}

const char* overrideDir() {
    const char* env = std::getenv("DAAM_BUILTIN_MODEL");
    return env && *env ? env : nullptr;
}

} // namespace

std::vector<BuiltInModel> builtInModels() {
    std::vector<BuiltInModel> models;
    for (const auto& s : kShipped) {
        for (const auto& data : dataDirs()) {
            const auto dir = shippedDir(data, s.id);
            if (!isModelFolder(dir)) continue;
            models.push_back({s.id, s.name, dir.lexically_normal().string()});
            break;
        }
    }
    return models;
}

const BuiltInModel* findBuiltInModel(const std::vector<BuiltInModel>& models, const std::string& id) {
    for (const auto& m : models)
        if (m.id == id) return &m;
    return nullptr;
}

std::string builtInModelDir() {
    if (const char* env = overrideDir(); env && isModelFolder(env)) return fs::path(env).lexically_normal().string();
    const auto models = builtInModels();
    return models.empty() ? std::string() : models.front().dir;
}

std::string requireBuiltInModelDir() {
    auto dir = builtInModelDir();
    if (!dir.empty()) return dir;
    std::string looked;
    if (const char* env = overrideDir()) looked = env;
    for (const auto& data : dataDirs())
        looked += (looked.empty() ? "" : ", ") + shippedDir(data, kShipped[0].id).string();
    throw Error("no model given and the built-in model is not installed (looked in " + looked + ")");
}

std::string resolveModelArgument(const std::string& value) {
    std::error_code ec;
    if (fs::exists(value, ec)) return value;
    const auto models = builtInModels();
    if (const auto* m = findBuiltInModel(models, value)) return m->dir;
    return value;
}

} // namespace daam::builtin
