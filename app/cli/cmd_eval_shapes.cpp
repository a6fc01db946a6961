// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli eval-shapes: prompt fidelity and DAAM's mIoU of a shape-world model on held-out captions.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"
#include "ProgressBar.h"
#include "SessionQuery.h"

#include "daam/builtin/BuiltInModel.h"
#include "daam/builtin/ShapeEval.h"
#include "daam/builtin/ShapeWorld.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

namespace daam::cli {
namespace {

// One row of the report: its label, then one cell per model.
struct ReportRow {
    std::string label;
    std::vector<std::string> cells;
};

std::string formatFigure(const char* fmt, double a, double b = 0) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, fmt, a, b);
    return buffer;
}

// The reports side by side, a column per model, so that two models read against each other row by row.
void printReports(const std::vector<builtin::BuiltInModel>& models,
                  const std::vector<builtin::ShapeEvalReport>& reports, double tau, bool reconstructed) {
    std::vector<ReportRow> rows;
    auto add = [&](std::string label, const std::function<std::string(const builtin::ShapeEvalReport&)>& cell) {
        ReportRow row{std::move(label), {}};
        for (const auto& r : reports)
            row.cells.push_back(cell(r));
        rows.push_back(std::move(row));
    };
    add("held-out captions", [](const auto& r) { return std::to_string(r.captions); });
    for (int n = 1; n <= 3; ++n) {
        if (reports.front().objects[n] == 0) continue;
        add("fidelity, " + std::to_string(n) + "-object captions (%)", [n](const auto& r) {
            return formatFigure("%.1f", 100 * r.fidelity(n)) + " (" + std::to_string(r.present[n]) + "/" +
                   std::to_string(r.objects[n]) + ")";
        });
    }
    add("drawn as often as named, all objects (%)",
        [](const auto& r) { return formatFigure("%.1f", 100 * r.drawnOnceShare(0)); });
    add("  1 / 2 / 3-object captions (%)", [](const auto& r) {
        return formatFigure("%.1f / ", 100 * r.drawnOnceShare(1)) + formatFigure("%.1f / ", 100 * r.drawnOnceShare(2)) +
               formatFigure("%.1f", 100 * r.drawnOnceShare(3));
    });
    if (!reconstructed) {
        add(formatFigure("noun mIoU at tau %.2f", tau), [](const auto& r) {
            return formatFigure("%.3f", r.nounMIoU()) + " (" + std::to_string(r.nounIoU.size()) + ")";
        });
        for (int k = 0; k < builtin::kShapeCount; ++k)
            add(std::string("  ") + builtin::shapeName(static_cast<builtin::Shape>(k)) + "s", [k](const auto& r) {
                const auto g = r.nounMIoUByShape()[k];
                return formatFigure("%.3f", g.mIoU) + " (" + std::to_string(g.objects) + ")";
            });
        using Sharing = builtin::ShapeEvalReport::SharingScores;
        const std::pair<const char*, builtin::ShapeEvalReport::GroupScore Sharing::*> sharings[] = {
            {"  alone in its caption", &Sharing::alone},
            {"  beside distinct objects", &Sharing::distinct},
            {"  beside another of its shape", &Sharing::sharedShape},
            {"  beside another of its colour", &Sharing::sharedColour}};
        for (const auto& [label, member] : sharings)
            add(label, [member = member](const auto& r) {
                const auto g = r.nounMIoUBySharing().*member;
                return formatFigure("%.3f", g.mIoU) + " (" + std::to_string(g.objects) + ")";
            });
        add("noun masks: precision / recall",
            [](const auto& r) { return formatFigure("%.3f / %.3f", r.nounPrecisionMean(), r.nounRecallMean()); });
        add(formatFigure("colour-word mIoU at tau %.2f", tau),
            [](const auto& r) { return formatFigure("%.3f", r.colourMIoU()); });
    }
    size_t labelWidth = 0;
    std::vector<size_t> widths;
    for (const auto& m : models)
        widths.push_back(m.name.size());
    for (const auto& row : rows) {
        labelWidth = std::max(labelWidth, row.label.size());
        for (size_t c = 0; c < row.cells.size(); ++c)
            widths[c] = std::max(widths[c], row.cells[c].size());
    }
    std::printf("%-*s", static_cast<int>(labelWidth), "");
    for (size_t c = 0; c < models.size(); ++c)
        std::printf("  %*s", static_cast<int>(widths[c]), models[c].name.c_str());
    std::printf("\n");
    for (const auto& row : rows) {
        std::printf("%-*s", static_cast<int>(labelWidth), row.label.c_str());
        for (size_t c = 0; c < row.cells.size(); ++c)
            std::printf("  %*s", static_cast<int>(widths[c]), row.cells[c].c_str());
        std::printf("\n");
    }
}

int runEvalShapes(const std::vector<std::string>& argv) {
    Args args("eval-shapes",
              "Generate N held-out captions of the shape world (captions the trainer never sees), find each named\n"
              "object by its colour and judge its shape, and print prompt fidelity (share of named objects present\n"
              "with the right colour and shape, for one-, two- and three-object captions) and the mean IoU of the\n"
              "tau-thresholded DAAM maps of each present object's noun and colour word against where it really is.",
              argv);
    args.option("model", "MODEL",
                "A shape-world model (a diffusers pipeline folder, or a built-in model's id: shapes-plain or "
                "shapes-supervised). Default: both built-in models, side by side.");
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
    args.option("save", "DIR",
                "Write every judged image to DIR/NNNN.png (NNNN: the scene index); DIR/<id>/NNNN.png for each "
                "built-in model when both are evaluated.");
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
    // With no model named, both built-in models side by side: the plain one's maps are what DAAM finds in a model
    // trained as Stable Diffusion is, the supervised one's what its grounding loss taught it.
    std::vector<builtin::BuiltInModel> models;
    if (const auto given = args.value("model")) {
        models.push_back({*given, *given, builtin::resolveModelArgument(*given)});
    } else {
        models = builtin::builtInModels();
        if (models.empty()) models.push_back({"built-in", "built-in", builtin::requireBuiltInModelDir()});
    }
    std::vector<builtin::ShapeEvalReport> reports;
    for (const auto& model : models) {
        auto pipeline = StableDiffusionPipeline::load(model.dir);
        auto modelOptions = options;
        if (models.size() > 1 && !options.saveDir.empty()) modelOptions.saveDir += "/" + model.id;
        ProgressBar bar(models.size() > 1 ? "evaluating " + model.id : std::string("evaluating"));
        const auto onProgress = [&](int done, int total) { bar.update(done, total); };
        reports.push_back(args.flagSet("reconstruct")
                              ? builtin::evaluateReconstructions(*pipeline, modelOptions, onProgress)
                              : builtin::evaluateShapes(*pipeline, modelOptions, onProgress));
        bar.finish();
    }
    if (args.flagSet("json")) {
        auto all = nlohmann::json::array();
        for (size_t m = 0; m < models.size(); ++m)
            all.push_back({{"model", models[m].id},
                           {"name", models[m].name},
                           {"dir", models[m].dir},
                           {"report", reports[m].toJson()}});
        std::printf("%s\n", nlohmann::json{{"models", all}}.dump(2).c_str());
        return 0;
    }
    printReports(models, reports, options.tau, args.flagSet("reconstruct"));
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(eval_shapes, "eval-shapes", "Score a shape-world model: prompt fidelity and DAAM mIoU.",
                 runEvalShapes);
} // namespace daam::cli
