// SPDX-License-Identifier: GPL-3.0-or-later
#include "SessionQuery.h"

#include "daam/trace/LayerSelection.h"
#include "daam/trace/WordLookup.h"
#include "daam/util/AsciiText.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <tuple>

namespace daam::cli {

std::pair<int, int> parseCallRange(const std::string& option, const std::string& text, int openEnd) {
    const auto colon = text.find(':');
    if (colon == std::string::npos) throw UsageError("--" + option + " expects A:B, got '" + text + "'");
    auto number = [&](const std::string& part, int fallback) {
        if (part.empty()) return fallback;
        try {
            size_t used = 0;
            const int v = std::stoi(part, &used);
            if (used != part.size() || v < 0) throw std::invalid_argument(part);
            return v;
        } catch (const std::exception&) {
            throw UsageError("--" + option + " expects whole numbers, got '" + text + "'");
        }
    };
    return {number(text.substr(0, colon), 0), number(text.substr(colon + 1), openEnd)};
}

void declareQueryOptions(Args& args, bool session) {
    if (session) args.option("session", "DIR", "Session folder written by 'daam-cli generate'.");
    args.option("steps", "A:B",
                "UNet calls to aggregate, [A, B) counted from 0; either side may be left out. PNDM repeats its "
                "first timestep, so 50 steps are 51 calls. Default: all.");
    args.option("layers", "SPEC",
                "Cross-attention layers: all, default, down, mid, up, downN, upN, HxW (map size) or #I, "
                "comma-separated. Default: the reference's (the down and up blocks, without 8x8 maps at a 64 grid).");
    args.option("heads", "LIST",
                "Attention heads to keep, comma-separated, from 0 (default: all); then, after ';', the heads of "
                "single layers: '1;#3:0,2' keeps head 1 in every layer but layer #3, where it keeps heads 0 and 2.");
    args.option("tau", "F", "Threshold for the mask.", "0.4");
    args.option("normalize", "MODE",
                "minmax (as the paper), absolute, or share (per pixel, the word's share of all the prompt's words'\n"
                "attention).",
                "minmax");
}

OpenSession openSession(const Args& args) {
    return openSession(args.require("session"));
}

OpenSession openSession(const std::string& dir) {
    OpenSession open;
    open.session = loadSession(dir);
    open.aggregator =
        std::make_unique<HeatMapAggregator>(open.session.trace, open.session.gridSide, open.session.gridSide);
    return open;
}

HeatMapQuery queryFrom(const Args& args, const OpenSession& open) {
    HeatMapQuery query;
    if (auto steps = args.value("steps")) {
        const auto calls = open.session.trace->calls();
        std::tie(query.callBegin, query.callEnd) = parseCallRange("steps", *steps, calls);
        if (query.callBegin >= query.callEnd || query.callEnd > calls)
            throw UsageError("--steps " + *steps + " is empty or beyond the trace's " + std::to_string(calls) +
                             " UNet calls");
    }
    if (auto layers = args.value("layers"))
        query.layers = selectLayers(open.session.trace->layers(), *layers, open.aggregator->defaultLayers());
    if (auto heads = args.value("heads")) {
        const auto bad = [&] {
            return UsageError("--heads expects comma-separated head numbers, then ';#I:LIST' for a layer, got '" +
                              *heads + "'");
        };
        const auto numbers = [&](const std::string& text) {
            std::vector<int> list;
            std::stringstream items(text);
            std::string item;
            while (std::getline(items, item, ',')) {
                if (item.empty() || item.size() > 4 || item.find_first_not_of("0123456789") != std::string::npos)
                    throw bad();
                list.push_back(std::stoi(item));
            }
            return list;
        };
        std::stringstream groups(*heads);
        std::string group;
        for (bool first = true; std::getline(groups, group, ';'); first = false) {
            if (first && (group.empty() || group[0] != '#')) {
                if (!group.empty()) query.heads = numbers(group);
                continue;
            }
            const auto colon = group.find(':');
            if (group.empty() || group[0] != '#' || colon == std::string::npos || colon == 1) throw bad();
            const auto layer = numbers(group.substr(1, colon - 1));
            if (layer.size() != 1) throw bad();
            if (layer[0] >= static_cast<int>(open.session.trace->layers().size()))
                throw UsageError("--heads names layer #" + std::to_string(layer[0]) + "; the trace has " +
                                 std::to_string(open.session.trace->layers().size()) + " layers");
            query.layerHeads[layer[0]] = numbers(group.substr(colon + 1));
        }
    }
    return query;
}

HeatMapNormalization normalizationFrom(const Args& args) {
    const auto mode = args.get("normalize");
    if (mode == "minmax") return HeatMapNormalization::MinMax;
    if (mode == "absolute") return HeatMapNormalization::Absolute;
    if (mode == "share") return HeatMapNormalization::WordShare;
    throw UsageError("--normalize must be minmax, absolute or share, got '" + mode + "'");
}

double tauFrom(const Args& args) {
    const double tau = args.getDouble("tau");
    if (!(tau >= 0 && tau <= 1)) throw UsageError("--tau must be from 0 to 1");
    return tau;
}

std::vector<int> wordRows(const Session& session, const std::string& word) {
    std::set<int> rows;
    for (const auto& w : session.words)
        if (asciiLower(w.text) == asciiLower(word)) rows.insert(w.tokens.begin(), w.tokens.end());
    if (!rows.empty()) return {rows.begin(), rows.end()};
    // A word inside a longer one ("bird" in "bluebird"): daam matches token sequences, "</w>" stripped.
    std::vector<std::string> promptTokens;
    for (size_t i = 1; i + 1 < session.tokens.size(); ++i)
        promptTokens.push_back(asciiLower(session.tokens[i].text));
    std::string available;
    for (const auto& w : session.words)
        available += (available.empty() ? "" : ", ") + w.text;
    try {
        return daamWordRows(promptTokens, {asciiLower(word)}, word);
    } catch (const Error&) {
        throw Error("the word '" + word + "' is not in the prompt (its words: " + available + ")");
    }
}

torch::Tensor wordHeatMap(const OpenSession& open, const HeatMapQuery& query, const std::string& word,
                          HeatMapNormalization normalization) {
    const auto rows = wordRows(open.session, word);
    const auto map = open.aggregator->wordMap(query, rows);
    const auto [height, width] = mapSize(open.session);
    if (normalization != HeatMapNormalization::WordShare) return expandToImage(map, height, width, normalization);
    // The word's share among every other word of the prompt (punctuation left out).
    std::vector<torch::Tensor> maps = {map};
    for (const auto& w : open.session.words) {
        const bool same = std::any_of(w.tokens.begin(), w.tokens.end(),
                                      [&](int t) { return std::find(rows.begin(), rows.end(), t) != rows.end(); });
        if (!w.punctuation && !same) maps.push_back(open.aggregator->wordMap(query, w.tokens));
    }
    return expandWordsToImage(torch::stack(maps), height, width, normalization)[0];
}

OpenSession negativeSide(const OpenSession& open) {
    const auto& s = open.session;
    if (!s.negativeTrace)
        throw Error("the session holds no negative prompt's maps (it was generated without a negative prompt or "
                    "without guidance)");
    OpenSession negative;
    negative.session.generation = s.generation;
    negative.session.prompt = s.negativePrompt;
    negative.session.tokens = s.negativeTokens;
    negative.session.words = s.negativeWords;
    negative.session.gridSide = s.gridSide;
    negative.session.trace = s.negativeTrace;
    negative.session.image = s.image;
    negative.aggregator = std::make_unique<HeatMapAggregator>(s.negativeTrace, s.gridSide, s.gridSide);
    return negative;
}

int tokenRow(const Session& session, const std::string& spec) {
    const int tokens = static_cast<int>(session.tokens.size());
    if (spec == "sos") return 0;
    if (spec == "eos") return tokens - 1;
    if (spec.empty() || spec.size() > 4 || spec.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError("--token takes sos, eos or a row number (got '" + spec + "')");
    const int row = std::stoi(spec);
    if (row >= tokens)
        throw UsageError("--token " + spec + ": the prompt has rows 0 to " + std::to_string(tokens - 1) +
                         " (start token, its tokens, end token)");
    return row;
}

torch::Tensor tokenHeatMap(const OpenSession& open, const HeatMapQuery& query, int row,
                           HeatMapNormalization normalization) {
    if (normalization == HeatMapNormalization::WordShare)
        throw UsageError("--normalize share compares words; a token's map takes minmax or absolute");
    const auto [height, width] = mapSize(open.session);
    return expandToImage(open.aggregator->wordMap(query, {row}), height, width, normalization);
}

} // namespace daam::cli
