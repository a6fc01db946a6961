// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/StableDiffusionPipeline.h"

#include "daam/config/OriginalCheckpoint.h"
#include "daam/io/HubCache.h"
#include "daam/pipeline/ModelTokenizer.h"
#include "daam/sched/NoiseSource.h"
#include "daam/sched/SchedulerFactory.h"
#include "daam/text/ChunkedPrompt.h"
#include "daam/text/PromptSyntax.h"
#include "daam/text/Utf8.h"
#include "daam/trace/HeatMapImage.h"
#include "daam/util/Fingerprint.h"
#include "daam/util/Runtime.h"
#include "daam/util/Version.h"

#include <ATen/record_function.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace daam {

namespace {

// A model's small files and its weight files' names and sizes identify its content cheaply (hashing gigabytes of
// weights at every start-up would not be).
void mixFileText(Fingerprint& f, const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    f.mix(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
}

// A folder: its configs' and tokenizer files' text, the other files' names and sizes.
std::string folderFingerprint(const std::string& folder) {
    Fingerprint f;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied))
        if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        f.mix(fs::relative(file, folder).string());
        if (file.extension() == ".json" || file.extension() == ".txt")
            mixFileText(f, file);
        else
            f.mix(std::to_string(fs::file_size(file)));
    }
    return f.hex();
}

// A single-file checkpoint: its name and size, and its YAML's text.
std::string fingerprintFile(const std::string& path, const std::string& yaml) {
    Fingerprint f;
    f.mix(fs::path(path).filename().string());
    f.mix(std::to_string(fs::file_size(path)));
    if (!yaml.empty()) mixFileText(f, yaml);
    return f.hex();
}

double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

} // namespace

torch::Device parseDevice(const std::string& device) {
    static const std::regex pattern("cpu|cuda(:[0-9]+)?");
    if (!std::regex_match(device, pattern)) throw Error("device must be cpu, cuda or cuda:N (got '" + device + "')");
    torch::Device d(device);
    if (d.is_cuda()) {
        if (!torch::cuda::is_available())
            throw Error("device " + device + ": this LibTorch has no CUDA device available");
        if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count()))
            throw Error("device " + device + ": there are only " + std::to_string(torch::cuda::device_count()) +
                        " CUDA devices");
    }
    return d;
}

std::vector<std::string> availableDevices() {
    std::vector<std::string> devices{"cpu"};
    if (torch::cuda::is_available())
        for (size_t i = 0; i < torch::cuda::device_count(); ++i)
            devices.push_back("cuda:" + std::to_string(i));
    return devices;
}

torch::ScalarType parseDType(const std::string& dtype, const torch::Device& device) {
    if (dtype == "fp32") return torch::kFloat32;
    if (dtype == "bf16") return torch::kBFloat16;
    if (dtype == "fp16") {
        // LibTorch 1.13 has no float16 convolutions on the CPU.
        if (device.is_cpu()) throw Error("dtype fp16 needs a CUDA device; use bf16 or fp32 on the CPU");
        return torch::kFloat16;
    }
    throw Error("dtype must be fp32, fp16 or bf16 (got '" + dtype + "')");
}

std::unique_ptr<StableDiffusionPipeline> StableDiffusionPipeline::load(const std::string& model,
                                                                       const PipelineOptions& options) {
    std::error_code ec;
    if (fs::is_directory(model, ec)) return loadFolder(model, options);
    if (fs::is_regular_file(model, ec)) return loadCheckpoint(model, options);
    if (looksLikeRepoId(model)) return loadFolder(resolveHubModel(model), options);
    throw FileError(model, "no such model: not a diffusers folder, a checkpoint file or a Hugging Face repo id");
}

