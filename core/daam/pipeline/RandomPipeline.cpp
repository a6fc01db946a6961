// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/RandomPipeline.h"

#include "daam/config/AutoencoderKLConfig.h"
#include "daam/config/CLIPTextConfig.h"
#include "daam/config/UNet2DConditionConfig.h"
#include "daam/io/Safetensors.h"
#include "daam/nn/AutoencoderKL.h"
#include "daam/nn/CLIPTextModel.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/text/ClipTokenizer.h"
#include "daam/text/Utf8.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace daam {
namespace {

const char* kStartToken = "<|startoftext|>";
const char* kEndToken = "<|endoftext|>";

nlohmann::json pndmConfig() {
    return {{"_class_name", "PNDMScheduler"},
            {"beta_end", 0.012},
            {"beta_schedule", "scaled_linear"},
            {"beta_start", 0.00085},
            {"clip_sample", false},
            {"num_train_timesteps", 1000},
            {"prediction_type", "epsilon"},
            {"set_alpha_to_one", false},
            {"skip_prk_steps", true},
            {"steps_offset", 1},
            {"timestep_spacing", "leading"}};
}

nlohmann::json clipConfig(int hidden, int intermediate, int heads, int layers, int vocab) {
    return {{"architectures", {"CLIPTextModel"}}, {"hidden_act", "quick_gelu"},   {"hidden_size", hidden},
            {"intermediate_size", intermediate},  {"layer_norm_eps", 1e-5},       {"max_position_embeddings", 77},
            {"model_type", "clip_text_model"},    {"num_attention_heads", heads}, {"num_hidden_layers", layers},
            {"projection_dim", hidden},           {"vocab_size", vocab}};
}

nlohmann::json unetConfig(std::vector<int> channels, int layersPerBlock, int crossDim, int headDim, int sampleSize) {
    std::vector<std::string> down(channels.size(), "CrossAttnDownBlock2D"), up(channels.size(), "CrossAttnUpBlock2D");
    down.back() = "DownBlock2D";
    up.front() = "UpBlock2D";
    return {{"_class_name", "UNet2DConditionModel"},
            {"act_fn", "silu"},
            {"attention_head_dim", headDim},
            {"block_out_channels", channels},
            {"cross_attention_dim", crossDim},
            {"down_block_types", down},
            {"downsample_padding", 1},
            {"flip_sin_to_cos", true},
            {"freq_shift", 0},
            {"in_channels", 4},
            {"layers_per_block", layersPerBlock},
            {"mid_block_scale_factor", 1},
            {"norm_eps", 1e-5},
            {"norm_num_groups", 32},
            {"out_channels", 4},
            {"sample_size", sampleSize},
            {"up_block_types", up}};
}

nlohmann::json vaeConfig(std::vector<int> channels, int layersPerBlock, int sampleSize) {
    return {{"_class_name", "AutoencoderKL"},
            {"act_fn", "silu"},
            {"block_out_channels", channels},
            {"down_block_types", std::vector<std::string>(channels.size(), "DownEncoderBlock2D")},
            {"in_channels", 3},
            {"latent_channels", 4},
            {"layers_per_block", layersPerBlock},
            {"norm_num_groups", 32},
            {"out_channels", 3},
            {"sample_size", sampleSize},
            {"scaling_factor", 0.18215},
            {"up_block_types", std::vector<std::string>(channels.size(), "UpDecoderBlock2D")}};
}

void writeModule(const fs::path& path, const torch::nn::Module& module) {
    fs::create_directories(path.parent_path());
    saveStateDict(module, path.string());
}

// A CLIP BPE tokenizer over single bytes: ids 0-255 are the byte symbols, 256-511 the same ending a word
// (`</w>`), then the start and end tokens. Every prompt tokenizes (one token per byte); no merges.
void writeByteTokenizer(const fs::path& dir) {
    char32_t symbols[256];
    clipByteSymbols(symbols);
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b)
        vocab[utf8::encode(std::u32string(1, symbols[b]))] = b;
    for (int b = 0; b < 256; ++b)
        vocab[utf8::encode(std::u32string(1, symbols[b])) + "</w>"] = 256 + b;
    vocab[kStartToken] = 512;
    vocab[kEndToken] = 513;
    writeJsonFile((dir / "vocab.json").string(), vocab);
    writeFileAtomically((dir / "merges.txt").string(), std::string("#version: 0.2\n"));
    writeJsonFile((dir / "tokenizer_config.json").string(), {{"bos_token", kStartToken},
                                                             {"eos_token", kEndToken},
                                                             {"unk_token", kEndToken},
                                                             {"pad_token", kEndToken},
                                                             {"model_max_length", 77},
                                                             {"tokenizer_class", "CLIPTokenizer"}});
}

} // namespace

