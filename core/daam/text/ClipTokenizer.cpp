// SPDX-License-Identifier: GPL-3.0-or-later
// CLIPTokenizer (transformers 4.30, slow, with ftfy): file loading, text cleanup, pre-tokenization, BPE,
// and the assembly of ids, token spans and words.
#include "daam/text/ClipTokenizer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>
#include <utf8proc.h>

#include "daam/text/TextFixer.h"
#include "daam/text/Utf8.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/DataDir.h"
#include "daam/util/Error.h"

#include <zlib.h>

namespace daam {

void clipByteSymbols(char32_t (&table)[256]) {
    int next = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        table[b] = printable ? char32_t(b) : char32_t(256 + next++);
    }
}

namespace {

// transformers reads only this many merges (49152 - 256 - 2 + 1 lines after the header).
constexpr size_t kMaxMerges = 49152 - 256 - 2;
const std::u32string kEndOfWord = U"</w>";

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError(path, "cannot open file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

nlohmann::json readJson(const std::string& path) {
    try {
        return nlohmann::json::parse(readFile(path));
    } catch (const nlohmann::json::exception& e) {
        throw FileError(path, std::string("malformed JSON: ") + jsonErrorText(e.what()));
    }
}

bool fileExists(const std::string& path) {
    return std::ifstream(path).good();
}

// A special token entry is a string or an AddedToken object {"content": ...}.
void readSpecialToken(const nlohmann::json& config, const char* key, const std::string& path, std::string& out) {
    if (!config.is_object() || !config.contains(key) || config[key].is_null()) return;
    const auto& v = config[key];
    if (v.is_string())
        out = v.get<std::string>();
    else if (v.is_object() && v.contains("content") && v["content"].is_string())
        out = v["content"].get<std::string>();
    else
        throw FileError(path, std::string("'") + key + "' is neither a string nor an object with \"content\"");
}

// Python's str.lower() for one code point in context (final sigma; U+0130 lowers to two code points).
void lowerInto(const MappedText& in, size_t i, MappedText& out) {
    const char32_t c = in.text[i];
    if (c == 0x130) {
        out.push(U'i', in.begin[i], in.end[i]);
        out.push(0x307, in.begin[i], in.end[i]);
        return;
    }
    if (c == 0x3A3) {
        // Final_Sigma: a cased letter before (case-ignorable characters skipped) and none after.
        size_t k = i;
        while (k > 0 && utf8::isCaseIgnorable(in.text[k - 1]))
            --k;
        const bool after = k > 0 && utf8::isCased(in.text[k - 1]);
        k = i + 1;
        while (k < in.text.size() && utf8::isCaseIgnorable(in.text[k]))
            ++k;
        const bool before = k < in.text.size() && utf8::isCased(in.text[k]);
        out.push(after && !before ? 0x3C2 : 0x3C3, in.begin[i], in.end[i]);
        return;
    }
    out.push(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))), in.begin[i], in.end[i]);
}

// whitespace_clean (re.sub(r"\s+", " ") + strip) followed by lower().
MappedText collapseAndLower(const MappedText& in) {
    MappedText out;
    const auto& t = in.text;
    size_t i = 0;
    while (i < t.size()) {
        if (utf8::isSpace(t[i])) {
            size_t j = i;
            int64_t b = in.begin[i], e = in.end[i];
            while (j < t.size() && utf8::isSpace(t[j])) {
                b = std::min(b, in.begin[j]);
                e = std::max(e, in.end[j]);
                ++j;
            }
            if (!out.text.empty() && j < t.size()) out.push(U' ', b, e);
            i = j;
        } else {
            lowerInto(in, i, out);
            ++i;
        }
    }
    return out;
}

bool startsWith(const std::u32string& t, size_t pos, const std::u32string& prefix) {
    return t.compare(pos, prefix.size(), prefix) == 0;
}

