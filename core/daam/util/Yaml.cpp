// SPDX-License-Identifier: GPL-3.0-or-later
// The YAML subset of model config files, parsed by recursive descent into nlohmann::json.
#include "daam/util/Yaml.h"

#include "daam/util/Error.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>
#include <utility>

namespace daam {

namespace {

// Everything lives in the class: the core is built in unity batches, where free helpers in an anonymous
// namespace would meet those of other files.
class YamlParser {
    using json = nlohmann::json;

public:
    YamlParser(std::string_view text, const std::string& label) : label_(label) { normalize(text); }

    json parseDocument() {
        int indent = skipBlankLines();
        json root;
        bool haveRoot = false;
        if (indent < 0 && atMarker("---")) {
            p_ += 3;
            skipSpaces();
            if (p_ < s_.size() && at(p_) != '#' && at(p_) != '\n') {
                // "--- [1, 2]" or "--- text": as after a key, no block collection can start on this line
                root = parseBlockNode(-1, true, 0);
                haveRoot = true;
            } else {
                endLine();
            }
            indent = skipBlankLines();
        }
        if (haveRoot) {
            if (indent >= 0) fail("inconsistent indentation");
        } else if (indent >= 0) {
            p_ += size_t(indent);
            root = parseBlockNode(-1, false, 0);
            if (skipBlankLines() >= 0) fail("inconsistent indentation");
        } else {
            countValue();
        }
        if (p_ < s_.size() && atMarker("...")) {
            p_ += 3;
            endLine();
            skipBlankLines();
        }
        // Whatever follows the first document (a "---", or anything after "...") starts another one.
        if (p_ < s_.size()) fail("multiple documents are not supported");
        return root;
    }

private:
    std::string s_; // the text with \n line breaks; control characters refused, so '\0' marks the end
    const std::string& label_;
    size_t p_ = 0;
    size_t lineStart_ = 0;
    size_t line_ = 1;
    size_t values_ = 0;

    // --- errors -------------------------------------------------------------------------------------------------

    [[noreturn]] void failAt(size_t line, const std::string& problem) const {
        throw FileError(label_, "line " + std::to_string(line) + ": " + problem);
    }
    [[noreturn]] void fail(const std::string& problem) const { failAt(line_, problem); }

    // At most a short excerpt of the rest of the current line, for messages.
    std::string restOfLine(size_t limit = 40) const {
        const size_t end = s_.find('\n', p_);
        return excerpt(std::string_view(s_).substr(p_, (end == std::string::npos ? s_.size() : end) - p_), limit);
    }

    void countValue() {
        if (++values_ > kMaxYamlValues) fail("more than " + std::to_string(kMaxYamlValues) + " values");
    }
    void checkDepth(int depth) const {
        if (depth > kMaxYamlDepth) fail("nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    }

    // --- characters ---------------------------------------------------------------------------------------------

    char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
    static bool isSpace(char c) { return c == ' ' || c == '\t'; }
    static bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\0'; }
    static bool isFlowIndicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }
    // Whether a ':' followed by `next` separates a key from its value (otherwise it is part of a plain scalar).
    static bool endsKey(char next, bool flow) { return isBlank(next) || (flow && isFlowIndicator(next)); }

    // Validates the text (UTF-8, no C0 control characters but tab and line breaks, as YAML requires) while turning \r\n
    // and \r into \n, so that the parser sees one kind of line break and '\0' can stand for the end.
    void normalize(std::string_view text) {
        if (text.size() > kMaxYamlBytes)
            throw FileError(label_, "larger than " + std::to_string(kMaxYamlBytes >> 20) + " MiB");
        if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
        s_.reserve(text.size());
        size_t line = 1;
        for (size_t i = 0; i < text.size();) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c == '\r') {
                s_ += '\n';
                ++line;
                i += (i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
                continue;
            }
            if (c == '\n') ++line;
            if (c < 0x20 && c != '\t' && c != '\n') {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02X", c);
                failAt(line, std::string("a control character (") + hex + ")");
            }
            const size_t n = c < 0x80 ? 1 : utf8Length(text, i);
            if (n == 0) failAt(line, "not valid UTF-8");
            s_.append(text.substr(i, n));
            i += n;
        }
    }

