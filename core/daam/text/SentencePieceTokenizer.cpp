// SPDX-License-Identifier: GPL-3.0-or-later
// SentencePieceTokenizer: special tokens, truncation and padding around sentencepiece's pieces, byte to
// code-point span conversion, and the grouping of pieces into the prompt's words.
#include "daam/text/SentencePieceTokenizer.h"

#include "daam/util/Error.h"

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace daam {
namespace {

const std::string kWordStart = "\xE2\x96\x81"; // U+2581, sentencepiece's word-start marker

// codePointAt[b] = number of code points that begin before byte b, for b in [0, size]; a byte offset
// inside a multi-byte sequence maps to the code point it belongs to.
std::vector<int64_t> codePointOffsets(const std::string& text) {
    std::vector<int64_t> offsets(text.size() + 1, 0);
    int64_t count = 0;
    for (size_t b = 0; b < text.size(); ++b) {
        const auto byte = static_cast<unsigned char>(text[b]);
        const bool continuation = (byte & 0xC0) == 0x80;
        offsets[b] = continuation ? count - 1 : count;
        if (!continuation) ++count;
    }
    offsets[text.size()] = count;
    return offsets;
}

// The piece without its word-start marker.
std::string pieceBody(const std::string& piece) {
    return piece.compare(0, kWordStart.size(), kWordStart) == 0 ? piece.substr(kWordStart.size()) : piece;
}

// Made only of punctuation and symbols (Unicode categories P* and S*); false for an empty string.
bool isPunctuation(const std::string& text) {
    if (text.empty()) return false;
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) return false;
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_PC:
        case UTF8PROC_CATEGORY_PD:
        case UTF8PROC_CATEGORY_PS:
        case UTF8PROC_CATEGORY_PE:
        case UTF8PROC_CATEGORY_PI:
        case UTF8PROC_CATEGORY_PF:
        case UTF8PROC_CATEGORY_PO:
        case UTF8PROC_CATEGORY_SM:
        case UTF8PROC_CATEGORY_SC:
        case UTF8PROC_CATEGORY_SK:
        case UTF8PROC_CATEGORY_SO:
            break;
        default:
            return false;
        }
        p += n;
        left -= n;
    }
    return true;
}