// Length of a contraction ('s 't 're 've 'm 'll 'd, IGNORECASE) at pos, or 0.
size_t contractionAt(const std::u32string& t, size_t pos) {
    if (t[pos] != U'\'' || pos + 1 >= t.size()) return 0;
    // Under IGNORECASE `regex` folds U+017F (long s) to 's'; the other letters have no such variants
    // left after lower().
    const char32_t a = t[pos + 1];
    if (a == U's' || a == 0x17F || a == U't' || a == U'm' || a == U'd') return 2;
    const char32_t b = pos + 2 < t.size() ? t[pos + 2] : 0;
    if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
    return 0;
}

struct Span {
    ClipTokenizer::PieceKind kind;
    size_t begin, end;
};

// The pre-tokenization regex
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// as an ordered-alternation scanner: at each position the first alternative that matches wins.
std::vector<Span> preTokenize(const std::u32string& t) {
    using Kind = ClipTokenizer::PieceKind;
    std::vector<Span> spans;
    size_t i = 0;
    while (i < t.size()) {
        if (utf8::isSpace(t[i])) {
            ++i;
            continue;
        }
        if (startsWith(t, i, U"<|startoftext|>") || startsWith(t, i, U"<|endoftext|>")) {
            const size_t n = startsWith(t, i, U"<|startoftext|>") ? 15 : 13;
            spans.push_back({Kind::Special, i, i + n});
            i += n;
        } else if (const size_t n = contractionAt(t, i)) {
            spans.push_back({Kind::Contraction, i, i + n});
            i += n;
        } else if (utf8::isLetter(t[i])) {
            size_t j = i + 1;
            while (j < t.size() && utf8::isLetter(t[j]))
                ++j;
            spans.push_back({Kind::Letters, i, j});
            i = j;
        } else if (utf8::isNumber(t[i])) {
            spans.push_back({Kind::Number, i, i + 1});
            ++i;
        } else {
            size_t j = i + 1;
            while (j < t.size() && !utf8::isSpace(t[j]) && !utf8::isLetter(t[j]) && !utf8::isNumber(t[j]))
                ++j;
            spans.push_back({Kind::Symbols, i, j});
            i = j;
        }
    }
    return spans;
}

} // namespace

ClipTokenizer::ClipTokenizer(const std::string& folder) {
    clipByteSymbols(byteToSymbol_);

    const std::string vocabPath = folder + "/vocab.json";
    const nlohmann::json vocab = readJson(vocabPath);
    if (!vocab.is_object() || vocab.empty()) throw FileError(vocabPath, "expected a JSON object of token -> id");
    int64_t maxId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0)
            throw FileError(vocabPath, "id of token '" + excerpt(it.key()) + "' is not a non-negative integer");
        const int64_t id = it.value().get<int64_t>();
        tokenToId_[it.key()] = id;
        maxId = std::max(maxId, id);
    }
    if (maxId > 10'000'000) throw FileError(vocabPath, "token id " + std::to_string(maxId) + " is implausibly large");
    idToToken_.resize(static_cast<size_t>(maxId + 1));
    for (const auto& [token, id] : tokenToId_)
        idToToken_[static_cast<size_t>(id)] = token;

    const std::string mergesPath = folder + "/merges.txt";
    readMerges(readFile(mergesPath), mergesPath);

    // special_tokens_map.json overrides tokenizer_config.json, as in from_pretrained.
    for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
        const std::string path = folder + "/" + name;
        if (!fileExists(path)) continue;
        const nlohmann::json config = readJson(path);
        if (!config.is_object()) throw FileError(path, "expected a JSON object");
        readSpecialToken(config, "bos_token", path, bosToken_);
        readSpecialToken(config, "eos_token", path, eosToken_);
        readSpecialToken(config, "unk_token", path, unkToken_);
        readSpecialToken(config, "pad_token", path, padToken_);
        if (config.contains("model_max_length")) {
            const auto& m = config["model_max_length"];
            // Some configs carry a huge placeholder (int(1e30)) meaning "unset": keep CLIP's 77 then.
            if (m.is_number_integer() && m.get<int64_t>() >= 2 && m.get<int64_t>() <= 1'000'000)
                maxLength_ = static_cast<int>(m.get<int64_t>());
            else if (!m.is_number())
                throw FileError(path, "model_max_length is not a number");
        }
    }
    resolveSpecialTokens(vocabPath);
}

