// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/DemoTrainer.h"

#include "daam/builtin/GroundingLoss.h"

#include "daam/builtin/ShapeTokenizer.h"
#include "daam/builtin/ShapeWorld.h"
#include "daam/config/AutoencoderKLConfig.h"
#include "daam/config/CLIPTextConfig.h"
#include "daam/config/UNet2DConditionConfig.h"
#include "daam/io/Safetensors.h"
#include "daam/nn/AutoencoderKL.h"
#include "daam/nn/CLIPTextModel.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/text/Tokenizer.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace daam::builtin {
namespace {

constexpr int kImageSide = 64;
constexpr int kMaxTokens = 32; // the longest three-object caption is about 27 tokens with start and end
constexpr int kLogEvery = 50;  // steps per loss-log line

// Stable Diffusion's training noise schedule, so that the built-in model runs with SD's schedulers as
// configured for SD 1.x.
constexpr double kBetaStart = 0.00085, kBetaEnd = 0.012;
constexpr int kTrainTimesteps = 1000;

// Every step's randomness comes from (seed, phase, step) alone, so a resumed run draws what an
// uninterrupted one would have drawn.
void seedStep(uint64_t seed, int phase, int step) {
    torch::manual_seed(
        splitMix64(seed ^ splitMix64(static_cast<uint64_t>(phase) * 1000003ULL + static_cast<uint64_t>(step))) >> 1);
}

int normGroups(const std::vector<int>& channels) {
    for (int g : {32, 16, 8, 4})
        if (std::all_of(channels.begin(), channels.end(), [g](int c) { return c % g == 0; })) return g;
    return 1;
}

nlohmann::json textEncoderConfig(int64_t vocabSize, int width, int layers) {
    return {{"architectures", {"CLIPTextModel"}},
            {"hidden_act", "quick_gelu"},
            {"hidden_size", width},
            {"intermediate_size", 4 * width},
            {"layer_norm_eps", 1e-5},
            {"max_position_embeddings", kMaxTokens},
            {"model_type", "clip_text_model"},
            {"num_attention_heads", width / 16},
            {"num_hidden_layers", layers},
            {"projection_dim", width},
            {"bos_token_id", 1},
            {"eos_token_id", 2},
            {"pad_token_id", 3},
            {"vocab_size", vocabSize}};
}

// The diffusers mid_block_type of train-demo's --unet-mid-block.
nlohmann::json midBlockType(const std::string& kind) {
    if (kind == "cross") return "UNetMidBlock2DCrossAttn";
    if (kind == "resnet") return "UNetMidBlock2D";
    if (kind == "none") return nullptr;
    throw Error("train-demo: the UNet's mid block must be cross, resnet or none, not '" + kind + "'");
}

nlohmann::json unetConfig(const std::vector<int>& channels, const std::vector<bool>& crossAttention,
                          const std::vector<bool>& upCrossAttention, const std::vector<bool>& onlyCrossAttention,
                          int layersPerBlock, const std::string& midBlock, int latentFactor, int heads, int textWidth) {
    std::vector<std::string> down, up;
    for (size_t i = 0; i < crossAttention.size(); ++i) {
        down.push_back(crossAttention[i] ? "CrossAttnDownBlock2D" : "DownBlock2D");
        const bool upCross = upCrossAttention.empty() ? crossAttention[i] : upCrossAttention[i];
        up.insert(up.begin(), upCross ? "CrossAttnUpBlock2D" : "UpBlock2D");
    }
    return {{"_class_name", "UNet2DConditionModel"},
            {"act_fn", "silu"},
            {"attention_head_dim", heads},
            {"block_out_channels", channels},
            {"cross_attention_dim", textWidth},
            {"down_block_types", down},
            {"downsample_padding", 1},
            {"flip_sin_to_cos", true},
            {"freq_shift", 0},
            {"in_channels", 4},
            {"layers_per_block", layersPerBlock},
            {"mid_block_scale_factor", 1},
            {"mid_block_type", midBlockType(midBlock)},
            {"norm_eps", 1e-5},
            {"norm_num_groups", normGroups(channels)},
            {"out_channels", 4},
            {"sample_size", kImageSide / latentFactor},
            {"up_block_types", up},
            {"only_cross_attention",
             onlyCrossAttention.empty() ? nlohmann::json(false) : nlohmann::json(onlyCrossAttention)}};
}

// One block per halving of the side plus one: three blocks for a factor of 4 (16x16x4 latents). At a factor of
// 1 the one block works at the image's own size, so it stays 32 wide and its mid blocks have no self-attention
// (4096 positions: one training step of that attention took minutes).
nlohmann::json vaeConfig(double scalingFactor, int latentFactor) {
    int blocks = 1;
    for (int f = latentFactor; f > 1; f /= 2)
        ++blocks;
    std::vector<int> channels(blocks, 32);
    if (blocks > 1) channels.back() = 64;
    return {{"_class_name", "AutoencoderKL"},
            {"mid_block_add_attention", latentFactor > 1},
            {"act_fn", "silu"},
            {"block_out_channels", channels},
            {"down_block_types", std::vector<std::string>(blocks, "DownEncoderBlock2D")},
            {"in_channels", 3},
            {"latent_channels", 4},
            {"layers_per_block", 1},
            {"norm_num_groups", 32},
            {"out_channels", 3},
            {"sample_size", kImageSide},
            {"scaling_factor", scalingFactor},
            {"up_block_types", std::vector<std::string>(blocks, "UpDecoderBlock2D")}};
}

// DPM-Solver++ 2M: the best images in 20 steps among the schedulers the engine has. The other schedulers the app
// offers are built from this config too, so it also carries Stable Diffusion's values for their fields: diffusers'
// DDIM otherwise clips each predicted sample to [-1, 1] (these latents have unit spread, so most images broke), and
// PNDM otherwise asks for its Runge-Kutta warm-up, which Stable Diffusion skips and the engine does not have.
nlohmann::json schedulerConfig() {
    return {{"_class_name", "DPMSolverMultistepScheduler"},
            {"algorithm_type", "dpmsolver++"},
            {"beta_end", kBetaEnd},
            {"beta_schedule", "scaled_linear"},
            {"beta_start", kBetaStart},
            {"clip_sample", false},
            {"lower_order_final", true},
            {"num_train_timesteps", kTrainTimesteps},
            {"prediction_type", "epsilon"},
            {"set_alpha_to_one", false},
            {"skip_prk_steps", true},
            {"solver_order", 2},
            {"solver_type", "midpoint"},
            {"steps_offset", 1},
            {"timestep_spacing", "leading"}};
}

torch::Tensor alphasCumprod() {
    auto betas = torch::linspace(std::sqrt(kBetaStart), std::sqrt(kBetaEnd), kTrainTimesteps, torch::kFloat64).pow(2);
    return torch::cumprod(1 - betas, 0).to(torch::kFloat32);
}

// torch::save of an optimizer, through a temporary file so a checkpoint is never half-written.
template <typename T> void saveArchive(const T& object, const fs::path& path) {
    const auto tmp = path.string() + ".tmp";
    torch::save(object, tmp);
    fs::rename(tmp, path);
}

// The optimizer's state of parameter `p`, or null before its first step. LibTorch 1.13 keys the states by
// the TensorImpl's address printed as a string, 2.x by the address itself.
template <typename States>
const torch::optim::OptimizerParamState* stateOf(const States& states, const torch::Tensor& p) {
    typename States::const_iterator it;
    if constexpr (std::is_same_v<typename States::key_type, std::string>) {
        std::ostringstream key;
        key << p.unsafeGetTensorImpl();
        it = states.find(key.str());
    } else {
        it = states.find(p.unsafeGetTensorImpl());
    }
    return it == states.end() ? nullptr : it->second.get();
}

// Loads a checkpoint's AdamW state onto `device` and checks that every state fits its parameter: LibTorch
// 2.11 reads an archive that 1.13 wrote without complaint but pairs its states with other parameters, and
// the first step then fails deep inside the optimizer.
void loadOptimizer(torch::optim::AdamW& optimizer, const fs::path& path, const torch::Device& device) {
    try {
        torch::load(optimizer, path.string(), device);
    } catch (const c10::Error& e) {
        throw FileError(path.string(), std::string("unreadable optimizer state: ") + e.what_without_backtrace());
    }
    for (const auto& group : optimizer.param_groups())
        for (const auto& p : group.params()) {
            const auto* state = stateOf(optimizer.state(), p);
            if (state && static_cast<const torch::optim::AdamWParamState*>(state)->exp_avg().sizes() != p.sizes())
                throw FileError(path.string(), "the optimizer state does not fit the model's parameters (written by "
                                               "another LibTorch version, or taken from another run); train into "
                                               "another --out");
        }
}

// Copies tensors named `prefix + name` from `tensors` into the module's parameters and buffers.
void copyInto(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors, const std::string& prefix,
              const std::string& source) {
    torch::NoGradGuard noGrad;
    auto copyOne = [&](const std::string& name, torch::Tensor target) {
        auto it = tensors.find(prefix + name);
        if (it == tensors.end() || it->second.sizes() != target.sizes())
            throw FileError(source, "checkpoint lacks '" + prefix + name + "' or has another shape");
        target.copy_(it->second);
    };
    for (const auto& p : module.named_parameters(true))
        copyOne(p.key(), p.value());
    for (const auto& b : module.named_buffers(true))
        copyOne(b.key(), b.value());
}

torch::Tensor imageBatch(const std::vector<Scene>& scenes) {
    std::vector<torch::Tensor> images;
    for (const auto& s : scenes)
        images.push_back(s.image.permute({2, 0, 1}).to(torch::kFloat32) / 127.5 - 1.0);
    return torch::stack(images);
}

// The next `count` training scenes (held-out captions skipped) from scene index `next` on; `next` ends
// after the last scene drawn.
std::vector<Scene> trainingScenes(const ShapeWorld& world, uint64_t& next, int count) {
    std::vector<Scene> scenes;
    while (static_cast<int>(scenes.size()) < count) {
        auto s = world.scene(next++);
        if (!isHeldOut(s.caption)) scenes.push_back(std::move(s));
    }
    return scenes;
}

class Trainer {
public:
    Trainer(const DemoTrainOptions& o, const std::function<void(const DemoTrainProgress&)>& progress)
        : o_(o), progress_(progress), world_(o.seed), device_(parseDevice(o.device)), root_(o.outDir),
          ckpt_(root_ / "checkpoint"), model_(root_ / "model"), start_(std::chrono::steady_clock::now()) {}

