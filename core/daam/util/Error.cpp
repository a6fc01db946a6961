// SPDX-License-Identifier: GPL-3.0-or-later
// Excerpts of file content for error messages.
#include "daam/util/Error.h"

#include <vector>

namespace daam {

namespace {

// Length of the well-formed UTF-8 sequence at text[i] (1-4), or 0 when the bytes there are not one.
size_t utf8Length(std::string_view text, size_t i) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t n = 0;
    if (c < 0x80)
        return 1;
    else if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (i + n > text.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
    return n;
}

// The characters (code points) of `text` as shown: each an escape, '?' or the UTF-8 sequence itself.
std::vector<std::string> shownCharacters(std::string_view text, size_t stopAfter) {
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size() && out.size() < stopAfter;) {
        const char c = text[i];
        if (c == '\n' || c == '\r' || c == '\t') {
            out.push_back(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
            ++i;
            continue;
        }
        const size_t n = utf8Length(text, i);
        if (n == 0 || (n == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F))) {
            out.push_back("?");
            ++i;
            continue;
        }
        out.emplace_back(text.substr(i, n));
        i += n;
    }
    return out;
}

std::string join(const std::vector<std::string>& parts, size_t begin, size_t end) {
    std::string s;
    for (size_t i = begin; i < end; ++i)
        s += parts[i];
    return s;
}

} // namespace

std::string excerpt(std::string_view text, size_t limit) {
    if (limit < 8) limit = 8;
    // Only the ends are shown, so only they are decoded: a header of megabytes costs no more than a name.
    const size_t tail = (limit - 3) / 3, head = limit - 3 - tail;
    const size_t window = 4 * limit; // bytes: enough for `limit` characters of up to 4 bytes each
    if (text.size() <= window) {
        const auto all = shownCharacters(text, text.size());
        if (all.size() <= limit) return join(all, 0, all.size());
        return join(all, 0, head) + "..." + join(all, all.size() - tail, all.size());
    }
    const auto first = shownCharacters(text.substr(0, window), head);
    // The end: start the window at a character boundary (skip continuation bytes).
    size_t from = text.size() - window;
    while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80)
        ++from;
    const auto last = shownCharacters(text.substr(from), window);
    return join(first, 0, first.size()) + "..." + join(last, last.size() > tail ? last.size() - tail : 0, last.size());
}

std::string jsonErrorText(std::string_view what) {
    std::string_view rest = what;
    // "[json.exception.parse_error.101] parse error at line 1, column 9: ..."
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find("] ");
        if (close != std::string_view::npos) rest.remove_prefix(close + 2);
    }
    // "...; last read: '<text>'; expected ..." (or at the end): <text> may be the whole rest of the file.
    const std::string_view marker = "last read: '";
    const auto start = rest.find(marker);
    if (start == std::string_view::npos) return excerpt(rest, 240);
    const size_t quoted = start + marker.size();
    const auto expected = rest.find("'; expected ", quoted);
    const size_t end = expected != std::string_view::npos ? expected : rest.size() - (rest.back() == '\'' ? 1 : 0);
    const std::string_view after = expected != std::string_view::npos ? rest.substr(expected) : "'";
    return excerpt(rest.substr(0, start), 160) + std::string(marker) + excerpt(rest.substr(quoted, end - quoted), 40) +
           excerpt(after, 80);
}

} // namespace daam