void ClipTokenizer::readMerges(const std::string& text, const std::string& mergesPath) {
    std::istringstream merges(text);
    std::string line;
    size_t lineNo = 0;
    int rank = 0;
    while (std::getline(merges, line)) {
        ++lineNo;
        if (lineNo == 1) continue; // "#version: 0.2" (transformers drops the first line unconditionally)
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        if (static_cast<size_t>(rank) >= kMaxMerges) break;
        std::istringstream fields(line);
        std::string first, second, extra;
        if (!(fields >> first >> second) || (fields >> extra))
            throw FileError(mergesPath,
                            "line " + std::to_string(lineNo) + " is not a pair of symbols: '" + excerpt(line) + "'");
        if (!tokenToId_.count(first + second))
            throw FileError(mergesPath, "line " + std::to_string(lineNo) + ": merge result '" +
                                            excerpt(first + second) + "' is not in vocab.json");
        mergeRanks_.emplace(utf8::decode(first) + U' ' + utf8::decode(second), rank++);
    }
    if (lineNo == 0) throw FileError(mergesPath, "file is empty");
}

void ClipTokenizer::resolveSpecialTokens(const std::string& vocabPath) {
    auto requireId = [&](const std::string& token, const char* what) {
        const auto it = tokenToId_.find(token);
        if (it == tokenToId_.end())
            throw FileError(vocabPath, std::string(what) + " '" + excerpt(token) + "' is not in the vocabulary");
        return it->second;
    };
    bosId_ = requireId(bosToken_, "bos_token");
    eosId_ = requireId(eosToken_, "eos_token");
    unkId_ = requireId(unkToken_, "unk_token");
    padId_ = requireId(padToken_, "pad_token");
}

std::unique_ptr<ClipTokenizer> ClipTokenizer::fromOpenAIBpe(const std::string& gzPath, bool padWithZero) {
    // Decompressed, OpenAI's file is 1.7 MB; the bound keeps a damaged or hostile file from filling memory.
    constexpr size_t kMaxBytes = 16u << 20;
    gzFile gz = gzopen(gzPath.c_str(), "rb");
    if (!gz) throw FileError(gzPath, "cannot open file");
    std::string text;
    char buffer[1 << 16];
    int got = 0;
    while ((got = gzread(gz, buffer, sizeof(buffer))) > 0) {
        text.append(buffer, size_t(got));
        if (text.size() > kMaxBytes) {
            gzclose(gz);
            throw FileError(gzPath, "decompresses to more than 16 MiB: not CLIP's BPE vocabulary");
        }
    }
    int status = Z_OK;
    const char* message = got < 0 ? gzerror(gz, &status) : nullptr;
    const std::string problem = message ? message : "";
    gzclose(gz);
    if (got < 0) throw FileError(gzPath, "is not a readable gzip file (" + excerpt(problem, 60) + ")");

    std::unique_ptr<ClipTokenizer> t(new ClipTokenizer());
    clipByteSymbols(t->byteToSymbol_);
    // The vocabulary: the 256 byte symbols in bytes_to_unicode() order (printable bytes first), the same with
    // "</w>", one token per merge, then the two special tokens.
    std::vector<std::string> vocab;
    std::vector<int> order;
    for (int b = 0; b < 256; ++b)
        if (t->byteToSymbol_[b] < 256) order.push_back(b);
    for (int b = 0; b < 256; ++b)
        if (t->byteToSymbol_[b] >= 256) order.push_back(b);
    for (int b : order)
        vocab.push_back(utf8::encode(std::u32string(1, t->byteToSymbol_[b])));
    for (int b : order)
        vocab.push_back(utf8::encode(std::u32string(1, t->byteToSymbol_[b])) + "</w>");
    std::istringstream lines(text);
    std::string line;
    size_t lineNo = 0;
    std::string merges = "#version: 0.2\n";
    while (std::getline(lines, line) && vocab.size() < 256 * 2 + kMaxMerges) {
        if (lineNo++ == 0) continue; // the header
        std::istringstream fields(line);
        std::string first, second, extra;
        if (!(fields >> first >> second) || (fields >> extra))
            throw FileError(gzPath,
                            "line " + std::to_string(lineNo) + " is not a pair of symbols: '" + excerpt(line) + "'");
        vocab.push_back(first + second);
        merges += line + "\n";
    }
    if (vocab.size() != 256 * 2 + kMaxMerges)
        throw FileError(gzPath, "holds " + std::to_string(vocab.size() - 512) + " merges, not CLIP's " +
                                    std::to_string(kMaxMerges));
    vocab.push_back("<|startoftext|>");
    vocab.push_back("<|endoftext|>");
    for (size_t id = 0; id < vocab.size(); ++id)
        t->tokenToId_[vocab[id]] = int64_t(id);
    t->idToToken_ = std::move(vocab);
    t->readMerges(merges, gzPath);
    if (padWithZero) t->padToken_ = "!";
    t->resolveSpecialTokens(gzPath);
    return t;
}

