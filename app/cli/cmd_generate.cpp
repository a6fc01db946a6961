// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli generate: text to image with the native engine, writing a DAAM session (or, with --no-trace,
// only the image and its record); --dump-latents adds every intermediate tensor for comparison with
// the Python stack; --from-png takes the settings of a PNG of ours, A1111's or ComfyUI's.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"
#include "ProgressBar.h"

#include "daam/io/PngImage.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/GenerationParameters.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/util/AtomicFile.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <optional>

namespace fs = std::filesystem;

namespace daam::cli {
namespace {

class CliProgress : public GenerationCallbacks {
public:
    void onStep(const StepProgress& p) override {
        char detail[64];
        std::snprintf(detail, sizeof(detail), "t=%g", p.timestep);
        bar_.update(p.call, p.calls, detail);
    }

private:
    ProgressBar bar_{"generating"};
};

// latents.safetensors: the tensors diffusers' reference dumps hold, under the names the issue gives.
void writeLatents(const std::string& path, const GenerationResult& r) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"text_cond", r.textCond}, {"text_uncond", r.textUncond}, {"initial", r.initialNoise}};
    for (size_t i = 0; i < r.stepLatents.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "step_%03zu", i);
        tensors.emplace_back(name, r.stepLatents[i]);
    }
    tensors.emplace_back("final", r.finalLatents);
    tensors.emplace_back("image", r.image);
    for (auto& [name, t] : tensors)
        t = t.to(torch::kCPU, torch::kFloat32).contiguous();
    saveSafetensors(path, tensors, {{"format", "daam-studio-latents"}});
}

// The PNG's settings under the options given on the command line: those win, the declared defaults do not.
GenerationRequest overPngParameters(const Args& args, const GenerationRequest& fromArgs,
                                    const GenerationParameters& png) {
    GenerationRequest fromPng = fromArgs;
    png.applyTo(fromPng);
    GenerationRequest r = fromArgs;
    auto take = [&](const char* option, auto GenerationRequest::*field) {
        if (!args.has(option)) r.*field = fromPng.*field;
    };
    take("prompt", &GenerationRequest::prompt);
    take("negative", &GenerationRequest::negativePrompt);
    take("seed", &GenerationRequest::seed);
    take("steps", &GenerationRequest::steps);
    take("guidance", &GenerationRequest::guidance);
    take("scheduler", &GenerationRequest::scheduler);
    take("eta", &GenerationRequest::eta);
    take("width", &GenerationRequest::width);
    take("height", &GenerationRequest::height);
    if (r.prompt.empty()) throw UsageError(args.get("from-png") + " holds no prompt: give --prompt");
    r.validate();
    return r;
}

int runGenerate(const std::vector<std::string>& argv) {
    Args args("generate",
              "Generate an image from a prompt with DAAM capture on, writing a session folder DIR:\n"
              "generation.json (every parameter, the model, the timesteps, versions, the tokens and words),\n"
              "image.png and trace.safetensors (see README, \"Session folders\").",
              argv);
    declareGenerationOptions(args);
    args.option("from-png", "FILE",
                "Take the prompt, negative prompt, seed, steps, guidance, sampler and size from a PNG's text "
                "chunks (written by DAAM Studio, AUTOMATIC1111 or ComfyUI); options given here win.");
    args.option("out", "DIR", "Output folder (created; replaced only when it is empty or a session).");
    args.flag("no-trace", "Skip DAAM capture: write only image.png and generation.json.");
    args.flag("keep-heads", "Keep every call's per-head maps in the trace (exact time-range queries; larger).");
    args.option("trace-dtype", "T", "Storage of the per-call maps: fp16 or fp32.", "fp16");
    args.flag("dump-latents", "Also write latents.safetensors: text_cond, text_uncond, initial, step_000..., "
                              "final, image (float32).");
    if (!args.parse()) return 0;
    const auto out = args.require("out");
    const auto traceDType = args.get("trace-dtype");
    if (traceDType != "fp16" && traceDType != "fp32") throw UsageError("--trace-dtype must be fp16 or fp32");
    if (fs::exists(out) && !isReplaceableSessionFolder(out))
        throw FileError(out, "exists and is not a session folder (no generation.json); choose another --out");

    const auto png = args.value("from-png");
    auto request = generationRequestFrom(args, !png);
    std::optional<GenerationParameters> parameters;
    if (png) {
        parameters = readGenerationParameters(*png);
        request = overPngParameters(args, request, *parameters);
        std::fprintf(stderr, "settings from %s (%s)\n", png->c_str(), toString(parameters->source));
        for (const auto& note : parameters->notes)
            std::fprintf(stderr, "note: %s\n", note.c_str());
    }
    auto pipeline = loadPipeline(modelFolder(args), request, args.get("variant"));
    if (parameters && parameters->modelName &&
        *parameters->modelName != fs::path(pipeline->modelPath()).filename().string())
        std::fprintf(stderr, "note: the PNG was made with the model '%s'; generating with '%s'\n",
                     excerpt(*parameters->modelName, 80).c_str(), pipeline->modelPath().c_str());
    const bool dump = args.flagSet("dump-latents");
    CliProgress progress;

    if (args.flagSet("no-trace")) {
        const auto result = pipeline->generate(request, &progress, nullptr, dump);
        fs::create_directories(out);
        // A previous session's trace and latents would no longer match the new image and record.
        for (const char* stale : {"trace.safetensors", "latents.safetensors"})
            fs::remove(fs::path(out) / stale);
        writeFileAtomically((fs::path(out) / "generation.json").string(), pipeline->record(result).dump(1) + "\n");
        auto image = imageToPng(result.image);
        image.text = generationPngText(pipeline->record(result), out);
        writePng((fs::path(out) / "image.png").string(), image);
        if (dump) writeLatents((fs::path(out) / "latents.safetensors").string(), result);
        std::fprintf(stderr, "wrote %s/image.png (%.1f s)\n", out.c_str(), result.seconds);
        return 0;
    }
    AttentionTraceOptions traceOptions;
    traceOptions.storage = traceDType == "fp32" ? torch::kFloat32 : torch::kFloat16;
    traceOptions.keepHeads = args.flagSet("keep-heads");
    const auto traced = generateTraced(*pipeline, request, &progress, traceOptions, dump);
    saveGeneratedSession(out, traced.session, [&](const std::string& dir) {
        if (dump) writeLatents((fs::path(dir) / "latents.safetensors").string(), traced.result);
    });
    std::fprintf(stderr, "wrote session %s (%.1f s, trace %.1f MB)\n", out.c_str(), traced.result.seconds,
                 traced.session.trace->bytes() / 1e6);
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(generate, "generate", "Generate an image and its DAAM trace (a session folder).", runGenerate);
} // namespace daam::cli