    DemoTrainResult run() {
        fs::create_directories(ckpt_);
        if (!o_.autoencoderFrom.empty() && !fs::exists(ckpt_ / "state.json")) startFromAutoencoder();
        loadState();
        DemoTrainResult result;
        result.modelDir = model_.string();
        if (phase_ == "tokenizer") trainTokenizer();
        tokenizer_ = loadTokenizer((model_ / "tokenizer").string());
        if (phase_ == "vae" && !trainVae()) return finish(result);
        if (phase_ == "latents") encodeLatents();
        if (phase_ == "decoder" && !trainDecoder()) return finish(result);
        if (phase_ == "unet" && !trainUNet()) return finish(result);
        result.finished = phase_ == "done";
        report({"done", 0, 0, 0});
        return finish(result);
    }

private:
    // --- state -------------------------------------------------------------------------------------------
    nlohmann::json identity() const {
        return {{"seed", o_.seed},
                {"vae_batch", o_.vaeBatch},
                {"latent_scenes", o_.latentScenes},
                {"unet_batch", o_.unetBatch},
                {"unet_channels", o_.unetChannels},
                {"unet_cross_attention", o_.unetCrossAttention},
                {"unet_up_cross_attention", o_.unetUpCrossAttention},
                {"unet_layers_per_block", o_.unetLayersPerBlock},
                {"unet_heads", o_.unetHeads},
                {"text_width", o_.textWidth},
                {"text_layers", o_.textLayers},
                {"unet_mid_block", o_.unetMidBlock},
                {"unet_only_cross_attention", o_.unetOnlyCrossAttention},
                {"latent_factor", o_.latentFactor},
                {"uncond_chance", o_.uncondChance},
                {"grounding_weight", o_.groundingWeight}};
    }

