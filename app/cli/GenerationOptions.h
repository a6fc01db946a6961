// SPDX-License-Identifier: GPL-3.0-or-later
// What `generate` and `bench` share: the generation options, read into a GenerationRequest, and the
// pipeline they name.
#pragma once

#include "Args.h"

#include "daam/pipeline/StableDiffusionPipeline.h"

#include <memory>

namespace daam::cli {

// Declares --model, --prompt, --negative, --seed, --steps, --guidance, --scheduler, --eta, --width,
// --height, --device, --dtype.
void declareGenerationOptions(Args& args);
// --scheduler alone, for commands that generate with their own prompts (eval-shapes).
void declareSchedulerOption(Args& args);
// `promptRequired`: false when the prompt may come from elsewhere (generate --from-png).
GenerationRequest generationRequestFrom(const Args& args, bool promptRequired = true);
// The --model folder, or the built-in shape-world model when none is given (UsageError-free: an Error
// names where the built-in model was looked for when it is not installed).
std::string modelFolder(const Args& args);
// Loads the pipeline folder for the request's device and dtype.
std::unique_ptr<StableDiffusionPipeline> loadPipeline(const std::string& model, const GenerationRequest& request,
                                                      const std::string& variant = {});

} // namespace daam::cli