bool isSpaceByte(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Narrows a byte span to exclude surrounding ASCII whitespace: sentencepiece counts the space before a
// word as part of its "▁word" piece, but a token's span should cover the word only.
std::pair<size_t, size_t> trimmedSpan(const std::string& text, size_t begin, size_t end) {
    end = std::min(end, text.size());
    begin = std::min(begin, end);
    while (begin < end && isSpaceByte(text[begin]))
        ++begin;
    while (end > begin && isSpaceByte(text[end - 1]))
        --end;
    return {begin, end};
}

std::string substringOfCodePoints(const std::string& text, const std::vector<int64_t>& offsets, int64_t begin,
                                  int64_t end) {
    // The byte offsets of code points `begin` and `end`: the first byte whose offset reaches them.
    const auto byteOf = [&](int64_t cp) {
        return static_cast<size_t>(std::lower_bound(offsets.begin(), offsets.end(), cp) - offsets.begin());
    };
    const size_t b = byteOf(begin), e = byteOf(end);
    return text.substr(b, e - b);
}

} // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& modelPath, int maxLength, bool addBos)
    : model_(modelPath), maxLength_(maxLength), addBos_(addBos) {
    bosId_ = model_.bosId();
    eosId_ = model_.eosId();
    padId_ = model_.padId() >= 0 ? model_.padId() : eosId_;
    if (eosId_ < 0) throw FileError(modelPath, "the sentencepiece model defines no end-of-sequence (</s>) token");
    if (addBos_ && bosId_ < 0) throw FileError(modelPath, "BOS tokens are asked for but the model defines none");
    if (maxLength_ < (addBos_ ? 3 : 2))
        throw FileError(modelPath, "model_max_length " + std::to_string(maxLength_) + " leaves no room for a token");
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::fromFolder(const std::string& dir) {
    namespace fs = std::filesystem;
    std::string modelPath;
    for (const char* name : {"spiece.model", "tokenizer.model"}) {
        if (fs::exists(fs::path(dir) / name)) {
            modelPath = (fs::path(dir) / name).string();
            break;
        }
    }
    if (modelPath.empty()) throw FileError(dir, "holds neither spiece.model nor tokenizer.model");

    int maxLength = 77;
    bool addBos = false;
    const fs::path configPath = fs::path(dir) / "tokenizer_config.json";
    if (fs::exists(configPath)) {
        std::ifstream in(configPath);
        if (!in) throw FileError(configPath.string(), "cannot be read");
        try {
            const nlohmann::json config = nlohmann::json::parse(in);
            if (config.contains("add_bos_token") && !config["add_bos_token"].is_null())
                addBos = config["add_bos_token"].get<bool>();
            if (config.contains("model_max_length") && !config["model_max_length"].is_null()) {
                // transformers writes a huge number (1e30) when no length was configured: keep the default.
                const double length = config["model_max_length"].get<double>();
                if (length < 1e6) maxLength = static_cast<int>(length);
            }
        } catch (const nlohmann::json::exception& e) {
            throw FileError(configPath.string(), std::string("bad tokenizer config: ") + jsonErrorText(e.what()));
        }
    }
    return std::make_unique<SentencePieceTokenizer>(modelPath, maxLength, addBos);
}

std::string SentencePieceTokenizer::tokenText(int64_t id) const {
    if (id < 0 || id >= model_.vocabSize()) return {};
    return model_.idToPiece(static_cast<int32_t>(id));
}

TokenizedPrompt SentencePieceTokenizer::encode(const std::string& prompt, int capacity) const {
    const std::vector<SpmPiece> pieces = model_.encode(prompt);
    const std::vector<int64_t> cp = codePointOffsets(prompt);
    const int64_t promptLength = cp.back();

    TokenizedPrompt out;
    out.promptTokens = static_cast<int>(pieces.size());
    const int room = std::max(capacity, 0);
    const int kept = std::min<int>(room, static_cast<int>(pieces.size()));
    out.truncated = kept < static_cast<int>(pieces.size());

    if (addBos_) {
        out.ids.push_back(bosId_);
        out.tokens.push_back(Token{bosId_, model_.idToPiece(static_cast<int32_t>(bosId_)), 0, 0});
    }
    bool previousPunctuation = false;
    bool openMarker = false; // the previous piece was a lone "▁": the word it opened has no text yet
    for (int i = 0; i < kept; ++i) {
        const SpmPiece& piece = pieces[i];
        const auto [byteBegin, byteEnd] = trimmedSpan(prompt, piece.begin, piece.end);
        const Token token{piece.id, piece.text, cp[byteBegin], cp[byteEnd]};
        const int position = static_cast<int>(out.ids.size());
        out.ids.push_back(piece.id);
        out.tokens.push_back(token);

        const bool marked = piece.text.compare(0, kWordStart.size(), kWordStart) == 0;
        const std::string body = pieceBody(piece.text);
        const bool punctuation = isPunctuation(body);
        // Sentencepiece splits a lone "▁" off before characters it has no "▁x" piece for; the word it
        // starts takes its text (and its punctuation flag) from the pieces that follow.
        const bool startsWord = !openMarker && (out.words.empty() || marked || punctuation || previousPunctuation);
        if (startsWord) {
            Word word;
            word.begin = token.begin;
            word.end = token.end;
            word.punctuation = punctuation;
            out.words.push_back(std::move(word));
        } else {
            Word& word = out.words.back();
            if (token.begin != token.end) {
                if (word.begin == word.end) word.begin = token.begin;
                word.end = std::max(word.end, token.end);
            }
            if (openMarker) word.punctuation = punctuation;
        }
        out.words.back().tokens.push_back(position);
        openMarker = marked && body.empty();
        previousPunctuation = punctuation;
    }
    for (Word& word : out.words)
        word.text = substringOfCodePoints(prompt, cp, word.begin, word.end);

    out.ids.push_back(eosId_);
    out.tokens.push_back(Token{eosId_, model_.idToPiece(static_cast<int32_t>(eosId_)), promptLength, promptLength});
    if (static_cast<int>(out.ids.size()) < maxLength_) out.ids.resize(static_cast<size_t>(maxLength_), padId_);
    return out;
}

} // namespace daam