std::unique_ptr<StableDiffusionPipeline> StableDiffusionPipeline::loadFolder(const std::string& folder,
                                                                             const PipelineOptions& options) {
    std::unique_ptr<StableDiffusionPipeline> p(new StableDiffusionPipeline());
    p->device_ = parseDevice(options.device);
    p->dtype_ = parseDType(options.dtype, p->device_);
    const auto index = ModelIndex::open(folder);
    p->family_ = index.family();
    p->modelPath_ = fs::absolute(folder).string();
    p->pipelineClass_ = index.className();
    for (const char* required : {"tokenizer", "text_encoder", "unet", "vae", "scheduler"})
        if (!index.has(required))
            throw FileError((fs::path(folder) / "model_index.json").string(),
                            std::string("the pipeline has no '") + required + "' component");
    p->tokenizer_ = loadTokenizer(index.componentDir("tokenizer"));
    if (p->family_ == ModelFamily::SDXL) p->tokenizer2_ = loadTokenizer(index.componentDir("tokenizer_2"));

    LoadOptions load;
    load.device = p->device_;
    load.dtype = p->dtype_;
    load.variant = options.variant;
    p->encoder_ = std::make_unique<PromptEncoder>(PromptEncoder::load(index, load));
    p->encoder_->checkTokenizer(index, *p->tokenizer_, 1);
    if (p->tokenizer2_) p->encoder_->checkTokenizer(index, *p->tokenizer2_, 2);
    p->unet_ = loadUNet(index.componentDir("unet"), load);
    p->forceZerosForEmptyPrompt_ = index.forceZerosForEmptyPrompt();
    p->vae_ = loadAutoencoderKL(index.componentDir("vae"), load);

    p->schedulerConfigPath_ = (fs::path(index.componentDir("scheduler")) / "scheduler_config.json").string();
    p->schedulerConfig_ = SchedulerConfig::load(p->schedulerConfigPath_);
    p->fingerprint_ = folderFingerprint(folder);
    p->finishLoading();
    return p;
}

std::unique_ptr<StableDiffusionPipeline> StableDiffusionPipeline::loadCheckpoint(const std::string& path,
                                                                                 const PipelineOptions& options) {
    std::unique_ptr<StableDiffusionPipeline> p(new StableDiffusionPipeline());
    p->device_ = parseDevice(options.device);
    p->dtype_ = parseDType(options.dtype, p->device_);
    const auto checkpoint = OriginalCheckpoint::open(path);
    p->family_ = checkpoint.family();
    p->modelPath_ = fs::absolute(path).string();
    p->pipelineClass_ = p->family_ == ModelFamily::SDXL ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline";

    LoadOptions load;
    load.device = p->device_;
    load.dtype = p->dtype_;
    const auto& encoders = checkpoint.textEncoders();
    std::vector<CLIPTextModel> models;
    for (const auto& te : encoders) {
        models.push_back(loadCLIPTextModel(te.config, te.weights, te.configLabel, load));
    }
    p->encoder_ = std::make_unique<PromptEncoder>(p->family_, models.at(0),
                                                  models.size() > 1 ? models[1] : CLIPTextModel(nullptr));
    for (size_t k = 0; k < encoders.size(); ++k) {
        const auto& te = encoders[k];
        auto tokenizer = loadCheckpointTokenizer(te.tokenizerDir, te.padWithZero);
        const std::string vocab =
            te.tokenizerDir.empty() ? std::string("the standard CLIP vocabulary") : te.tokenizerDir + "/vocab.json";
        p->encoder_->checkTokenizer(*tokenizer, int(k) + 1, vocab, te.configLabel);
        p->encoder_->setHiddenState(int(k) + 1, te.hidden);
        (k == 0 ? p->tokenizer_ : p->tokenizer2_) = std::move(tokenizer);
    }
    const auto& label = checkpoint.configLabel();
    p->unet_ = loadUNet(UNet2DConditionConfig::fromJson(checkpoint.unetConfig(), label), checkpoint.unetWeights(),
                        label, load);
    p->vae_ = loadAutoencoderKL(AutoencoderKLConfig::fromJson(checkpoint.vaeConfig(), label), checkpoint.vaeWeights(),
                                label, load);
    p->schedulerConfigPath_ = label;
    p->schedulerConfig_ = SchedulerConfig::fromJson(checkpoint.schedulerConfig(), label);
    p->fingerprint_ = fingerprintFile(path, checkpoint.yamlPath());
    p->finishLoading();
    return p;
}

