// SPDX-License-Identifier: GPL-3.0-or-later
// ftfy 6.1.1's fix_text in its default configuration, the text cleanup transformers' CLIPTokenizer runs
// before BPE. Every step keeps, for each output code point, the span of the original text it came from, so
// that tokens can be shown over the prompt as the user wrote it even when "&amp;" became "&", "ﬁ" became
// "fi" or the mojibake "Ã©" became "é" (a character decoded from several code points spans all of them).
//
// As ftfy does it: the text is fixed line by line (lines longer than 1,000,000 code points in pieces), and
// each piece goes through these steps, in this order, until nothing changes: unescape_html ('auto':
// skipped from the first line that contains '<' on), fix_encoding, fix_c1_controls, fix_latin_ligatures,
// fix_character_width, uncurl_quotes, fix_line_breaks, remove_terminal_escapes, remove_control_chars, NFC.
//
// fix_encoding repairs mojibake. When ftfy's badness heuristic fires, the text is encoded with ftfy's
// single-byte encodings in turn (Latin-1, sloppy Windows-1252/1251/1250/1253/1254, ISO-8859-2, MacRoman,
// cp437), skipping those that cannot hold it; the first whose bytes decode as UTF-8 (or CESU-8) wins, after
// restore_byte_a0 (a 0xA0 byte shown as a space) and replace_lossy_sequences (bytes lost to '?' or U+FFFD).
// Failing that, decode_inconsistent_utf8 fixes UTF-8-looking runs on their own, then C1 controls are read
// as Windows-1252. Repeated until stable. Its code point tables (MojibakeTables.inc) are generated from
// ftfy by tools/gen_ftfy_tables.py; tests/data/ftfy/fix_text.json holds ftfy's own results to compare.
//
// Left out: fix_surrogates, a no-op here (decoded UTF-8 holds no surrogates, and neither HTML unescaping
// nor fix_encoding produces them). NFC uses utf8proc's Unicode data, which may lag Python's.
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
    // ftfy.fix_text(text).
    static MappedText fixText(const std::u32string& text);
    // ftfy.fix_encoding(text): mojibake repair alone, repeated until the text stops changing.
    static MappedText fixEncoding(const MappedText& in);

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
