// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli eval-masks: a batch's word maps scored against annotation masks, the paper's Table 1 (mIoU at tau,
// with a sweep of tau), per word and overall.
#include "Args.h"
#include "Command.h"
#include "ProgressBar.h"
#include "SessionQuery.h"

#include "daam/batch/BatchRunner.h"
#include "daam/trace/MaskAnnotations.h"
#include "daam/trace/Measures.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace daam::cli {
namespace {

// "A:B:S" from A to B (included) in steps of S.
std::vector<double> parseSweep(const std::string& text) {
    double from = 0, to = 0, step = 0;
    char rest = 0;
    if (std::sscanf(text.c_str(), "%lf:%lf:%lf%c", &from, &to, &step, &rest) != 3 || !(from >= 0) || !(to <= 1) ||
        !(from <= to) || !(step > 0))
        throw UsageError("--sweep expects FROM:TO:STEP within [0, 1], e.g. 0.1:0.9:0.05 (got '" + text + "')");
    std::vector<double> taus;
    for (int i = 0; from + i * step <= to + 1e-9 && i <= 1000; ++i)
        taus.push_back(from + i * step);
    return taus;
}

struct WordScores {
    std::vector<double> iouSum; // per tau
    int count = 0;
};

int runEvalMasks(const std::vector<std::string>& argv) {
    Args args(
        "eval-masks",
        "Score a batch's word maps against annotation masks: the IoU of each word's tau-thresholded map with its\n"
        "mask, and the mean (mIoU) per word and over every mask, as the paper's Table 1. --masks is a folder\n"
        "with a folder per item (named as its session folder, 00012, by its item number, 12, or by its row's\n"
        "id) holding WORD.png masks of the image's size (alpha, else any non-zero colour), or a COCO-style\n"
        "JSON file (images matched by id or file name to the rows' ids or items; categories named by words;\n"
        "polygon or RLE segmentations).",
        argv);
    args.option("index", "FILE", "A batch's index.jsonl (daam-cli batch).");
    args.option("masks", "DIR|FILE|sessions",
                "The annotation masks: a folder of DIR/<item>/<word>.png, COCO JSON, or 'sessions' for the masks "
                "drawn in each session with the app's Annotate tools.");
    declareQueryOptions(args, false);
    args.option("sweep", "A:B:S", "Also score every tau from A to B in steps of S.", "0.1:0.9:0.05");
    args.flag("skip-missing", "Score the items that have masks; without it, an item without masks is an error.");
    args.flag("json", "Print JSON: the summary, the sweep and every (item, word) IoU at --tau.");
    if (!args.parse()) return 0;
    const auto indexPath = args.require("index");
    const double tau = tauFrom(args);
    const auto normalization = normalizationFrom(args);
    auto taus = parseSweep(args.get("sweep"));
    taus.insert(taus.begin(), tau); // taus[0]: the headline
    const bool inSessions = args.require("masks") == "sessions";
    const auto annotations = inSessions ? std::optional<MaskAnnotations>()
                                        : std::optional<MaskAnnotations>(MaskAnnotations::open(args.require("masks")));
    const std::string masksPath = inSessions ? indexPath : annotations->path();
    const auto items = finishedItems(indexPath);

    std::map<std::string, WordScores> byWord;
    std::vector<double> allSum(taus.size(), 0.0);
    int masks = 0, scoredItems = 0, missing = 0;
    auto scores = nlohmann::json::array();
    ProgressBar bar("scoring");
    for (size_t i = 0; i < items.size(); ++i) {
        const auto& item = items[i];
        bar.update(static_cast<int>(i), static_cast<int>(items.size()));
        std::vector<std::string> keys = {fs::path(item.sessionDir).filename().string(), std::to_string(item.item)};
        if (!item.id.empty()) keys.push_back(item.id);
        std::optional<OpenSession> opened;
        std::optional<ImageMasks> found;
        if (inSessions) {
            opened.emplace(openSession(item.sessionDir));
            found = sessionMasks(opened->session, item.sessionDir);
        } else {
            found = annotations->find(keys);
        }
        if (!found) {
            if (!args.flagSet("skip-missing"))
                throw FileError(inSessions ? item.sessionDir : masksPath,
                                "no masks for item " + std::to_string(item.item) +
                                    (inSessions ? std::string(" (none drawn in its session)")
                                                : " (looked for " + keys[0] + ", " + keys[1] +
                                                      (item.id.empty() ? "" : " and its id " + item.id) + ")") +
                                    "; give --skip-missing to score the items that have masks");
            ++missing;
            continue;
        }
        if (!opened) opened.emplace(openSession(item.sessionDir));
        const auto& open = *opened;
        const auto query = queryFrom(args, open);
        const int height = open.session.image.height, width = open.session.image.width;
        ++scoredItems;
        for (const auto& [word, truth] : found->byWord) {
            const auto& source = found->source.at(word);
            if (truth.size(0) != height || truth.size(1) != width)
                throw FileError(source, "the mask is " + std::to_string(truth.size(1)) + "x" +
                                            std::to_string(truth.size(0)) + ", item " + std::to_string(item.item) +
                                            "'s image " + std::to_string(width) + "x" + std::to_string(height));
            torch::Tensor map;
            try {
                map = wordHeatMap(open, query, word, normalization);
            } catch (const Error& e) {
                throw FileError(source, std::string("item ") + std::to_string(item.item) + ": " + e.what());
            }
            auto& w = byWord[word];
            if (w.iouSum.empty()) w.iouSum.assign(taus.size(), 0.0);
            for (size_t t = 0; t < taus.size(); ++t) {
                const double iou = maskIoU(thresholdMask(map, taus[t]), truth);
                w.iouSum[t] += iou;
                allSum[t] += iou;
                if (t == 0) scores.push_back({{"item", item.item}, {"word", word}, {"iou", iou}});
            }
            ++w.count;
            ++masks;
        }
    }
    bar.finish();
    if (masks == 0) throw FileError(masksPath, "no mask matched a finished item of " + indexPath);

    auto sweep = nlohmann::json::array();
    size_t best = 1;
    for (size_t t = 1; t < taus.size(); ++t) {
        sweep.push_back({{"tau", taus[t]}, {"miou", allSum[t] / masks}});
        if (allSum[t] > allSum[best]) best = t;
    }
    if (args.flagSet("json")) {
        nlohmann::json words = nlohmann::json::object();
        for (const auto& [word, w] : byWord)
            words[word] = {{"miou", w.iouSum[0] / w.count}, {"masks", w.count}};
        std::printf("%s\n", nlohmann::json{{"tau", tau},
                                           {"miou", allSum[0] / masks},
                                           {"masks", masks},
                                           {"items", scoredItems},
                                           {"items_without_masks", missing},
                                           {"words", words},
                                           {"sweep", sweep},
                                           {"scores", scores}}
                                .dump(1)
                                .c_str());
        return 0;
    }
    std::printf("items scored: %d (%d without masks), masks: %d\n", scoredItems, missing, masks);
    std::printf("mIoU at tau %.2f: %.4f\n", tau, allSum[0] / masks);
    std::printf("per word at tau %.2f:\n", tau);
    for (const auto& [word, w] : byWord)
        std::printf("  %-20s %.4f  (%d masks)\n", word.c_str(), w.iouSum[0] / w.count, w.count);
    if (taus.size() > 1) {
        std::printf("tau sweep:");
        for (size_t t = 1; t < taus.size(); ++t)
            std::printf(" %.2f:%.4f", taus[t], allSum[t] / masks);
        std::printf("\nbest tau %.2f: mIoU %.4f\n", taus[best], allSum[best] / masks);
    }
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(eval_masks, "eval-masks", "Score a batch's word maps against annotation masks (mIoU, tau sweep).",
                 runEvalMasks);
} // namespace daam::cli