PromptEmbeddings StableDiffusionPipeline::encodePrompt(const std::string& text) const {
    torch::NoGradGuard noGrad;
    auto idsOf = [&](const Tokenizer& t) {
        return torch::tensor(t.encode(text).ids, torch::kInt64).unsqueeze(0).to(device_);
    };
    auto out = encoder_->encode(idsOf(*tokenizer_), tokenizer2_ ? idsOf(*tokenizer2_) : torch::Tensor());
    out.hidden = out.hidden.to(torch::kCPU, torch::kFloat32);
    if (out.pooled.defined()) out.pooled = out.pooled.to(torch::kCPU, torch::kFloat32);
    return out;
}

void StableDiffusionPipeline::finishLoading() {
    defaultScheduler_ = schedulerConfig_.className;
    makeScheduler(defaultScheduler_, schedulerConfig_); // fail now, naming the file, if it is unknown

    // diffusers upcasts a force_upcast VAE for float16 decodes, whose activations overflow otherwise.
    vaeDtype_ = dtype_ == torch::kFloat16 && vae_->config().forceUpcast ? torch::kFloat32 : dtype_;
    if (vaeDtype_ != dtype_) vae_->to(vaeDtype_);
    // diffusers: vae_scale_factor = 2 ** (len(vae.config.block_out_channels) - 1)
    vaeScaleFactor_ = 1 << (static_cast<int>(vae_->config().blockOutChannels.size()) - 1);
    const int latentChannels = static_cast<int>(vae_->config().latentChannels);
    const double scaling = vae_->scalingFactor();
    auto* vae = &vae_;
    const auto device = device_;
    const auto dtype = vaeDtype_;
    preview_ = LatentPreview::fit(
        [vae, scaling, device, dtype](const torch::Tensor& z) {
            auto image = (*vae)->decode((z / scaling).to(device, dtype));
            return (image.to(torch::kFloat32) / 2 + 0.5).clamp(0, 1);
        },
        latentChannels, vaeScaleFactor_);
    releaseFreedMemory(); // the modules' initial parameters, now replaced by views of the files
}

int StableDiffusionPipeline::defaultImageSize() const {
    return static_cast<int>(unet_->config().sampleSize) * vaeScaleFactor_;
}

GenerationRequest StableDiffusionPipeline::resolve(const GenerationRequest& request) const {
    GenerationRequest r = request;
    r.validate();
    if (r.width == 0) r.width = defaultImageSize();
    if (r.height == 0) r.height = defaultImageSize();
    if (r.width % vaeScaleFactor_ != 0 || r.height % vaeScaleFactor_ != 0)
        throw Error("width and height must be multiples of " + std::to_string(vaeScaleFactor_) +
                    " (the VAE's scale factor); got " + std::to_string(r.width) + "x" + std::to_string(r.height));
    if (r.width < 8 * vaeScaleFactor_ || r.height < 8 * vaeScaleFactor_)
        throw Error("width and height must be at least " + std::to_string(8 * vaeScaleFactor_) + " pixels");
    if (r.scheduler.empty()) r.scheduler = defaultScheduler_;
    if (family_ == ModelFamily::SDXL) {
        // diffusers' defaults: original and target size the image's, no crop.
        if (r.originalWidth == 0) r.originalWidth = r.width;
        if (r.originalHeight == 0) r.originalHeight = r.height;
        if (r.targetWidth == 0) r.targetWidth = r.width;
        if (r.targetHeight == 0) r.targetHeight = r.height;
    } else if (r.originalWidth || r.originalHeight || r.cropTop || r.cropLeft || r.targetWidth || r.targetHeight) {
        throw Error("original size, crop and target size are SDXL's conditioning; this is an " +
                    std::string(toString(family_)) + " model");
    }
    // Throws for unknown names (listing the valid ones) and for step counts the schedule does not have.
    const auto scheduler = makeScheduler(r.scheduler, schedulerConfig_);
    scheduler->setTimesteps(r.steps);
    // DDIM, PNDM and DPM-Solver index the noise schedule by timestep: steps close to num_train_timesteps with a
    // steps_offset would run past its end at the first UNet call.
    if (scheduler->timestepDtype() == torch::kInt64)
        for (double t : scheduler->timesteps())
            if (t < 0 || t >= schedulerConfig_.numTrainTimesteps)
                throw Error(std::to_string(r.steps) + " steps of " + scheduler->className() + " reach timestep " +
                            std::to_string(int64_t(t)) + ", outside the noise schedule's " +
                            std::to_string(schedulerConfig_.numTrainTimesteps) + " (steps_offset " +
                            std::to_string(schedulerConfig_.stepsOffset) + " in " + schedulerConfigPath_ +
                            "); use fewer steps");
    if (r.device != (device_.is_cpu() ? std::string("cpu") : r.device) || parseDType(r.dtype, device_) != dtype_) {
        // The model was loaded for one device and dtype; a request for another is a different pipeline.
        r.device = device_.str();
        r.dtype = dtype_ == torch::kFloat32 ? "fp32" : dtype_ == torch::kBFloat16 ? "bf16" : "fp16";
    }
    return r;
}