std::unique_ptr<ClipTokenizer> ClipTokenizer::standard(bool padWithZero) {
    const std::string path = findDataFile("clip/bpe_simple_vocab_16e6.txt.gz");
    if (path.empty())
        throw Error("the standard CLIP vocabulary (clip/bpe_simple_vocab_16e6.txt.gz) is not installed; looked in " +
                    dataDirsSearched());
    return fromOpenAIBpe(path, padWithZero);
}

void ClipTokenizer::saveFolder(const std::string& folder) const {
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    for (size_t id = 0; id < idToToken_.size(); ++id)
        vocab[idToToken_[id]] = int64_t(id);
    std::vector<const std::u32string*> byRank(mergeRanks_.size());
    for (const auto& [pair, rank] : mergeRanks_)
        byRank.at(size_t(rank)) = &pair;
    std::string merges = "#version: 0.2\n";
    for (const auto* pair : byRank)
        merges += utf8::encode(*pair) + "\n";
    std::filesystem::create_directories(folder);
    writeFileAtomically(folder + "/vocab.json", vocab.dump());
    writeFileAtomically(folder + "/merges.txt", merges);
    const nlohmann::ordered_json config = {{"bos_token", bosToken_},         {"eos_token", eosToken_},
                                           {"unk_token", unkToken_},         {"pad_token", padToken_},
                                           {"model_max_length", maxLength_}, {"tokenizer_class", "CLIPTokenizer"}};
    writeFileAtomically(folder + "/tokenizer_config.json", config.dump(2));
}

std::string ClipTokenizer::tokenText(int64_t id) const {
    if (id < 0 || id >= static_cast<int64_t>(idToToken_.size())) return "";
    return idToToken_[static_cast<size_t>(id)];
}

int64_t ClipTokenizer::idOf(const std::string& token) const {
    const auto it = tokenToId_.find(token);
    return it == tokenToId_.end() ? unkId_ : it->second;
}

