// SPDX-License-Identifier: GPL-3.0-or-later
// The tokenizer interface shared by the CLIP BPE and SentencePiece implementations. Besides the ids the
// text encoder needs, a tokenizer reports what each token covers in the prompt and groups tokens into
// the prompt's words: DAAM's heat maps are per word, and the UI shows one chip per word.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace daam {

// Character offsets count Unicode code points of the prompt as given (Python's str indexing), so
// prompt[begin:end] in Python is the covered text.
struct Token {
    int64_t id = 0;
    std::string text;  // the vocabulary entry (e.g. "dog</w>", "▁dog")
    int64_t begin = 0; // character span in the prompt; empty (begin == end) for special tokens
    int64_t end = 0;
};

struct Word {
    std::string text; // the prompt's text over [begin, end)
    int64_t begin = 0;
    int64_t end = 0;
    std::vector<int> tokens;  // positions in TokenizedPrompt::ids (position 0 is the start token)
    bool punctuation = false; // made only of punctuation/symbols
    double weight = 1.0;      // A1111's emphasis of the word's tokens ("(word:1.3)"); 1 for plain prompts
};

struct TokenizedPrompt {
    // Start token, tokens, end token, padding: exactly maxLength ids. A prompt laid out in chunks (A1111's syntax)
    // has `chunks` such windows one after the other, and `tokens` runs through the last window's end token,
    // the windows' inner start, end and padding tokens included, so that tokens[i] is the token at ids[i].
    std::vector<int64_t> ids;
    std::vector<Token> tokens; // one per id that is not padding: start, prompt tokens, end
    std::vector<Word> words;   // words whose tokens survived truncation, in prompt order
    int promptTokens = 0;      // tokens of the prompt before truncation (without start/end)
    bool truncated = false;    // tokens were dropped to fit maxLength
    int chunks = 1;
    std::vector<double> weights; // per id, A1111's emphasis; empty: none
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // The text encoder's window: at most promptCapacity() prompt tokens, the rest dropped (truncated).
    TokenizedPrompt encode(const std::string& prompt) const { return encode(prompt, promptCapacity()); }
    // At most `capacity` prompt tokens; past maxLength() - 2 the ids are not padded (a prompt laid out in chunks).
    virtual TokenizedPrompt encode(const std::string& prompt, int capacity) const = 0;
    virtual int maxLength() const = 0;
    // The most prompt tokens an encoding keeps: maxLength() less the start token (if any) and the end token.
    virtual int promptCapacity() const = 0;
    virtual int64_t vocabSize() const = 0;
    virtual int64_t startId() const = 0;
    virtual int64_t endId() const = 0;
    virtual int64_t padId() const = 0;
    // The vocabulary entry of an id ("" when out of range).
    virtual std::string tokenText(int64_t id) const = 0;
};

// Opens the tokenizer of a diffusers component folder (e.g. "<model>/tokenizer"): CLIP BPE when it holds
// vocab.json + merges.txt, SentencePiece when it holds spiece.model or tokenizer.model. Throws FileError.
std::unique_ptr<Tokenizer> loadTokenizer(const std::string& folder);

} // namespace daam
