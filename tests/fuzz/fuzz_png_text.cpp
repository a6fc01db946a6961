// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for generation parameters in PNG text chunks. An input that starts with the PNG signature is a
// PNG file, read by readGenerationParameters (libpng, our tEXt/zTXt/iTXt parser with its size limits, then the
// chunk's parser); any other input is one chunk's text, its first byte choosing A1111's `parameters`, ComfyUI's
// `prompt` or `workflow`, or our `daam-studio`. Each must give parameters or throw daam::Error with a short message.
// Parameters read are written again as our chunk and (from A1111 text) as A1111's, and must read back the same:
// crashes, sanitizer
// reports, other exception types, long messages and round trips that change a value are failures.
#include "daam/pipeline/GenerationParameters.h"
#include "daam/util/Error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

namespace {

using daam::GenerationParameters;

const std::string& pngPath() {
    static const std::string path = "/tmp/daam-fuzz-png-text-" + std::to_string(::getpid()) + ".png";
    return path;
}

template <class Parse> bool parsedOrError(Parse parse, GenerationParameters& out) {
    try {
        out = parse();
        return true;
    } catch (const daam::Error& e) {
        if (std::strlen(e.what()) > 600) {
            std::fprintf(stderr, "message too long: %s\n", e.what());
            std::abort();
        }
        return false;
    }
}

void expectSame(bool same, const char* what) {
    if (same) return;
    std::fprintf(stderr, "round trip changed %s\n", what);
    std::abort();
}

// The parameters as a generation record holds them, for the writers.
nlohmann::json recordOf(const GenerationParameters& p) {
    nlohmann::json request = nlohmann::json::object();
    if (p.prompt) request["prompt"] = *p.prompt;
    if (p.negativePrompt) request["negative_prompt"] = *p.negativePrompt;
    if (p.seed) request["seed"] = *p.seed;
    if (p.steps) request["steps"] = *p.steps;
    if (p.guidance) request["guidance"] = *p.guidance;
    if (p.eta) request["eta"] = *p.eta;
    if (p.scheduler) request["scheduler"] = *p.scheduler;
    if (p.width) request["width"] = *p.width;
    if (p.height) request["height"] = *p.height;
    nlohmann::json model = nlohmann::json::object();
    if (p.modelName) model["name"] = *p.modelName;
    if (p.modelHash) model["fingerprint"] = *p.modelHash;
    return {{"request", request}, {"model", model}};
}

void expectSameFields(const GenerationParameters& a, const GenerationParameters& b) {
    expectSame(a.prompt.value_or("") == b.prompt.value_or(""), "the prompt");
    expectSame(a.negativePrompt.value_or("") == b.negativePrompt.value_or(""), "the negative prompt");
    expectSame(a.seed == b.seed, "the seed");
    expectSame(a.steps == b.steps, "the steps");
    expectSame(a.guidance == b.guidance, "the guidance");
    expectSame(a.scheduler == b.scheduler, "the scheduler");
    expectSame(a.width == b.width && a.height == b.height, "the size");
    expectSame(a.modelName == b.modelName && a.modelHash == b.modelHash, "the model");
}

// `viaA1111`: also through A1111's text. Only for parameters read from such a text: a prompt of our own JSON may
// hold what that format cannot (a line that starts with "Negative prompt:", spaces at a line's end).
void roundTrip(const GenerationParameters& p, bool viaA1111) {
    const auto record = recordOf(p);
    GenerationParameters back;
    // Ours holds every field as it is.
    const auto text = daam::generationPngText(record, "/sessions/fuzz");
    if (!parsedOrError([&] { return daam::parseDaamParameters(text[1].second, "x.png"); }, back)) {
        std::fprintf(stderr, "our own chunk does not read back\n");
        std::abort();
    }
    expectSameFields(p, back);
    expectSame(back.sessionFolder == std::string("fuzz"), "the session folder");
    // A1111's text, when it has the settings line A1111 always writes (one that starts with Steps).
    if (!viaA1111 || !p.steps || !p.seed || !p.guidance || !p.width || !p.height) return;
    if (!parsedOrError([&] { return daam::parseA1111Parameters(text[0].second, "x.png"); }, back)) {
        std::fprintf(stderr, "our A1111 text does not read back:\n%s\n", text[0].second.c_str());
        std::abort();
    }
    expectSameFields(p, back);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    GenerationParameters p;
    if (size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) {
        std::FILE* file = std::fopen(pngPath().c_str(), "wb");
        if (!file) std::abort();
        if (std::fwrite(data, 1, size, file) != size) std::abort();
        std::fclose(file);
        if (parsedOrError([&] { return daam::readGenerationParameters(pngPath()); }, p) &&
            p.source != daam::ParametersSource::ComfyUI)
            roundTrip(p, p.source == daam::ParametersSource::A1111);
        return 0;
    }
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
    case 0:
        if (parsedOrError([&] { return daam::parseA1111Parameters(text, "x.png"); }, p)) roundTrip(p, true);
        break;
    case 1:
        parsedOrError([&] { return daam::parseComfyPrompt(text, "x.png"); }, p);
        break;
    case 2:
        parsedOrError([&] { return daam::parseComfyWorkflow(text, "x.png"); }, p);
        break;
    default:
        if (parsedOrError([&] { return daam::parseDaamParameters(text, "x.png"); }, p)) roundTrip(p, false);
        break;
    }
    return 0;
}