    // The length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates) at text[i], or 0.
    // Strict, because nlohmann's dump() throws on anything else.
    static size_t utf8Length(std::string_view text, size_t i) {
        const auto byte = [&](size_t k) -> unsigned {
            return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
        };
        const unsigned c = byte(0);
        size_t n = 0;
        unsigned lo = 0x80, hi = 0xBF; // the range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return 0;
        }
        if (byte(1) < lo || byte(1) > hi) return 0;
        for (size_t k = 2; k < n; ++k)
            if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
        return n;
    }

    static void appendUtf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    // --- lines --------------------------------------------------------------------------------------------------

    void newline() { // p_ is at a '\n'
        ++p_;
        ++line_;
        lineStart_ = p_;
    }
    // Moves forward to `to`, keeping the line count.
    void moveTo(size_t to) {
        while (p_ < to) {
            if (s_[p_] == '\n')
                newline();
            else
                ++p_;
        }
    }
    void skipSpaces() {
        while (isSpace(at(p_)))
            ++p_;
    }
    // Whether the line starting at `start` is a document marker ("---" or "..." alone or before a space).
    bool isMarkerLine(size_t start) const {
        return start + 3 <= s_.size() && (s_.compare(start, 3, "---") == 0 || s_.compare(start, 3, "...") == 0) &&
               isBlank(at(start + 3));
    }
    bool atMarker(const char* marker) const { return s_.compare(p_, 3, marker) == 0 && isMarkerLine(p_); }

    // Skips blank and comment lines from the start of a line. Returns the indentation of the next line with
    // content (p_ at its start), or -1 at the end of the text or at a document marker, which close every block.
    int skipBlankLines() {
        for (;;) {
            if (p_ >= s_.size()) return -1;
            size_t q = p_;
            while (at(q) == ' ')
                ++q;
            size_t r = q;
            while (isSpace(at(r)))
                ++r;
            if (at(r) == '#' || at(r) == '\n') {
                while (at(r) != '\n' && r < s_.size())
                    ++r;
                moveTo(r < s_.size() ? r + 1 : r);
                continue;
            }
            if (r >= s_.size()) {
                p_ = r;
                return -1;
            }
            if (r != q) {
                p_ = q;
                fail("a tab in the indentation (YAML indents with spaces)");
            }
            if (q == p_ && isMarkerLine(p_)) return -1;
            return int(q - p_);
        }
    }

    // After a value on a block line: only spaces and a comment may follow it.
    void endLine() {
        skipSpaces();
        if (at(p_) == '#' && (p_ == lineStart_ || isSpace(s_[p_ - 1]))) {
            while (p_ < s_.size() && s_[p_] != '\n')
                ++p_;
        }
        if (p_ >= s_.size()) return;
        if (s_[p_] != '\n') fail("unexpected text after the value: " + restOfLine());
        newline();
    }

    // --- block structure ----------------------------------------------------------------------------------------

    // Refuses the YAML features this reader leaves out, at the start of a node.
    void refuseUnsupported(bool flow) const {
        const char c = at(p_), next = at(p_ + 1);
        const bool alone = isBlank(next) || (flow && isFlowIndicator(next));
        switch (c) {
        case '&':
            fail("anchors (&) are not supported");
        case '*':
            fail("aliases (*) are not supported");
        case '!': {
            size_t end = p_;
            while (!isBlank(at(end)))
                ++end;
            fail("tags are not supported: " + excerpt(std::string_view(s_).substr(p_, end - p_), 40));
        }
        case '|':
        case '>':
            fail("block scalars (| and >) are not supported");
        case '%':
            fail("directives (%) are not supported");
        case '@':
        case '`':
            fail(std::string("'") + c + "' is reserved and cannot start a value");
        case '?':
            if (alone) fail("explicit keys (?) are not supported");
            break;
        case ':':
            if (alone) fail("a key is missing before ':'");
            break;
        case '-':
            if (flow && alone) fail("a block sequence ('- ') inside a flow collection");
            break;
        case '#':
        case ',':
        case ']':
        case '}':
            fail(std::string("unexpected '") + c + "'");
        default:
            break;
        }
    }

