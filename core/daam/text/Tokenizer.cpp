// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/text/Tokenizer.h"

#include "daam/text/ClipTokenizer.h"
#include "daam/text/SentencePieceTokenizer.h"
#include "daam/util/Error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace daam {

std::unique_ptr<Tokenizer> loadTokenizer(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw FileError(folder, "tokenizer folder not found");
    const fs::path dir(folder);
    if (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt"))
        return std::make_unique<ClipTokenizer>(folder);
    if (fs::exists(dir / "spiece.model") || fs::exists(dir / "tokenizer.model"))
        return SentencePieceTokenizer::fromFolder(folder);
    throw FileError(folder, "no tokenizer found: expected vocab.json + merges.txt (CLIP BPE), or spiece.model / "
                            "tokenizer.model (SentencePiece)");
}

} // namespace daam
