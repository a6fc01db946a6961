// SPDX-License-Identifier: GPL-3.0-or-later
// The CLIP byte-level BPE tokenizer, matching transformers 4.30's slow CLIPTokenizer with ftfy installed:
// ftfy.fix_text, whitespace collapse, lower(), CLIP's pre-tokenization regex, GPT-2 byte-to-unicode
// symbols and BPE over merges.txt. Reports each token's span in the original prompt and groups tokens
// into words for DAAM.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "daam/text/Tokenizer.h"

namespace daam {

// GPT-2's bytes_to_unicode, which CLIP's vocabulary is written in: printable Latin-1 bytes stand for
// themselves, the others for U+0100 onwards.
void clipByteSymbols(char32_t (&table)[256]);

class ClipTokenizer : public Tokenizer {
public:
    // Loads vocab.json, merges.txt and (when present) tokenizer_config.json / special_tokens_map.json
    // from a diffusers "tokenizer" folder. Throws FileError naming the offending file.
    explicit ClipTokenizer(const std::string& folder);
    // The standard CLIP tokenizer (OpenAI's ViT-L/14, and OpenCLIP's, which shares its vocabulary) from OpenAI's
    // bpe_simple_vocab_16e6.txt.gz, built as transformers builds vocab.json and merges.txt from it. SD 1.x pads
    // with the end token, SD 2.x and SDXL's second encoder with "!" (id 0): `padWithZero`.
    static std::unique_ptr<ClipTokenizer> fromOpenAIBpe(const std::string& gzPath, bool padWithZero);
    // That tokenizer from the vocabulary DAAM Studio installs (share/daam-studio/clip/).
    static std::unique_ptr<ClipTokenizer> standard(bool padWithZero);
    // Writes this tokenizer as a diffusers "tokenizer" folder (vocab.json, merges.txt, tokenizer_config.json).
    void saveFolder(const std::string& folder) const;

    using Tokenizer::encode;
    TokenizedPrompt encode(const std::string& prompt, int capacity) const override;
    int maxLength() const override { return maxLength_; }
    int promptCapacity() const override { return maxLength_ - 2; }
    int64_t vocabSize() const override { return static_cast<int64_t>(idToToken_.size()); }
    int64_t startId() const override { return bosId_; }
    int64_t endId() const override { return eosId_; }
    int64_t padId() const override { return padId_; }
    std::string tokenText(int64_t id) const override;

    // The token texts of `text` without start/end/padding, like HF `tokenizer.tokenize(text)`.
    std::vector<std::string> tokenizeToStrings(const std::string& text) const;

    // One pre-token of the cleaned text, with the BPE tokens it became.
    enum class PieceKind { Special, Contraction, Letters, Number, Symbols };
    struct Piece {
        PieceKind kind = PieceKind::Symbols;
        int64_t cleanBegin = 0; // code point span in the cleaned (fixed, collapsed, lower-cased) text
        int64_t cleanEnd = 0;
        std::vector<Token> tokens; // spans in the original prompt
    };
    // Cleans `prompt` and splits it into BPE-tokenized pieces (no truncation, no start/end tokens).
    std::vector<Piece> tokenizePieces(const std::string& prompt) const;

private:
    ClipTokenizer() = default;
    // Reads merges ("first second" per line after the header) into mergeRanks_; every result must be a token.
    void readMerges(const std::string& text, const std::string& path);
    void resolveSpecialTokens(const std::string& vocabPath);
    // Cleans and tokenizes a stretch of the prompt that holds no verbatim special token; `offset` is its
    // position in the prompt, `cleanOffset` where its cleaned text starts. Returns the cleaned length.
    int64_t tokenizeSegment(const std::u32string& segment, int64_t offset, int64_t cleanOffset,
                            std::vector<Piece>& pieces) const;
    // BPE of one pre-token given as byte-unicode symbols; returns the symbols per output token.
    std::vector<std::u32string> bpe(const std::u32string& word) const;
    int64_t idOf(const std::string& token) const;

    std::unordered_map<std::string, int64_t> tokenToId_;
    std::vector<std::string> idToToken_;
    std::unordered_map<std::u32string, int> mergeRanks_; // key: first + U'\x20' + second
    char32_t byteToSymbol_[256] = {};
    std::string bosToken_ = "<|startoftext|>";
    std::string eosToken_ = "<|endoftext|>";
    std::string unkToken_ = "<|endoftext|>";
    std::string padToken_ = "<|endoftext|>";
    int64_t bosId_ = 0, eosId_ = 0, unkId_ = 0, padId_ = 0;
    int maxLength_ = 77;
    // BPE results by pre-token (the slow tokenizer caches them too); guarded since encode() is const.
    mutable std::unordered_map<std::u32string, std::vector<std::u32string>> cache_;
    mutable std::mutex cacheMutex_;
};

} // namespace daam
