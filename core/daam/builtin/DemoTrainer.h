// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in model's trainer (daam-cli train-demo): a SentencePiece tokenizer on the shape world's
// training captions, then an AutoencoderKL, then a CLIP-style text encoder and a UNet2DConditionModel
// trained together from scratch, all in the diffusers folder layout that StableDiffusionPipeline loads.
//
// The decoder and UNet phases both start from the encoder's latents and draw their own randomness, so
// they are independent of each other (they may even run side by side in two copies of a checkpoint).
// Every phase checkpoints into <out>/checkpoint and resumes from there, bit for bit: the batch of step
// k is drawn from a generator seeded by (seed, phase, k), so a run stopped and resumed trains the same
// model as one that never stopped. The usable model is exported to <out>/model at every checkpoint.
// On the CPU the bytes also depend on LibTorch's intra-op thread count (reductions split their sums by
// thread), so the checkpoint records the counts each phase trained with.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace daam::builtin {

// The defaults train the shipped built-in model: 32x32 latents, text in the down blocks at 16x16 and 8x8 only
// (the up blocks' cross-attention placed no words and blurred DAAM's average), one attention head (DAAM
// averages the heads, and with four some of them looked away from the objects).
struct DemoTrainOptions {
    std::string outDir;
    uint64_t seed = 0; // world seed (the scenes and captions) and training seed
    // AutoencoderKL: 64x64 images to latents of 4 channels, this many times smaller on each side (2, 4 or 8).
    int latentFactor = 2;
    int vaeSteps = 1000;
    int vaeBatch = 8;
    double vaeLearningRate = 1e-3;
    // Then the decoder alone, on the frozen encoder's latents (what the UNet learns to produce): it sharpens
    // edges and colours without moving the latent space.
    int decoderSteps = 3000;
    double decoderLearningRate = 5e-4;
    // Training scenes encoded once into latents for the UNet phase.
    int latentScenes = 16000;
    // Text encoder + UNet.
    int unetSteps = 8000;
    int unetBatch = 32;
    double unetLearningRate = 1e-3;
    std::vector<int> unetChannels{32, 64, 64};
    // Per UNet level (as unetChannels, from the latent's resolution down): whether its down blocks, and its up
    // blocks unless unetUpCrossAttention says otherwise, have cross-attention (CrossAttnDownBlock2D /
    // CrossAttnUpBlock2D) or not (DownBlock2D / UpBlock2D).
    std::vector<bool> unetCrossAttention{false, true, true};
    // Per UNet level, as unetCrossAttention but for the up blocks alone; empty: the same as the down blocks.
    // diffusers' block types need not mirror each other: with text in the down path only, every map DAAM
    // reads comes from the layers that place the objects.
    std::vector<bool> unetUpCrossAttention{false, false, false};
    // Per UNet level: whether its transformer blocks attend only to the text (diffusers'
    // only_cross_attention: attn1 becomes a second cross-attention, no self-attention). Empty: none do. At the
    // latent's own resolution self-attention costs most of a training step; this keeps that level's
    // cross-attention (fine DAAM maps) without it. A level it marks needs cross-attention.
    std::vector<bool> unetOnlyCrossAttention;
    // The mid block: "cross" (UNetMidBlock2DCrossAttn, as Stable Diffusion), "resnet" (UNetMidBlock2D: one
    // ResNet, no attention) or "none". DAAM's default leaves the mid block's maps out, so without its
    // cross-attention the words must be placed by the layers DAAM reads.
    std::string unetMidBlock = "resnet";
    // ResNet (and, with cross-attention, transformer) layers per down block; up blocks get one more, as in
    // diffusers. More layers give each level a wider receptive field before its attention.
    int unetLayersPerBlock = 1;
    // Attention heads of every UNet transformer (diffusers' attention_head_dim, which Stable Diffusion 1.x
    // uses as the head count); each level's channels must divide into them. DAAM sums the heads' maps.
    int unetHeads = 1;
    // The CLIP-style text encoder: its width (hidden size, a multiple of 16: one attention head per 16, and
    // the UNet's cross-attention width) and its transformer layers. Which prompt word an object's identity
    // is read from is the text encoder's doing as much as the UNet's.
    int textWidth = 64;
    int textLayers = 2;
    // Weight of the grounding loss on the UNet's cross-attention, added to the noise loss (GroundingLoss.h):
    // each object's noun and colour word are taught to attend over its mask, as a distribution over each
    // layer's cells. 0: none (plain diffusion training, as Stable Diffusion's). The built-in model was trained
    // at 0.05: without it, 8000 steps left noun maps at mIoU 0.48, spilling far past their objects.
    double groundingWeight = 0.05;
    double uncondChance = 0.1; // caption dropped (empty prompt) so classifier-free guidance works
    double emaDecay = 0.999;
    int checkpointEvery = 250; // steps
    // Stop cleanly at the first checkpoint after this many seconds (0: run to the end); run again to resume.
    double stopAfterSeconds = 0;
    // Another training folder whose tokenizer, autoencoder and latents a new run starts from (its seed, VAE
    // batch, scenes and latent factor must be these): the run then trains only the decoder, if that one has
    // not finished it, and the text encoder and UNet. Or a pipeline folder (model_index.json; the built-in
    // model): its tokenizer and finished VAE, which must have this latent factor's shapes; the run encodes its own
    // latents with it, then trains the text encoder and UNet. Ignored when outDir already holds a checkpoint.
    std::string autoencoderFrom;
    // A pipeline or training folder whose tokenizer a new run takes instead of training its own (the same
    // captions train the same vocabulary; the built-in models' is resources/models/shapes-plain's). It spares the
    // sentencepiece trainer, which crashes in the PyTorch build of the GPU checks.
    std::string tokenizerFrom;
    // Where the models train: cpu, cuda or cuda:N. Checkpoints are device-free, so a run may resume on
    // another device; the batches are drawn on the CPU either way, the noise on the device.
    std::string device = "cpu";
};

struct DemoTrainProgress {
    std::string phase; // "tokenizer", "vae", "latents", "decoder", "unet", "done"
    int step = 0;      // steps done in this phase
    int steps = 0;     // steps of this phase
    double loss = 0;   // running mean of the last steps' loss (0 where a phase has none)
};

struct DemoTrainResult {
    bool finished = false;   // every phase ran to its end
    std::string modelDir;    // <out>/model (exported at the last checkpoint)
    double seconds = 0;      // this run's wall time
    double totalSeconds = 0; // summed over every run that built this checkpoint
    // The intra-op thread counts each phase ran with on the CPU, in phase order, over every run that built
    // this checkpoint (a phase resumed with another count lists both; steps on a GPU, and checkpoints from
    // before the record, add none).
    std::vector<std::pair<std::string, std::vector<int>>> threadsByPhase;
};

// Trains (or resumes) into options.outDir. Throws Error/FileError naming the file and the problem, e.g.
// a checkpoint written with other options.
DemoTrainResult trainDemoModel(const DemoTrainOptions& options,
                               const std::function<void(const DemoTrainProgress&)>& progress = {});

} // namespace daam::builtin
