// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/ModelTokenizer.h"

#include "daam/config/OriginalCheckpoint.h"
#include "daam/io/HubCache.h"
#include "daam/text/ClipTokenizer.h"
#include "daam/util/Error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace daam {

std::unique_ptr<Tokenizer> loadCheckpointTokenizer(const std::string& tokenizerDir, bool padWithZero) {
    if (tokenizerDir.empty()) return ClipTokenizer::standard(padWithZero);
    return loadTokenizer(tokenizerDir);
}

std::unique_ptr<Tokenizer> loadModelTokenizer(const std::string& model, int which) {
    if (which != 1 && which != 2) throw Error("a model has tokenizer 1 or 2, not " + std::to_string(which));
    std::error_code ec;
    std::string folder = model;
    if (fs::is_regular_file(model, ec)) {
        const auto checkpoint = OriginalCheckpoint::open(model);
        if (size_t(which) > checkpoint.textEncoders().size())
            throw FileError(model, "has one text encoder, so no tokenizer " + std::to_string(which));
        const auto& te = checkpoint.textEncoders()[size_t(which - 1)];
        return loadCheckpointTokenizer(te.tokenizerDir, te.padWithZero);
    }
    if (!fs::is_directory(model, ec) && looksLikeRepoId(model)) folder = resolveHubModel(model);
    return loadTokenizer((fs::path(folder) / (which == 1 ? "tokenizer" : "tokenizer_2")).string());
}

} // namespace daam
