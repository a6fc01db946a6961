// SPDX-License-Identifier: GPL-3.0-or-later
// ASCII case and whitespace for names, keys and file fields: words of prompts, CSV headers, file suffixes (not for
// prompt text, which the tokenizers fold by Unicode's rules).
#pragma once

#include <algorithm>
#include <cctype>
#include <string>

namespace daam {

// ASCII letters lowered; other bytes (UTF-8 included) kept.
inline std::string asciiLower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Without leading and trailing spaces, tabs and line ends.
inline std::string trimWhitespace(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return {};
    return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

} // namespace daam
