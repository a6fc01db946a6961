// SPDX-License-Identifier: GPL-3.0-or-later
// The SentencePiece tokenizer (T5's spiece.model, or our own tokenizer.model) behind daam::Tokenizer.
// Sentencepiece runs in libdaam_spm (see SpmLibrary.h); this class turns its pieces into ids with the
// special tokens and padding, converts its byte spans to code-point spans and groups pieces into words.
#pragma once

#include "daam/text/SpmLibrary.h"
#include "daam/text/Tokenizer.h"

#include <memory>
#include <string>

namespace daam {

class SentencePieceTokenizer : public Tokenizer {
public:
    // ids: [BOS when addBos] + pieces (truncated to fit) + [EOS] + padding to maxLength. The pad id is the
    // model's, or EOS when it has none. Throws FileError naming modelPath.
    SentencePieceTokenizer(const std::string& modelPath, int maxLength = 77, bool addBos = false);

    // Opens "<dir>/spiece.model" or "<dir>/tokenizer.model" with add_bos_token (default false, as T5) and
    // model_max_length (default 77) from "<dir>/tokenizer_config.json" when present.
    static std::unique_ptr<SentencePieceTokenizer> fromFolder(const std::string& dir);

    using Tokenizer::encode;
    TokenizedPrompt encode(const std::string& prompt, int capacity) const override;
    int maxLength() const override { return maxLength_; }
    int promptCapacity() const override { return maxLength_ - (addBos_ ? 1 : 0) - 1; }
    int64_t vocabSize() const override { return model_.vocabSize(); }
    // The BOS id when BOS tokens are added, else the first token is a prompt token and this is -1.
    int64_t startId() const override { return addBos_ ? bosId_ : -1; }
    int64_t endId() const override { return eosId_; }
    int64_t padId() const override { return padId_; }
    std::string tokenText(int64_t id) const override;
    bool addsBos() const { return addBos_; }

private:
    SpmModel model_;
    int maxLength_;
    bool addBos_;
    int64_t bosId_;
    int64_t eosId_;
    int64_t padId_;
};

} // namespace daam
