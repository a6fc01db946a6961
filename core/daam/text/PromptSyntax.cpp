// SPDX-License-Identifier: GPL-3.0-or-later
// A1111's prompt parser and chunk layout (see PromptSyntax.h), written from its behaviour: the parser walks
// the prompt the way A1111's re_attention alternation does, one token at a time, longest escape first.
#include "daam/text/PromptSyntax.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "daam/text/Utf8.h"
#include "daam/util/Error.h"

namespace daam {

namespace {

// A fragment before merging, in code points.
struct PromptSyntaxPiece {
    std::u32string text;
    double weight = 1.0;
    int64_t begin = 0;
    int64_t end = 0;
    std::vector<int64_t> offsets;
};

// Python's \w in a str pattern: str.isalnum() or "_" (isalnum also takes the few non-N characters with a
// numeric value, all of them letters anyway).
bool promptSyntaxIsWord(char32_t cp) {
    return cp == U'_' || utf8::isLetter(cp) || utf8::isNumber(cp);
}

bool promptSyntaxIsWeightChar(char32_t cp) {
    return cp == U'.' || utf8::decimalDigitValue(cp) >= 0;
}

// float() of what `[+-]?[.\d]+` matched. Python reads any Nd digit; it rejects no digits or several dots,
// and A1111 lets that ValueError stop the generation.
double promptSyntaxWeight(const std::u32string& text, size_t begin, size_t end) {
    bool negative = false;
    if (text[begin] == U'+' || text[begin] == U'-') negative = text[begin++] == U'-';
    std::string ascii;
    int dots = 0, digits = 0;
    bool nonzeroWhole = false;
    for (size_t i = begin; i < end; ++i) {
        if (text[i] == U'.') {
            ++dots;
            ascii += '.';
            continue;
        }
        const int value = utf8::decimalDigitValue(text[i]);
        ++digits;
        if (value != 0 && dots == 0) nonzeroWhole = true;
        ascii += static_cast<char>('0' + value);
    }
    if (dots > 1 || digits == 0) {
        std::string quoted;
        for (size_t i = begin; i < end; ++i)
            utf8::append(quoted, text[i]);
        throw Error("prompt: the emphasis weight '" + quoted + "' is not a number");
    }
    // from_chars, not strtod: the application's locale may want a decimal comma. Both round correctly, as
    // Python's float() does.
    double value = 0.0;
    const auto result = std::from_chars(ascii.data(), ascii.data() + ascii.size(), value);
    if (result.ec == std::errc::result_out_of_range)
        value = nonzeroWhole ? std::numeric_limits<double>::infinity() : 0.0; // float() overflows to inf
    return negative ? -value : value;
}

// re.split(r"\s*\bBREAK\b\s*", text) over prompt[begin, end), A1111's else branch: the parts become pieces of
// weight 1, each BREAK between them a piece "BREAK" of weight -1. The word boundaries are those of the
// matched text alone, as re.split sees it, not of the whole prompt.
void promptSyntaxSplitBreaks(const std::u32string& prompt, size_t begin, size_t end,
                             std::vector<PromptSyntaxPiece>& out) {
    static const std::u32string kBreak = U"BREAK";
    auto addPiece = [&](size_t from, size_t to) {
        PromptSyntaxPiece piece;
        piece.text = prompt.substr(from, to - from);
        piece.begin = static_cast<int64_t>(from);
        piece.end = static_cast<int64_t>(to);
        for (size_t i = from; i < to; ++i)
            piece.offsets.push_back(static_cast<int64_t>(i));
        out.push_back(std::move(piece));
    };
    size_t partStart = begin;
    size_t at = begin;
    while (at + kBreak.size() <= end) {
        if (prompt.compare(at, kBreak.size(), kBreak) != 0) {
            ++at;
            continue;
        }
        const size_t wordEnd = at + kBreak.size();
        const bool boundaryBefore = at == begin || !promptSyntaxIsWord(prompt[at - 1]);
        const bool boundaryAfter = wordEnd == end || !promptSyntaxIsWord(prompt[wordEnd]);
        if (!boundaryBefore || !boundaryAfter) {
            ++at;
            continue;
        }
        // The leftmost match starts at the whitespace before the word, but not inside the previous match.
        size_t matchStart = at;
        while (matchStart > partStart && utf8::isSpace(prompt[matchStart - 1]))
            --matchStart;
        size_t matchEnd = wordEnd;
        while (matchEnd < end && utf8::isSpace(prompt[matchEnd]))
            ++matchEnd;
        addPiece(partStart, matchStart);
        PromptSyntaxPiece marker;
        marker.text = kBreak;
        marker.weight = -1.0;
        marker.begin = static_cast<int64_t>(matchStart);
        marker.end = static_cast<int64_t>(matchEnd);
        for (size_t i = at; i < wordEnd; ++i)
            marker.offsets.push_back(static_cast<int64_t>(i));
        out.push_back(std::move(marker));
        partStart = at = matchEnd;
    }
    addPiece(partStart, end);
}

bool promptSyntaxIsSpecial(char32_t cp) {
    return cp == U'\\' || cp == U'(' || cp == U')' || cp == U'[' || cp == U']' || cp == U':';
}

} // namespace

std::vector<WeightedText> parsePromptAttention(const std::string& promptText) {
    const std::u32string prompt = utf8::decode(promptText);
    const size_t n = prompt.size();
    // Computed once, as A1111 does: multiplying by 1/1.1 is not always dividing by 1.1.
    const double roundMultiplier = 1.1;
    const double squareMultiplier = 1 / 1.1;

    std::vector<PromptSyntaxPiece> pieces;
    std::vector<size_t> roundOpen, squareOpen;
    auto multiplyFrom = [&](size_t start, double multiplier) {
        for (size_t p = start; p < pieces.size(); ++p)
            pieces[p].weight *= multiplier;
    };

    size_t at = 0;
    while (at < n) {
        const char32_t c = prompt[at];
        if (c == U'\\') {
            // "\(", "\)", "\[", "\]", "\\" are the next character; a lone backslash is an empty piece (it still
            // separates, and takes weights, like any piece).
            PromptSyntaxPiece piece;
            piece.begin = static_cast<int64_t>(at);
            const bool escape =
                at + 1 < n && (prompt[at + 1] == U'(' || prompt[at + 1] == U')' || prompt[at + 1] == U'[' ||
                               prompt[at + 1] == U']' || prompt[at + 1] == U'\\');
            if (escape) {
                piece.text = prompt.substr(at + 1, 1);
                piece.offsets.push_back(static_cast<int64_t>(at + 1));
            }
            at += escape ? 2 : 1;
            piece.end = static_cast<int64_t>(at);
            pieces.push_back(std::move(piece));
            continue;
        }
        if (c == U'(') {
            roundOpen.push_back(pieces.size());
            ++at;
            continue;
        }
        if (c == U'[') {
            squareOpen.push_back(pieces.size());
            ++at;
            continue;
        }
        if (c == U':') {
            // ":\s*([+-]?[.\d]+)\s*\)": deterministic, the classes being disjoint, so no backtracking.
            size_t q = at + 1;
            while (q < n && utf8::isSpace(prompt[q]))
                ++q;
            const size_t numberBegin = q;
            if (q < n && (prompt[q] == U'+' || prompt[q] == U'-')) ++q;
            const size_t digitsBegin = q;
            while (q < n && promptSyntaxIsWeightChar(prompt[q]))
                ++q;
            const size_t numberEnd = q;
            while (q < n && utf8::isSpace(prompt[q]))
                ++q;
            if (numberEnd > digitsBegin && q < n && prompt[q] == U')') {
                const size_t matchEnd = q + 1;
                if (!roundOpen.empty()) {
                    const double weight = promptSyntaxWeight(prompt, numberBegin, numberEnd);
                    multiplyFrom(roundOpen.back(), weight);
                    roundOpen.pop_back();
                } else {
                    // Nothing to close: A1111 keeps the whole ":1.3)" as text (and never converts it).
                    promptSyntaxSplitBreaks(prompt, at, matchEnd, pieces);
                }
                at = matchEnd;
                continue;
            }
        }
        if (c == U')' && !roundOpen.empty()) {
            multiplyFrom(roundOpen.back(), roundMultiplier);
            roundOpen.pop_back();
            ++at;
            continue;
        }
        if (c == U']' && !squareOpen.empty()) {
            multiplyFrom(squareOpen.back(), squareMultiplier);
            squareOpen.pop_back();
            ++at;
            continue;
        }
        // Text: a run of ordinary characters, or one stray ")", "]" or ":".
        size_t runEnd = at + 1;
        if (!promptSyntaxIsSpecial(c))
            while (runEnd < n && !promptSyntaxIsSpecial(prompt[runEnd]))
                ++runEnd;
        promptSyntaxSplitBreaks(prompt, at, runEnd, pieces);
        at = runEnd;
    }
    // Open brackets close at the end, rounds first, each kind from the outermost in, as A1111's loops go.
    for (size_t start : roundOpen)
        multiplyFrom(start, roundMultiplier);
    for (size_t start : squareOpen)
        multiplyFrom(start, squareMultiplier);
    if (pieces.empty()) pieces.emplace_back();

    std::vector<PromptSyntaxPiece> merged;
    for (auto& piece : pieces) {
        if (!merged.empty() && merged.back().weight == piece.weight) {
            auto& last = merged.back();
            last.text += piece.text;
            last.offsets.insert(last.offsets.end(), piece.offsets.begin(), piece.offsets.end());
            last.end = piece.end;
        } else {
            merged.push_back(std::move(piece));
        }
    }

    std::vector<WeightedText> result;
    result.reserve(merged.size());
    for (auto& piece : merged) {
        WeightedText fragment;
        fragment.text = utf8::encode(piece.text);
        fragment.weight = piece.weight;
        fragment.begin = piece.begin;
        fragment.end = piece.end;
        fragment.isBreak = piece.text == U"BREAK" && piece.weight == -1.0;
        fragment.sourceOffsets = std::move(piece.offsets);
        result.push_back(std::move(fragment));
    }
    return result;
}

std::vector<PromptToken> tokenizeFragments(const std::vector<WeightedText>& fragments,
                                           const std::function<std::vector<int64_t>(const std::string&)>& tokenize) {
    std::vector<PromptToken> tokens;
    for (size_t f = 0; f < fragments.size(); ++f) {
        const auto& fragment = fragments[f];
        if (fragment.isBreak) {
            PromptToken marker;
            marker.fragment = static_cast<int>(f);
            marker.isBreak = true;
            tokens.push_back(marker);
            continue;
        }
        for (int64_t id : tokenize(fragment.text))
            tokens.push_back({id, fragment.weight, static_cast<int>(f), false});
    }
    return tokens;
}

PromptChunk emptyPromptChunk(const PromptChunkSettings& settings) {
    const size_t size = static_cast<size_t>(settings.chunkLength) + 2;
    PromptChunk chunk;
    chunk.ids.assign(size, settings.endId);
    chunk.ids[0] = settings.startId;
    chunk.weights.assign(size, 1.0);
    chunk.sourceTokens.assign(size, -1);
    return chunk;
}

std::vector<PromptChunk> layoutPromptChunks(const std::vector<PromptToken>& tokens,
                                            const PromptChunkSettings& settings) {
    const size_t length = static_cast<size_t>(settings.chunkLength);
    std::vector<PromptChunk> chunks;
    std::vector<int> current; // indices into tokens
    long lastComma = -1;      // position in `current`

    auto closeChunk = [&] {
        PromptChunk chunk = emptyPromptChunk(settings);
        for (size_t i = 0; i < current.size(); ++i) {
            const auto& token = tokens[static_cast<size_t>(current[i])];
            chunk.ids[i + 1] = token.id;
            chunk.weights[i + 1] = token.weight;
            chunk.sourceTokens[i + 1] = current[i];
        }
        chunks.push_back(std::move(chunk));
        current.clear();
        lastComma = -1;
    };

    for (size_t t = 0; t < tokens.size(); ++t) {
        const auto& token = tokens[t];
        if (token.isBreak) {
            closeChunk();
            continue;
        }
        if (settings.commaId >= 0 && token.id == settings.commaId) {
            lastComma = static_cast<long>(current.size());
        } else if (settings.commaBacktrack != 0 && current.size() == length && lastComma != -1 &&
                   static_cast<long>(current.size()) - lastComma <= settings.commaBacktrack) {
            const std::vector<int> moved(current.begin() + lastComma + 1, current.end());
            current.resize(static_cast<size_t>(lastComma) + 1);
            closeChunk();
            current = moved;
        }
        // A comma arriving at a full chunk is only remembered until this closes it: it starts the next chunk,
        // and A1111 forgets it there.
        if (current.size() == length) closeChunk();
        current.push_back(static_cast<int>(t));
    }
    if (!current.empty() || chunks.empty()) closeChunk();
    return chunks;
}

void padChunkForEncoder(std::vector<int64_t>& ids, int64_t endId, int64_t padId) {
    if (endId == padId) return;
    // A1111 looks for the first end token (list.index), which is the chunk's own end when the prompt has none.
    for (size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] != endId) continue;
        for (size_t j = i + 1; j < ids.size(); ++j)
            ids[j] = padId;
        return;
    }
}

void applyEmphasis(float* z, int64_t tokens, int64_t channels, const double* weights, bool restoreMean) {
    const int64_t count = tokens * channels;
    if (count == 0) return;
    auto mean = [&] {
        double sum = 0.0;
        for (int64_t i = 0; i < count; ++i)
            sum += z[i];
        return static_cast<float>(sum / static_cast<double>(count));
    };
    const float originalMean = restoreMean ? mean() : 0.0f;
    for (int64_t t = 0; t < tokens; ++t) {
        // torch.asarray makes the Python float multipliers a float32 tensor.
        const float weight = static_cast<float>(weights[t]);
        for (int64_t c = 0; c < channels; ++c)
            z[t * channels + c] *= weight;
    }
    if (!restoreMean) return;
    // Restoring the mean is A1111's own heuristic against artifacts from large weights; a new mean of 0 gives
    // inf/nan there as here.
    const float scale = originalMean / mean();
    for (int64_t i = 0; i < count; ++i)
        z[i] *= scale;
}

} // namespace daam
