// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli tokenize: how the model's tokenizer splits a prompt, as JSON.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"

#include "daam/pipeline/ModelTokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>

namespace daam::cli {
namespace {

int runTokenize(const std::vector<std::string>& argv) {
    Args args("tokenize",
              "Print how the model's tokenizer splits PROMPT, as JSON: `ids` (padded to the model's\n"
              "length), `tokens` (the text of each real token, start and end included), `words` (each\n"
              "word's text, character span [begin, end) in code points, and token positions in `ids`).",
              argv);
    args.option("model", "MODEL",
                "A diffusers folder, a single-file checkpoint, a hub repo id or a built-in model's id. Default: the "
                "built-in shapes-plain.");
    args.option("tokenizer", "NAME", "tokenizer, or tokenizer_2 for SDXL's second one.", "tokenizer");
    args.positional("PROMPT", "The prompt to tokenize.");
    if (!args.parse()) return 0;

    const auto which = args.get("tokenizer");
    if (which != "tokenizer" && which != "tokenizer_2")
        throw UsageError("--tokenizer must be tokenizer or tokenizer_2 (got '" + which + "')");
    const auto tokenizer = loadModelTokenizer(modelFolder(args), which == "tokenizer" ? 1 : 2);
    const auto result = tokenizer->encode(args.positionals().at(0));

    nlohmann::ordered_json out;
    out["ids"] = result.ids;
    auto& tokens = out["tokens"] = nlohmann::ordered_json::array();
    for (const auto& t : result.tokens)
        tokens.push_back(t.text);
    auto& words = out["words"] = nlohmann::ordered_json::array();
    for (const auto& w : result.words)
        words.push_back(
            {{"text", w.text}, {"span", {w.begin, w.end}}, {"tokens", w.tokens}, {"punctuation", w.punctuation}});
    out["prompt_tokens"] = result.promptTokens;
    out["truncated"] = result.truncated;
    // One key per line, each value compact: readable in a terminal, and plain JSON for tools.
    std::string text = "{";
    for (auto it = out.begin(); it != out.end(); ++it)
        text += (it == out.begin() ? "\n \"" : ",\n \"") + it.key() +
                "\": " + it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::puts((text + "\n}").c_str());
    if (result.truncated)
        std::fprintf(stderr, "daam-cli tokenize: warning: the prompt has %d tokens; only the first %d fit\n",
                     result.promptTokens, tokenizer->promptCapacity());
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(tokenize, "tokenize", "Show how a prompt is split into tokens and words (JSON).", runTokenize);
} // namespace daam::cli
