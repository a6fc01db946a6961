// SPDX-License-Identifier: GPL-3.0-or-later
#include "GenerationOptions.h"

#include "daam/builtin/BuiltInModel.h"

namespace daam::cli {

void declareGenerationOptions(Args& args) {
    args.option("model", "DIR",
                "A diffusers pipeline folder (model_index.json, tokenizer, text_encoder, unet, vae, "
                "scheduler). Default: the built-in shape-world model.");
    args.option("prompt", "TEXT", "The prompt.");
    args.option("negative", "TEXT", "Negative prompt (the unconditional half of classifier-free guidance).");
    args.option("seed", "N", "Seed of the initial noise, drawn as torch.Generator('cpu').manual_seed(N).", "0");
    args.option("steps", "N", "Inference steps.", "50");
    args.option("guidance", "F", "Classifier-free guidance scale (<= 1: no guidance).", "7.5");
    declareSchedulerOption(args);
    args.option("eta", "F", "DDIM's eta.", "0");
    args.option("width", "W", "Image width (default: the model's).");
    args.option("height", "H", "Image height (default: the model's).");
    args.option("device", "D", "cpu, cuda or cuda:N.", "cpu");
    args.option("dtype", "T", "fp32, fp16 (CUDA only) or bf16.", "fp32");
}

void declareSchedulerOption(Args& args) {
    args.option("scheduler", "NAME",
                "ddim, pndm, euler, euler-a, dpm++2m, dpm++2m-karras or lms (default: the model's).");
}

std::string modelFolder(const Args& args) {
    const auto given = args.value("model");
    return given ? *given : builtin::requireBuiltInModelDir();
}

GenerationRequest generationRequestFrom(const Args& args, bool promptRequired) {
    GenerationRequest r;
    r.prompt = promptRequired ? args.require("prompt") : args.get("prompt");
    r.negativePrompt = args.get("negative");
    const auto seed = args.getInt("seed");
    if (seed < 0) throw UsageError("--seed must not be negative");
    r.seed = static_cast<uint64_t>(seed);
    r.steps = static_cast<int>(args.getInt("steps"));
    r.guidance = args.getDouble("guidance");
    r.scheduler = args.get("scheduler");
    r.eta = args.getDouble("eta");
    if (args.has("width")) r.width = static_cast<int>(args.getInt("width"));
    if (args.has("height")) r.height = static_cast<int>(args.getInt("height"));
    r.device = args.get("device");
    r.dtype = args.get("dtype");
    r.validate();
    return r;
}

std::unique_ptr<StableDiffusionPipeline> loadPipeline(const std::string& folder, const GenerationRequest& request) {
    PipelineOptions options;
    options.device = request.device;
    options.dtype = request.dtype;
    return StableDiffusionPipeline::load(folder, options);
}

} // namespace daam::cli
