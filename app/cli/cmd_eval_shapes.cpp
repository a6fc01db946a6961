// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli eval-shapes: prompt fidelity and DAAM's mIoU of a shape-world model on held-out captions.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"
#include "ProgressBar.h"
#include "SessionQuery.h"

#include "daam/builtin/ShapeEval.h"
#include "daam/builtin/ShapeWorld.h"

#include <cstdio>
#include <tuple>

namespace daam::cli {
namespace {

int runEvalShapes(const std::vector<std::string>& argv) {
    Args args("eval-shapes",
              "Generate N held-out captions of the shape world (captions the trainer never sees), find each named\n"
              "object by its colour and judge its shape, and print prompt fidelity (share of named objects present\n"
              "with the right colour and shape, for one-, two- and three-object captions) and the mean IoU of the\n"
              "tau-thresholded DAAM maps of each present object's noun and colour word against where it really is.",
              argv);
    args.option("model", "DIR", "A shape-world model (a diffusers pipeline folder). Default: the built-in one.");
    args.option("n", "N", "Held-out captions to generate.", "200");
    args.option("seed", "S", "World and generation seed.", "0");
    args.option("steps", "N", "Inference steps.", "20");
    args.option("guidance", "F", "Guidance scale.", "7.5");
    declareSchedulerOption(args);
    args.option("tau", "F", "Mask threshold.", "0.4");
    args.option("layers", "SPEC",
                "The maps' cross-attention layers: all, default, down, mid, up, downN, upN, HxW (map size) or #I, "
                "comma-separated. Default: the reference's.");
    args.option("calls", "A:B",
                "The maps' UNet calls, [A, B) counted from 0; either side may be left out. Default: all, as the "
                "paper.");
    args.flag("ceiling", "Score, in place of each word's DAAM map, the map of a word that attended to exactly its "
                         "object: the most that the chosen layers' map sizes allow.");
    args.flag("reconstruct", "Judge the held-out scenes passed through the VAE instead (the autoencoder's ceiling).");
    args.option("save", "DIR", "Write every judged image to DIR/NNNN.png (NNNN: the scene index).");
    args.flag("json", "Print the report as JSON.");
    if (!args.parse()) return 0;
    builtin::ShapeEvalOptions options;
    options.count = static_cast<int>(args.getInt("n"));
    if (options.count < 1 || options.count > 100000) throw UsageError("--n must be 1..100000");
    if (args.getInt("seed") < 0) throw UsageError("--seed must not be negative");
    options.seed = static_cast<uint64_t>(args.getInt("seed"));
    options.steps = static_cast<int>(args.getInt("steps"));
    options.guidance = args.getDouble("guidance");
    options.scheduler = args.get("scheduler");
    options.tau = args.getDouble("tau");
    options.saveDir = args.get("save");
    options.layers = args.get("layers");
    options.ceiling = args.flagSet("ceiling");
    if (auto calls = args.value("calls")) {
        std::tie(options.callBegin, options.callEnd) = parseCallRange("calls", *calls, -1);
    }
    if (!(options.tau >= 0 && options.tau <= 1)) throw UsageError("--tau must be within [0, 1]");
    auto pipeline = StableDiffusionPipeline::load(modelFolder(args));
    ProgressBar bar("evaluating");
    const auto onProgress = [&](int done, int total) { bar.update(done, total); };
    const auto report = args.flagSet("reconstruct") ? builtin::evaluateReconstructions(*pipeline, options, onProgress)
                                                    : builtin::evaluateShapes(*pipeline, options, onProgress);
    bar.finish();
    if (args.flagSet("json")) {
        std::printf("%s\n", report.toJson().dump(2).c_str());
        return 0;
    }
    std::printf("captions: %d held-out\n", report.captions);
    for (int n = 1; n <= 3; ++n)
        if (report.objects[n] > 0)
            std::printf("fidelity, %d-object captions: %.1f %% (%d of %d objects)\n", n, 100 * report.fidelity(n),
                        report.present[n], report.objects[n]);
    std::printf("drawn as often as named (one red circle for \"a red circle\"): %.1f %% of objects (1 / 2 / 3-object "
                "captions: %.1f / %.1f / %.1f %%)\n",
                100 * report.drawnOnceShare(0), 100 * report.drawnOnceShare(1), 100 * report.drawnOnceShare(2),
                100 * report.drawnOnceShare(3));
    if (args.flagSet("reconstruct")) return 0;
    std::printf("noun mIoU at tau %.2f: %.3f (%zu objects)\n", options.tau, report.nounMIoU(), report.nounIoU.size());
    std::printf("noun mIoU by shape:");
    const auto byShape = report.nounMIoUByShape();
    for (int k = 0; k < builtin::kShapeCount; ++k)
        std::printf(" %s %.3f (%d)", builtin::shapeName(static_cast<builtin::Shape>(k)), byShape[k].mIoU,
                    byShape[k].objects);
    std::printf("\n");
    const auto sharing = report.nounMIoUBySharing();
    std::printf("noun mIoU by what else the caption names: alone %.3f (%d), all distinct %.3f (%d), another of its "
                "shape %.3f (%d), another of its colour %.3f (%d)\n",
                sharing.alone.mIoU, sharing.alone.objects, sharing.distinct.mIoU, sharing.distinct.objects,
                sharing.sharedShape.mIoU, sharing.sharedShape.objects, sharing.sharedColour.mIoU,
                sharing.sharedColour.objects);
    std::printf("noun masks: precision %.3f, recall %.3f\n", report.nounPrecisionMean(), report.nounRecallMean());
    std::printf("colour-word mIoU at tau %.2f: %.3f (%zu objects)\n", options.tau, report.colourMIoU(),
                report.colourIoU.size());
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(eval_shapes, "eval-shapes", "Score a shape-world model: prompt fidelity and DAAM mIoU.",
                 runEvalShapes);
} // namespace daam::cli