RandomPipelineSpec sd15RandomSpec() {
    RandomPipelineSpec s;
    s.textEncoder = clipConfig(768, 3072, 12, 12, 49408);
    s.unet = unetConfig({320, 640, 1280, 1280}, 2, 768, 8, 64);
    s.vae = vaeConfig({128, 256, 512, 512}, 2, 512);
    s.scheduler = pndmConfig();
    return s;
}

RandomPipelineSpec smallStandardSpec() {
    RandomPipelineSpec s;
    s.textEncoder = clipConfig(64, 96, 1, 2, 49408);
    s.unet = unetConfig({32, 64}, 1, 64, 8, 16);
    s.vae = vaeConfig({32, 32}, 1, 32);
    s.scheduler = pndmConfig();
    return s;
}

RandomPipelineSpec tinyRandomSpec() {
    RandomPipelineSpec s;
    s.textEncoder = clipConfig(32, 37, 4, 2, 514);
    s.unet = unetConfig({32, 64}, 1, 32, 8, 16);
    s.vae = vaeConfig({32, 32, 32}, 1, 64);
    s.scheduler = pndmConfig();
    return s;
}

void writeRandomPipeline(const std::string& dir, const RandomPipelineSpec& spec) {
    torch::NoGradGuard noGrad;
    const fs::path root(dir);
    fs::create_directories(root);
    torch::manual_seed(spec.seed);
    {
        writeJsonFile((root / "text_encoder" / "config.json").string(), spec.textEncoder);
        CLIPTextModel model(CLIPTextModelOptions{
            CLIPTextConfig::fromJson(spec.textEncoder, (root / "text_encoder" / "config.json").string())});
        writeModule(root / "text_encoder" / "model.safetensors", *model);
    }
    {
        writeJsonFile((root / "unet" / "config.json").string(), spec.unet);
        UNet2DConditionModel model(UNet2DConditionConfig::fromFile((root / "unet" / "config.json").string()));
        writeModule(root / "unet" / "diffusion_pytorch_model.safetensors", *model);
    }
    {
        writeJsonFile((root / "vae" / "config.json").string(), spec.vae);
        AutoencoderKL model(AutoencoderKLConfig::fromFile((root / "vae" / "config.json").string()));
        writeModule(root / "vae" / "diffusion_pytorch_model.safetensors", *model);
    }
    writeJsonFile((root / "scheduler" / "scheduler_config.json").string(), spec.scheduler);
    // CLIP's own vocabulary size: its tokenizer, so that the model reads prompts as a real SD 1.5 does (and as a
    // single file of it does, which has no tokenizer of its own).
    if (spec.textEncoder.value("vocab_size", 0) == 49408)
        ClipTokenizer::standard(false)->saveFolder((root / "tokenizer").string());
    else
        writeByteTokenizer(root / "tokenizer");
    writeJsonFile((root / "model_index.json").string(),
                  {{"_class_name", "StableDiffusionPipeline"},
                   {"scheduler", {"diffusers", spec.scheduler.value("_class_name", "")}},
                   {"text_encoder", {"transformers", "CLIPTextModel"}},
                   {"tokenizer", {"transformers", "CLIPTokenizer"}},
                   {"unet", {"diffusers", "UNet2DConditionModel"}},
                   {"vae", {"diffusers", "AutoencoderKL"}}});
}

} // namespace daam