    // A node starting at p_ on a block line. `parentIndent` is the indentation of the collection it belongs to;
    // `afterKey`: it follows "key:" on the key's line, where no block collection may start.
    json parseBlockNode(int parentIndent, bool afterKey, int depth) {
        const int column = int(p_ - lineStart_);
        const size_t startLine = line_;
        refuseUnsupported(false);
        const char c = at(p_);
        if (c == '-' && isBlank(at(p_ + 1))) {
            if (afterKey) fail("a sequence cannot start on the line of its key");
            return parseBlockSequence(column, depth + 1, false);
        }
        if (c == '[' || c == '{') {
            json value = parseFlow(depth + 1);
            skipSpaces();
            if (at(p_) == ':' && isBlank(at(p_ + 1))) fail("a flow collection as a key is not supported");
            endLine();
            return value;
        }
        const bool quoted = c == '"' || c == '\'';
        std::string text = quoted ? parseQuoted(c) : scanPlain(false, parentIndent, true);
        skipSpaces();
        if (at(p_) == ':' && isBlank(at(p_ + 1))) {
            if (line_ != startLine) failAt(startLine, "a key must be on one line");
            if (afterKey) fail("a key cannot follow another key on the same line");
            ++p_;
            return parseBlockMapping(column, std::move(text), startLine, depth + 1);
        }
        endLine();
        countValue();
        return quoted ? json(std::move(text)) : resolvePlain(text, startLine);
    }

    // The value after a key's ':' or a sequence item's '-' (p_ just after it): on the same line or, when the line
    // ends there, on the lines below, indented deeper (a key's sequence may also sit at the key's indentation).
    json parseIndicatedValue(int indent, bool afterKey, int depth) {
        skipSpaces();
        if (p_ < s_.size() && at(p_) != '#' && at(p_) != '\n') return parseBlockNode(indent, afterKey, depth);
        endLine();
        const int next = skipBlankLines();
        if (afterKey && next == indent && at(p_ + size_t(next)) == '-' && isBlank(at(p_ + size_t(next) + 1))) {
            p_ += size_t(next);
            return parseBlockSequence(next, depth + 1, true);
        }
        if (next > indent) {
            p_ += size_t(next);
            return parseBlockNode(indent, false, depth);
        }
        countValue();
        return nullptr;
    }

    // p_ just after the first key's ':'; the keys sit at `indent`.
    json parseBlockMapping(int indent, std::string key, size_t keyLine, int depth) {
        checkDepth(depth);
        countValue();
        json object = json::object();
        for (;;) {
            if (object.find(key) != object.end()) failAt(keyLine, "duplicate key \"" + excerpt(key, 40) + "\"");
            json value = parseIndicatedValue(indent, true, depth);
            object.emplace(std::move(key), std::move(value));
            const int next = skipBlankLines();
            if (next < indent) return object;
            p_ += size_t(next);
            if (next > indent) fail("inconsistent indentation");
            keyLine = line_;
            key = parseKey();
        }
    }

    // A key of a block mapping after its first (p_ at it); p_ ends after its ':'.
    std::string parseKey() {
        const size_t startLine = line_, start = p_;
        const char c = at(p_);
        if (c == '-' && isBlank(at(p_ + 1))) fail("a sequence item where a key was expected");
        if (c == '[' || c == '{') fail("a flow collection as a key is not supported");
        refuseUnsupported(false);
        std::string key = (c == '"' || c == '\'') ? parseQuoted(c) : scanPlain(false, 0, false);
        if (line_ != startLine) failAt(startLine, "a key must be on one line");
        skipSpaces();
        if (at(p_) != ':' || !isBlank(at(p_ + 1))) {
            p_ = start;
            fail("expected \"key: value\": " + restOfLine());
        }
        ++p_;
        return key;
    }

