// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli generate: text to image with the native engine, writing a DAAM session (or, with --no-trace,
// only the image and its record); --dump-latents adds every intermediate tensor for comparison with
// the Python stack; --from-png takes the settings of a PNG of ours, A1111's or ComfyUI's.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"
#include "SessionOutput.h"

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
    take("prompt-syntax", &GenerationRequest::promptSyntax);
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
    args.option("image", "FILE",
                "Image-to-image: start from this PNG (encoded by the VAE, noised to --strength), as diffusers' "
                "img2img pipeline does. The size defaults to the image's.");
    args.option("strength", "S",
                "Image-to-image: the share of the schedule run on the image (0 < S <= 1; 1 keeps nothing of it).",
                "0.8");
    declareSessionOutputOptions(args);
    if (!args.parse()) return 0;
    checkSessionOutputOptions(args);

    const auto png = args.value("from-png");
    auto request = generationRequestFrom(args, !png);
    if (auto image = args.value("image")) {
        request.initImage = fs::absolute(*image).string(); // the record names it wherever it is opened
        request.strength = args.getDouble("strength");
    } else if (args.has("strength")) {
        throw UsageError("--strength applies to image-to-image: give --image too");
    }
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
    return generateIntoSession(args, *pipeline, request);
}

} // namespace
DAAM_CLI_COMMAND(generate, "generate", "Generate an image and its DAAM trace (a session folder).", runGenerate);
} // namespace daam::cli
