// SPDX-License-Identifier: GPL-3.0-or-later
// What `generate` and `explain` share after the request is made: the output options (--out, --no-trace,
// --keep-heads, --trace-dtype, --dump-latents) and the writing of the session folder or the bare image.
#pragma once

#include "Args.h"

#include "daam/pipeline/StableDiffusionPipeline.h"

namespace daam::cli {

void declareSessionOutputOptions(Args& args);
// Checks --out and --trace-dtype before anything is loaded (UsageError / FileError).
void checkSessionOutputOptions(const Args& args);
// Generates `request` (image-to-image when it names an image) and writes the session folder --out, with a
// progress bar on stderr. Returns the exit code.
int generateIntoSession(const Args& args, StableDiffusionPipeline& pipeline, const GenerationRequest& request);

} // namespace daam::cli