TokenizedPrompt StableDiffusionPipeline::tokenizePrompt(const GenerationRequest& request, bool negative) const {
    const auto& text = negative ? request.negativePrompt : request.prompt;
    if (request.promptSyntax == "a1111") {
        if (tokenizer2_ &&
            (tokenizer2_->maxLength() != tokenizer_->maxLength() || tokenizer2_->startId() != tokenizer_->startId() ||
             tokenizer2_->endId() != tokenizer_->endId()))
            throw Error("A1111's prompt syntax needs the two tokenizers to share their vocabulary, as SDXL's do");
        return encodeA1111Prompt(*tokenizer_, text);
    }
    return tokenize(*tokenizer_, text, negative ? "negative prompt" : "prompt");
}

TokenizedPrompt StableDiffusionPipeline::tokenize(const Tokenizer& tokenizer, const std::string& text,
                                                  const std::string& what) const {
    auto tokenized = tokenizer.encode(text);
    if (!tokenized.truncated) return tokenized;
    // The text encoder never sees the dropped tokens, so their words would have no heat maps: refuse rather
    // than silently generate from part of the prompt (diffusers only logs a warning).
    const auto& lastKept = tokenized.tokens[tokenized.tokens.size() - 2]; // the end token comes last
    auto dropped = utf8::decode(text).substr(static_cast<size_t>(lastKept.end));
    while (!dropped.empty() && utf8::isSpace(dropped.front()))
        dropped.erase(dropped.begin());
    while (!dropped.empty() && utf8::isSpace(dropped.back()))
        dropped.pop_back();
    if (dropped.size() > 40) dropped = dropped.substr(0, 40) + U"\u2026";
    throw Error("the " + what + " has " + std::to_string(tokenized.promptTokens) +
                " tokens; this model's text encoder reads at most " + std::to_string(tokenizer.promptCapacity()) +
                ", so it would lose \"" + utf8::encode(dropped) + "\". Shorten the " + what + ".");
}

torch::Tensor pngToPixels(const PngImage& image) {
    auto pixels = imageToTensor(image); // uint8 [H, W, C]
    if (image.channels <= 2)
        pixels = pixels.narrow(2, 0, 1).repeat({1, 1, 3});
    else
        pixels = pixels.narrow(2, 0, 3);
    return pixels.permute({2, 0, 1}).to(torch::kFloat32) / 255;
}

namespace {

// The input image at the request's size. diffusers resizes with PIL's Lanczos filter; this is an antialiased
// bicubic resize, so only an image already at the size gives diffusers' numbers.
torch::Tensor pixelsAtSize(const torch::Tensor& pixels, int height, int width) {
    if (pixels.size(1) == height && pixels.size(2) == width) return pixels;
    return torch::nn::functional::interpolate(pixels.unsqueeze(0), torch::nn::functional::InterpolateFuncOptions()
                                                                       .size(std::vector<int64_t>{height, width})
                                                                       .mode(torch::kBicubic)
                                                                       .align_corners(false)
                                                                       .antialias(true))
        .squeeze(0)
        .clamp(0, 1);
}

} // namespace

