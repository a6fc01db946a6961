// SPDX-License-Identifier: GPL-3.0-or-later
#include "GenerationOptions.h"

#include "daam/builtin/BuiltInModel.h"

#include <tuple>
#include <utility>

namespace daam::cli {

void declareGenerationOptions(Args& args) {
    args.option("model", "MODEL",
                "A diffusers pipeline folder, a single-file checkpoint (.safetensors in the original layout, "
                "with NAME.yaml beside it when it has one) or a Hugging Face repo id (org/name) in the local hub "
                "cache; or a built-in model's id: shapes-plain (the default) or shapes-supervised.");
    args.option("variant", "NAME",
                "Weights variant of a diffusers folder, e.g. fp16 for *.fp16.safetensors (default: the plain "
                "weights, or the only variant there is).");
    args.option("prompt", "TEXT", "The prompt.");
    args.option("negative", "TEXT", "Negative prompt (the unconditional half of classifier-free guidance).");
    args.option("prompt-syntax", "S",
                "diffusers: plain text, at most the text encoder's 75 tokens (as diffusers reads prompts). a1111: "
                "AUTOMATIC1111's emphasis ((word), [word], (word:1.3), BREAK) and any length, in 75-token windows "
                "encoded one by one and joined (CLIP tokenizers).",
                "diffusers");
    args.option("seed", "N", "Seed of the initial noise, drawn as torch.Generator('cpu').manual_seed(N).", "0");
    args.option("steps", "N", "Inference steps.", "50");
    args.option("guidance", "F", "Classifier-free guidance scale (<= 1: no guidance).", "7.5");
    declareSchedulerOption(args);
    args.option("eta", "F", "DDIM's eta.", "0");
    args.option("width", "W", "Image width (default: the model's).");
    args.option("height", "H", "Image height (default: the model's).");
    args.option("original-size", "WxH",
                "SDXL: the original size the UNet is told the image had (default: the image size).");
    args.option("crop-top-left", "T,L", "SDXL: the crop's top-left corner the UNet is told (default: 0,0).");
    args.option("target-size", "WxH", "SDXL: the target size the UNet is told (default: the image size).");
    args.option("device", "D", "cpu, cuda or cuda:N.", "cpu");
    args.option("dtype", "T", "fp32, fp16 (CUDA only) or bf16.", "fp32");
}

void declareSchedulerOption(Args& args) {
    args.option("scheduler", "NAME",
                "ddim, pndm, euler, euler-a, dpm++2m, dpm++2m-karras or lms (default: the model's).");
}

std::string modelFolder(const Args& args) {
    const auto given = args.value("model");
    return given ? builtin::resolveModelArgument(*given) : builtin::requireBuiltInModelDir();
}

namespace {

// "1024x768" or "0,64": two non-negative integers with `separator` between them.
std::pair<int, int> parsePair(const Args& args, const char* name, char separator) {
    const auto text = args.get(name);
    const auto at = text.find(separator);
    auto number = [&](const std::string& part) {
        if (part.empty() || part.size() > 5 || part.find_first_not_of("0123456789") != std::string::npos)
            throw UsageError(std::string("--") + name + " must be two numbers like " +
                             (separator == 'x' ? "1024x1024" : "0,0") + " (got '" + text + "')");
        return std::stoi(part);
    };
    if (at == std::string::npos) number("");
    return {number(text.substr(0, at)), number(text.substr(at + 1))};
}

} // namespace

GenerationRequest generationRequestFrom(const Args& args, bool promptRequired) {
    GenerationRequest r;
    r.prompt = promptRequired ? args.require("prompt") : args.get("prompt");
    r.negativePrompt = args.get("negative");
    const auto syntax = args.get("prompt-syntax");
    if (syntax != "diffusers" && syntax != "a1111") throw UsageError("--prompt-syntax must be diffusers or a1111");
    if (syntax == "a1111") r.promptSyntax = syntax;
    const auto seed = args.getInt("seed");
    if (seed < 0) throw UsageError("--seed must not be negative");
    r.seed = static_cast<uint64_t>(seed);
    r.steps = static_cast<int>(args.getInt("steps"));
    r.guidance = args.getDouble("guidance");
    r.scheduler = args.get("scheduler");
    r.eta = args.getDouble("eta");
    if (args.has("width")) r.width = static_cast<int>(args.getInt("width"));
    if (args.has("height")) r.height = static_cast<int>(args.getInt("height"));
    if (args.has("original-size")) std::tie(r.originalWidth, r.originalHeight) = parsePair(args, "original-size", 'x');
    if (args.has("crop-top-left")) std::tie(r.cropTop, r.cropLeft) = parsePair(args, "crop-top-left", ',');
    if (args.has("target-size")) std::tie(r.targetWidth, r.targetHeight) = parsePair(args, "target-size", 'x');
    r.device = args.get("device");
    r.dtype = args.get("dtype");
    r.validate();
    return r;
}

std::unique_ptr<StableDiffusionPipeline> loadPipeline(const std::string& folder, const GenerationRequest& request,
                                                      const std::string& variant) {
    PipelineOptions options;
    options.device = request.device;
    options.dtype = request.dtype;
    options.variant = variant;
    return StableDiffusionPipeline::load(folder, options);
}

} // namespace daam::cli
