// SPDX-License-Identifier: GPL-3.0-or-later
// ftfy's fix_text subset with an origin map per code point (see TextFixer.h for what is covered).
#include "daam/text/TextFixer.h"

#include <algorithm>
#include <cstring>

#include "daam/text/Utf8.h"

namespace daam {

namespace {

struct Entity {
    const char* name; // without the leading '&', with the trailing ';'
    const char32_t* value;
};

const Entity kEntities[] = {
#include "daam/text/HtmlEntities.inc"
};

// windows-1252 as ftfy's "sloppy-windows-1252" decodes 0x80-0x9F (undefined bytes stay Latin-1); Python's
// html.unescape uses the same table for numeric references in that range.
const char32_t kCp1252High[32] = {0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,   0x017D, 0x8F,
                                  0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

bool isAsciiAlnum(char32_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const char32_t* findEntity(const std::string& name) {
    const auto* first = std::begin(kEntities);
    const auto* last = std::end(kEntities);
    const auto* it = std::lower_bound(
        first, last, name, [](const Entity& e, const std::string& n) { return std::strcmp(e.name, n.c_str()) < 0; });
    if (it != last && name == it->name) return it->value;
    return nullptr;
}

// Python's html.unescape of "&#...;" whose body is all digits or x + hex digits; false when html.unescape
// would not consume the whole reference (ftfy then keeps the text).
bool numericReference(const std::u32string& body, std::u32string& out) {
    // body: the characters between "&#" and ';'
    if (body.empty()) return false;
    const bool hex = body[0] == 'x' || body[0] == 'X';
    const size_t start = hex ? 1 : 0;
    if (start >= body.size()) return false;
    uint64_t num = 0;
    for (size_t i = start; i < body.size(); ++i) {
        const char32_t c = body[i];
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        num = num * (hex ? 16 : 10) + digit;
        if (num > 0x10FFFF) num = 0x110000; // saturate: anything above is U+FFFD
    }
    out.clear();
    if (num == 0)
        out = U"\uFFFD";
    else if (num == 0x0D)
        out = U"\r";
    else if (num >= 0x80 && num <= 0x9F)
        out.push_back(kCp1252High[num - 0x80]);
    else if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF)
        out = U"\uFFFD";
    else if ((num >= 0x1 && num <= 0x8) || (num >= 0xE && num <= 0x1F) || (num >= 0x7F && num <= 0x9F) ||
             (num >= 0xFDD0 && num <= 0xFDEF) || num == 0xB || (num & 0xFFFE) == 0xFFFE)
        ; // Python drops these invalid code points
    else
        out.push_back(static_cast<char32_t>(num));
    return true;
}

// Copies code points, replacing those `fn` maps (fn returns false to keep the code point as is).
template <typename Fn> MappedText mapEach(const MappedText& in, Fn fn) {
    MappedText out;
    std::u32string replacement;
    for (size_t i = 0; i < in.text.size(); ++i) {
        replacement.clear();
        if (fn(in.text[i], replacement)) {
            for (char32_t c : replacement)
                out.push(c, in.begin[i], in.end[i]);
        } else {
            out.push(in.text[i], in.begin[i], in.end[i]);
        }
    }
    return out;
}

// Appends in[first, last) collapsed into `replacement`, every output code point covering the whole range.
void pushRange(MappedText& out, const MappedText& in, size_t first, size_t last, const std::u32string& replacement) {
    int64_t b = in.begin[first], e = in.end[first];
    for (size_t k = first; k < last; ++k) {
        b = std::min(b, in.begin[k]);
        e = std::max(e, in.end[k]);
    }
    for (char32_t c : replacement)
        out.push(c, b, e);
}

bool isHangulJamoVT(char32_t c) {
    return (c >= 0x1161 && c <= 0x1175) || (c >= 0x11A8 && c <= 0x11C2);
}

} // namespace

MappedText MappedText::identity(const std::u32string& original) {
    MappedText m;
    for (size_t i = 0; i < original.size(); ++i)
        m.push(original[i], int64_t(i), int64_t(i) + 1);
    return m;
}

MappedText TextFixer::unescapeHtml(const MappedText& in) {
    // ftfy: re.sub(r"&#?[0-9A-Za-z]{1,24};") with the HTML5 entity table and numeric references.
    MappedText out;
    const auto& t = in.text;
    size_t i = 0;
    while (i < t.size()) {
        if (t[i] == '&') {
            size_t j = i + 1;
            const bool numeric = j < t.size() && t[j] == '#';
            if (numeric) ++j;
            size_t k = j;
            while (k < t.size() && k - j < 24 && isAsciiAlnum(t[k]))
                ++k;
            if (k > j && k < t.size() && t[k] == ';') {
                std::u32string replacement;
                bool replaced = false;
                std::string name;
                for (size_t p = i + 1; p <= k; ++p)
                    name.push_back(static_cast<char>(t[p]));
                if (const char32_t* value = findEntity(name)) {
                    replacement = value;
                    replaced = true;
                } else if (numeric) {
                    replaced = numericReference(t.substr(j, k - j), replacement);
                }
                if (replaced) {
                    pushRange(out, in, i, k + 1, replacement);
                    i = k + 1;
                    continue;
                }
            }
        }
        out.push(t[i], in.begin[i], in.end[i]);
        ++i;
    }
    return out;
}

MappedText TextFixer::fixC1Controls(const MappedText& in) {
    return mapEach(in, [](char32_t c, std::u32string& r) {
        if (c < 0x80 || c > 0x9F) return false;
        r.push_back(kCp1252High[c - 0x80]);
        return true;
    });
}

MappedText TextFixer::fixLatinLigatures(const MappedText& in) {
    // ftfy's LIGATURES table: exactly the NFKC expansions of these Latin ligatures.
    return mapEach(in, [](char32_t c, std::u32string& r) {
        const bool ligature = c == 0x132 || c == 0x133 || c == 0x149 || (c >= 0x1C4 && c <= 0x1CC) ||
                              (c >= 0x1F1 && c <= 0x1F3) || (c >= 0xFB00 && c <= 0xFB06);
        if (!ligature) return false;
        r = utf8::normalize(std::u32string(1, c), true);
        return true;
    });
}

MappedText TextFixer::fixCharacterWidth(const MappedText& in) {
    // ftfy's WIDTH_MAP: NFKC of U+FF01..U+FFEF where it differs, and the ideographic space.
    return mapEach(in, [](char32_t c, std::u32string& r) {
        if (c == 0x3000) {
            r = U" ";
            return true;
        }
        if (c < 0xFF01 || c > 0xFFEF) return false;
        r = utf8::normalize(std::u32string(1, c), true);
        return r != std::u32string(1, c);
    });
}

MappedText TextFixer::uncurlQuotes(const MappedText& in) {
    return mapEach(in, [](char32_t c, std::u32string& r) {
        if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B))
            r = U"'";
        else if (c >= 0x201C && c <= 0x201F)
            r = U"\"";
        else
            return false;
        return true;
    });
}

