// SPDX-License-Identifier: GPL-3.0-or-later
// Finding a word's rows in the heat maps the way castorini/daam does (compute_token_merge_indices): the
// prompt and the word are tokenized lower-cased, "</w>" is stripped from every token, and every
// occurrence of the word's token sequence in the prompt's counts; rows are token positions + 1 (the
// start token is row 0). So "a" in "a red dog on a bench" averages both a's, and a sub-word sequence
// can also match inside a longer word. The UI's word chips use the tokenizer's own word grouping instead.
#pragma once

#include <string>
#include <vector>

namespace daam {

// `promptTokens` and `wordTokens` are tokenizer.tokenize() outputs (no start/end tokens). Throws
// daam::Error when the word does not occur.
std::vector<int> daamWordRows(const std::vector<std::string>& promptTokens, const std::vector<std::string>& wordTokens,
                              const std::string& word);

} // namespace daam
