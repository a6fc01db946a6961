// SPDX-License-Identifier: GPL-3.0-or-later
// ftfy's fix_text subset with an origin map per code point (see TextFixer.h for what is covered).
#include "daam/text/TextFixer.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

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

// ---- fix_encoding: ftfy 6.1.1's mojibake repair ----

#include "daam/text/MojibakeTables.inc"

constexpr int kLatin1 = 0; // kCharmapNames[0]; the sloppy codecs are 1..5

constexpr char32_t kNone = 0xFFFFFFFF; // past either end of the text under test

uint32_t classesOf(char32_t c) {
    // Prompts are mostly ASCII and Latin-1: those come from a flat copy of the table.
    static const std::vector<uint32_t> low = [] {
        std::vector<uint32_t> v(0x100, 0);
        for (const ClassRow& row : kCharClasses)
            if (row.cp < 0x100) v[row.cp] = row.classes;
        return v;
    }();
    if (c < 0x100) return low[c];
    const auto* first = std::begin(kCharClasses);
    const auto* last = std::end(kCharClasses);
    const auto* it = std::lower_bound(first, last, c, [](const ClassRow& r, char32_t v) { return r.cp < v; });
    return it != last && it->cp == c ? it->classes : 0;
}

bool isAsciiLetter(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isAsciiLower(char32_t c) {
    return c >= 'a' && c <= 'z';
}

bool oneOf(char32_t c, std::initializer_list<char32_t> set) {
    return std::find(set.begin(), set.end(), c) != set.end();
}

// ftfy's badness heuristic (badness.py, BADNESS_RE): does some unlikely juxtaposition of the characters
// that UTF-8 mojibake is made of start at t[i]? Only t[first, last) is looked at, and `first` is where the
// text starts (decode_inconsistent_utf8 judges substrings on their own).
bool badnessAt(const std::u32string& t, size_t first, size_t last, size_t i) {
    auto at = [&](size_t k) { return k < last ? t[k] : kNone; };
    auto cls = [&](size_t k) { return k < last ? classesOf(t[k]) : 0u; };
    const char32_t c0 = t[i], c1 = at(i + 1), c2 = at(i + 2);
    const uint32_t k0 = cls(i), k1 = cls(i + 1), k2 = cls(i + 2);

    constexpr uint32_t kAccented = kLowerAccented | kUpperAccented;
    constexpr uint32_t kSymbolic = kBox | kStartPunctuation | kEndPunctuation | kCurrency | kNumeric;

    if (k0 & kC1) return true;
    if ((k0 & (kBad | kAccented | kSymbolic)) && (k1 & kBad)) return true;
    if (isAsciiLetter(c0) && (k1 & (kLowerCommon | kUpperCommon)) && (k2 & kBad)) return true;
    if ((k0 & kBad) && (k1 & (kAccented | kSymbolic))) return true;
    if ((k0 & (kLowerAccented | kLowerCommon | kBox | kEndPunctuation | kCurrency | kNumeric)) && (k1 & kUpperAccented))
        return true;
    if ((k0 & (kBox | kEndPunctuation | kCurrency | kNumeric)) && (k1 & kLowerAccented)) return true;
    if ((k0 & (kLowerAccented | kBox | kEndPunctuation)) && (k1 & kCurrency)) return true;
    if (utf8::isSpace(c0) && (k1 & kUpperAccented) && (k2 & kCurrency)) return true;
    if ((k0 & (kUpperAccented | kBox)) && (k1 & kNumeric)) return true;
    if ((k0 & (kAccented | kBox | kCurrency | kEndPunctuation)) && (k1 & kStartPunctuation) && (k2 & kNumeric))
        return true;
    if ((k0 & (kAccented | kCurrency | kNumeric | kBox)) && (k1 & kEndPunctuation) && (k2 & kStartPunctuation))
        return true;
    if ((k0 & (kCurrency | kNumeric | kBox)) && (k1 & kStartPunctuation)) return true;
    if (isAsciiLower(c0) && (k1 & kUpperAccented) && (k2 & (kStartPunctuation | kCurrency))) return true;
    if ((k0 & kBox) && (k1 & kKaomoji)) return true;
    if ((k0 & (kAccented | kCurrency | kNumeric | kStartPunctuation | kEndPunctuation)) && (k1 & kBox)) return true;
    if ((k0 & kBox) && (k1 & kEndPunctuation)) return true;
    if ((k0 & kAccented) && (k1 & kEndPunctuation) && c2 != kNone &&
        (utf8::isLetter(c2) || utf8::isNumber(c2) || c2 == '_'))
        return true;
    // Œ/œ before anything but an unaccented Latin letter.
    if ((c0 == 0x152 || c0 == 0x153) && c1 != kNone && !isAsciiLetter(c1)) return true;
    // Windows-1252 two-character mojibake the categories miss.
    if (oneOf(c0, {0xC2, 0xC3, 0xCE, 0xD0}) && (oneOf(c1, {0x20AC, 0x160, 0x161, 0xA2, 0xA3, 0x178, 0x17E, 0xA0, 0xAD,
                                                           0xAE, 0xA9, 0xB0, 0xB7, 0xBB, 0x2013, 0x2014, 0xB4}) ||
                                                (k1 & (kStartPunctuation | kEndPunctuation))))
        return true;
    if (c0 == 0xD7 && (c1 == 0xB2 || c1 == 0xB3)) return true;
    // Arabic read as Windows-1252: four characters, since the second of each pair may be common.
    auto arabicLead = [](char32_t c) { return c == 0xD8 || c == 0xD9; };
    auto arabicTrail = [&](size_t k) {
        return (cls(k) & (kCommon | kCurrency | kBad | kNumeric | kStartPunctuation)) ||
               oneOf(at(k), {0x178, 0x160, 0xAE, 0xB0, 0xB5, 0xBB});
    };
    if (arabicLead(c0) && arabicTrail(i + 1) && arabicLead(c2) && arabicTrail(i + 3)) return true;
    if (c0 == 0xE0 && oneOf(c1, {0xB2, 0xB5, 0xB9, 0xBC, 0xBD, 0xBE})) return true;
    // MacRoman.
    if (c0 == 0x221A && oneOf(c1, {0xB1, 0x2202, 0x2020, 0x2260, 0xAE, 0x2122, 0xB4, 0x2264, 0x2265, 0xA5, 0xB5, 0xF8}))
        return true;
    if (c0 == 0x2248 && (c1 == 0xB0 || c1 == 0xA2)) return true;
    if (c0 == 0x201A && c1 == 0xC4 &&
        oneOf(c2, {0xEC, 0xEE, 0xEF, 0xF2, 0xF4, 0xFA, 0xF9, 0xFB, 0x2020, 0xB0, 0xA2, 0x3C0}))
        return true;
    if (c0 == 0x201A && (c1 == 0xE2 || c1 == 0xF3) && oneOf(c2, {0xE0, 0xE4, 0xB0, 0xEA})) return true;
    // Windows-1251.
    if (c0 == 0x432 && c1 == 0x402) return true;
    auto cyrillicEdge = [](char32_t c) { return oneOf(c, {0x412, 0x413, 0x420, 0x421}); };
    if (cyrillicEdge(c0) &&
        ((k1 & (kC1 | kBad | kStartPunctuation | kEndPunctuation | kCurrency)) || c1 == 0xB0 || c1 == 0xB5) &&
        cyrillicEdge(c2))
        return true;
    if (c0 == 0x413 && c1 == 0x45E && c2 == 0x412 && at(i + 3) == 0x402 && at(i + 4) == 0x412 && at(i + 5) != kNone &&
        at(i + 5) != '\n' && (isAsciiLetter(at(i + 6)) || at(i + 6) == ' '))
        return true;
    // 'à', 'á' and U+00A0 read as Windows-1252, the last byte often turned into a space.
    if (c0 == 0xC3 && (c1 == 0xA0 || c1 == 0xA1)) return true;
    auto aHat = [](char32_t c) { return c == 0xC3 || c == 0xC2; };
    if (isAsciiLower(c0) && ((aHat(c1) && c2 == ' ') || (utf8::isSpace(c1) && aHat(c2) && at(i + 3) == ' ')))
        return true;
    if (i == first && aHat(c0) && c1 == ' ') return true;
    if ((isAsciiLower(c0) || oneOf(c0, {'.', ',', '?', '!'}) || (k0 & kEndPunctuation)) && c1 == 0xC2 &&
        (c2 == ' ' || (k2 & (kStartPunctuation | kEndPunctuation))))
        return true;
    // Windows-1253.
    if (c0 == 0x3B2 && c1 == 0x20AC && oneOf(c2, {0x2122, 0xA0, 0x386, 0xAD, 0xAE, 0xB0})) return true;
    auto greekEdge = [](char32_t c) { return oneOf(c, {0x392, 0x393, 0x39E, 0x39F}); };
    if (greekEdge(c0) && ((k1 & (kC1 | kBad | kStartPunctuation | kEndPunctuation | kCurrency)) || c1 == 0xB0) &&
        greekEdge(c2))
        return true;
    return false;
}

// Every pattern of badnessAt holds a character of some badness category or one of these leads.
bool mayStartBadness(char32_t c0, uint32_t k0, char32_t c1, uint32_t k1) {
    constexpr uint32_t kBadnessClasses = kCommon | kC1 | kBad | kCurrency | kStartPunctuation | kEndPunctuation |
                                         kNumeric | kKaomoji | kUpperAccented | kLowerAccented | kUpperCommon |
                                         kLowerCommon | kBox;
    // ASCII only leads patterns whose second character is categorized or a space.
    if (c0 < 0x80) return (k1 & kBadnessClasses) || (c1 != kNone && utf8::isSpace(c1));
    if (k0 & kBadnessClasses) return true;
    return utf8::isSpace(c0) ||
           oneOf(c0, {0x152,  0x153, 0xC2,  0xC3,  0xCE,  0xD0,  0xD7,  0xD8,  0xD9,  0xE0,  0x221A, 0x2248,
                      0x201A, 0x432, 0x412, 0x413, 0x420, 0x421, 0x3B2, 0x392, 0x393, 0x39E, 0x39F});
}

bool isBad(const std::u32string& t, size_t first, size_t last) {
    // On every keystroke: most positions of a clean prompt are rejected by the cheap test.
    uint32_t k1 = first < last ? classesOf(t[first]) : 0;
    for (size_t i = first; i < last; ++i) {
        const uint32_t k0 = k1;
        const char32_t c1 = i + 1 < last ? t[i + 1] : kNone;
        k1 = c1 != kNone ? classesOf(c1) : 0;
        if (mayStartBadness(t[i], k0, c1, k1) && badnessAt(t, first, last, i)) return true;
    }
    return false;
}

// Bytes with, per byte, the span of original code points it stems from.
struct MappedBytes {
    std::string bytes;
    std::vector<int64_t> begin;
    std::vector<int64_t> end;

    void push(uint8_t b, int64_t from, int64_t to) {
        bytes.push_back(static_cast<char>(b));
        begin.push_back(from);
        end.push_back(to);
    }
    void pushCopy(const MappedBytes& in, size_t k) { push(byteAt(in, k), in.begin[k], in.end[k]); }
    static uint8_t byteAt(const MappedBytes& in, size_t k) { return static_cast<uint8_t>(in.bytes[k]); }
};

// The byte of `c` in charmap `enc`, or -1.
int charmapByte(char32_t c, int enc) {
    if (c < 0x80 && c != 0x1A) return static_cast<int>(c);
    const auto* first = std::begin(kCharmapRows);
    const auto* last = std::end(kCharmapRows);
    const auto* it = std::lower_bound(first, last, c, [](const CharmapRow& r, char32_t v) { return r.cp < v; });
    if (it == last || it->cp != c || it->bytes[enc] == 0) return -1;
    return it->bytes[enc];
}

bool isSloppy(int enc) {
    return std::strncmp(kCharmapNames[enc], "sloppy-", 7) == 0;
}

bool encodeCharmap(const MappedText& in, int enc, MappedBytes& out) {
    out = MappedBytes();
    for (size_t i = 0; i < in.text.size(); ++i) {
        const int b = charmapByte(in.text[i], enc);
        if (b < 0) return false;
        out.push(static_cast<uint8_t>(b), in.begin[i], in.end[i]);
    }
    return true;
}

int byteOr(const std::string& b, size_t k) {
    return k < b.size() ? static_cast<uint8_t>(b[k]) : -1;
}

bool inRange(int b, int lo, int hi) {
    return b >= lo && b <= hi;
}

bool isContinuation(int b) {
    return inRange(b, 0x80, 0xBF);
}

// A continuation byte other than 0x85 and 0xA0, which stand for '…' and a space too often to be trusted.
bool isPlainContinuation(int b) {
    return isContinuation(b) && b != 0x85 && b != 0xA0;
}

// Length of the UTF-8 sequence at b[i] that would be valid had its 0xA0 byte not become a space (ftfy's
// ALTERED_UTF8_RE, alternatives in its order), or 0.
size_t alteredUtf8At(const std::string& b, size_t i) {
    const int x = byteOr(b, i), x1 = byteOr(b, i + 1), x2 = byteOr(b, i + 2), x3 = byteOr(b, i + 3);
    if ((x == 0xC2 || x == 0xC3 || x == 0xC5 || x == 0xCE || x == 0xD0 || x == 0xD9) && x1 == ' ') return 2;
    if ((x == 0xE2 || x == 0xE3) && x1 == ' ' && isPlainContinuation(x2)) return 3;
    if (inRange(x, 0xE0, 0xE3) && isPlainContinuation(x1) && x2 == ' ') return 3;
    if (x == 0xF0) {
        if (x1 == ' ' && isContinuation(x2) && isContinuation(x3)) return 4;
        if (isContinuation(x1) && x2 == ' ' && isContinuation(x3)) return 4;
        if (isContinuation(x1) && isContinuation(x2) && x3 == ' ') return 4;
    }
    return 0;
}

bool hasAlteredUtf8(const std::string& b) {
    for (size_t i = 0; i < b.size(); ++i)
        if (alteredUtf8At(b, i)) return true;
    return false;
}

// ftfy's restore_byte_a0: first "Ã " as a word of its own gets its 0xA0 back before the space (the
// Portuguese contractions "às", "àquele"... excepted), then spaces inside would-be UTF-8 become 0xA0.
MappedBytes restoreByteA0(const MappedBytes& in) {
    const std::string& b = in.bytes;
    MappedBytes grave;
    for (size_t i = 0; i < b.size(); ++i) {
        grave.pushCopy(in, i);
        if (static_cast<uint8_t>(b[i]) == 0xC3 && byteOr(b, i + 1) == ' ') {
            const std::string rest = b.substr(i + 2, 5);
            const bool exception = rest.compare(0, 1, " ") == 0 || rest.compare(0, 5, "quele") == 0 ||
                                   rest.compare(0, 5, "quela") == 0 || rest.compare(0, 5, "quilo") == 0 ||
                                   rest.compare(0, 2, "s ") == 0;
            // The restored byte belongs to the 'Ã' that lost it, so 'à' does not claim the space.
            if (!exception) grave.push(0xA0, in.begin[i], in.end[i]);
        }
    }
    MappedBytes out = grave;
    for (size_t i = 0; i < out.bytes.size();) {
        const size_t n = alteredUtf8At(out.bytes, i);
        if (n == 0) {
            ++i;
            continue;
        }
        for (size_t k = i; k < i + n; ++k)
            if (out.bytes[k] == ' ') out.bytes[k] = static_cast<char>(0xA0);
        i += n;
    }
    return out;
}

// Length of a UTF-8 (or CESU-8) sequence at b[i] that lost bytes to a sloppy codec's 0x1A, or to '?' once
// (ftfy's LOSSY_UTF8_RE, alternatives in its order), or 0. A lone 0x1A counts too.
size_t lossySequenceAt(const std::string& b, size_t i) {
    const int x = byteOr(b, i);
    int y[5];
    for (int k = 0; k < 5; ++k)
        y[k] = byteOr(b, i + 1 + k);
    auto lost = [](int v) { return v == 0x1A || v == '?'; };
    auto kept = [](int v) { return v == 0x1A || isContinuation(v); };
    if (inRange(x, 0xC2, 0xDF) && y[0] == 0x1A) return 2;
    if ((x == 0xC2 || x == 0xC3) && y[0] == '?') return 2;
    if (x == 0xED && inRange(y[0], 0xA0, 0xAF) && y[2] == 0xED && inRange(y[3], 0xB0, 0xBF)) {
        if (lost(y[1]) && (lost(y[4]) || isContinuation(y[4]))) return 6;
        if ((lost(y[1]) || isContinuation(y[1])) && lost(y[4])) return 6;
    }
    if (inRange(x, 0xE0, 0xEF)) {
        if (lost(y[0]) && kept(y[1])) return 3;
        if (kept(y[0]) && lost(y[1])) return 3;
    }
    if (inRange(x, 0xF0, 0xF4)) {
        if (lost(y[0]) && kept(y[1]) && kept(y[2])) return 4;
        if (kept(y[0]) && lost(y[1]) && kept(y[2])) return 4;
        if (kept(y[0]) && kept(y[1]) && lost(y[2])) return 4;
    }
    return x == 0x1A ? 1 : 0;
}

// ftfy's replace_lossy_sequences: each damaged sequence becomes the UTF-8 of U+FFFD, spanning all of it.
MappedBytes replaceLossySequences(const MappedBytes& in) {
    MappedBytes out;
    for (size_t i = 0; i < in.bytes.size();) {
        const size_t n = lossySequenceAt(in.bytes, i);
        if (n == 0) {
            out.pushCopy(in, i);
            ++i;
            continue;
        }
        int64_t from = in.begin[i], to = in.end[i];
        for (size_t k = i; k < i + n; ++k) {
            from = std::min(from, in.begin[k]);
            to = std::max(to, in.end[k]);
        }
        for (uint8_t b : {0xEF, 0xBF, 0xBD})
            out.push(b, from, to);
        i += n;
    }
    return out;
}

// Strict UTF-8 as Python decodes it, plus what ftfy's "utf-8-variants" codec adds: CESU-8 surrogate pairs
// and Java's 0xC0 0x80 for U+0000. That codec's patterns end in '$', which in Python also matches before a
// final '\n', so a pair or a 0xC0 just before a final line feed swallows it. The codec only differs from
// plain UTF-8 at 0xC0 and 0xED, which is when ftfy picks it. False where Python raises.
bool decodeUtf8Variants(const MappedBytes& in, MappedText& out) {
    out = MappedText();
    const std::string& b = in.bytes;
    const size_t n = b.size();
    auto finalLineFeed = [&](size_t k) { return k + 1 == n && b[k] == '\n'; };
    size_t i = 0;
    while (i < n) {
        const int x = static_cast<uint8_t>(b[i]);
        const int x1 = byteOr(b, i + 1), x2 = byteOr(b, i + 2), x3 = byteOr(b, i + 3);
        char32_t cp = 0;
        size_t len = 0;
        if (x < 0x80) {
            cp = static_cast<char32_t>(x);
            len = 1;
        } else if (x == 0xC0) {
            if (x1 != 0x80 && !finalLineFeed(i + 1)) return false;
            cp = 0;
            len = 2;
        } else if (x == 0xED && inRange(x1, 0xA0, 0xBF)) {
            const int x4 = byteOr(b, i + 4), x5 = byteOr(b, i + 5);
            if (!(inRange(x1, 0xA0, 0xAF) && isContinuation(x2) && x3 == 0xED && inRange(x4, 0xB0, 0xBF) &&
                  (isContinuation(x5) || (x5 >= 0 && finalLineFeed(i + 5)))))
                return false;
            cp = 0x10000 + (char32_t(x1 & 0x0F) << 16) + (char32_t(x2 & 0x3F) << 10) + (char32_t(x4 & 0x0F) << 6) +
                 char32_t(x5 & 0x3F);
            len = 6;
        } else if (inRange(x, 0xC2, 0xDF)) {
            if (!isContinuation(x1)) return false;
            cp = (char32_t(x & 0x1F) << 6) | char32_t(x1 & 0x3F);
            len = 2;
        } else if (inRange(x, 0xE0, 0xEF)) {
            const int lo = x == 0xE0 ? 0xA0 : 0x80, hi = x == 0xED ? 0x9F : 0xBF;
            if (!inRange(x1, lo, hi) || !isContinuation(x2)) return false;
            cp = (char32_t(x & 0x0F) << 12) | (char32_t(x1 & 0x3F) << 6) | char32_t(x2 & 0x3F);
            len = 3;
        } else if (inRange(x, 0xF0, 0xF4)) {
            const int lo = x == 0xF0 ? 0x90 : 0x80, hi = x == 0xF4 ? 0x8F : 0xBF;
            if (!inRange(x1, lo, hi) || !isContinuation(x2) || !isContinuation(x3)) return false;
            cp = (char32_t(x & 0x07) << 18) | (char32_t(x1 & 0x3F) << 12) | (char32_t(x2 & 0x3F) << 6) |
                 char32_t(x3 & 0x3F);
            len = 4;
        } else {
            return false;
        }
        int64_t from = in.begin[i], to = in.end[i];
        for (size_t k = i; k < i + len; ++k) {
            from = std::min(from, in.begin[k]);
            to = std::max(to, in.end[k]);
        }
        out.push(cp, from, to);
        i += len;
    }
    return true;
}

MappedText slice(const MappedText& in, size_t first, size_t last) {
    MappedText out;
    out.text = in.text.substr(first, last - first);
    out.begin.assign(in.begin.begin() + first, in.begin.begin() + last);
    out.end.assign(in.end.begin() + first, in.end.begin() + last);
    return out;
}

void append(MappedText& out, const MappedText& part) {
    out.text += part.text;
    out.begin.insert(out.begin.end(), part.begin.begin(), part.begin.end());
    out.end.insert(out.end.end(), part.end.begin(), part.end.end());
}

// Length of one UTF-8-looking unit of mojibake at t[i] (ftfy's UTF8_DETECTOR_RE body: a lead character
// and the continuation characters its byte would need), or 0.
size_t utf8UnitAt(const std::u32string& t, size_t i) {
    auto continuation = [&](size_t k) { return k < t.size() && (classesOf(t[k]) & kUtf8Continuation); };
    const uint32_t lead = i < t.size() ? classesOf(t[i]) : 0;
    if ((lead & kUtf8FirstOf2) && continuation(i + 1)) return 2;
    if ((lead & kUtf8FirstOf3) && continuation(i + 1) && continuation(i + 2)) return 3;
    if ((lead & kUtf8FirstOf4) && continuation(i + 1) && continuation(i + 2) && continuation(i + 3)) return 4;
    return 0;
}

// Start and end of the next run of UTF-8-looking mojibake at or after `from`, or false. A run does not
// start right after a character that is almost only ever a continuation, so that a few characters are not
// fixed out of a larger garble.
bool nextUtf8Run(const std::u32string& t, size_t from, size_t& start, size_t& stop) {
    for (size_t i = from; i < t.size(); ++i) {
        if (i > 0 && (classesOf(t[i - 1]) & kUtf8ContinuationStrict)) continue;
        size_t n = utf8UnitAt(t, i);
        if (n == 0) continue;
        start = i;
        stop = i;
        while (n != 0) {
            stop += n;
            n = utf8UnitAt(t, stop);
        }
        return true;
    }
    return false;
}

MappedText decodeInconsistentUtf8(const MappedText& in) {
    const std::u32string& t = in.text;
    MappedText out;
    size_t pos = 0, start = 0, stop = 0;
    while (nextUtf8Run(t, pos, start, stop)) {
        append(out, slice(in, pos, start));
        const MappedText run = slice(in, start, stop);
        // Shorter than the whole text, or this would recurse forever.
        if (stop - start < t.size() && isBad(t, start, stop))
            append(out, TextFixer::fixEncoding(run));
        else
            append(out, run);
        pos = stop;
    }
    append(out, slice(in, pos, t.size()));
    return out;
}

bool isC1(char32_t c) {
    return c >= 0x80 && c <= 0x9F;
}

// One step of ftfy's fix_encoding (_fix_encoding_one_step_and_explain); returns `in` when nothing applies.
MappedText fixEncodingStep(const MappedText& in) {
    const std::u32string& t = in.text;
    if (std::all_of(t.begin(), t.end(), [](char32_t c) { return c < 0x80; })) return in;
    if (!isBad(t, 0, t.size())) return in;

    // UTF-8 read as a single-byte encoding: the first encoding that can hold the text and gives valid
    // UTF-8 (after putting back lost 0xA0 bytes and marking lost sequences) wins.
    bool latin1 = false;
    for (int enc = 0; enc < kCharmapCount; ++enc) {
        MappedBytes bytes;
        if (!encodeCharmap(in, enc, bytes)) continue;
        if (enc == kLatin1) latin1 = true;
        if (hasAlteredUtf8(bytes.bytes)) bytes = restoreByteA0(bytes);
        if (isSloppy(enc)) bytes = replaceLossySequences(bytes);
        MappedText decoded;
        if (decodeUtf8Variants(bytes, decoded)) return decoded;
    }

    // Mojibake embedded in text that cannot be re-decoded as a whole.
    size_t start = 0, stop = 0;
    if (nextUtf8Run(t, 0, start, stop)) {
        MappedText fixed = decodeInconsistentUtf8(in);
        if (fixed.text != t) return fixed;
    }

    // Latin-1 meant as Windows-1252: C1 controls become what Windows puts there, unless one of them is a
    // byte Windows-1252 leaves undefined (then Python's strict codec fails and the next rule runs).
    if (latin1) {
        const char32_t holes[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
        bool decodable = true, changed = false;
        for (char32_t c : t) {
            if (std::find(std::begin(holes), std::end(holes), c) != std::end(holes)) decodable = false;
            if (isC1(c)) changed = true;
        }
        if (decodable && changed) return TextFixer::fixC1Controls(in);
    }
    if (std::any_of(t.begin(), t.end(), isC1)) return TextFixer::fixC1Controls(in);
    return in;
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
    // ftfy's LIGATURES table: the NFKC expansions of these Latin ligatures, except that ftfy keeps the long s
    // of U+FB05 (NFKC would fold it to "st").
    return mapEach(in, [](char32_t c, std::u32string& r) {
        const bool ligature = c == 0x132 || c == 0x133 || c == 0x149 || (c >= 0x1C4 && c <= 0x1CC) ||
                              (c >= 0x1F1 && c <= 0x1F3) || (c >= 0xFB00 && c <= 0xFB06);
        if (!ligature) return false;
        r = c == 0xFB05 ? std::u32string(U"\u017Ft") : utf8::normalize(std::u32string(1, c), true);
        return true;
    });
}

MappedText TextFixer::fixCharacterWidth(const MappedText& in) {
    // ftfy's WIDTH_MAP: NFKC of U+FF01..U+FFEF where it differs, and the ideographic space. Single characters are
    // assigned as (count, character) here and in uncurlQuotes: GCC 12 misreads a string literal assigned in these
    // lambdas (a spurious -Wrestrict) once unity batching inlines them.
    return mapEach(in, [](char32_t c, std::u32string& r) {
        if (c == 0x3000) {
            r.assign(1, U' ');
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
            r.assign(1, U'\'');
        else if (c >= 0x201C && c <= 0x201F)
            r.assign(1, U'"');
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

MappedText TextFixer::fixEncoding(const MappedText& in) {
    MappedText text = in;
    while (true) {
        MappedText next = fixEncodingStep(text);
        if (next.text == text.text) return text;
        text = std::move(next);
    }
}

// ftfy's max_decode_length: longer lines are fixed in pieces of this many code points.
constexpr size_t kMaxSegmentLength = 1000000;

MappedText TextFixer::fixText(const std::u32string& text) {
    MappedText all = MappedText::identity(text);
    MappedText result;
    bool unescape = true; // 'auto': once a line holds '<' the text is taken for HTML and left alone
    size_t pos = 0;
    while (pos < text.size()) {
        size_t lineEnd = text.find(U'\n', pos);
        lineEnd = lineEnd == std::u32string::npos ? text.size() : lineEnd + 1;
        lineEnd = std::min(lineEnd, pos + kMaxSegmentLength);
        MappedText segment;
        segment.text = text.substr(pos, lineEnd - pos);
        segment.begin.assign(all.begin.begin() + pos, all.begin.begin() + lineEnd);
        segment.end.assign(all.end.begin() + pos, all.end.begin() + lineEnd);
        if (segment.text.find(U'<') != std::u32string::npos) unescape = false;
        while (true) {
            const std::u32string before = segment.text;
            if (unescape) segment = unescapeHtml(segment);
            segment = fixEncoding(segment);
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
