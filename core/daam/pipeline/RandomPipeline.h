// SPDX-License-Identifier: GPL-3.0-or-later
// Diffusers pipeline folders with random weights, written by the same conventions a real model folder
// follows, so that benchmarks (the exact SD 1.5 shapes) and tests (a tiny model, no downloads) run the
// very loading and generation code that users run on their own models.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace daam {

struct RandomPipelineSpec {
    // Each component's config.json, as diffusers/transformers write them.
    nlohmann::json textEncoder, unet, vae, scheduler;
    uint64_t seed = 0; // torch::manual_seed before the modules are initialized
};

// Stable Diffusion 1.5's shapes: CLIP ViT-L/14 text encoder, the 860M-parameter UNet, the KL-f8 VAE,
// PNDM. About 4.3 GB of float32 weights.
RandomPipelineSpec sd15RandomSpec();
// The same architecture family at toy size (32-64 channels, 64x64 images): generates in well under a second.
RandomPipelineSpec tinyRandomSpec();
// Small, but shaped by SD 1.x's rules (CLIP's vocabulary and tokenizer, 64-channel text heads, 8 UNet heads), so
// that a single file of it opens with no YAML.
RandomPipelineSpec smallStandardSpec();

// Writes model_index.json, each component's config.json and .safetensors weights (LibTorch's default
// initialization, seeded), and a byte-level CLIP BPE tokenizer (every byte a token, no merges) into `dir`.
// Files are written atomically; `dir` is created when absent.
void writeRandomPipeline(const std::string& dir, const RandomPipelineSpec& spec);

} // namespace daam
