// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/text/ChunkedPrompt.h"

#include "daam/text/PromptSyntax.h"
#include "daam/text/Utf8.h"
#include "daam/util/Error.h"

#include <limits>

namespace daam {
namespace {

PromptChunkSettings chunkSettingsOf(const Tokenizer& tokenizer) {
    if (tokenizer.maxLength() < 3 || tokenizer.promptCapacity() != tokenizer.maxLength() - 2)
        throw Error("A1111's prompt syntax needs a tokenizer that wraps prompts in start and end tokens (CLIP's)");
    PromptChunkSettings settings;
    settings.startId = tokenizer.startId();
    settings.endId = tokenizer.endId();
    settings.chunkLength = tokenizer.promptCapacity();
    // A1111 looks ",</w>" up in the vocabulary; the tokenizer's own reading of "," is that entry.
    const auto comma = tokenizer.encode(",");
    if (comma.tokens.size() == 3 && comma.tokens[1].text == ",</w>") settings.commaId = comma.tokens[1].id;
    return settings;
}

} // namespace

TokenizedPrompt encodeA1111Prompt(const Tokenizer& tokenizer, const std::string& prompt) {
    const auto settings = chunkSettingsOf(tokenizer);
    const auto fragments = parsePromptAttention(prompt);
    const std::u32string original = utf8::decode(prompt);
    const auto promptLength = static_cast<int64_t>(original.size());

    // Every fragment's tokens in order, each with the token as the prompt shows it, and the words they make.
    std::vector<PromptToken> tokens;
    std::vector<Token> sourceTokens; // parallel to `tokens` (a BREAK's entry is empty)
    std::vector<Word> words;         // tokens as indices into `tokens` for now
    for (size_t f = 0; f < fragments.size(); ++f) {
        const auto& fragment = fragments[f];
        if (fragment.isBreak) {
            tokens.push_back({0, 1.0, static_cast<int>(f), true});
            sourceTokens.emplace_back();
            continue;
        }
        // Spans in the fragment's text, moved to the prompt's: escapes make the two differ.
        auto toPrompt = [&](int64_t begin, int64_t end) {
            if (begin >= end || fragment.sourceOffsets.empty()) return std::pair<int64_t, int64_t>{begin, begin};
            return std::pair<int64_t, int64_t>{fragment.sourceOffsets[size_t(begin)],
                                               fragment.sourceOffsets[size_t(end - 1)] + 1};
        };
        const auto encoded = tokenizer.encode(fragment.text, std::numeric_limits<int>::max());
        for (const Word& word : encoded.words) {
            Word placed;
            placed.weight = fragment.weight;
            placed.punctuation = word.punctuation;
            std::tie(placed.begin, placed.end) = toPrompt(word.begin, word.end);
            for (int position : word.tokens) {
                Token token = encoded.tokens[size_t(position)];
                std::tie(token.begin, token.end) = toPrompt(token.begin, token.end);
                placed.tokens.push_back(static_cast<int>(tokens.size()));
                tokens.push_back({token.id, fragment.weight, static_cast<int>(f), false});
                sourceTokens.push_back(std::move(token));
            }
            if (!placed.tokens.empty()) words.push_back(std::move(placed));
        }
    }

    const auto chunks = layoutPromptChunks(tokens, settings);
    TokenizedPrompt out;
    out.chunks = static_cast<int>(chunks.size());
    std::vector<int> positionOf(tokens.size(), -1);
    int lastEnd = 0; // the last window's end token
    const auto window = static_cast<int>(settings.chunkLength + 2);
    for (size_t c = 0; c < chunks.size(); ++c) {
        auto ids = chunks[c].ids;
        padChunkForEncoder(ids, settings.endId, tokenizer.padId());
        int used = 0;
        for (int i = 0; i < window; ++i) {
            const int source = chunks[c].sourceTokens[size_t(i)];
            if (source >= 0) {
                positionOf[size_t(source)] = static_cast<int>(c) * window + i;
                used = i;
            }
        }
        lastEnd = static_cast<int>(c) * window + used + 1;
        out.ids.insert(out.ids.end(), ids.begin(), ids.end());
        out.weights.insert(out.weights.end(), chunks[c].weights.begin(), chunks[c].weights.end());
    }
    for (int p = 0; p <= lastEnd; ++p) {
        const int source = chunks[size_t(p / window)].sourceTokens[size_t(p % window)];
        if (source >= 0) {
            out.tokens.push_back(sourceTokens[size_t(source)]);
        } else {
            const int64_t id = out.ids[size_t(p)];
            const int64_t at = id == settings.startId ? 0 : promptLength; // as a single window's start and end
            out.tokens.push_back({id, tokenizer.tokenText(id), at, at});
        }
    }
    for (Word& word : words) {
        for (int& t : word.tokens)
            t = positionOf[size_t(t)];
        word.text = utf8::encode(original.substr(size_t(word.begin), size_t(word.end - word.begin)));
        out.promptTokens += static_cast<int>(word.tokens.size());
    }
    out.words = std::move(words);
    return out;
}

void padToChunks(TokenizedPrompt& prompt, const Tokenizer& tokenizer, int chunks) {
    const auto settings = chunkSettingsOf(tokenizer);
    if (prompt.weights.empty()) prompt.weights.assign(prompt.ids.size(), 1.0);
    for (; prompt.chunks < chunks; ++prompt.chunks) {
        auto empty = emptyPromptChunk(settings);
        padChunkForEncoder(empty.ids, settings.endId, tokenizer.padId());
        prompt.ids.insert(prompt.ids.end(), empty.ids.begin(), empty.ids.end());
        prompt.weights.insert(prompt.weights.end(), empty.weights.begin(), empty.weights.end());
    }
}

} // namespace daam
