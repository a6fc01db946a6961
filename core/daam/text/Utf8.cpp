// SPDX-License-Identifier: GPL-3.0-or-later
// UTF-8 helpers over utf8proc: decoding with replacement, category tests and normalization.
#include "daam/text/Utf8.h"

#include <cstdlib>
#include <utf8proc.h>

#include "daam/util/Error.h"

namespace daam::utf8 {

std::u32string decode(const std::string& text) {
    std::u32string out;
    out.reserve(text.size());
    const auto* data = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t pos = 0;
    const auto size = static_cast<utf8proc_ssize_t>(text.size());
    while (pos < size) {
        utf8proc_int32_t cp = 0;
        const utf8proc_ssize_t n = utf8proc_iterate(data + pos, size - pos, &cp);
        if (n <= 0) {
            out.push_back(U'\uFFFD');
            ++pos;
        } else {
            out.push_back(static_cast<char32_t>(cp));
            pos += n;
        }
    }
    return out;
}

void append(std::string& out, char32_t cp) {
    utf8proc_uint8_t buf[4];
    const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

std::string encode(const std::u32string& text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t cp : text)
        append(out, cp);
    return out;
}

bool isSpace(char32_t cp) {
    switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x1C:
    case 0x1D:
    case 0x1E:
    case 0x1F:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

static utf8proc_category_t category(char32_t cp) {
    if (cp > 0x10FFFF) return UTF8PROC_CATEGORY_CN;
    return utf8proc_category(static_cast<utf8proc_int32_t>(cp));
}

bool isLetter(char32_t cp) {
    const auto c = category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT ||
           c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_LO;
}

bool isNumber(char32_t cp) {
    const auto c = category(cp);
    return c == UTF8PROC_CATEGORY_ND || c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

int decimalDigitValue(char32_t cp) {
    if (category(cp) != UTF8PROC_CATEGORY_ND) return -1;
    // utf8proc has no numeric values, but Unicode encodes every set of Nd digits as a contiguous 0..9 run (a
    // stability guarantee); adjacent sets (the mathematical digits) make longer runs that still start at a 0.
    char32_t first = cp;
    while (first > 0 && category(first - 1) == UTF8PROC_CATEGORY_ND)
        --first;
    return static_cast<int>((cp - first) % 10);
}

bool isCased(char32_t cp) {
    const auto c = category(cp);
    return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT;
}

bool isCaseIgnorable(char32_t cp) {
    switch (cp) {
    case 0x27:
    case 0x2E:
    case 0x3A:
    case 0x5E:
    case 0x60:
    case 0xA8:
    case 0xAD:
    case 0xAF:
    case 0xB4:
    case 0xB7:
    case 0xB8:
    case 0x387:
    case 0x5F4:
    case 0x2018:
    case 0x2019:
    case 0x2024:
    case 0x2027:
    case 0xFE13:
    case 0xFE52:
    case 0xFE55:
    case 0xFF07:
    case 0xFF0E:
    case 0xFF1A:
        return true;
    default:
        break;
    }
    const auto c = category(cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME || c == UTF8PROC_CATEGORY_CF ||
           c == UTF8PROC_CATEGORY_LM || c == UTF8PROC_CATEGORY_SK;
}

int combiningClass(char32_t cp) {
    if (cp > 0x10FFFF) return 0;
    return utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class;
}

std::u32string normalize(const std::u32string& text, bool compatibility) {
    if (text.empty()) return text;
    const std::string bytes = encode(text);
    utf8proc_uint8_t* result = nullptr;
    const int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | (compatibility ? UTF8PROC_COMPAT : 0);
    const utf8proc_ssize_t n =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(bytes.data()),
                     static_cast<utf8proc_ssize_t>(bytes.size()), &result, static_cast<utf8proc_option_t>(options));
    if (n < 0) throw Error(std::string("Unicode normalization failed: ") + utf8proc_errmsg(n));
    std::string normalized(reinterpret_cast<const char*>(result), static_cast<size_t>(n));
    std::free(result);
    return decode(normalized);
}

} // namespace daam::utf8
