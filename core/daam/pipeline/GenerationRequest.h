// SPDX-License-Identifier: GPL-3.0-or-later
// What a user asks the engine to generate. Front ends fill it from their controls or arguments; the
// pipeline validates it against the model (sizes, steps, scheduler) and records it in generation.json.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace daam {

struct GenerationRequest {
    std::string prompt;
    std::string negativePrompt; // empty: the unconditional prompt "" (SDXL: zero embeddings)
    uint64_t seed = 0;
    int steps = 50;
    double guidance = 7.5; // <= 1 disables classifier-free guidance (batch of 1)
    // How the prompts are read: "" as diffusers reads them (plain text, at most the text encoder's window, longer
    // prompts refused), or "a1111": AUTOMATIC1111's syntax ("(word:1.3)", "[word]", BREAK) in as many 75-token
    // windows as the prompt needs.
    std::string promptSyntax;
    std::string scheduler; // ddim, pndm, euler, euler-a, dpm++2m, dpm++2m-karras, lms; empty: the model's
    double eta = 0.0;      // DDIM only
    int width = 0;         // 0: the model's default (sample_size x VAE factor)
    int height = 0;
    // SDXL's micro-conditioning (diffusers' original_size, crops_coords_top_left, target_size), which the UNet
    // reads beside the text; 0 for a size: the image's. Other families ignore them.
    int originalWidth = 0, originalHeight = 0;
    int cropTop = 0, cropLeft = 0;
    int targetWidth = 0, targetHeight = 0;
    // Image-to-image (diffusers' StableDiffusionImg2ImgPipeline): the input image, encoded by the VAE and noised to
    // where the run starts. Empty: text-to-image. The start is `strength` of the schedule from its end (diffusers'
    // get_timesteps), or, to explain an existing image, the first timestep at or below `startTimestep` when that is
    // not negative.
    std::string initImage;
    double strength = 0.8;
    int startTimestep = -1;
    std::string device = "cpu"; // cpu, cuda, cuda:N
    std::string dtype = "fp32"; // fp32, fp16, bf16

    // Checks what needs no model: non-empty steps range, finite guidance and eta, known dtype, device syntax,
    // sizes in range. Throws daam::Error naming the field.
    void validate() const;

    nlohmann::json toJson() const;
    // Reads a request written by toJson(); `source` names the file in errors.
    static GenerationRequest fromJson(const nlohmann::json& j, const std::string& source);
};

} // namespace daam
