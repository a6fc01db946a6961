// SPDX-License-Identifier: GPL-3.0-or-later
// A generation and its DAAM trace as a Session (see trace/Session.h), ready to save or to explore.
#pragma once

#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/trace/Session.h"

namespace daam {

// The pipeline's image (float32 [3, H, W] in [0, 1]) as 8-bit RGB uint8 [H, W, 3]: round(image * 255), as
// diffusers' numpy_to_pil.
torch::Tensor quantizeImage(const torch::Tensor& image);
PngImage imageToPng(const torch::Tensor& image);

// `trace` may be null (a generation without capture): the session then holds no trace and cannot be saved
// as one, but its record and image can be written.
// `negativeTrace`: the unconditional half's trace, when the negative prompt was captured.
Session buildSession(const StableDiffusionPipeline& pipeline, const GenerationResult& result,
                     std::shared_ptr<AttentionTrace> trace, std::shared_ptr<AttentionTrace> negativeTrace = nullptr);

// Generates with DAAM capture on: the tracer is sized for the request's prompt and latent size. With a
// negative prompt under guidance, its words are captured too (Session::negativeTrace) unless
// `captureNegative` is false. Image-to-image: see StableDiffusionPipeline::generate for `inputImage`.
struct TracedGeneration {
    GenerationResult result;
    Session session;
};
TracedGeneration generateTraced(StableDiffusionPipeline& pipeline, const GenerationRequest& request,
                                GenerationCallbacks* callbacks = nullptr, AttentionTraceOptions options = {},
                                bool keepStepLatents = false, bool captureNegative = true,
                                const torch::Tensor& inputImage = {});

// saveSession, with the generation's parameters in image.png's text chunks (A1111's `parameters` and ours, which
// names the folder: see GenerationParameters.h). A session whose record holds no request is saved as it is.
void saveGeneratedSession(const std::string& dir, const Session& session, const SessionExtraFiles& extraFiles = {});

} // namespace daam
