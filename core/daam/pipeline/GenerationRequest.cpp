// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/GenerationRequest.h"

#include "daam/util/Error.h"

#include <cmath>
#include <regex>
#include <vector>

namespace daam {

void GenerationRequest::validate() const {
    if (steps <= 0) throw Error("steps must be at least 1 (got " + std::to_string(steps) + ")");
    if (steps > 1000) throw Error("steps must be at most 1000 (got " + std::to_string(steps) + ")");
    if (!std::isfinite(guidance) || guidance < 0 || guidance > 100)
        throw Error("guidance must be a number from 0 to 100");
    if (!std::isfinite(eta) || eta < 0 || eta > 1) throw Error("eta must be from 0 to 1");
    if (width < 0 || height < 0 || width > 4096 || height > 4096)
        throw Error("width and height must be from 8 to 4096 pixels (0 for the model's default)");
    for (int v : {originalWidth, originalHeight, targetWidth, targetHeight, cropTop, cropLeft})
        if (v < 0 || v > 16384)
            throw Error("original size, crop and target size must be from 0 to 16384 pixels (0: the image's size)");
    if (!promptSyntax.empty() && promptSyntax != "a1111")
        throw Error("the prompt syntax must be a1111, or empty for diffusers' plain prompts (got '" + promptSyntax +
                    "')");
    if (!std::isfinite(strength) || strength <= 0 || strength > 1)
        throw Error("strength must be more than 0 and at most 1 (the share of the schedule run on the image)");
    if (startTimestep < -1 || startTimestep > 100000)
        throw Error("the start timestep must be from 0 to the noise schedule's last (or -1: use the strength)");
    if (dtype != "fp32" && dtype != "fp16" && dtype != "bf16")
        throw Error("dtype must be fp32, fp16 or bf16 (got '" + dtype + "')");
    static const std::regex devicePattern("cpu|cuda(:[0-9]+)?");
    if (!std::regex_match(device, devicePattern))
        throw Error("device must be cpu, cuda or cuda:N (got '" + device + "')");
}

nlohmann::json GenerationRequest::toJson() const {
    nlohmann::json j = {{"prompt", prompt},
                        {"negative_prompt", negativePrompt},
                        {"seed", seed},
                        {"steps", steps},
                        {"guidance", guidance},
                        {"scheduler", scheduler},
                        {"eta", eta},
                        {"width", width},
                        {"height", height},
                        {"device", device},
                        {"dtype", dtype},
                        {"original_size", {originalHeight, originalWidth}},
                        {"crop_top_left", {cropTop, cropLeft}},
                        {"target_size", {targetHeight, targetWidth}}};
    if (!promptSyntax.empty()) j["prompt_syntax"] = promptSyntax;
    // Only image-to-image records name an image, so text-to-image records read as before.
    if (!initImage.empty()) {
        j["init_image"] = initImage;
        if (startTimestep >= 0)
            j["start_timestep"] = startTimestep;
        else
            j["strength"] = strength;
    }
    return j;
}

GenerationRequest GenerationRequest::fromJson(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) throw FileError(source, "the generation request is not an object");
    GenerationRequest r;
    auto read = [&](const char* key, auto& out) {
        if (!j.contains(key)) return;
        try {
            out = j.at(key).get<std::decay_t<decltype(out)>>();
        } catch (const nlohmann::json::exception&) {
            throw FileError(source, std::string("\"") + key + "\" has the wrong type");
        }
    };
    read("prompt", r.prompt);
    read("negative_prompt", r.negativePrompt);
    read("seed", r.seed);
    read("steps", r.steps);
    read("guidance", r.guidance);
    read("scheduler", r.scheduler);
    read("eta", r.eta);
    read("width", r.width);
    read("height", r.height);
    read("device", r.device);
    read("dtype", r.dtype);
    read("prompt_syntax", r.promptSyntax);
    read("init_image", r.initImage);
    read("strength", r.strength);
    read("start_timestep", r.startTimestep);
    // (height, width) pairs as diffusers orders them; absent in sessions written before SDXL's options.
    auto readPair = [&](const char* key, int& first, int& second) {
        if (!j.contains(key)) return;
        std::vector<int> pair;
        read(key, pair);
        if (pair.size() != 2) throw FileError(source, std::string("\"") + key + "\" is not a pair of numbers");
        first = pair[0];
        second = pair[1];
    };
    readPair("original_size", r.originalHeight, r.originalWidth);
    readPair("crop_top_left", r.cropTop, r.cropLeft);
    readPair("target_size", r.targetHeight, r.targetWidth);
    return r;
}

} // namespace daam