    // A checkpoint's identity, with the options it was written before given the values it was trained with.
    static nlohmann::json savedIdentity(const nlohmann::json& state) {
        auto saved = state.value("identity", nlohmann::json());
        if (!saved.is_object()) return saved;
        // The options added since the first checkpoints, with the one value every run before them had: 16x16
        // latents, one layer per UNet block, a cross-attention mid block, plain and symmetric transformer
        // blocks, 4 heads, a 64-wide, 2-layer text encoder and no grounding loss.
        const nlohmann::json before = {{"latent_factor", 4},
                                       {"unet_layers_per_block", 1},
                                       {"unet_mid_block", "cross"},
                                       {"unet_only_cross_attention", nlohmann::json::array()},
                                       {"unet_up_cross_attention", nlohmann::json::array()},
                                       {"unet_heads", 4},
                                       {"text_width", 64},
                                       {"text_layers", 2},
                                       {"grounding_weight", 0.0}};
        for (const auto& [key, value] : before.items())
            if (!saved.contains(key)) saved[key] = value;
        return saved;
    }

    // A new run that takes another run's tokenizer, autoencoder and latents (--vae-from), so that UNet designs
    // can be compared on one autoencoder without training it again. It starts at the decoder phase, or at the
    // UNet phase when the other run's decoder has finished (its exported VAE is then the finished one).
    void startFromAutoencoder() {
        const fs::path from(o_.autoencoderFrom);
        if (fs::exists(from / "model_index.json")) return startFromPipelineAutoencoder(from);
        const auto statePath = (from / "checkpoint" / "state.json").string();
        if (!fs::exists(statePath)) throw FileError(statePath, "no training checkpoint to take the autoencoder from");
        const auto state = readJsonFile(statePath);
        const std::string phase = state.value("phase", "");
        const bool decoderDone = phase == "unet" || phase == "done";
        if (!decoderDone && phase != "decoder")
            throw FileError(statePath, "that run has not encoded its latents yet (it is at the '" + phase + "' phase)");
        const auto saved = savedIdentity(state);
        const auto mine = identity();
        for (const char* key : {"seed", "vae_batch", "latent_scenes", "latent_factor"})
            if (!saved.is_object() || saved.value(key, nlohmann::json()) != mine[key])
                throw FileError(statePath, std::string("its autoencoder was trained with another ") + key + " (" +
                                               (saved.is_object() ? saved.value(key, nlohmann::json()).dump() : "?") +
                                               ", not " + mine[key].dump() + ")");
        for (const char* file : {"vae-config.json", "vae.safetensors", "latents.safetensors"})
            fs::copy_file(from / "checkpoint" / file, ckpt_ / file, fs::copy_options::overwrite_existing);
        for (const char* component : {"tokenizer", "vae"}) {
            fs::create_directories(model_ / component);
            fs::copy(from / "model" / component, model_ / component,
                     fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        }
        phase_ = decoderDone ? "unet" : "decoder";
        step_ = 0;
        scaling_ = state.value("scaling_factor", 1.0);
        // The autoencoder's phases are the other run's, and so are their thread counts.
        const auto theirThreads = savedThreads(state, statePath);
        for (const char* taken : {"vae", "latents", "decoder"})
            if (theirThreads.contains(taken) && (decoderDone || std::string(taken) != "decoder"))
                threads_[taken] = theirThreads[taken];
        saveState(); // last: a copy cut short leaves no state, and the next run copies again
    }

    // The same from a pipeline folder (the built-in model, or any export of train-demo): its tokenizer and its
    // finished VAE, whose latents this run encodes from its own scenes before the UNet phase (no decoder phase:
    // the pipeline's decoder is the finished one). The VAE must have the shapes this run's --latent-factor gives.
    void startFromPipelineAutoencoder(const fs::path& from) {
        const auto weights = (from / "vae" / "diffusion_pytorch_model.safetensors").string();
        if (!fs::exists(weights)) throw FileError(weights, "the pipeline has no VAE weights to take");
        AutoencoderKL vae(vaeModelConfig());
        const auto tensors = loadSafetensors(weights);
        copyInto(*vae, tensors, "", weights); // throws, naming the file, for a missing or misshapen tensor
        const auto expected = vae->named_parameters(true).size() + vae->named_buffers(true).size();
        if (tensors.size() != expected)
            throw FileError(weights, "its VAE has " + std::to_string(tensors.size()) +
                                         " tensors where --latent-factor " + std::to_string(o_.latentFactor) +
                                         " gives " + std::to_string(expected));
        copyTokenizer(from);
        saveStateDict(*vae, (ckpt_ / "vae.safetensors").string());
        phase_ = "latents";
        step_ = 0;
        pipelineAutoencoder_ = fs::absolute(from).lexically_normal().string();
        saveState(); // last: a copy cut short leaves no state, and the next run copies again
    }

    void loadState() {
        const auto path = ckpt_ / "state.json";
        if (!fs::exists(path)) return;
        const auto state = readJsonFile(path.string());
        const auto saved = savedIdentity(state);
        if (saved != identity())
            throw FileError(path.string(),
                            "this checkpoint was trained with other options (" + saved.dump() + "); use another --out");
        phase_ = state.value("phase", "tokenizer");
        step_ = state.value("step", 0);
        earlierSeconds_ = state.value("seconds", 0.0);
        scaling_ = state.value("scaling_factor", 1.0);
        threads_ = savedThreads(state, path.string());
        pipelineAutoencoder_ = state.value("autoencoder_from_pipeline", "");
        // Finished, but asked for more UNet steps than it trained: go on training the UNet.
        if (phase_ == "done" && step_ < o_.unetSteps) phase_ = "unet";
    }

    void saveState() {
        appendLog();
        nlohmann::json state = {{"identity", identity()},
                                {"phase", phase_},
                                {"step", step_},
                                {"seconds", earlierSeconds_ + elapsed()},
                                {"scaling_factor", scaling_},
                                {"threads", threads_}};
        if (!pipelineAutoencoder_.empty()) state["autoencoder_from_pipeline"] = pipelineAutoencoder_;
        writeJsonFile((ckpt_ / "state.json").string(), state);
    }

    // A checkpoint's record of the thread counts per phase: {"vae": [1], "unet": [1, 2], ...}.
    static nlohmann::json savedThreads(const nlohmann::json& state, const std::string& path) {
        const auto threads = state.value("threads", nlohmann::json::object());
        bool valid = threads.is_object();
        for (const auto& [phase, counts] : threads.items()) {
            valid = valid && counts.is_array();
            for (const auto& c : counts)
                valid = valid && c.is_number_integer() && c.get<int>() > 0;
        }
        if (!valid) throw FileError(path, "'threads' must map each phase to a list of thread counts");
        return threads;
    }

    // Notes that `phase` trains with the current intra-op thread count (on a GPU the count does not shape
    // the weights, so those steps go unrecorded).
    void noteThreads(const std::string& phase) {
        if (!device_.is_cpu()) return;
        auto& counts = threads_[phase];
        if (!counts.is_array()) counts = nlohmann::json::array();
        const int now = at::get_num_threads();
        if (std::find(counts.begin(), counts.end(), now) == counts.end()) counts.push_back(now);
    }

    double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

    bool timeIsUp() const { return o_.stopAfterSeconds > 0 && elapsed() >= o_.stopAfterSeconds; }

    DemoTrainResult& finish(DemoTrainResult& r) {
        r.seconds = elapsed();
        r.totalSeconds = earlierSeconds_ + r.seconds;
        for (const char* phase : {"vae", "latents", "decoder", "unet"})
            if (threads_.contains(phase)) r.threadsByPhase.emplace_back(phase, threads_[phase].get<std::vector<int>>());
        return r;
    }

    void report(const DemoTrainProgress& p) {
        if (progress_) progress_(p);
    }

    // The loss log (phase, step, mean loss since the previous line, seconds): a line every kLogEvery steps
    // and at every checkpoint, rewritten whole at each checkpoint so that it always ends where the
    // checkpoint does (and a resumed run logs what an uninterrupted one would).
    void logLoss(const std::string& phase, int step, double loss) {
        lossSum_ += loss;
        ++lossCount_;
        logPhase_ = phase;
        logStep_ = step;
        if (lossCount_ >= kLogEvery) flushLossLine();
    }

    void flushLossLine() {
        if (lossCount_ == 0) return;
        std::ostringstream line;
        line << logPhase_ << '\t' << logStep_ << '\t' << lossSum_ / lossCount_ << '\t' << earlierSeconds_ + elapsed()
             << '\n';
        pendingLog_ += line.str();
        lossSum_ = 0;
        lossCount_ = 0;
    }

    void appendLog() {
        flushLossLine();
        const auto path = root_ / "train-log.tsv";
        std::string log;
        if (fs::exists(path)) {
            std::ifstream in(path);
            log.assign(std::istreambuf_iterator<char>(in), {});
        } else {
            log = "phase\tstep\tloss\tseconds\n";
        }
        writeFileAtomically(path.string(), log + pendingLog_);
        pendingLog_.clear();
    }

    // --- phases ------------------------------------------------------------------------------------------
    // Runs `phase` from step_ to `steps`: each step is seeded from (seed, phaseIndex, step), `trainStep`
    // returns its loss, and every checkpointEvery steps (and at the end) `checkpoint` writes the phase's
    // files before the state. Returns false when --for stopped it at a checkpoint; else moves on to `next`.
    // `smoothing` only shapes the running loss the progress bar shows.
    bool runSteps(const std::string& phase, int phaseIndex, int steps, double smoothing, const std::string& next,
                  const std::function<double()>& trainStep, const std::function<void()>& checkpoint) {
        double running = 0;
        if (step_ < steps) noteThreads(phase);
        while (step_ < steps) {
            seedStep(o_.seed, phaseIndex, step_);
            const double loss = trainStep();
            running = step_ == 0 ? loss : smoothing * running + (1 - smoothing) * loss;
            ++step_;
            logLoss(phase, step_, loss);
            report({phase, step_, steps, running});
            if (step_ % o_.checkpointEvery == 0 || step_ == steps) {
                checkpoint();
                saveState();
                if (timeIsUp() && step_ < steps) return false;
            }
        }
        phase_ = next;
        // The last phase's count stays in the state, so that a later run with more steps goes on from it.
        if (next != "done") step_ = 0;
        saveState();
        return true;
    }

    void loadCheckpoint(torch::nn::Module& module, const std::string& file) {
        const auto path = (ckpt_ / file).string();
        copyInto(module, loadSafetensors(path), "", path);
    }

    // The VAE phases' images for step_: training scenes from scene index `offset` + step_ * 2 * batch on.
    torch::Tensor sceneBatch(uint64_t offset) const {
        uint64_t first = offset + static_cast<uint64_t>(step_) * 2 * o_.vaeBatch;
        return imageBatch(trainingScenes(world_, first, o_.vaeBatch)).to(device_);
    }

    // L1 keeps the flat colours and sharp edges the shape judge looks for; a little L2 for the rest.
    static torch::Tensor reconstructionLoss(const torch::Tensor& recon, const torch::Tensor& x) {
        return (recon - x).abs().mean() + 0.1 * (recon - x).pow(2).mean();
    }

    void trainTokenizer() {
        report({"tokenizer", 0, 1, 0});
        if (!o_.tokenizerFrom.empty()) {
            copyTokenizer(o_.tokenizerFrom);
        } else {
            ShapeTokenizerOptions t;
            t.worldSeed = o_.seed;
            t.maxLength = kMaxTokens;
            trainShapeTokenizer((model_ / "tokenizer").string(), t);
        }
        phase_ = "vae";
        step_ = 0;
        saveState();
    }

    // --tokenizer-from: a pipeline folder's tokenizer/, or a training folder's model/tokenizer/.
    void copyTokenizer(const fs::path& from) {
        const auto source = fs::exists(from / "model_index.json") ? from / "tokenizer" : from / "model" / "tokenizer";
        if (!fs::exists(source / "spiece.model"))
            throw FileError((source / "spiece.model").string(), "no SentencePiece tokenizer to take");
        fs::create_directories(model_ / "tokenizer");
        fs::copy(source, model_ / "tokenizer", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }

    nlohmann::json textModelConfig() const {
        return textEncoderConfig(tokenizer_->vocabSize(), o_.textWidth, o_.textLayers);
    }

    nlohmann::json unetModelConfig() const {
        return unetConfig(o_.unetChannels, o_.unetCrossAttention, o_.unetUpCrossAttention, o_.unetOnlyCrossAttention,
                          o_.unetLayersPerBlock, o_.unetMidBlock, o_.latentFactor, o_.unetHeads, o_.textWidth);
    }

    AutoencoderKLConfig vaeModelConfig() {
        writeJsonFile((ckpt_ / "vae-config.json").string(), vaeConfig(scaling_, o_.latentFactor));
        return AutoencoderKLConfig::fromFile((ckpt_ / "vae-config.json").string());
    }

    bool trainVae() {
        torch::manual_seed(o_.seed);
        AutoencoderKL vae(vaeModelConfig());
        vae->to(device_);
        vae->train();
        torch::optim::AdamW optimizer(vae->parameters(),
                                      torch::optim::AdamWOptions(o_.vaeLearningRate).weight_decay(0));
        if (step_ > 0) {
            loadCheckpoint(*vae, "vae.safetensors");
            loadOptimizer(optimizer, ckpt_ / "vae-optim.pt", device_);
        }
        const auto trainStep = [&] {
            const auto x = sceneBatch(10'000'000ULL);
            const auto moments = vae->encode(x);
            const auto z = moments.mean + torch::exp(0.5 * moments.logvar) * torch::randn_like(moments.mean);
            const auto recon = vae->decode(z);
            // The KL term only keeps the latent bounded (diffusers' VAEs use a weight of the same order).
            const auto kl =
                0.5 * (moments.mean.pow(2) + moments.logvar.exp() - 1 - moments.logvar).sum({1, 2, 3}).mean();
            const auto loss = reconstructionLoss(recon, x) + 1e-6 * kl;
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            return loss.item<double>();
        };
        return runSteps("vae", 1, o_.vaeSteps, 0.95, "latents", trainStep, [&] {
            saveStateDict(*vae, (ckpt_ / "vae.safetensors").string());
            saveArchive(optimizer, ckpt_ / "vae-optim.pt");
        });
    }

    void encodeLatents() {
        AutoencoderKL vae(vaeModelConfig());
        vae->to(device_);
        loadCheckpoint(*vae, "vae.safetensors");
        vae->eval();
        torch::NoGradGuard noGrad;
        noteThreads("latents");
        const int chunk = 100;
        std::vector<torch::Tensor> latents, ids;
        uint64_t next = 0;
        for (int done = 0; done < o_.latentScenes;) {
            const int n = std::min(chunk, o_.latentScenes - done);
            const auto scenes = trainingScenes(world_, next, n);
            latents.push_back(vae->encode(imageBatch(scenes).to(device_)).mean.cpu());
            for (const auto& s : scenes)
                ids.push_back(captionIds(s.caption));
            done += n;
            report({"latents", done, o_.latentScenes, 0});
        }
        auto all = torch::cat(latents);
        scaling_ = 1.0 / all.std().item<double>();
        saveSafetensors((ckpt_ / "latents.safetensors").string(), {{"latents", all}, {"ids", torch::stack(ids)}});
        exportVae(*vae);
        phase_ = pipelineAutoencoder_.empty() ? "decoder" : "unet";
        step_ = 0;
        saveState();
    }

    bool trainDecoder() {
        AutoencoderKL vae(vaeModelConfig());
        vae->to(device_);
        loadCheckpoint(*vae, step_ > 0 ? "decoder.safetensors" : "vae.safetensors");
        vae->train();
        std::vector<torch::Tensor> params;
        for (const auto& p : vae->named_parameters(true)) {
            const bool decoding = p.key().rfind("decoder.", 0) == 0 || p.key().rfind("post_quant_conv.", 0) == 0;
            p.value().set_requires_grad(decoding);
            if (decoding) params.push_back(p.value());
        }
        torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o_.decoderLearningRate).weight_decay(0));
        if (step_ > 0) loadOptimizer(optimizer, ckpt_ / "decoder-optim.pt", device_);
        const auto trainStep = [&] {
            const auto x = sceneBatch(20'000'000ULL);
            torch::Tensor z;
            {
                torch::NoGradGuard noGrad;
                z = vae->encode(x).mean; // the latents the UNet is trained on: the mean, no sampling
            }
            const auto recon = vae->decode(z);
            const auto loss = reconstructionLoss(recon, x);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            return loss.item<double>();
        };
        return runSteps("decoder", 3, o_.decoderSteps, 0.95, "unet", trainStep, [&] {
            saveStateDict(*vae, (ckpt_ / "decoder.safetensors").string());
            saveArchive(optimizer, ckpt_ / "decoder-optim.pt");
            exportVae(*vae);
        });
    }

