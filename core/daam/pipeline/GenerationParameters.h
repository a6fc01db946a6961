// SPDX-License-Identifier: GPL-3.0-or-later
// Generation parameters in a PNG's text chunks. Written into every session's image.png: A1111's `parameters`
// text (prompt, "Negative prompt: ...", then "Steps: 20, Sampler: DDIM, CFG scale: 7.5, Seed: 1, Size: 512x512,
// Model hash: ..., Model: ...") and our own JSON (`daam-studio`: the request, the model and the session folder's
// name). Read from PNGs of ours, of A1111 (`parameters`) and of ComfyUI (`prompt`, its API graph, or else
// `workflow`, its editor graph) into one set of optional fields. Torch-free, so that it can be fuzzed alone.
#pragma once

#include "daam/io/PngImage.h"
#include "daam/pipeline/GenerationRequest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace daam {

constexpr const char* kA1111ParametersKey = "parameters";
constexpr const char* kComfyPromptKey = "prompt";
constexpr const char* kComfyWorkflowKey = "workflow";
constexpr const char* kDaamParametersKey = "daam-studio";

enum class ParametersSource { DaamStudio, A1111, ComfyUI };
const char* toString(ParametersSource source); // "DAAM Studio", "AUTOMATIC1111", "ComfyUI"

struct GenerationParameters {
    ParametersSource source = ParametersSource::A1111;
    std::optional<std::string> prompt, negativePrompt;
    // How the prompt is to be read (GenerationRequest::promptSyntax): "a1111" for A1111's PNGs, whose author saw
    // its emphasis and windows; ours say what they were made with.
    std::optional<std::string> promptSyntax;
    std::optional<uint64_t> seed;
    std::optional<int> steps;
    std::optional<double> guidance, eta;
    std::optional<std::string> scheduler; // one of ours (ddim, pndm, euler, euler-a, dpm++2m, dpm++2m-karras, lms)
    std::string sampler;                  // as the PNG names it ("DPM++ 2M Karras", "dpmpp_2m karras"); may be empty
    std::optional<int> width, height;
    std::optional<std::string> modelName, modelHash;
    std::optional<std::string> sessionFolder; // ours: the name of the session folder the image was saved in
    // What did not carry over, in words (an unknown sampler, a schedule we do not have).
    std::vector<std::string> notes;
    // Settings of the PNG we do not use, as they were written (A1111's "Clip skip", "Hires upscaler", ...).
    std::vector<std::pair<std::string, std::string>> other;

    // Sets the fields that are present into `request`; the others stay as they are.
    void applyTo(GenerationRequest& request) const;
};

// Our scheduler names as A1111 names its samplers: ddim -> DDIM, pndm -> PLMS, euler -> Euler, euler-a -> Euler a,
// lms -> LMS, dpm++2m -> DPM++ 2M, dpm++2m-karras -> DPM++ 2M Karras (diffusers' class names too). Unknown names
// are returned as they are.
std::string a1111SamplerName(const std::string& scheduler);

// The text chunks of a session's image.png, from the generation record (StableDiffusionPipeline::record) and the
// session folder's name: `parameters` and `daam-studio`. None for a record without a request.
PngTextEntries generationPngText(const nlohmann::json& record, const std::string& sessionFolder);
std::string formatA1111Parameters(const nlohmann::json& record);

// Parsers of one chunk's text. Throw FileError(png, "<key> chunk: <what is wrong>").
GenerationParameters parseA1111Parameters(const std::string& text, const std::string& png);
GenerationParameters parseComfyPrompt(const std::string& text, const std::string& png);
GenerationParameters parseComfyWorkflow(const std::string& text, const std::string& png);
GenerationParameters parseDaamParameters(const std::string& text, const std::string& png);

// The parameters of the first chunk present of daam-studio, parameters, prompt, workflow (the most complete
// first). Throws FileError naming `png` when none is there or the one read is malformed.
GenerationParameters parseGenerationParameters(const PngTextEntries& text, const std::string& png);
// readPngText + parseGenerationParameters.
GenerationParameters readGenerationParameters(const std::string& png);
// The settings a session's generation record (generation.json) holds, read as our PNG chunk carries them, so that
// a session and its image give the same settings. Throws FileError naming `source` when the record holds no
// request or a malformed one.
GenerationParameters recordParameters(const nlohmann::json& record, const std::string& source);

// The session folder a PNG of ours belongs to: the folder holding it when that is the session it names (or the
// PNG is that folder's image.png: the folder may have been renamed), else the folder of that name beside it; ""
// when neither holds a generation.json (or the PNG names no session).
std::string sessionFolderOf(const std::string& png, const GenerationParameters& parameters);

} // namespace daam
