// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli explain: maps for an image the user already has. The image is encoded by the VAE, noised to the
// chosen timestep and denoised from there with capture on, so the trace shows which words the model puts where
// in this image (the approach of the daam-i2i work on real images). The prompt is the user's, or the one the
// PNG's parameters (ours, A1111's, ComfyUI's) give.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"
#include "SessionOutput.h"

#include "daam/pipeline/GenerationParameters.h"

#include <cstdio>
#include <filesystem>

namespace daam::cli {
namespace {

int runExplain(const std::vector<std::string>& argv) {
    Args args("explain",
              "Explain an existing image: noise it to timestep --step, denoise it with DAAM capture on, and write\n"
              "the session folder --out (its input.png is the image as run). The prompt defaults to the PNG's\n"
              "own parameters when it has them.",
              argv);
    declareGenerationOptions(args);
    args.option("image", "FILE", "The image to explain (PNG).");
    args.option("step", "T",
                "The noise level to start from, as a diffusion timestep (0-999 for Stable Diffusion): the run "
                "starts at the first step at or below it. Low keeps the image; high lets the model redraw it.",
                "500");
    declareSessionOutputOptions(args);
    if (!args.parse()) return 0;
    checkSessionOutputOptions(args);
    const auto image = args.require("image");
    auto request = generationRequestFrom(args, /*promptRequired=*/false);
    if (!args.has("prompt")) {
        // The PNG's prompt comes with its negative prompt; --negative still wins.
        GenerationParameters parameters;
        try {
            parameters = readGenerationParameters(image);
        } catch (const FileError& e) {
            throw UsageError(std::string(e.what()) + " (give --prompt)");
        }
        if (parameters.prompt) request.prompt = *parameters.prompt;
        if (!args.has("negative") && parameters.negativePrompt) request.negativePrompt = *parameters.negativePrompt;
        std::fprintf(stderr, "prompt from %s (%s)\n", image.c_str(), toString(parameters.source));
    }
    if (request.prompt.empty()) throw UsageError(image + " holds no prompt: give --prompt");
    const auto step = args.getInt("step");
    if (step < 0 || step > 100000) throw UsageError("--step must be a timestep from 0 to the schedule's last");
    request.initImage = std::filesystem::absolute(image).string(); // the record names it wherever it is opened
    request.startTimestep = static_cast<int>(step);
    auto pipeline = loadPipeline(modelFolder(args), request, args.get("variant"));
    return generateIntoSession(args, *pipeline, request);
}

} // namespace
DAAM_CLI_COMMAND(explain, "explain", "Maps for an existing image: noise it to a timestep and trace the denoising.",
                 runExplain);
} // namespace daam::cli
