// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli words: the words of a session's prompt and their token positions.
#include "Args.h"
#include "Command.h"

#include "daam/trace/Session.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace daam::cli {
namespace {

int runWords(const std::vector<std::string>& argv) {
    Args args("words",
              "List the words of a session's prompt with their character spans and token positions\n"
              "(position 0 is the start token; these are the rows of the heat maps).",
              argv);
    args.option("session", "DIR", "Session folder.");
    args.flag("json", "Print JSON instead of a table.");
    if (!args.parse()) return 0;
    const auto session = loadSession(args.require("session"));
    if (args.flagSet("json")) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& w : session.words)
            out.push_back(
                {{"text", w.text}, {"span", {w.begin, w.end}}, {"tokens", w.tokens}, {"punctuation", w.punctuation}});
        std::puts(out.dump(1).c_str());
        return 0;
    }
    std::printf("prompt: %s\n%-4s %-20s %-10s %s\n", session.prompt.c_str(), "#", "word", "span", "tokens");
    for (size_t i = 0; i < session.words.size(); ++i) {
        const auto& w = session.words[i];
        std::string tokens;
        for (int t : w.tokens)
            tokens += (tokens.empty() ? "" : " ") + std::to_string(t) + ":" + session.tokens.at(t).text;
        char span[32];
        std::snprintf(span, sizeof(span), "[%lld,%lld)", (long long)w.begin, (long long)w.end);
        std::printf("%-4zu %-20s %-10s %s\n", i + 1, w.text.c_str(), span, tokens.c_str());
    }
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(words, "words", "List a session's words and their token positions.", runWords);
} // namespace daam::cli