    // The grounding loss's targets for the latent pool's scenes: the scenes the latents were encoded from
    // (the first `count` training scenes, as encodeLatents and a --vae-from run's pool drew them) with
    // their captions tokenized again.
    GroundingTargets groundingTargets(int64_t count) const {
        uint64_t next = 0;
        const auto scenes = trainingScenes(world_, next, static_cast<int>(count));
        return GroundingTargets(scenes, *tokenizer_, kMaxTokens, device_);
    }

    torch::Tensor captionIds(const std::string& caption) const {
        const auto t = tokenizer_->encode(caption);
        if (t.truncated)
            throw Error("caption '" + caption + "' has more than " + std::to_string(kMaxTokens) + " tokens");
        return torch::tensor(t.ids, torch::kInt64);
    }

    bool trainUNet() {
        const auto latentsPath = (ckpt_ / "latents.safetensors").string();
        const auto pool = loadSafetensors(latentsPath);
        const auto latents = pool.at("latents").to(device_) * scaling_;
        const auto ids = pool.at("ids").to(device_);
        const auto emptyIds = captionIds("").to(device_);
        const auto ac = alphasCumprod().to(device_);

        writeJsonFile((ckpt_ / "text-encoder-config.json").string(), textModelConfig());
        writeJsonFile((ckpt_ / "unet-config.json").string(), unetModelConfig());
        torch::manual_seed(o_.seed + 1);
        CLIPTextModel te(CLIPTextModelOptions{CLIPTextConfig::load((ckpt_ / "text-encoder-config.json").string())});
        UNet2DConditionModel unet(UNet2DConditionConfig::fromFile((ckpt_ / "unet-config.json").string()));
        te->to(device_);
        unet->to(device_);
        te->train();
        unet->train();
        std::vector<torch::Tensor> params = te->parameters();
        for (const auto& p : unet->parameters())
            params.push_back(p);
        torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o_.unetLearningRate).weight_decay(0));

