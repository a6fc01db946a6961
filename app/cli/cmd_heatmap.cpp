// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli heatmap: one word's DAAM heat map from a session, as tensors or as the paper's overlay.
#include "Args.h"
#include "Command.h"
#include "SessionQuery.h"

#include "daam/io/Safetensors.h"
#include "daam/trace/HeatMapImage.h"

#include <torch/torch.h>

#include <cstdio>
#include <map>

namespace daam::cli {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int runHeatmap(const std::vector<std::string>& argv) {
    Args args("heatmap",
              "Write WORD's heat map. For FILE.safetensors: tensors `heatmap` (float32 [H, W] at image size,\n"
              "normalized as --normalize says) and `mask` (uint8 [H, W], heatmap > tau). For FILE.png: the map\n"
              "over the image in the jet colour map, as the paper's figures. Without --steps/--layers/--heads the\n"
              "result is castorini/daam's default (all calls, the down and up blocks' layers but 8x8 maps, all heads).",
              argv);
    declareQueryOptions(args);
    args.option("word", "WORD", "A word of the prompt (every occurrence is averaged, as daam does).");
    args.option("token", "T", "A token instead of a word: sos (start), eos (end) or its row N (0: start).");
    args.flag("negative", "The negative prompt's word or token (its maps from the unconditional half).");
    args.option("out", "FILE", "Output .safetensors or .png.");
    args.option(
        "colormap", "NAME",
        "Colour map for PNG output: jet (as the paper), viridis, magma, inferno, plasma, cividis, turbo or gray.",
        "jet");
    args.option("mask-out", "FILE", "Also write the mask as a black-and-white PNG.");
    if (!args.parse()) return 0;
    const auto out = args.require("out");
    if (!endsWith(out, ".safetensors") && !endsWith(out, ".png"))
        throw UsageError("--out must end in .safetensors or .png");
    ColorMapName colormap;
    if (!parseColorMap(args.get("colormap"), colormap))
        throw UsageError("unknown --colormap '" + args.get("colormap") + "'");

    if (args.has("word") == args.has("token")) throw UsageError("give exactly one of --word and --token");

    auto prompt = openSession(args);
    const OpenSession open = args.flagSet("negative") ? negativeSide(prompt) : std::move(prompt);
    const auto query = queryFrom(args, open);
    const auto normalization = normalizationFrom(args);
    const double tau = tauFrom(args);
    const auto heat = args.has("word")
                          ? wordHeatMap(open, query, args.get("word"), normalization)
                          : tokenHeatMap(open, query, tokenRow(open.session, args.get("token")), normalization);
    const auto mask = thresholdMask(heat, tau);

    if (endsWith(out, ".safetensors")) {
        std::map<std::string, std::string> metadata{{"tau", std::to_string(tau)},
                                                    {"side", args.flagSet("negative") ? "negative" : "prompt"}};
        if (args.has("word"))
            metadata["word"] = args.get("word");
        else
            metadata["token"] = args.get("token");
        saveSafetensors(out, {{"heatmap", heat.contiguous()}, {"mask", mask.contiguous()}}, metadata);
    } else {
        auto image = imageToTensor(open.session.image);
        if (image.size(2) < 3) image = image.narrow(2, 0, 1).expand({-1, -1, 3}).contiguous();
        writePng(out, tensorToImage(overlayHeatMap(image, heat.clamp(0, 1), colormap)));
    }
    if (auto maskOut = args.value("mask-out")) writePng(*maskOut, tensorToImage(mask * 255));
    if (!open.aggregator->isExact(query))
        std::fprintf(stderr, "daam-cli heatmap: note: over part of the steps, heads were summed before clamping "
                             "(the session kept no per-head maps)\n");
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(heatmap, "heatmap", "Write a word's heat map and mask from a session.", runHeatmap);
} // namespace daam::cli
