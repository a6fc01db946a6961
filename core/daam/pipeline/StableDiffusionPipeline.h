// SPDX-License-Identifier: GPL-3.0-or-later
// Text-to-image generation as diffusers' StableDiffusionPipeline / StableDiffusionXLPipeline do it, with
// the same numbers: the tokenizer(s) and text encoder(s), classifier-free guidance over a [uncond, cond]
// batch, the scheduler loop indexed by UNet call, and the VAE decoder. Every UNet call can report its
// cross-attention probabilities to an observer (the DAAM tracer), and a per-step callback gets progress
// and a preview and may cancel.
#pragma once

#include "daam/config/ModelIndex.h"
#include "daam/io/PngImage.h"
#include "daam/nn/AttentionObserver.h"
#include "daam/nn/AutoencoderKL.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/pipeline/GenerationRequest.h"
#include "daam/pipeline/LatentPreview.h"
#include "daam/pipeline/PromptEncoder.h"
#include "daam/sched/SchedulerConfig.h"
#include "daam/text/Tokenizer.h"
#include "daam/util/Error.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace daam {

class Scheduler;

struct PipelineOptions {
    std::string device = "cpu"; // cpu, cuda, cuda:N
    std::string dtype = "fp32"; // fp32, fp16, bf16
    std::string variant;        // diffusers folders: weights files <base>.<variant>.safetensors ("fp16")
};

struct StepProgress {
    int call = 0;        // UNet calls done (1-based after the call)
    int calls = 0;       // UNet calls in all (PNDM: steps + 1)
    double timestep = 0; // the call's timestep
    double elapsedSeconds = 0;
    torch::Tensor preview; // uint8 [h, w, 3] at latent resolution (approximate colours)
};

class GenerationCallbacks {
public:
    virtual ~GenerationCallbacks() = default;
    virtual void onStep(const StepProgress& progress) {}
    // Polled before every UNet call: returning true stops the generation (GenerationCancelled).
    virtual bool cancelRequested() { return false; }
};

class GenerationCancelled : public Error {
public:
    GenerationCancelled() : Error("generation cancelled") {}
};

struct GenerationResult {
    GenerationRequest request; // as run: size, scheduler and steps filled in
    TokenizedPrompt prompt;    // the prompt as the (first) tokenizer split it
    TokenizedPrompt negative;
    torch::Tensor textCond, textUncond;     // [1, 77, D] float32 CPU (uncond: zeros for SDXL without negative)
    torch::Tensor initialNoise;             // the drawn noise [1, C, h, w], before init_noise_sigma / add_noise
    torch::Tensor inputImage;               // image-to-image: the input as run, float32 [3, H, W] in [0, 1]
    torch::Tensor imageLatents;             // image-to-image: the VAE's sample of it, scaled, before the noise
    std::vector<torch::Tensor> stepLatents; // after each scheduler step (only when asked for)
    torch::Tensor finalLatents;
    torch::Tensor image;           // float32 [3, H, W] in [0, 1]
    std::vector<double> timesteps; // one per UNet call run (image-to-image: from where it started)
    std::string schedulerClass;
    double seconds = 0;
};

class StableDiffusionPipeline {
public:
    // Loads a model: a diffusers pipeline folder, a single-file checkpoint (the original layout, with its YAML
    // beside it when it has one) or a Hugging Face repo id (org/name) found in the local hub cache. Throws FileError
    // naming the file and the problem.
    static std::unique_ptr<StableDiffusionPipeline> load(const std::string& model, const PipelineOptions& options = {});
    static std::unique_ptr<StableDiffusionPipeline> loadFolder(const std::string& folder,
                                                               const PipelineOptions& options = {});
    static std::unique_ptr<StableDiffusionPipeline> loadCheckpoint(const std::string& path,
                                                                   const PipelineOptions& options = {});

    // The UNet's conditioning for `text` as generate() computes it (SDXL: with the pooled embedding).
    PromptEmbeddings encodePrompt(const std::string& text) const;

    // Runs `request` (validated against the model first: throws Error naming the field). Image-to-image takes
    // `inputImage` (float32 [3, H, W] in [0, 1], any size: it is resized to the request's) or, when that is
    // undefined, reads the PNG that request.initImage names.
    GenerationResult generate(const GenerationRequest& request, GenerationCallbacks* callbacks = nullptr,
                              AttentionObserver* observer = nullptr, bool keepStepLatents = false,
                              const torch::Tensor& inputImage = {});