std::vector<std::u32string> ClipTokenizer::bpe(const std::u32string& word) const {
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        const auto it = cache_.find(word);
        if (it != cache_.end()) return it->second;
    }
    std::vector<std::u32string> symbols;
    for (char32_t c : word)
        symbols.emplace_back(1, c);
    symbols.back() += kEndOfWord;
    std::u32string key;
    while (symbols.size() > 1) {
        // The adjacent pair of lowest rank...
        int best = std::numeric_limits<int>::max();
        std::u32string bestFirst, bestSecond;
        for (size_t i = 0; i + 1 < symbols.size(); ++i) {
            key = symbols[i] + U' ' + symbols[i + 1];
            const auto it = mergeRanks_.find(key);
            if (it != mergeRanks_.end() && it->second < best) {
                best = it->second;
                bestFirst = symbols[i];
                bestSecond = symbols[i + 1];
            }
        }
        if (best == std::numeric_limits<int>::max()) break;
        // ...merged at every non-overlapping occurrence, left to right.
        std::vector<std::u32string> merged;
        merged.reserve(symbols.size());
        for (size_t i = 0; i < symbols.size();) {
            if (i + 1 < symbols.size() && symbols[i] == bestFirst && symbols[i + 1] == bestSecond) {
                merged.push_back(bestFirst + bestSecond);
                i += 2;
            } else {
                merged.push_back(symbols[i++]);
            }
        }
        symbols.swap(merged);
    }
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (cache_.size() > 100'000) cache_.clear(); // bound memory for long-running sessions
    cache_.emplace(word, symbols);
    return symbols;
}

int64_t ClipTokenizer::tokenizeSegment(const std::u32string& segment, int64_t offset, int64_t cleanOffset,
                                       std::vector<Piece>& pieces) const {
    MappedText clean = collapseAndLower(TextFixer::fixText(segment));
    for (size_t k = 0; k < clean.text.size(); ++k) {
        clean.begin[k] += offset;
        clean.end[k] += offset;
    }
    for (const Span& span : preTokenize(clean.text)) {
        Piece piece;
        piece.kind = span.kind;
        piece.cleanBegin = cleanOffset + static_cast<int64_t>(span.begin);
        piece.cleanEnd = cleanOffset + static_cast<int64_t>(span.end);
        // Span in the original prompt of clean code points [first, last].
        auto originalSpan = [&](size_t first, size_t last, Token& token) {
            token.begin = clean.begin[first];
            token.end = clean.end[first];
            for (size_t k = first; k <= last; ++k) {
                token.begin = std::min(token.begin, clean.begin[k]);
                token.end = std::max(token.end, clean.end[k]);
            }
        };
        if (span.kind == PieceKind::Special) {
            Token token;
            token.text = utf8::encode(clean.text.substr(span.begin, span.end - span.begin));
            token.id = idOf(token.text);
            originalSpan(span.begin, span.end - 1, token);
            piece.tokens.push_back(token);
            pieces.push_back(std::move(piece));
            continue;
        }
        // UTF-8 bytes of the pre-token, each remembering its clean code point, as byte symbols.
        std::u32string symbols;
        std::vector<size_t> byteToClean;
        std::string bytes;
        for (size_t k = span.begin; k < span.end; ++k) {
            bytes.clear();
            utf8::append(bytes, clean.text[k]);
            for (unsigned char b : bytes) {
                symbols.push_back(byteToSymbol_[b]);
                byteToClean.push_back(k);
            }
        }
        size_t byte = 0;
        for (const std::u32string& part : bpe(symbols)) {
            size_t n = part.size();
            if (n >= kEndOfWord.size() && part.compare(n - kEndOfWord.size(), kEndOfWord.size(), kEndOfWord) == 0)
                n -= kEndOfWord.size();
            Token token;
            token.text = utf8::encode(part);
            token.id = idOf(token.text);
            originalSpan(byteToClean[byte], byteToClean[byte + n - 1], token);
            byte += n;
            piece.tokens.push_back(token);
        }
        pieces.push_back(std::move(piece));
    }
    return static_cast<int64_t>(clean.text.size());
}

