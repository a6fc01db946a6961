// SPDX-License-Identifier: GPL-3.0-or-later
#include "SessionOutput.h"

#include "ProgressBar.h"

#include "daam/io/PngImage.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/GenerationParameters.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/util/AtomicFile.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

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
    if (r.imageLatents.defined()) tensors.emplace_back("image_latents", r.imageLatents);
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

} // namespace

void declareSessionOutputOptions(Args& args) {
    args.option("out", "DIR", "Output folder (created; replaced only when it is empty or a session).");
    args.flag("no-trace", "Skip DAAM capture: write only image.png and generation.json.");
    args.flag("keep-heads", "Keep every call's per-head maps in the trace (exact time-range queries; larger).");
    args.option("trace-dtype", "T", "Storage of the per-call maps: fp16 or fp32.", "fp16");
    args.flag("dump-latents", "Also write latents.safetensors: text_cond, text_uncond, initial, step_000..., "
                              "final, image (float32).");
}

void checkSessionOutputOptions(const Args& args) {
    const auto out = args.require("out");
    const auto traceDType = args.get("trace-dtype");
    if (traceDType != "fp16" && traceDType != "fp32") throw UsageError("--trace-dtype must be fp16 or fp32");
    if (fs::exists(out) && !isReplaceableSessionFolder(out))
        throw FileError(out, "exists and is not a session folder (no generation.json); choose another --out");
}

int generateIntoSession(const Args& args, StableDiffusionPipeline& pipeline, const GenerationRequest& request) {
    const auto out = args.require("out");
    const bool dump = args.flagSet("dump-latents");
    CliProgress progress;

    if (args.flagSet("no-trace")) {
        const auto result = pipeline.generate(request, &progress, nullptr, dump);
        fs::create_directories(out);
        // A previous session's trace, latents and input would no longer match the new image and record.
        for (const char* stale : {"trace.safetensors", "latents.safetensors", "input.png"})
            fs::remove(fs::path(out) / stale);
        writeFileAtomically((fs::path(out) / "generation.json").string(), pipeline.record(result).dump(1) + "\n");
        auto image = imageToPng(result.image);
        image.text = generationPngText(pipeline.record(result), out);
        writePng((fs::path(out) / "image.png").string(), image);
        if (result.inputImage.defined())
            writePng((fs::path(out) / "input.png").string(), imageToPng(result.inputImage));
        if (dump) writeLatents((fs::path(out) / "latents.safetensors").string(), result);
        std::fprintf(stderr, "wrote %s/image.png (%.1f s)\n", out.c_str(), result.seconds);
        return 0;
    }
    AttentionTraceOptions traceOptions;
    traceOptions.storage = args.get("trace-dtype") == "fp32" ? torch::kFloat32 : torch::kFloat16;
    traceOptions.keepHeads = args.flagSet("keep-heads");
    const auto traced = generateTraced(pipeline, request, &progress, traceOptions, dump);
    saveGeneratedSession(out, traced.session, [&](const std::string& dir) {
        if (dump) writeLatents((fs::path(dir) / "latents.safetensors").string(), traced.result);
    });
    std::fprintf(stderr, "wrote session %s (%.1f s, %zu UNet calls, trace %.1f MB)\n", out.c_str(),
                 traced.result.seconds, traced.result.timesteps.size(), traced.session.trace->bytes() / 1e6);
    return 0;
}

} // namespace daam::cli
