// SPDX-License-Identifier: GPL-3.0-or-later
// A prompt in AUTOMATIC1111's syntax, tokenized as A1111 encodes it (PromptSyntax.h): emphasis read into
// per-token weights, each fragment tokenized on its own, the tokens laid out in windows of 75 wrapped in start
// and end tokens, as many windows as the prompt needs. The result is a TokenizedPrompt whose words keep their
// place in the concatenated windows, so that DAAM maps every word of every window.
#pragma once

#include "daam/text/Tokenizer.h"

#include <string>

namespace daam {

// Throws daam::Error for a tokenizer without start and end tokens (A1111's layout wraps every window in them:
// CLIP's tokenizers have them) and for a weight A1111 cannot read.
TokenizedPrompt encodeA1111Prompt(const Tokenizer& tokenizer, const std::string& prompt);

// Appends A1111's empty windows (start, then end; padded for the encoder) until `prompt` has `chunks` of them:
// classifier-free guidance batches the prompt with the negative prompt, so the shorter is padded to the longer
// (A1111's "pad prompt/negative prompt" option; by default it runs the two halves apart instead).
void padToChunks(TokenizedPrompt& prompt, const Tokenizer& tokenizer, int chunks);

} // namespace daam