MappedText TextFixer::fixLineBreaks(const MappedText& in) {
    MappedText out;
    const auto& t = in.text;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '\r' && i + 1 < t.size() && t[i + 1] == '\n') {
            pushRange(out, in, i, i + 2, U"\n");
            ++i;
        } else if (t[i] == '\r' || t[i] == 0x2028 || t[i] == 0x2029 || t[i] == 0x85) {
            out.push('\n', in.begin[i], in.end[i]);
        } else {
            out.push(t[i], in.begin[i], in.end[i]);
        }
    }
    return out;
}

MappedText TextFixer::removeTerminalEscapes(const MappedText& in) {
    // ftfy's ANSI_RE: "\033\[((?:\d|;)*)([a-zA-Z])"
    MappedText out;
    const auto& t = in.text;
    size_t i = 0;
    while (i < t.size()) {
        if (t[i] == 0x1B && i + 1 < t.size() && t[i + 1] == '[') {
            size_t k = i + 2;
            while (k < t.size() && ((t[k] >= '0' && t[k] <= '9') || t[k] == ';'))
                ++k;
            if (k < t.size() && ((t[k] >= 'a' && t[k] <= 'z') || (t[k] >= 'A' && t[k] <= 'Z'))) {
                i = k + 1;
                continue;
            }
        }
        out.push(t[i], in.begin[i], in.end[i]);
        ++i;
    }
    return out;
}

MappedText TextFixer::removeControlChars(const MappedText& in) {
    // ftfy's CONTROL_CHARS: C0 controls except \t \n \f \r, DEL, deprecated format characters, BOM,
    // interlinear annotation characters.
    MappedText out;
    for (size_t i = 0; i < in.text.size(); ++i) {
        const char32_t c = in.text[i];
        const bool control = c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F ||
                             (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
        if (!control) out.push(c, in.begin[i], in.end[i]);
    }
    return out;
}

MappedText TextFixer::normalizeNfc(const MappedText& in) {
    const auto& t = in.text;
    // Below U+0300 nothing decomposes or composes, which covers most prompts.
    if (std::all_of(t.begin(), t.end(), [](char32_t c) { return c < 0x300; })) return in;
    // Normalize each starter with its following non-starters (composition does not cross starters except
    // for Hangul jamo), so every output code point maps back to its own cluster.
    MappedText out;
    size_t first = 0;
    while (first < t.size()) {
        size_t last = first + 1;
        while (last < t.size() && (utf8::combiningClass(t[last]) != 0 || isHangulJamoVT(t[last])))
            ++last;
        const std::u32string cluster = t.substr(first, last - first);
        const std::u32string normalized = utf8::normalize(cluster, false);
        if (normalized == cluster) {
            for (size_t k = first; k < last; ++k)
                out.push(t[k], in.begin[k], in.end[k]);
        } else {
            pushRange(out, in, first, last, normalized);
        }
        first = last;
    }
    return out;
}

MappedText TextFixer::fixText(const std::u32string& text) {
    MappedText all = MappedText::identity(text);
    MappedText result;
    bool unescape = true; // 'auto': once a line holds '<' the text is taken for HTML and left alone
    size_t pos = 0;
    while (pos < text.size()) {
        size_t lineEnd = text.find(U'\n', pos);
        lineEnd = lineEnd == std::u32string::npos ? text.size() : lineEnd + 1;
        MappedText segment;
        segment.text = text.substr(pos, lineEnd - pos);
        segment.begin.assign(all.begin.begin() + pos, all.begin.begin() + lineEnd);
        segment.end.assign(all.end.begin() + pos, all.end.begin() + lineEnd);
        if (segment.text.find(U'<') != std::u32string::npos) unescape = false;
        while (true) {
            const std::u32string before = segment.text;
            if (unescape) segment = unescapeHtml(segment);
            segment = fixC1Controls(segment);
            segment = fixLatinLigatures(segment);
            segment = fixCharacterWidth(segment);
            segment = uncurlQuotes(segment);
            segment = fixLineBreaks(segment);
            segment = removeTerminalEscapes(segment);
            segment = removeControlChars(segment);
            segment = normalizeNfc(segment);
            if (segment.text == before) break;
        }
        result.text += segment.text;
        result.begin.insert(result.begin.end(), segment.begin.begin(), segment.begin.end());
        result.end.insert(result.end.end(), segment.end.begin(), segment.end.end());
        pos = lineEnd;
    }
    return result;
}

} // namespace daam