    // p_ at the first item's '-', at column `indent`. `atKeyIndent`: the value of a key at that same column,
    // which ends at the next key.
    json parseBlockSequence(int indent, int depth, bool atKeyIndent) {
        checkDepth(depth);
        countValue();
        json array = json::array();
        for (;;) {
            ++p_;
            array.push_back(parseIndicatedValue(indent, false, depth));
            const int next = skipBlankLines();
            if (next < indent) return array;
            const bool item = at(p_ + size_t(next)) == '-' && isBlank(at(p_ + size_t(next) + 1));
            if (next == indent && !item && atKeyIndent) return array;
            p_ += size_t(next);
            if (next > indent) fail("inconsistent indentation");
            if (!item) fail("expected a sequence item ('- '): " + restOfLine());
        }
    }

    // --- scalars ------------------------------------------------------------------------------------------------

    // A plain scalar at p_; p_ ends after its last non-space character. In a block, its continuation lines are
    // indented deeper than `parentIndent`; in a flow collection they only must not start with an indicator.
    std::string scanPlain(bool flow, int parentIndent, bool multiLine) {
        std::string out;
        bool continued = false;
        for (;;) {
            const size_t start = p_;
            size_t end = p_, q = p_;
            for (; q < s_.size(); ++q) {
                const char c = s_[q];
                if (c == '\n' || (c == ':' && endsKey(at(q + 1), flow)) || (flow && isFlowIndicator(c))) break;
                if (c == '#' && q > start && isSpace(s_[q - 1])) break;
                if (!isSpace(c)) end = q + 1;
            }
            out.append(s_, start, end - start);
            p_ = end;
            if (continued && !flow && at(q) == ':') fail("inconsistent indentation");
            if (!multiLine || at(q) != '\n') return out;
            // Look past the line break (and empty lines) for a continuation line.
            size_t empty = 0, next = q, indent = 0;
            for (;;) {
                const size_t lineStart = next + 1;
                size_t r = lineStart;
                while (at(r) == ' ')
                    ++r;
                indent = r - lineStart;
                while (isSpace(at(r)))
                    ++r;
                if (at(r) == '\n') {
                    ++empty;
                    next = r;
                    continue;
                }
                if (r >= s_.size() || (indent == 0 && isMarkerLine(lineStart))) return out;
                next = r;
                break;
            }
            const char c = at(next);
            if (c == '#') return out;
            if (flow && (isFlowIndicator(c) || (c == ':' && endsKey(at(next + 1), true)))) return out;
            if (!flow && int(indent) <= parentIndent) return out;
            moveTo(next);
            out += empty ? std::string(empty, '\n') : std::string(" ");
            continued = true;
        }
    }

    // After a line break inside a quoted scalar or flow collection (p_ at the '\n'): skips it, the empty lines
    // after it and the next line's leading spaces; returns the number of empty lines.
    size_t skipBreaks(size_t openLine, const char* unterminated) {
        size_t empty = 0;
        newline();
        for (;;) {
            if (isMarkerLine(p_)) failAt(openLine, unterminated);
            size_t q = p_;
            while (isSpace(at(q)))
                ++q;
            p_ = q;
            if (at(q) != '\n') return empty;
            newline();
            ++empty;
        }
    }

