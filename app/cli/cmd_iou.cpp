// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli iou: how two words' masks (or a word's mask and a reference mask) overlap.
#include "Args.h"
#include "Command.h"
#include "SessionQuery.h"

#include "daam/trace/Measures.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>

namespace daam::cli {
namespace {

int runIou(const std::vector<std::string>& argv) {
    Args args("iou",
              "Compare WORD's mask with OTHER's (--with) or with a reference mask PNG (--mask: its alpha channel,\n"
              "or any non-zero colour). Prints IoU and the intersection over each mask's own area (IoA).",
              argv);
    declareQueryOptions(args);
    args.option("word", "WORD", "A word of the prompt.");
    args.option("with", "OTHER", "A second word of the prompt.");
    args.option("mask", "FILE", "A reference mask PNG of the image's size.");
    args.flag("json", "Print JSON.");
    if (!args.parse()) return 0;
    if (args.has("with") == args.has("mask")) throw UsageError("give exactly one of --with and --mask");

    const auto open = openSession(args);
    const auto query = queryFrom(args, open);
    const auto normalization = normalizationFrom(args);
    const double tau = tauFrom(args);
    const auto word = args.require("word");
    const auto a = thresholdMask(wordHeatMap(open, query, word, normalization), tau);
    std::string other;
    torch::Tensor b;
    if (auto with = args.value("with")) {
        other = *with;
        b = thresholdMask(wordHeatMap(open, query, other, normalization), tau);
    } else {
        other = args.get("mask");
        b = readMaskPng(other);
    }
    const double iou = maskIoU(a, b), ioaA = maskIoA(a, b), ioaB = maskIoA(b, a);
    if (args.flagSet("json")) {
        std::puts(
            nlohmann::json{{"a", word}, {"b", other}, {"tau", tau}, {"iou", iou}, {"ioa_a", ioaA}, {"ioa_b", ioaB}}
                .dump(1)
                .c_str());
    } else {
        std::printf("IoU(%s, %s) = %.4f\nIoA(%s in %s) = %.4f\nIoA(%s in %s) = %.4f\n", word.c_str(), other.c_str(),
                    iou, word.c_str(), other.c_str(), ioaA, other.c_str(), word.c_str(), ioaB);
    }
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(iou, "iou", "Compare two words' masks, or a word's mask and a reference mask.", runIou);
} // namespace daam::cli