std::vector<ClipTokenizer::Piece> ClipTokenizer::tokenizePieces(const std::string& prompt) const {
    // Like PreTrainedTokenizer.tokenize, first split off the special tokens written verbatim (case-sensitive)
    // and clean/tokenize the text between them separately. The pad token is left out: the goldens show SD2's
    // "!" tokenized like any other text.
    const std::u32string original = utf8::decode(prompt);
    std::vector<std::u32string> specials;
    for (const std::string* s : {&bosToken_, &eosToken_, &unkToken_})
        if (!s->empty()) specials.push_back(utf8::decode(*s));

    std::vector<Piece> pieces;
    int64_t cleanOffset = 0;
    size_t segmentStart = 0;
    size_t pos = 0;
    auto flush = [&](size_t end) {
        if (end > segmentStart) {
            const std::u32string segment = original.substr(segmentStart, end - segmentStart);
            // +1 keeps pieces of different segments from counting as adjacent.
            cleanOffset += tokenizeSegment(segment, int64_t(segmentStart), cleanOffset, pieces) + 1;
        }
    };
    while (pos < original.size()) {
        const std::u32string* match = nullptr;
        for (const auto& special : specials)
            if (startsWith(original, pos, special) && (!match || special.size() > match->size())) match = &special;
        if (!match) {
            ++pos;
            continue;
        }
        flush(pos);
        Piece piece;
        piece.kind = PieceKind::Special;
        piece.cleanBegin = cleanOffset;
        piece.cleanEnd = cleanOffset + int64_t(match->size());
        cleanOffset = piece.cleanEnd + 1;
        Token token;
        token.text = utf8::encode(*match);
        token.id = idOf(token.text);
        token.begin = int64_t(pos);
        token.end = int64_t(pos + match->size());
        piece.tokens.push_back(token);
        pieces.push_back(std::move(piece));
        pos += match->size();
        segmentStart = pos;
    }
    flush(original.size());
    return pieces;
}

std::vector<std::string> ClipTokenizer::tokenizeToStrings(const std::string& text) const {
    std::vector<std::string> out;
    for (const Piece& piece : tokenizePieces(text))
        for (const Token& token : piece.tokens)
            out.push_back(token.text);
    return out;
}

TokenizedPrompt ClipTokenizer::encode(const std::string& prompt, int capacity) const {
    const std::vector<Piece> pieces = tokenizePieces(prompt);
    const auto promptLength = static_cast<int64_t>(utf8::decode(prompt).size());

    TokenizedPrompt result;
    for (const Piece& piece : pieces)
        result.promptTokens += static_cast<int>(piece.tokens.size());
    const int keep = std::min(result.promptTokens, std::max(capacity, 0));
    result.truncated = keep < result.promptTokens;

    result.tokens.push_back({bosId_, bosToken_, 0, 0});
    // Words: runs of letter/number/contraction pieces with nothing between them in the cleaned text;
    // symbol runs and special tokens stand alone.
    int position = 1;
    const Piece* previous = nullptr;
    for (const Piece& piece : pieces) {
        if (position > keep) break;
        const bool joinable =
            piece.kind == PieceKind::Letters || piece.kind == PieceKind::Number || piece.kind == PieceKind::Contraction;
        const bool previousJoinable =
            previous && (previous->kind == PieceKind::Letters || previous->kind == PieceKind::Number ||
                         previous->kind == PieceKind::Contraction);
        if (!(joinable && previousJoinable && previous->cleanEnd == piece.cleanBegin) || result.words.empty()) {
            Word word;
            word.punctuation = piece.kind == PieceKind::Symbols;
            word.begin = std::numeric_limits<int64_t>::max();
            word.end = 0;
            result.words.push_back(word);
        }
        Word& word = result.words.back();
        for (const Token& token : piece.tokens) {
            if (position > keep) break;
            result.tokens.push_back(token);
            word.tokens.push_back(position++);
            word.begin = std::min(word.begin, token.begin);
            word.end = std::max(word.end, token.end);
        }
        previous = &piece;
    }
    result.tokens.push_back({eosId_, eosToken_, promptLength, promptLength});

    // Word texts over the original prompt's code points.
    const std::u32string original = utf8::decode(prompt);
    for (Word& word : result.words)
        word.text =
            utf8::encode(original.substr(static_cast<size_t>(word.begin), static_cast<size_t>(word.end - word.begin)));

    for (const Token& token : result.tokens)
        result.ids.push_back(token.id);
    while (static_cast<int>(result.ids.size()) < maxLength_)
        result.ids.push_back(padId_);
    return result;
}

} // namespace daam