    // A single- or double-quoted scalar at p_ (at its quote); p_ ends after the closing quote. Line breaks fold
    // as YAML folds them: one into a space, n + 1 into n newlines.
    std::string parseQuoted(char quote) {
        const size_t openLine = line_;
        const char* unterminated = "unterminated quoted string";
        ++p_;
        std::string out;
        size_t keep = 0; // out's length without the spaces that end the current line
        for (;;) {
            if (p_ >= s_.size()) failAt(openLine, unterminated);
            const char c = s_[p_];
            if (c == quote) {
                if (quote == '\'' && at(p_ + 1) == '\'') {
                    out += '\'';
                    p_ += 2;
                    keep = out.size();
                    continue;
                }
                ++p_;
                return out;
            }
            if (c == '\n') {
                out.resize(keep);
                const size_t empty = skipBreaks(openLine, unterminated);
                out += empty ? std::string(empty, '\n') : std::string(" ");
                keep = out.size();
                continue;
            }
            if (c == '\\' && quote == '"') {
                if (at(p_ + 1) == '\n') { // an escaped line break joins the lines without a space
                    ++p_;
                    out += std::string(skipBreaks(openLine, unterminated), '\n');
                } else {
                    parseEscape(out);
                }
                keep = out.size();
                continue;
            }
            out += c;
            ++p_;
            if (!isSpace(c)) keep = out.size();
        }
    }

    // A double-quoted string's escape at p_ (at its backslash).
    void parseEscape(std::string& out) {
        const char e = at(p_ + 1);
        if (p_ + 1 >= s_.size()) fail("unterminated quoted string");
        static const std::pair<char, std::string_view> kEscapes[] = {{'0', std::string_view("\0", 1)},
                                                                     {'a', "\a"},
                                                                     {'b', "\b"},
                                                                     {'t', "\t"},
                                                                     {'\t', "\t"},
                                                                     {'n', "\n"},
                                                                     {'v', "\v"},
                                                                     {'f', "\f"},
                                                                     {'r', "\r"},
                                                                     {'e', "\x1B"},
                                                                     {' ', " "},
                                                                     {'"', "\""},
                                                                     {'/', "/"},
                                                                     {'\\', "\\"},
                                                                     {'N', "\xC2\x85"},
                                                                     {'_', "\xC2\xA0"},
                                                                     {'L', "\xE2\x80\xA8"},
                                                                     {'P', "\xE2\x80\xA9"}};
        for (const auto& [name, text] : kEscapes) {
            if (e == name) {
                out += text;
                p_ += 2;
                return;
            }
        }
        const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
        if (digits == 0) {
            const size_t n = (e & 0x80) ? utf8Length(s_, p_ + 1) : 1;
            fail("unknown escape \\" + excerpt(std::string_view(s_).substr(p_ + 1, n)) + " in a quoted string");
        }
        uint32_t cp = readHex(p_ + 2, digits);
        p_ += 2 + digits;
        if (cp >= 0xD800 && cp <= 0xDBFF && at(p_) == '\\' && at(p_ + 1) == 'u') { // a UTF-16 surrogate pair
            const uint32_t low = readHex(p_ + 2, 4);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                p_ += 6;
            }
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) fail("an escape that is no Unicode character");
        appendUtf8(out, cp);
    }

    uint32_t readHex(size_t from, size_t digits) const {
        uint32_t v = 0;
        for (size_t i = 0; i < digits; ++i) {
            const char c = at(from + i);
            const int d = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
            if (d < 0) fail("an escape needs " + std::to_string(digits) + " hexadecimal digits");
            v = v * 16 + uint32_t(d);
        }
        return v;
    }

