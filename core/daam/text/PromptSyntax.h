// SPDX-License-Identifier: GPL-3.0-or-later
// AUTOMATIC1111 stable-diffusion-webui's prompt conventions, without torch or a tokenizer: its emphasis syntax
// ("(word)", "[word]", "(word:1.3)", BREAK), its layout of a prompt of any length into chunks of 75 tokens
// wrapped to CLIP's 77, and its emphasis rule on the encoder's output. Prompts shared from A1111 (and PNG
// parameters it wrote) only mean what their author saw when encoded this way; diffusers, which the rest of the
// pipeline follows, truncates to 77 tokens and reads brackets as plain text, and the compel library has a
// syntax of its own ("word++", ".and()") and weights embeddings differently, so neither can stand in.
//
// Read from A1111's modules/prompt_parser.py at commit 28bd8e14 (v1.6+: whitespace allowed around a weight,
// "(word: 1.3 )") and modules/sd_hijack_clip.py at 5ad03e65 (TextConditionalModel.tokenize_line and
// process_tokens; the "Original" emphasis of modules/sd_emphasis.py). Not reproduced: textual-inversion
// embeddings (tokenize_line keeps an embedding's vectors inside one chunk), prompt editing "[a:b:0.5]" and
// alternation "[a|b]" (parsed before this, by a lark grammar), and AND (composable diffusion).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace daam {

// One fragment of a prompt as parse_prompt_attention yields it. Offsets count Unicode code points of the
// prompt as given (Python's str indexing); a prompt that is not valid UTF-8 is read with U+FFFD in place of
// each bad byte.
struct WeightedText {
    std::string text; // escapes resolved: "\(" is "(", a lone "\" is dropped
    double weight = 1.0;
    int64_t begin = 0; // [begin, end): the prompt text this fragment was read from, brackets between the
    int64_t end = 0;   // merged pieces included; a BREAK's span holds the whitespace around the word
    bool isBreak = false;
    std::vector<int64_t> sourceOffsets; // the prompt code point of each code point of `text`
};

// parse_prompt_attention: "(x)" multiplies by 1.1, "[x]" by 1/1.1, "(x:w)" by w; nesting multiplies; brackets
// left open apply to the rest of the prompt; "\( \) \[ \] \\" are literals; neighbouring fragments of equal
// weight are merged (exact double equality, as A1111 compares). BREAK, as a whole word (Python's \b),
// becomes a fragment "BREAK" of weight -1, which keeps it apart from its neighbours (but for a weight of 0
// around it: -0.0 == 0.0, and all merge).
// A1111 multiplies that -1 by the brackets around it like any weight, and tokenize_line only starts a new
// chunk for text == "BREAK" with weight == -1: "(a BREAK b)" encodes the word BREAK with weight -1.1. isBreak is
// that test, so it is false there, as in A1111. The weights are computed with A1111's operations in A1111's
// order, so they equal its Python floats bit for bit (which decides what merges).
// Throws daam::Error for a weight Python's float() rejects ("(x:.)", "(x:1.2.3)"): A1111 fails on it too.
std::vector<WeightedText> parsePromptAttention(const std::string& prompt);

// A token of the prompt for layoutPromptChunks: the tokens of every fragment in order, a BREAK as a marker.
struct PromptToken {
    int64_t id = 0;
    double weight = 1.0;
    int fragment = -1;    // the caller's bookkeeping (the WeightedText it came from); the layout ignores it
    bool isBreak = false; // starts a new chunk; id and weight are not used
};

struct PromptChunkSettings {
    int64_t startId = 0;
    int64_t endId = 0;
    // The tokenizer's ",</w>"; -1 where the vocabulary has none (A1111's vocab.get() is None: no backtracking).
    int64_t commaId = -1;
    int chunkLength = 75;    // prompt tokens per chunk; the chunk is this plus start and end
    int commaBacktrack = 20; // A1111's comma_padding_backtrack setting ("Prompt word wrap length limit"); 0: off
};

// One chunk as the text encoder takes it: chunkLength + 2 ids (77 for CLIP).
struct PromptChunk {
    std::vector<int64_t> ids;
    std::vector<double> weights;   // 1.0 for start, end and padding
    std::vector<int> sourceTokens; // per position, the index of the input token it holds; -1 for start/end/pad
};

// The tokens of `fragments` (tokenize: a fragment's text to ids without start/end tokens, no truncation).
// Each fragment is tokenized on its own, as A1111 does: "an (important) word" is "an ", "important", " word".
std::vector<PromptToken> tokenizeFragments(const std::vector<WeightedText>& fragments,
                                           const std::function<std::vector<int64_t>(const std::string&)>& tokenize);

// tokenize_line's chunks: a chunk ends after chunkLength tokens, or at a BREAK (even an empty chunk: a prompt
// starting with BREAK has an empty first chunk). When a chunk is full and the next token is not a comma, the
// tokens after the chunk's last comma move to the next chunk if that comma is among its last commaBacktrack
// tokens, so that a phrase is not cut in two. An empty prompt gives one chunk.
// Padding is the END token for every model, as A1111 lays chunks out: SD2's OpenCLIP tokenizer pads with "!"
// (id 0), but A1111 pads with <end_of_text> here and replaces it only just before the encoder runs
// (padChunkForEncoder).
std::vector<PromptChunk> layoutPromptChunks(const std::vector<PromptToken>& tokens,
                                            const PromptChunkSettings& settings);

// A1111's empty_chunk: start, then end chunkLength + 1 times; fills in for the missing chunks of the shorter
// prompts of a batch encoded together.
PromptChunk emptyPromptChunk(const PromptChunkSettings& settings);

// process_tokens, for models whose pad token is not their end token (OpenCLIP: SD2 and SDXL's second encoder,
// pad id 0): every id after the first endId becomes padId. Nothing changes when padId == endId (SD1 and SDXL's
// CLIP-L).
void padChunkForEncoder(std::vector<int64_t>& ids, int64_t endId, int64_t padId);

// A1111's "Original" emphasis on the encoder's output z ([tokens][channels], row-major): each row times its
// token's weight, then everything times original mean / new mean, so that the mean over all elements is
// what it was. A1111 takes both means over the whole (batch, 77, channels) tensor of one chunk position, the
// batch being the texts encoded together (the steps of one prompt's prompt editing; one text for a plain
// prompt), so pass all of a batch's rows at once (tokens = batch * 77) to match it. restoreMean = false is
// the "No norm" option. A1111 does this in float32 on torch; here products and the scale are float, the sums
// double, so results may differ from torch's in the last bits. The pooled output is not emphasised.
void applyEmphasis(float* z, int64_t tokens, int64_t channels, const double* weights, bool restoreMean = true);

} // namespace daam
