// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli train-demo: trains the built-in shape-world model from scratch (resumable).
#include "Args.h"
#include "Command.h"
#include "ProgressBar.h"

#include "daam/builtin/DemoTrainer.h"

#include <cstdio>
#include <memory>
#include <sstream>

namespace daam::cli {
namespace {

// A comma-separated list of whole numbers, the value of --NAME.
std::vector<int> parseIntList(const std::string& name, const std::string& text) {
    std::vector<int> channels;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        try {
            size_t used = 0;
            channels.push_back(std::stoi(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw UsageError("--" + name + ": '" + item + "' is not a whole number");
        }
    }
    return channels;
}

// A comma-separated list of 0/1 flags, the value of --NAME (empty text: no flags).
std::vector<bool> parseFlagList(const std::string& name, const std::string& text) {
    std::vector<bool> flags;
    for (int flag : parseIntList(name, text)) {
        if (flag != 0 && flag != 1) throw UsageError("--" + name + ": each flag must be 0 or 1");
        flags.push_back(flag == 1);
    }
    return flags;
}

// The option defaults as the help prints them, from a default DemoTrainOptions, so that the two never differ
// (and, with "+", the thread counts a phase ran with).
std::string joined(const std::vector<int>& values, const char* separator = ",") {
    std::string text;
    for (int v : values)
        text += (text.empty() ? "" : separator) + std::to_string(v);
    return text;
}

std::string joined(const std::vector<bool>& flags) {
    return joined(std::vector<int>(flags.begin(), flags.end()));
}

std::string number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

int positiveInt(const Args& args, const std::string& name) {
    const auto v = args.getInt(name);
    if (v < 1 || v > 100'000'000) throw UsageError("--" + name + " must be 1..100000000");
    return static_cast<int>(v);
}

int runTrainDemo(const std::vector<std::string>& argv) {
    const builtin::DemoTrainOptions defaults;
    const std::string latentSide = std::to_string(64 / defaults.latentFactor);
    Args args(
        "train-demo",
        "Train the built-in shape-world model from scratch: a SentencePiece tokenizer on the training\n"
        "captions, an AutoencoderKL (64x64 images to 4-channel latents, by default " +
            latentSide + "x" + latentSide +
            ") and then its decoder alone, then a "
            "CLIP-style text encoder and a\n"
            "UNet2DConditionModel. Checkpoints go to DIR/checkpoint, the loss log to DIR/train-log.tsv and the\n"
            "model, in the diffusers layout, to DIR/model at every checkpoint. Run the same command again to\n"
            "resume where it stopped; --for limits one run's time (it stops at the next checkpoint).\n"
            "On the CPU the weights also depend on the thread count (DAAM_THREADS): on one machine the same\n"
            "options and thread count give the same bytes; the checkpoint records the counts each phase ran with.",
        argv);
    args.option("out", "DIR", "Training folder (created; resumed when it holds a checkpoint).");
    args.option("seed", "S", "World and training seed.", std::to_string(defaults.seed));
    args.option("latent-factor", "F",
                "How many times smaller the latents are than the image on each side: 1, 2, 4 or 8.",
                std::to_string(defaults.latentFactor));
    args.option("vae-steps", "N", "AutoencoderKL steps.", std::to_string(defaults.vaeSteps));
    args.option("vae-batch", "N", "AutoencoderKL batch size.", std::to_string(defaults.vaeBatch));
    args.option("decoder-steps", "N", "Steps of the decoder alone, on the frozen encoder's latents.",
                std::to_string(defaults.decoderSteps));
    args.option("scenes", "N", "Training scenes encoded into latents for the UNet.",
                std::to_string(defaults.latentScenes));
    args.option("unet-steps", "N", "Text encoder + UNet steps (may be raised when resuming).",
                std::to_string(defaults.unetSteps));
    args.option("unet-batch", "N", "Text encoder + UNet batch size.", std::to_string(defaults.unetBatch));
    args.option("unet-lr", "F", "Text encoder + UNet learning rate.", number(defaults.unetLearningRate));
    args.option("unet-channels", "C1,C2,..", "UNet block_out_channels.", joined(defaults.unetChannels));
    args.option("unet-cross-attention", "F1,F2,..",
                "Per UNet level, as --unet-channels: 1 for blocks with cross-attention, 0 for plain ones.",
                joined(defaults.unetCrossAttention));
    args.option("unet-up-cross-attention", "F1,F2,..",
                "Per UNet level, as --unet-cross-attention, for the up blocks alone (empty: as the down blocks).",
                joined(defaults.unetUpCrossAttention));
    args.option("unet-only-cross-attention", "F1,F2,..",
                "Per UNet level, as --unet-channels: 1 where the transformer blocks attend only to the text (no "
                "self-attention; diffusers' only_cross_attention). Default: none.",
                joined(defaults.unetOnlyCrossAttention));
    args.option("unet-mid-block", "KIND",
                "The UNet's mid block: cross (with cross-attention, as Stable Diffusion), resnet (one ResNet, no "
                "attention) or none.",
                defaults.unetMidBlock);
    args.option("unet-layers-per-block", "N",
                "ResNet layers per UNet down block, 1 to 4 (up blocks get one more, as in diffusers).",
                std::to_string(defaults.unetLayersPerBlock));
    args.option("unet-heads", "N",
                "Attention heads of every UNet transformer (each level's channels must divide into them).",
                std::to_string(defaults.unetHeads));
    args.option("text-width", "W",
                "The text encoder's width, a multiple of 16 (one attention head per 16; the UNet's cross-attention "
                "width).",
                std::to_string(defaults.textWidth));
    args.option("text-layers", "N", "The text encoder's transformer layers, 1 to 12.",
                std::to_string(defaults.textLayers));
    args.option("grounding", "W",
                "Weight of a grounding loss on the UNet's cross-attention: each object's noun and colour word are "
                "taught to attend over its mask (KL of mask and map). 0: plain diffusion training.",
                number(defaults.groundingWeight));
    args.option(
        "vae-from", "DIR",
        "Start a new run from another training folder's tokenizer, autoencoder and latents (same seed, "
        "--vae-batch, --scenes and --latent-factor), to try UNet designs on one autoencoder; or from a "
        "pipeline folder's tokenizer and finished VAE (a built-in model's: resources/models/shapes-plain), whose "
        "latents the run encodes before its UNet phase.",
        "");
    args.option("tokenizer-from", "DIR",
                "Take a pipeline folder's (or a training folder's) tokenizer instead of training one: the same "
                "captions train the same vocabulary.",
                "");
    args.option("checkpoint-every", "N", "Steps between checkpoints.", std::to_string(defaults.checkpointEvery));
    args.option("for", "SECONDS", "Stop at the first checkpoint after this long (0: run to the end).",
                number(defaults.stopAfterSeconds));
    args.option("device", "D", "cpu, cuda or cuda:N (a checkpoint may resume on another device).", defaults.device);
    if (!args.parse()) return 0;

    builtin::DemoTrainOptions o;
    o.outDir = args.require("out");
    if (args.getInt("seed") < 0) throw UsageError("--seed must not be negative");
    o.seed = static_cast<uint64_t>(args.getInt("seed"));
    o.latentFactor = positiveInt(args, "latent-factor");
    o.vaeSteps = positiveInt(args, "vae-steps");
    o.vaeBatch = positiveInt(args, "vae-batch");
    o.decoderSteps = positiveInt(args, "decoder-steps");
    o.latentScenes = positiveInt(args, "scenes");
    o.unetSteps = positiveInt(args, "unet-steps");
    o.unetBatch = positiveInt(args, "unet-batch");
    o.unetLearningRate = args.getDouble("unet-lr");
    if (!(o.unetLearningRate > 0 && o.unetLearningRate < 1)) throw UsageError("--unet-lr must be within (0, 1)");
    o.unetChannels = parseIntList("unet-channels", args.get("unet-channels"));
    o.unetCrossAttention = parseFlagList("unet-cross-attention", args.get("unet-cross-attention"));
    o.unetUpCrossAttention = parseFlagList("unet-up-cross-attention", args.get("unet-up-cross-attention"));
    o.unetOnlyCrossAttention = parseFlagList("unet-only-cross-attention", args.get("unet-only-cross-attention"));
    o.unetLayersPerBlock = positiveInt(args, "unet-layers-per-block");
    o.unetMidBlock = args.get("unet-mid-block");
    o.unetHeads = positiveInt(args, "unet-heads");
    o.textWidth = positiveInt(args, "text-width");
    o.textLayers = positiveInt(args, "text-layers");
    o.groundingWeight = args.getDouble("grounding");
    if (!(o.groundingWeight >= 0 && o.groundingWeight <= 100)) throw UsageError("--grounding must be 0..100");
    o.autoencoderFrom = args.get("vae-from");
    o.tokenizerFrom = args.get("tokenizer-from");
    o.checkpointEvery = positiveInt(args, "checkpoint-every");
    o.stopAfterSeconds = args.getDouble("for");
    if (!(o.stopAfterSeconds >= 0)) throw UsageError("--for must not be negative");
    o.device = args.get("device");

    std::unique_ptr<ProgressBar> bar;
    std::string phase;
    const auto result = builtin::trainDemoModel(o, [&](const builtin::DemoTrainProgress& p) {
        if (p.phase != phase) {
            bar.reset();
            phase = p.phase;
            if (phase != "done") bar = std::make_unique<ProgressBar>(phase);
        }
        if (!bar) return;
        char detail[64] = "";
        if (p.loss > 0) std::snprintf(detail, sizeof detail, "loss %.4f", p.loss);
        bar->update(p.step, p.steps, detail);
    });
    bar.reset();
    std::printf("%s: %s after %.0f s (%.0f s over all runs)\nmodel: %s\n", o.outDir.c_str(),
                result.finished ? "finished" : "stopped at a checkpoint; run again to resume", result.seconds,
                result.totalSeconds, result.modelDir.c_str());
    // The weights depend on the thread count, so say what each phase ran with: a phase resumed with another
    // count trained other bytes than a run that kept one.
    std::string threads, mixed;
    for (const auto& [phase, counts] : result.threadsByPhase) {
        threads += (threads.empty() ? "" : ", ") + phase + " " + joined(counts, "+");
        if (counts.size() > 1) mixed += (mixed.empty() ? "" : ", ") + phase;
    }
    if (!threads.empty()) std::printf("threads per phase: %s\n", threads.c_str());
    if (!mixed.empty())
        std::printf("note: %s ran with more than one thread count; a run that keeps one count trains other weights\n",
                    mixed.c_str());
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(train_demo, "train-demo", "Train the built-in shape-world model (resumable).", runTrainDemo);
} // namespace daam::cli