    // The absolute path of the folder or file the model was loaded from.
    const std::string& modelPath() const { return modelPath_; }
    // What the model is made of (see StableDiffusionPipeline.cpp): equal for copies of one model wherever they lie.
    const std::string& fingerprint() const { return fingerprint_; }
    ModelFamily family() const { return family_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    // The pipeline's default image side: sample_size x VAE scale factor (512 for SD 1.5).
    int defaultImageSize() const;
    int vaeScaleFactor() const { return vaeScaleFactor_; }
    const std::string& defaultScheduler() const { return defaultScheduler_; }
    const std::vector<CrossAttentionLayer>& crossAttentionLayers() const { return unet_->crossAttentionLayers(); }
    UNet2DConditionModel& unet() { return unet_; }
    AutoencoderKL& vae() { return vae_; }
    torch::Device device() const { return device_; }
    torch::ScalarType dtype() const { return dtype_; }

    // The record generation.json holds: the request as run, the model, the timesteps, versions.
    nlohmann::json record(const GenerationResult& result) const;
    // The prompt (or, `negative`, the negative prompt) of `request` as generate() tokenizes it for the first text
    // encoder: plain, or in A1111's windows. Throws Error for a plain prompt past the window and for A1111 syntax
    // the tokenizer cannot take.
    TokenizedPrompt tokenizePrompt(const GenerationRequest& request, bool negative) const;
    // Image-to-image: the input image's pixels (`inputImage`, or the PNG that request.initImage names, read here)
    // and `request`'s width and height taken from them where they are 0. Undefined for text-to-image.
    torch::Tensor inputPixels(GenerationRequest& request, const torch::Tensor& inputImage = {}) const;
    // The resolved request: defaults filled in, checked against this model.
    GenerationRequest resolve(const GenerationRequest& request) const;

private:
    StableDiffusionPipeline() = default;
    // Throws daam::Error when `text` (named `what` in the message) has more tokens than the text encoder reads.
    TokenizedPrompt tokenize(const Tokenizer& tokenizer, const std::string& text, const std::string& what) const;

    // The first UNet call of `r` on `scheduler`'s timesteps: 0, or where image-to-image starts. Throws Error when
    // the strength or start timestep leaves no call to run.
    int startCall(const GenerationRequest& r, const Scheduler& scheduler) const;
    // Scheduler, VAE scale factor and preview, once the modules are loaded.
    void finishLoading();

    std::string modelPath_;
    std::string pipelineClass_;
    ModelFamily family_ = ModelFamily::SD1;
    std::unique_ptr<Tokenizer> tokenizer_, tokenizer2_;
    std::unique_ptr<PromptEncoder> encoder_;
    UNet2DConditionModel unet_{nullptr};
    AutoencoderKL vae_{nullptr};
    SchedulerConfig schedulerConfig_;
    std::string defaultScheduler_;
    std::string schedulerConfigPath_;
    int vaeScaleFactor_ = 8;
    torch::Device device_ = torch::kCPU;
    torch::ScalarType dtype_ = torch::kFloat32;
    torch::ScalarType vaeDtype_ = torch::kFloat32;
    bool forceZerosForEmptyPrompt_ = true;
    LatentPreview preview_;
    std::string fingerprint_;
};

// A PNG as the pipeline's input image: float32 [3, H, W] in [0, 1]; grey is repeated and alpha dropped, as PIL's
// convert("RGB") does.
torch::Tensor pngToPixels(const PngImage& image);

// "cpu" / "cuda" / "cuda:1" and "fp32" / "fp16" / "bf16", checked (Error names what is wrong, e.g. no CUDA).
torch::Device parseDevice(const std::string& device);
torch::ScalarType parseDType(const std::string& dtype, const torch::Device& device);

// The devices this LibTorch can generate on, as parseDevice takes them: "cpu", then "cuda:0", "cuda:1", ... for each
// CUDA device it finds. Asking starts CUDA's driver in a CUDA build, which can take seconds: not on a GUI thread.
std::vector<std::string> availableDevices();

} // namespace daam