torch::Tensor StableDiffusionPipeline::inputPixels(GenerationRequest& request, const torch::Tensor& inputImage) const {
    if (request.initImage.empty()) return {};
    auto pixels = inputImage.defined() ? inputImage : pngToPixels(readPng(request.initImage));
    if (pixels.dim() != 3 || pixels.size(0) != 3 || !pixels.is_floating_point())
        throw Error("the input image must be float RGB pixels [3, H, W]");
    // diffusers' default size: the image's, down to a multiple of the VAE's scale factor.
    if (request.width == 0) request.width = static_cast<int>(pixels.size(2) - pixels.size(2) % vaeScaleFactor_);
    if (request.height == 0) request.height = static_cast<int>(pixels.size(1) - pixels.size(1) % vaeScaleFactor_);
    return pixels;
}

int StableDiffusionPipeline::startCall(const GenerationRequest& r, const Scheduler& scheduler) const {
    if (r.initImage.empty()) return 0;
    const int calls = scheduler.numCalls();
    int start = 0;
    if (r.startTimestep >= 0) {
        // Explaining an image: the first call at or below the chosen noise level.
        start = calls;
        for (int c = 0; c < calls; ++c)
            if (scheduler.timesteps()[c] <= r.startTimestep) {
                start = c;
                break;
            }
        if (start == calls)
            throw Error("no step of " + std::to_string(r.steps) + " steps of " + scheduler.className() +
                        " is at or below timestep " + std::to_string(r.startTimestep) + " (the last is " +
                        std::to_string(int64_t(scheduler.timesteps().back())) + ")");
    } else {
        // diffusers' get_timesteps (every scheduler here has order 1).
        const int initTimestep = std::min(static_cast<int>(r.steps * r.strength), r.steps);
        start = std::max(r.steps - initTimestep, 0);
        if (start >= calls)
            throw Error("strength " + std::to_string(r.strength) + " of " + std::to_string(r.steps) +
                        " steps runs no step; raise the strength or the steps");
    }
    return start;
}

