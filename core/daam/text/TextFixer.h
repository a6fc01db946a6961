// SPDX-License-Identifier: GPL-3.0-or-later
// A subset of ftfy 6.1's fix_text (default configuration), the text cleanup transformers' CLIPTokenizer
// runs before BPE. Every step keeps, for each output code point, the span of the original text it came
// from, so that tokens can be shown over the prompt as the user wrote it even when "&amp;" became "&"
// or "ﬁ" became "fi".
//
// Implemented, in ftfy's order and repeated until nothing changes: unescape_html ('auto': skipped from
// the first line that contains '<' on), fix_c1_controls, fix_latin_ligatures, fix_character_width,
// uncurl_quotes, fix_line_breaks, remove_terminal_escapes, remove_control_chars, NFC.
// Left out: fix_encoding (mojibake repair, with restore_byte_a0 / replace_lossy_sequences /
// decode_inconsistent_utf8) and fix_surrogates (UTF-8 input cannot hold surrogates).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace daam {

// Text with, per code point, the half-open span [begin, end) of original code points it stems from.
struct MappedText {
    std::u32string text;
    std::vector<int64_t> begin;
    std::vector<int64_t> end;

    void push(char32_t cp, int64_t b, int64_t e) {
        text.push_back(cp);
        begin.push_back(b);
        end.push_back(e);
    }
    // Identity mapping of `original`.
    static MappedText identity(const std::u32string& original);
};

class TextFixer {
public:
    // ftfy.fix_text(text) for the steps listed above.
    static MappedText fixText(const std::u32string& text);

    // The single steps (each maps an already mapped text).
    static MappedText unescapeHtml(const MappedText& in);
    static MappedText fixC1Controls(const MappedText& in);
    static MappedText fixLatinLigatures(const MappedText& in);
    static MappedText fixCharacterWidth(const MappedText& in);
    static MappedText uncurlQuotes(const MappedText& in);
    static MappedText fixLineBreaks(const MappedText& in);
    static MappedText removeTerminalEscapes(const MappedText& in);
    static MappedText removeControlChars(const MappedText& in);
    static MappedText normalizeNfc(const MappedText& in);
};

} // namespace daam