    // The type of a plain scalar, as YAML 1.2's core schema resolves it (with YAML 1.1's True/FALSE spellings).
    json resolvePlain(const std::string& t, size_t line) const {
        if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") return nullptr;
        if (t == "true" || t == "True" || t == "TRUE") return true;
        if (t == "false" || t == "False" || t == "FALSE") return false;
        const std::string_view v(t);
        const bool sign = v[0] == '-' || v[0] == '+';
        const std::string_view body = sign ? v.substr(1) : v;
        if (body == ".inf" || body == ".Inf" || body == ".INF")
            return v[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        if (!sign && (body == ".nan" || body == ".NaN" || body == ".NAN"))
            return std::numeric_limits<double>::quiet_NaN();
        if (!sign && body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o')) {
            const int base = body[1] == 'x' ? 16 : 8;
            uint64_t u = 0;
            const auto r = std::from_chars(body.data() + 2, body.data() + body.size(), u, base);
            if (r.ptr != body.data() + body.size()) return t; // 0x1G, 0o8: strings
            if (r.ec != std::errc()) failAt(line, "integer out of range: " + excerpt(t, 40));
            return u;
        }
        const auto digitsAt = [&](size_t i) {
            size_t k = i;
            while (k < body.size() && body[k] >= '0' && body[k] <= '9')
                ++k;
            return k - i;
        };
        // [0-9]+ is an integer; (\.[0-9]+ | [0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? a float.
        size_t i = digitsAt(0);
        const size_t intDigits = i;
        int64_t exponent = 0; // the decimal exponent written after 'e', saturated
        if (intDigits > 0 && i == body.size()) {
            int64_t n = 0;
            if (std::from_chars(v.data() + (v[0] == '+'), v.data() + v.size(), n).ec == std::errc()) return n;
            uint64_t u = 0;
            if (!sign && std::from_chars(body.data(), body.data() + body.size(), u).ec == std::errc()) return u;
            // beyond 64 bits: a double, as nlohmann's JSON parser reads such a number
        } else {
            size_t fraction = 0;
            if (i < body.size() && body[i] == '.') {
                fraction = digitsAt(i + 1);
                i += 1 + fraction;
            }
            if (intDigits == 0 && fraction == 0) return t;
            if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
                size_t k = i + 1;
                const bool negative = k < body.size() && body[k] == '-';
                if (k < body.size() && (body[k] == '-' || body[k] == '+')) ++k;
                const size_t digits = digitsAt(k);
                if (digits == 0) return t;
                for (size_t e = k; e < k + digits; ++e)
                    exponent = std::min<int64_t>(exponent * 10 + (body[e] - '0'), int64_t(1) << 40);
                if (negative) exponent = -exponent;
                i = k + digits;
            }
            if (i != body.size()) return t;
        }
        double d = 0;
        const auto r = std::from_chars(v.data() + (v[0] == '+'), v.data() + v.size(), d);
        if (r.ec == std::errc::result_out_of_range) {
            // As Python reads the file: 1e999 is infinite, 1e-999 zero. Which one, the decimal exponent of the
            // first non-zero digit tells (the text is at most a few MiB, so the sum cannot overflow).
            const size_t first = body.find_first_not_of("0.");
            const int64_t position = first < intDigits ? int64_t(intDigits - 1 - first) : -int64_t(first - intDigits);
            d = position + exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
            if (v[0] == '-') d = -d;
        } else if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
            failAt(line, "not a number: " + excerpt(t, 40));
        }
        return d;
    }

    // --- flow collections ---------------------------------------------------------------------------------------

    // Spaces, line breaks and comments inside a flow collection.
    void skipFlowSpace(size_t openLine, const char* unterminated) {
        for (;;) {
            const char c = at(p_);
            if (isSpace(c)) {
                ++p_;
            } else if (c == '#' && (p_ == lineStart_ || isSpace(s_[p_ - 1]))) {
                while (p_ < s_.size() && s_[p_] != '\n')
                    ++p_;
            } else if (c == '\n') {
                newline();
                if (isMarkerLine(p_)) failAt(openLine, unterminated);
            } else {
                return;
            }
        }
    }

    // A scalar inside a flow collection; `quoted` tells a quoted one from a plain one.
    std::string scanFlowScalar(bool& quoted) {
        refuseUnsupported(true);
        const char c = at(p_);
        quoted = c == '"' || c == '\'';
        return quoted ? parseQuoted(c) : scanPlain(true, -1, true);
    }

    // Whether p_ is at the ':' of a key inside a flow collection ("a": 1 needs no space after a quoted key).
    bool atFlowColon(bool afterQuoted) const { return at(p_) == ':' && (afterQuoted || endsKey(at(p_ + 1), true)); }

    // A flow value (p_ at it) after which p_ ends.
    json parseFlowValue(int depth) {
        const char c = at(p_);
        if (c == '[' || c == '{') return parseFlow(depth + 1);
        const size_t startLine = line_;
        bool quoted = false;
        std::string text = scanFlowScalar(quoted);
        countValue();
        return quoted ? json(std::move(text)) : resolvePlain(text, startLine);
    }

    // [a, b] or {a: 1, b: 2} at p_; p_ ends after the closing bracket.
    json parseFlow(int depth) {
        checkDepth(depth);
        countValue();
        const size_t openLine = line_;
        const bool sequence = at(p_) == '[';
        const char close = sequence ? ']' : '}';
        const char* unterminated = sequence ? "'[' is never closed" : "'{' is never closed";
        json result = sequence ? json::array() : json::object();
        ++p_;
        for (;;) {
            skipFlowSpace(openLine, unterminated);
            if (p_ >= s_.size()) failAt(openLine, unterminated);
            if (at(p_) == close) {
                ++p_;
                return result;
            }
            if (at(p_) == ',') fail("an empty entry (',') in a flow collection");
            const size_t entryLine = line_;
            const char c = at(p_);
            if (sequence && (c == '[' || c == '{')) {
                result.push_back(parseFlow(depth + 1));
                skipFlowSpace(openLine, unterminated);
                if (at(p_) == ':') fail("a flow collection as a key is not supported");
            } else {
                if (c == '[' || c == '{') fail("a flow collection as a key is not supported");
                bool quoted = false;
                std::string text = scanFlowScalar(quoted);
                skipFlowSpace(openLine, unterminated);
                if (atFlowColon(quoted) || !sequence) {
                    // key: value (in a sequence, a mapping of one pair); a key alone has a null value
                    json value = nullptr;
                    if (atFlowColon(quoted)) {
                        ++p_;
                        skipFlowSpace(openLine, unterminated);
                        if (at(p_) != ',' && at(p_) != close && p_ < s_.size())
                            value = parseFlowValue(sequence ? depth + 1 : depth);
                        else
                            countValue();
                    } else {
                        countValue();
                    }
                    if (sequence) {
                        checkDepth(depth + 1);
                        countValue();
                        json pair = json::object();
                        pair.emplace(std::move(text), std::move(value));
                        result.push_back(std::move(pair));
                    } else {
                        if (result.find(text) != result.end())
                            failAt(entryLine, "duplicate key \"" + excerpt(text, 40) + "\"");
                        result.emplace(std::move(text), std::move(value));
                    }
                } else {
                    countValue();
                    result.push_back(quoted ? json(std::move(text)) : resolvePlain(text, entryLine));
                }
            }
            skipFlowSpace(openLine, unterminated);
            if (at(p_) == ',') {
                ++p_;
            } else if (at(p_) != close) {
                if (p_ >= s_.size()) failAt(openLine, unterminated);
                fail(std::string("expected ',' or '") + close + "': " + restOfLine());
            }
        }
    }
};

} // namespace

nlohmann::json parseYaml(std::string_view text, const std::string& label) {
    return YamlParser(text, label).parseDocument();
}

nlohmann::json readYamlFile(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw FileError(path, "is a folder, not a YAML file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError(path, "cannot open the file");
    // Read in pieces up to the limit: the size a folder entry reports says nothing of a pipe or a device.
    std::string text;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, size_t(in.gcount()));
        if (text.size() > kMaxYamlBytes)
            throw FileError(path, "larger than " + std::to_string(kMaxYamlBytes >> 20) + " MiB, not a model config");
    }
    if (in.bad()) throw FileError(path, "cannot read the file");
    nlohmann::json j = parseYaml(text, path);
    if (!j.is_object()) throw FileError(path, "the top level must be a mapping (key: value lines)");
    return j;
}

} // namespace daam
