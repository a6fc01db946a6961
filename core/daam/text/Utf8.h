// SPDX-License-Identifier: GPL-3.0-or-later
// UTF-8 decoding/encoding and the few code point classes the tokenizers need (Python's str.isspace(),
// Unicode letters and numbers by general category, Python's str.lower()). Category data comes from
// utf8proc; nothing here depends on torch.
#pragma once

#include <string>

namespace daam::utf8 {

// Decodes UTF-8; each byte of an invalid sequence becomes U+FFFD (like Python's errors="replace").
std::u32string decode(const std::string& text);
std::string encode(const std::u32string& text);
void append(std::string& out, char32_t cp);

// Python's str.isspace() (what `\s` matches in Python's re for str patterns).
bool isSpace(char32_t cp);
// \p{L}: categories Lu Ll Lt Lm Lo.
bool isLetter(char32_t cp);
// \p{N}: categories Nd Nl No.
bool isNumber(char32_t cp);
// The value 0-9 of a decimal digit (category Nd: what Python's re matches with \d in a str pattern and what
// float() reads, e.g. fullwidth or Arabic-Indic digits), or -1 for any other code point.
int decimalDigitValue(char32_t cp);
// Cased letter (Lu Ll Lt), used for the final-sigma rule of lower().
bool isCased(char32_t cp);
// Case_Ignorable (approximately: Mn Me Cf Lm Sk and the word-internal punctuation of MidLetter/MidNumLet).
bool isCaseIgnorable(char32_t cp);
// Canonical combining class (0 for starters).
int combiningClass(char32_t cp);

// NFC, or NFKC when `compatibility` is set (utf8proc).
std::u32string normalize(const std::u32string& text, bool compatibility);

} // namespace daam::utf8