GenerationResult StableDiffusionPipeline::generate(const GenerationRequest& request, GenerationCallbacks* callbacks,
                                                   AttentionObserver* observer, bool keepStepLatents,
                                                   const torch::Tensor& inputImage) {
    torch::NoGradGuard noGrad;
    const auto start = std::chrono::steady_clock::now();
    GenerationResult result;
    GenerationRequest sized = request;
    const auto pixels = inputPixels(sized, inputImage);
    result.request = resolve(sized);
    const auto& r = result.request;
    const bool guided = r.guidance > 1.0; // diffusers: do_classifier_free_guidance = guidance_scale > 1

    // Text: cond and uncond embeddings, [1, 77, D] each (A1111's syntax: [1, windows x 77, D]).
    auto idsOf = [](const std::vector<int64_t>& ids) { return torch::tensor(ids, torch::kInt64).unsqueeze(0); };
    result.prompt = tokenizePrompt(r, false);
    result.negative = tokenizePrompt(r, true);
    if (!r.promptSyntax.empty() && guided) {
        // The two halves are batched: the shorter gets A1111's empty windows.
        const int windows = std::max(result.prompt.chunks, result.negative.chunks);
        padToChunks(result.prompt, *tokenizer_, windows);
        padToChunks(result.negative, *tokenizer_, windows);
    }
    // tokenizer_2 (SDXL) differs from the first in its pad token only.
    auto secondIds = [&](const TokenizedPrompt& t, const std::string& text) {
        if (r.promptSyntax.empty()) return tokenizer2_->encode(text).ids;
        auto ids = t.ids;
        const auto window = static_cast<size_t>(tokenizer_->maxLength());
        for (size_t w = 0; w < ids.size(); w += window) {
            std::vector<int64_t> one(ids.begin() + long(w), ids.begin() + long(w + window));
            padChunkForEncoder(one, tokenizer2_->endId(), tokenizer2_->padId());
            std::copy(one.begin(), one.end(), ids.begin() + long(w));
        }
        return ids;
    };
    torch::Tensor cond, uncond, pooledCond, pooledUncond;
    {
        RECORD_USER_SCOPE("stage: text encoders"); // the profile's stages (OpProfile.h)
        torch::Tensor ids = idsOf(result.prompt.ids).to(device_), negIds = idsOf(result.negative.ids).to(device_);
        torch::Tensor ids2, negIds2;
        if (tokenizer2_) {
            ids2 = idsOf(secondIds(result.prompt, r.prompt)).to(device_);
            negIds2 = idsOf(secondIds(result.negative, r.negativePrompt)).to(device_);
        }
        const auto c = encoder_->encode(ids, ids2, result.prompt.weights);
        cond = c.hidden;
        pooledCond = c.pooled;
        if (family_ == ModelFamily::SDXL && r.negativePrompt.empty() && forceZerosForEmptyPrompt_) {
            // StableDiffusionXLPipeline: force_zeros_for_empty_prompt.
            uncond = torch::zeros_like(cond);
            if (pooledCond.defined()) pooledUncond = torch::zeros_like(pooledCond);
        } else {
            const auto u = encoder_->encode(negIds, negIds2, result.negative.weights);
            uncond = u.hidden;
            pooledUncond = u.pooled;
        }
        // Where the text encoders are views of their files (SD 1.5's in fp32: 0.49 GB), they leave memory until the
        // next prompt: they would otherwise stay resident beside the UNet for the whole generation.
        releaseCleanWeightPages(*encoder_->textEncoder());
        if (encoder_->textEncoder2()) releaseCleanWeightPages(*encoder_->textEncoder2());
    }
    result.textCond = cond.to(torch::kCPU, torch::kFloat32);
    result.textUncond = uncond.to(torch::kCPU, torch::kFloat32);
    const auto text = guided ? torch::cat({uncond, cond}) : cond;
    AddedCond added;
    if (family_ == ModelFamily::SDXL) {
        // time_ids = (original size, crop top-left, target size), each (height, width) / (top, left).
        auto timeIds = torch::tensor({double(r.originalHeight), double(r.originalWidth), double(r.cropTop),
                                      double(r.cropLeft), double(r.targetHeight), double(r.targetWidth)},
                                     torch::TensorOptions().dtype(dtype_).device(device_))
                           .unsqueeze(0);
        added.textEmbeds = guided ? torch::cat({pooledUncond, pooledCond}) : pooledCond;
        added.timeIds = guided ? timeIds.repeat({2, 1}) : timeIds;
    }

    // Noise, drawn on the CPU in float32 exactly as torch.randn(shape, generator=Generator('cpu').manual_seed(seed)).
    auto scheduler = makeScheduler(r.scheduler, schedulerConfig_);
    result.schedulerClass = scheduler->className();
    scheduler->setEta(r.eta);
    scheduler->setTimesteps(r.steps);
    const int firstCall = startCall(r, *scheduler);
    result.timesteps.assign(scheduler->timesteps().begin() + firstCall, scheduler->timesteps().end());
    NoiseSource noise(r.seed);
    const int64_t latentChannels = unet_->config().inChannels;
    const std::vector<int64_t> latentShape{1, latentChannels, r.height / vaeScaleFactor_, r.width / vaeScaleFactor_};
    torch::Tensor latents;
    if (pixels.defined()) {
        // diffusers' prepare_latents: the VAE's sample of the image, then the noise, from one generator.
        result.inputImage = pixelsAtSize(pixels.to(torch::kFloat32), r.height, r.width);
        LatentDistribution moments;
        {
            // As the decode below: the kept heap would grow past its holes for the encoder's large maps.
            const LargeBlocksFromTheOs largeBlocks;
            RECORD_USER_SCOPE("stage: VAE encode");
            moments = vae_->encode((result.inputImage * 2 - 1).unsqueeze(0).to(device_, vaeDtype_));
        }
        if (moments.mean.sizes() != c10::IntArrayRef(latentShape))
            throw Error("the VAE encodes a " + std::to_string(r.width) + "x" + std::to_string(r.height) +
                        " image to latents of another shape than the UNet reads");
        const auto sample = noise.randn(latentShape).to(moments.mean.device(), moments.mean.scalar_type());
        const auto imageLatents = (moments.mean + torch::exp(0.5 * moments.logvar) * sample) * vae_->scalingFactor();
        result.imageLatents = imageLatents.to(torch::kCPU, torch::kFloat32);
        result.initialNoise = noise.randn(latentShape);
        latents =
            scheduler->addNoise(imageLatents.to(device_, dtype_), result.initialNoise.to(device_, dtype_), firstCall);
    } else {
        result.initialNoise = noise.randn(latentShape);
        latents = (result.initialNoise * scheduler->initNoiseSigma()).to(device_, dtype_);
    }

    const int calls = scheduler->numCalls();
    for (int c = firstCall; c < calls; ++c) {
        if (callbacks && callbacks->cancelRequested()) throw GenerationCancelled();
        auto input = guided ? torch::cat({latents, latents}) : latents;
        input = scheduler->scaleModelInput(input, c);
        AttentionCall call;
        call.observer = observer;
        call.step = c - firstCall;
        call.condBegin = guided ? 1 : 0;
        call.condCount = 1;
        torch::Tensor eps;
        {
            RECORD_USER_SCOPE("stage: UNet call");
            eps = unet_->forward(input, scheduler->timestepTensor(c).to(device_), text,
                                 family_ == ModelFamily::SDXL ? &added : nullptr, observer ? &call : nullptr);
        }
        if (guided) {
            auto parts = eps.chunk(2);
            eps = parts[0] + r.guidance * (parts[1] - parts[0]);
        }
        latents = scheduler->step(eps, c, latents, &noise);
        if (keepStepLatents) result.stepLatents.push_back(latents.to(torch::kCPU, torch::kFloat32));
        if (callbacks) {
            StepProgress progress;
            progress.call = c - firstCall + 1;
            progress.calls = calls - firstCall;
            progress.timestep = scheduler->timesteps()[c];
            progress.elapsedSeconds = seconds(start);
            progress.preview = preview_.toRgb(latents);
            callbacks->onStep(progress);
        }
    }
    result.finalLatents = latents.to(torch::kCPU, torch::kFloat32);
    torch::Tensor image;
    {
        // The decoder's large maps change size from block to block, and a kept heap grows past its holes for
        // them: the peak of an SD 1.5-shaped fp32 generation at 512x512 was 8.58 GB, 6.84 GB with this.
        // The UNet's activations are freed by now, and the kept heap would hold them beside the decoder's maps
        // (SD 1.5 in fp32: 0.8 GB), as would the UNet's weights that are views of its file (1.1 GB); the next
        // generation's first UNet call maps both again (about 0.1 s).
        releaseFreedMemory();
        releaseCleanWeightPages(*unet_);
        const LargeBlocksFromTheOs largeBlocks;
        RECORD_USER_SCOPE("stage: VAE decode");
        image = vae_->decode((latents / vae_->scalingFactor()).to(vaeDtype_));
    }
    result.image = (image.to(torch::kCPU, torch::kFloat32)[0] / 2 + 0.5).clamp(0, 1);
    result.seconds = seconds(start);
    return result;
}

nlohmann::json StableDiffusionPipeline::record(const GenerationResult& result) const {
    nlohmann::json j;
    j["format"] = "daam-studio-generation";
    j["request"] = result.request.toJson();
    j["model"] = {{"path", modelPath_},
                  {"name", fs::path(modelPath_).filename().string()},
                  {"pipeline", pipelineClass_},
                  {"family", toString(family_)},
                  {"fingerprint", fingerprint_},
                  {"default_image_size", defaultImageSize()},
                  {"vae_scale_factor", vaeScaleFactor_}};
    j["scheduler"] = {{"class", result.schedulerClass}, {"config", schedulerConfigPath_}};
    j["timesteps"] = result.timesteps;
    j["unet_calls"] = result.timesteps.size();
    j["image"] = {{"width", result.request.width}, {"height", result.request.height}};
    j["seconds"] = result.seconds;
    std::ostringstream torchVersion;
    torchVersion << TORCH_VERSION_MAJOR << "." << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH;
    j["versions"] = {{"daam_studio", studioVersion()}, {"libtorch", torchVersion.str()}};
    return j;
}

} // namespace daam
