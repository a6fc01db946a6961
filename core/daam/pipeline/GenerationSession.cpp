// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/GenerationSession.h"

#include "daam/pipeline/DaamTracer.h"
#include "daam/pipeline/GenerationParameters.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/HeatMapImage.h"

#include <torch/torch.h>

namespace daam {

torch::Tensor quantizeImage(const torch::Tensor& image) {
    return (image.to(torch::kCPU, torch::kFloat32).permute({1, 2, 0}) * 255)
        .round()
        .clamp(0, 255)
        .to(torch::kUInt8)
        .contiguous();
}

PngImage imageToPng(const torch::Tensor& image) {
    return tensorToImage(quantizeImage(image));
}

Session buildSession(const StableDiffusionPipeline& pipeline, const GenerationResult& result,
                     std::shared_ptr<AttentionTrace> trace, std::shared_ptr<AttentionTrace> negativeTrace) {
    Session s;
    s.generation = pipeline.record(result);
    s.prompt = result.request.prompt;
    s.tokens = result.prompt.tokens;
    s.words = result.prompt.words;
    s.gridSide = HeatMapAggregator::referenceSide(pipeline.defaultImageSize());
    s.trace = std::move(trace);
    s.image = imageToPng(result.image);
    if (result.inputImage.defined()) s.inputImage = imageToPng(result.inputImage);
    if (negativeTrace && negativeTrace->calls() > 0) {
        s.negativePrompt = result.request.negativePrompt;
        s.negativeTokens = result.negative.tokens;
        s.negativeWords = result.negative.words;
        s.negativeTrace = std::move(negativeTrace);
    }
    return s;
}

TracedGeneration generateTraced(StableDiffusionPipeline& pipeline, const GenerationRequest& request,
                                GenerationCallbacks* callbacks, AttentionTraceOptions options, bool keepStepLatents,
                                bool captureNegative, const torch::Tensor& inputImage) {
    GenerationRequest sized = request;
    const auto pixels = pipeline.inputPixels(sized, inputImage);
    const auto resolved = pipeline.resolve(sized);
    const int tokens = static_cast<int>(pipeline.tokenizePrompt(resolved, false).tokens.size());
    // The unconditional half exists only under guidance; an empty negative prompt has no words to map.
    const bool negative = captureNegative && resolved.guidance > 1.0 && !resolved.negativePrompt.empty();
    const int negativeTokens = negative ? static_cast<int>(pipeline.tokenizePrompt(resolved, true).tokens.size()) : 0;
    DaamTracer tracer(pipeline.crossAttentionLayers(), resolved.height / pipeline.vaeScaleFactor(),
                      resolved.width / pipeline.vaeScaleFactor(), tokens, options, negativeTokens);
    TracedGeneration out;
    out.result = pipeline.generate(resolved, callbacks, &tracer, keepStepLatents, pixels);
    out.session = buildSession(pipeline, out.result, tracer.trace(), tracer.negativeTrace());
    return out;
}

void saveGeneratedSession(const std::string& dir, const Session& session, const SessionExtraFiles& extraFiles) {
    // The folder's name is known only now (a session generated in the app is saved wherever the user says).
    Session named = session;
    if (auto text = generationPngText(session.generation, dir); !text.empty()) named.image.text = std::move(text);
    saveSession(dir, named, extraFiles);
}

} // namespace daam