        // The exponential moving average of the weights is what gets exported: it samples far better than
        // the raw weights of a short training run.
        std::vector<torch::Tensor> ema;
        for (const auto& p : params)
            ema.push_back(p.detach().clone());
        if (step_ > 0) {
            const auto path = (ckpt_ / "unet.safetensors").string();
            const auto saved = loadSafetensors(path);
            copyInto(*te, saved, "te.", path);
            copyInto(*unet, saved, "unet.", path);
            for (size_t i = 0; i < ema.size(); ++i)
                ema[i].copy_(saved.at("ema." + std::to_string(i)));
            loadOptimizer(optimizer, ckpt_ / "unet-optim.pt", device_);
        }

        const int64_t poolSize = latents.size(0);
        std::unique_ptr<GroundingTargets> grounding;
        if (o_.groundingWeight > 0) grounding = std::make_unique<GroundingTargets>(groundingTargets(poolSize));
        const auto trainStep = [&] {
            const int64_t b = o_.unetBatch;
            const auto index = torch::randint(poolSize, {b}, torch::kInt64).to(device_);
            const auto x0 = latents.index_select(0, index);
            auto batchIds = ids.index_select(0, index);
            const auto dropped = (torch::rand({b}) < o_.uncondChance).to(device_);
            batchIds = torch::where(dropped.unsqueeze(1), emptyIds.unsqueeze(0).expand_as(batchIds), batchIds);
            const auto t = torch::randint(kTrainTimesteps, {b}, torch::kInt64).to(device_);
            const auto noise = torch::randn_like(x0);
            const auto a = ac.index_select(0, t).view({b, 1, 1, 1});
            const auto xt = a.sqrt() * x0 + (1 - a).sqrt() * noise;

            const auto text = te->forward(batchIds).lastHiddenState;
            AttentionMapCollector collector;
            AttentionCall call{&collector, 0, 0, b};
            const auto predicted = unet->forward(xt, t, text, nullptr, grounding ? &call : nullptr);
            auto loss = torch::mse_loss(predicted, noise);
            if (grounding)
                loss = loss + o_.groundingWeight * grounding->loss(collector.maps, index.cpu(), dropped.cpu());
            optimizer.zero_grad();
            loss.backward();
            torch::nn::utils::clip_grad_norm_(params, 1.0);
            const double warmup = std::min(1.0, (step_ + 1) / 200.0);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(o_.unetLearningRate * warmup);
            optimizer.step();
            {
                torch::NoGradGuard noGrad;
                const double decay = std::min(o_.emaDecay, (1.0 + step_) / (10.0 + step_));
                for (size_t i = 0; i < ema.size(); ++i)
                    ema[i].mul_(decay).add_(params[i].detach(), 1 - decay);
            }
            return loss.item<double>();
        };
        return runSteps("unet", 2, o_.unetSteps, 0.98, "done", trainStep, [&] {
            std::vector<std::pair<std::string, torch::Tensor>> tensors;
            for (const auto& p : te->named_parameters(true))
                tensors.emplace_back("te." + p.key(), p.value());
            for (const auto& p : unet->named_parameters(true))
                tensors.emplace_back("unet." + p.key(), p.value());
            for (size_t i = 0; i < ema.size(); ++i)
                tensors.emplace_back("ema." + std::to_string(i), ema[i]);
            saveSafetensors((ckpt_ / "unet.safetensors").string(), tensors);
            saveArchive(optimizer, ckpt_ / "unet-optim.pt");
            exportTextAndUNet(te, unet, params, ema);
        });
    }

    // --- export: a diffusers pipeline folder, float16 weights -------------------------------------------
    void exportVae(AutoencoderKLImpl& vae) {
        writeJsonFile((model_ / "vae" / "config.json").string(), vaeConfig(scaling_, o_.latentFactor));
        saveStateDict(vae, (model_ / "vae" / "diffusion_pytorch_model.safetensors").string(), torch::kFloat16);
    }

    void exportTextAndUNet(CLIPTextModel& te, UNet2DConditionModel& unet, std::vector<torch::Tensor>& params,
                           const std::vector<torch::Tensor>& ema) {
        // Swap the averaged weights in for the export, then the trained ones back.
        std::vector<torch::Tensor> trained;
        {
            torch::NoGradGuard noGrad;
            for (size_t i = 0; i < params.size(); ++i) {
                trained.push_back(params[i].detach().clone());
                params[i].copy_(ema[i]);
            }
        }
        writeJsonFile((model_ / "text_encoder" / "config.json").string(), textModelConfig());
        saveStateDict(*te, (model_ / "text_encoder" / "model.safetensors").string(), torch::kFloat16);
        writeJsonFile((model_ / "unet" / "config.json").string(), unetModelConfig());
        saveStateDict(*unet, (model_ / "unet" / "diffusion_pytorch_model.safetensors").string(), torch::kFloat16);
        writeJsonFile((model_ / "scheduler" / "scheduler_config.json").string(), schedulerConfig());
        writeJsonFile((model_ / "model_index.json").string(),
                      {{"_class_name", "StableDiffusionPipeline"},
                       {"_daam_studio", "built-in shape-world model (daam-cli train-demo)"},
                       {"scheduler", {"diffusers", "DPMSolverMultistepScheduler"}},
                       {"text_encoder", {"transformers", "CLIPTextModel"}},
                       {"tokenizer", {"transformers", "T5Tokenizer"}},
                       {"unet", {"diffusers", "UNet2DConditionModel"}},
                       {"vae", {"diffusers", "AutoencoderKL"}}});
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < params.size(); ++i)
            params[i].copy_(trained[i]);
    }

    DemoTrainOptions o_;
    std::function<void(const DemoTrainProgress&)> progress_;
    ShapeWorld world_;
    torch::Device device_;
    fs::path root_, ckpt_, model_;
    std::chrono::steady_clock::time_point start_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::string phase_ = "tokenizer";
    int step_ = 0;
    double earlierSeconds_ = 0;
    double scaling_ = 1.0;
    nlohmann::json threads_ = nlohmann::json::object();
    std::string pipelineAutoencoder_; // the pipeline folder whose finished autoencoder this run took, if any
    double lossSum_ = 0;
    int lossCount_ = 0;
    std::string logPhase_;
    int logStep_ = 0;
    std::string pendingLog_;
};

} // namespace

