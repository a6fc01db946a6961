// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/WordLookup.h"

#include "daam/util/Error.h"

namespace daam {

namespace {
std::string stripWordEnd(const std::string& token) {
    static const std::string kEnd = "</w>";
    if (token.size() >= kEnd.size() && token.compare(token.size() - kEnd.size(), kEnd.size(), kEnd) == 0)
        return token.substr(0, token.size() - kEnd.size());
    return token;
}
} // namespace

std::vector<int> daamWordRows(const std::vector<std::string>& promptTokens, const std::vector<std::string>& wordTokens,
                              const std::string& word) {
    std::vector<std::string> prompt, search;
    for (const auto& t : promptTokens)
        prompt.push_back(stripWordEnd(t));
    for (const auto& t : wordTokens)
        search.push_back(stripWordEnd(t));
    std::vector<int> rows;
    if (!search.empty() && search.size() <= prompt.size()) {
        for (size_t start = 0; start + search.size() <= prompt.size(); ++start) {
            bool match = true;
            for (size_t i = 0; i < search.size() && match; ++i)
                match = prompt[start + i] == search[i];
            if (match)
                for (size_t i = 0; i < search.size(); ++i)
                    rows.push_back(static_cast<int>(start + i + 1));
        }
    }
    if (rows.empty()) throw Error("the word '" + word + "' does not occur in the prompt");
    return rows;
}

} // namespace daam
