// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in model's tokenizer: a SentencePiece model trained on the shape world's training captions
// (the held-out ones never enter), written as a diffusers tokenizer folder that loadTokenizer() opens.
#pragma once

#include <cstdint>
#include <string>

namespace daam::builtin {

struct ShapeTokenizerOptions {
    uint64_t worldSeed = 0;
    int scenes = 5000;   // captions drawn (held-out ones skipped)
    int vocabSize = 128; // room for the letters, the merges that build every word, and the specials
    int maxLength = 77;  // model_max_length, as CLIP's
};

// Writes <dir>/spiece.model, spiece.vocab and tokenizer_config.json (start token on, as CLIP, so that the
// text encoder has an attention sink and every word its own rows). Deterministic for fixed options.
void trainShapeTokenizer(const std::string& dir, const ShapeTokenizerOptions& options = {});

} // namespace daam::builtin