DemoTrainResult trainDemoModel(const DemoTrainOptions& options,
                               const std::function<void(const DemoTrainProgress&)>& progress) {
    if (options.outDir.empty()) throw Error("train-demo: no output folder");
    if (options.vaeSteps < 1 || options.decoderSteps < 1 || options.unetSteps < 1 || options.vaeBatch < 1 ||
        options.unetBatch < 1 || options.latentScenes < 1 || options.checkpointEvery < 1)
        throw Error("train-demo: steps, batch sizes, scenes and the checkpoint interval must be positive");
    if (options.unetChannels.empty() ||
        std::any_of(options.unetChannels.begin(), options.unetChannels.end(), [](int c) { return c < 8 || c % 4; }))
        throw Error("train-demo: UNet channels must be multiples of 4, at least 8");
    if (options.unetLayersPerBlock < 1 || options.unetLayersPerBlock > 4)
        throw Error("train-demo: the UNet's layers per block must be 1 to 4");
    if (options.unetHeads < 1 || std::any_of(options.unetChannels.begin(), options.unetChannels.end(),
                                             [&](int c) { return c % options.unetHeads; }))
        throw Error("train-demo: every UNet level's channels must divide into the " +
                    std::to_string(options.unetHeads) + " attention heads");
    if (options.textWidth < 16 || options.textWidth > 1024 || options.textWidth % 16)
        throw Error("train-demo: the text encoder's width must be a multiple of 16 from 16 to 1024");
    if (options.textLayers < 1 || options.textLayers > 12)
        throw Error("train-demo: the text encoder's layers must be 1 to 12");
    midBlockType(options.unetMidBlock); // throws for an unknown kind
    if (options.latentFactor != 1 && options.latentFactor != 2 && options.latentFactor != 4 &&
        options.latentFactor != 8)
        throw Error("train-demo: the latent factor must be 1, 2, 4 or 8");
    if (options.unetCrossAttention.size() != options.unetChannels.size())
        throw Error("train-demo: one cross-attention flag per UNet level is needed (" +
                    std::to_string(options.unetChannels.size()) + " levels)");
    if (!options.unetUpCrossAttention.empty() && options.unetUpCrossAttention.size() != options.unetChannels.size())
        throw Error("train-demo: one up-block cross-attention flag per UNet level is needed (" +
                    std::to_string(options.unetChannels.size()) + " levels)");
    if (!options.unetOnlyCrossAttention.empty()) {
        if (options.unetOnlyCrossAttention.size() != options.unetChannels.size())
            throw Error("train-demo: one only-cross-attention flag per UNet level is needed (" +
                        std::to_string(options.unetChannels.size()) + " levels)");
        for (size_t i = 0; i < options.unetChannels.size(); ++i)
            if (options.unetOnlyCrossAttention[i] && !options.unetCrossAttention[i])
                throw Error("train-demo: UNet level " + std::to_string(i) +
                            " has no cross-attention, so it cannot attend only to the text");
    }
    return Trainer(options, progress).run();
}

} // namespace daam::builtin
