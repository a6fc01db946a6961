// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli syntax: a prompt's head → dependent pairs (Link Grammar, named as in Universal Dependencies) and how
// their maps relate; over a batch, one row per relation type, the shape of the paper's Section 4.
#include "Args.h"
#include "Command.h"
#include "ProgressBar.h"
#include "SessionQuery.h"

#include "daam/batch/BatchRunner.h"
#include "daam/syntax/SyntaxMeasures.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace daam::cli {
namespace {

using syntax::DependencyMeasures;

std::vector<DependencyMeasures> measureSession(const Args& args, const OpenSession& open,
                                               const syntax::DependencyParse& parse) {
    return syntax::measureDependencies(open.session, *open.aggregator, queryFrom(args, open), normalizationFrom(args),
                                       parse, tauFrom(args));
}

int printSession(const Args& args, const syntax::DependencyParser& parser) {
    const auto open = openSession(args);
    const auto parse = parser.parse(open.session.words);
    const auto measures = measureSession(args, open, parse);
    if (args.flagSet("json")) {
        auto pairs = nlohmann::json::array();
        for (const auto& m : measures)
            pairs.push_back(syntax::toJson(m));
        std::printf("%s\n", nlohmann::json{{"prompt", open.session.prompt},
                                           {"words", parse.words},
                                           {"parsed", parse.parsed},
                                           {"note", parse.note},
                                           {"tau", tauFrom(args)},
                                           {"pairs", pairs}}
                                .dump(1)
                                .c_str());
        return 0;
    }
    if (!parse.note.empty()) std::printf("note: %s\n", parse.note.c_str());
    std::printf("%-12s %-30s %7s %9s %9s\n", "relation", "head -> dependent", "IoU", "dep in h", "h in dep");
    for (const auto& m : measures) {
        const auto pair = m.head + " -> " + m.dependent;
        std::printf("%-12s %-30s %7.3f %9.3f %9.3f\n", m.dependency.relation.c_str(), pair.c_str(), m.iou,
                    m.dependentInHead, m.headInDependent);
    }
    if (measures.empty()) std::printf("(no pairs)\n");
    return 0;
}

int printIndex(const Args& args, const syntax::DependencyParser& parser) {
    const auto items = finishedItems(args.get("index"));
    std::vector<DependencyMeasures> all;
    int unparsed = 0;
    ProgressBar bar("measuring");
    for (size_t i = 0; i < items.size(); ++i) {
        bar.update(static_cast<int>(i), static_cast<int>(items.size()));
        const auto open = openSession(items[i].sessionDir);
        const auto parse = parser.parse(open.session.words);
        unparsed += parse.parsed ? 0 : 1;
        const auto measures = measureSession(args, open, parse);
        all.insert(all.end(), measures.begin(), measures.end());
    }
    bar.finish();
    const auto byRelation = syntax::summarizeByRelation(all);
    if (args.flagSet("json")) {
        nlohmann::json relations = nlohmann::json::object();
        for (const auto& [relation, s] : byRelation)
            relations[relation] = syntax::toJson(s);
        std::printf("%s\n", nlohmann::json{{"items", items.size()},
                                           {"not_fully_parsed", unparsed},
                                           {"pairs", all.size()},
                                           {"tau", tauFrom(args)},
                                           {"relations", relations}}
                                .dump(1)
                                .c_str());
        return 0;
    }
    std::printf("%zu sessions (%d not fully parsed), %zu pairs, tau %.2f; mean ± std\n", items.size(), unparsed,
                all.size(), tauFrom(args));
    std::printf("%-12s %6s  %-15s %-15s %-15s %s\n", "relation", "pairs", "IoU", "dep in head", "head in dep",
                "dep more in head");
    for (const auto& [relation, s] : byRelation)
        std::printf("%-12s %6d  %.3f ± %.3f   %.3f ± %.3f   %.3f ± %.3f   %.1f %%\n", relation.c_str(), s.pairs,
                    s.iou.mean, s.iou.std, s.dependentInHead.mean, s.dependentInHead.std, s.headInDependent.mean,
                    s.headInDependent.std, 100 * s.dependentMoreInHead);
    return 0;
}

int runSyntax(const std::vector<std::string>& argv) {
    Args args("syntax",
              "Parse a session's prompt (CMU Link Grammar; relations named as in Universal Dependencies, see\n"
              "docs/syntax.md) and compare each head word's tau mask with its dependent's: IoU, the share of the\n"
              "dependent inside the head, and of the head inside the dependent. With --index, every finished item of\n"
              "a batch, summarized per relation (mean and standard deviation of each measure).",
              argv);
    declareQueryOptions(args);
    args.option("index", "FILE", "A batch's index.jsonl, in place of --session.");
    args.flag("json", "Print JSON.");
    if (!args.parse()) return 0;
    if (args.has("session") == args.has("index")) throw UsageError("give exactly one of --session and --index");
    const syntax::DependencyParser parser;
    return args.has("index") ? printIndex(args, parser) : printSession(args, parser);
}

} // namespace
DAAM_CLI_COMMAND(syntax, "syntax", "A prompt's dependency pairs and how their maps relate (or a batch's, by relation).",
                 runSyntax);
} // namespace daam::cli
