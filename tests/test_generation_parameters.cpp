// SPDX-License-Identifier: GPL-3.0-or-later
// Generation parameters in PNG text chunks: A1111's `parameters` text written from a generation record and read
// back; A1111's own texts (quoted values, several-line negative prompts, both spellings of Karras, unknown
// settings and samplers); ComfyUI's API graph and editor workflow; our JSON chunk and which chunk wins; a clear
// error for each malformed chunk; the session folder a PNG belongs to; saveGeneratedSession's chunks.
#include "daam/pipeline/GenerationParameters.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/util/Error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kParametersPng = "/photos/castle.png";

json sampleRecord() {
    return {{"format", "daam-studio-generation"},
            {"request",
             {{"prompt", "a cat, on a mat"},
              {"negative_prompt", "blurry\nlow quality"},
              {"seed", 3456789012u},
              {"steps", 20},
              {"guidance", 7.5},
              {"scheduler", "dpm++2m-karras"},
              {"eta", 0.0},
              {"width", 512},
              {"height", 768},
              {"device", "cpu"},
              {"dtype", "fp32"}}},
            {"model", {{"path", "/models/sd-1,5"}, {"name", "sd-1,5"}, {"fingerprint", "0123456789abcdef"}}}};
}

// Runs `parse` and returns "" when it throws a FileError naming kParametersPng whose message contains `words`.
template <class Parse> QString expectParametersError(const char* words, Parse parse) {
    try {
        parse();
    } catch (const daam::FileError& e) {
        const QString message = QString::fromStdString(e.what());
        if (e.path() == kParametersPng && message.contains(QString::fromUtf8(words))) return {};
        return message;
    }
    return QStringLiteral("no error");
}

#define EXPECT_PARAMETERS_ERROR(words, call)                                                                           \
    do {                                                                                                               \
        const QString problem_ = expectParametersError(words, [&] { call; });                                          \
        QVERIFY2(problem_.isEmpty(), qPrintable(QStringLiteral("%1: %2").arg(QString::fromUtf8(words), problem_)));    \
    } while (0)

bool hasNote(const daam::GenerationParameters& p, const std::string& words) {
    for (const auto& note : p.notes)
        if (note.find(words) != std::string::npos) return true;
    return false;
}

// ComfyUI's API graph of a LoRA generation with a hires-fix second pass (node "2"), the positive prompt from a
// primitive node.
json comfyGraph() {
    return json::parse(R"({
      "2": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 10, "cfg": 5, "sampler_name": "euler",
            "scheduler": "normal", "denoise": 0.5, "model": ["10", 0], "positive": ["6", 0], "negative": ["7", 0],
            "latent_image": ["13", 0]}},
      "3": {"class_type": "KSampler", "inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8,
            "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 1, "model": ["10", 0],
            "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
      "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
      "10": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "clip": ["4", 1], "lora_name": "x.safetensors"}},
      "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 640, "batch_size": 1}},
      "6": {"class_type": "CLIPTextEncode", "inputs": {"text": ["11", 0], "clip": ["10", 1]}},
      "11": {"class_type": "PrimitiveString", "inputs": {"value": "beautiful scenery, glass bottle"}},
      "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark", "clip": ["4", 1]}},
      "13": {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["3", 0], "upscale_method": "nearest-exact",
             "scale_by": 1.5}},
      "8": {"class_type": "VAEDecode", "inputs": {"samples": ["2", 0], "vae": ["4", 2]}},
      "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}
    })");
}

daam::Session tracedSession(const json& generation) {
    daam::CrossAttentionLayerTable table(1);
    daam::parseLayerPath("down_blocks.0.attentions.0.transformer_blocks.0.attn2", table[0]);
    table[0].heads = 1;
    table[0].height = table[0].width = 4;
    daam::Session s;
    s.prompt = "a cat";
    s.gridSide = 8;
    s.trace = std::make_shared<daam::AttentionTrace>(table, 4);
    s.trace->add(0, 0, torch::softmax(torch::randn({1, 16, 77}), -1));
    s.tokens = {{49406, "<|startoftext|>", 0, 0}, {320, "a</w>", 0, 1}, {2368, "cat</w>", 2, 5}, {49407, "", 5, 5}};
    s.words = {{"a", 0, 1, {1}, false}, {"cat", 2, 5, {2}, false}};
    s.generation = generation;
    s.image = daam::PngImage{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 60)};
    return s;
}

std::string textOf(const daam::PngTextEntries& text, const std::string& key) {
    for (const auto& [k, v] : text)
        if (k == key) return v;
    return {};
}

} // namespace

class TestGenerationParameters : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void writesA1111TextAndReadsItBack() {
        const auto text = daam::formatA1111Parameters(sampleRecord());
        QCOMPARE(text, std::string("a cat, on a mat\nNegative prompt: blurry\nlow quality\n"
                                   "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7.5, Seed: 3456789012, "
                                   "Size: 512x768, Model hash: 0123456789abcdef, Model: \"sd-1,5\""));
        const auto p = daam::parseA1111Parameters(text, kParametersPng);
        QCOMPARE(p.source, daam::ParametersSource::A1111);
        QCOMPARE(*p.prompt, std::string("a cat, on a mat"));
        QCOMPARE(*p.negativePrompt, std::string("blurry\nlow quality"));
        QCOMPARE(*p.seed, uint64_t(3456789012u));
        QCOMPARE(*p.steps, 20);
        QCOMPARE(*p.guidance, 7.5);
        QCOMPARE(*p.scheduler, std::string("dpm++2m-karras"));
        QCOMPARE(p.sampler, std::string("DPM++ 2M Karras"));
        QCOMPARE(*p.width, 512);
        QCOMPARE(*p.height, 768);
        QCOMPARE(*p.modelName, std::string("sd-1,5"));
        QCOMPARE(*p.modelHash, std::string("0123456789abcdef"));
        QVERIFY(p.notes.empty());

        // Whole guidance as A1111 writes it, no negative prompt, and eta where it is not 0.
        auto record = sampleRecord();
        record["request"]["guidance"] = 7.0;
        record["request"]["negative_prompt"] = "";
        record["request"]["scheduler"] = "ddim";
        record["request"]["eta"] = 0.25;
        const auto ddim = daam::formatA1111Parameters(record);
        QCOMPARE(ddim, std::string("a cat, on a mat\nSteps: 20, Sampler: DDIM, CFG scale: 7, Seed: 3456789012, "
                                   "Size: 512x768, Model hash: 0123456789abcdef, Model: \"sd-1,5\", Eta: 0.25"));
        const auto back = daam::parseA1111Parameters(ddim, kParametersPng);
        QCOMPARE(*back.negativePrompt, std::string());
        QCOMPARE(*back.eta, 0.25);
        QCOMPARE(*back.scheduler, std::string("ddim"));
    }

    void everySchedulerHasItsA1111Name() {
        // Ours, diffusers' class names (a model's default scheduler), and the name read back.
        const struct {
            const char* scheduler;
            const char* a1111;
            const char* readBack;
        } names[] = {{"pndm", "PLMS", "pndm"},
                     {"ddim", "DDIM", "ddim"},
                     {"euler", "Euler", "euler"},
                     {"euler-a", "Euler a", "euler-a"},
                     {"lms", "LMS", "lms"},
                     {"dpm++2m", "DPM++ 2M", "dpm++2m"},
                     {"dpm++2m-karras", "DPM++ 2M Karras", "dpm++2m-karras"},
                     {"PNDMScheduler", "PLMS", "pndm"},
                     {"EulerAncestralDiscreteScheduler", "Euler a", "euler-a"}};
        for (const auto& n : names) {
            QCOMPARE(daam::a1111SamplerName(n.scheduler), std::string(n.a1111));
            const auto p = daam::parseA1111Parameters(std::string("x\nSteps: 5, Sampler: ") + n.a1111 + ", Seed: 1",
                                                      kParametersPng);
            QCOMPARE(*p.scheduler, std::string(n.readBack));
        }
    }

    void readsA1111Texts() {
        const auto p = daam::parseA1111Parameters(
            "masterpiece, a castle\r\non a hill\r\nNegative prompt: (worst quality:1.4), lowres\r\nbad hands\r\n"
            "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3456789012, Size: 512x768, "
            "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Clip skip: 2, "
            "Lora hashes: \"add_detail: 7c6bad76eb54, more: 1a2b\", TI: \"a \\\"quoted\\\" name\", Tiling, "
            "Version: v1.10.1\r\n",
            kParametersPng);
        QCOMPARE(*p.prompt, std::string("masterpiece, a castle\non a hill"));
        QCOMPARE(*p.negativePrompt, std::string("(worst quality:1.4), lowres\nbad hands"));
        QCOMPARE(*p.steps, 28);
        QCOMPARE(*p.scheduler, std::string("dpm++2m-karras"));
        QCOMPARE(*p.guidance, 6.5);
        QCOMPARE(*p.seed, uint64_t(3456789012u));
        QCOMPARE(*p.width, 512);
        QCOMPARE(*p.height, 768);
        QCOMPARE(*p.modelName, std::string("v1-5-pruned-emaonly"));
        const std::vector<std::pair<std::string, std::string>> other = {
            {"Clip skip", "2"},
            {"Lora hashes", "add_detail: 7c6bad76eb54, more: 1a2b"},
            {"TI", "a \"quoted\" name"},
            {"Tiling", "Tiling"},
            {"Version", "v1.10.1"}};
        QCOMPARE(p.other, other);

        // Euler a, no negative prompt.
        const auto euler = daam::parseA1111Parameters(
            "a dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Model hash: abc",
            kParametersPng);
        QCOMPARE(*euler.scheduler, std::string("euler-a"));
        QCOMPARE(*euler.negativePrompt, std::string());
        QVERIFY(!euler.modelName);

        // A sampler we do not have: its name is kept and said; a schedule we do not have is said.
        const auto uni =
            daam::parseA1111Parameters("a dog\nSteps: 20, Sampler: UniPC, CFG scale: 7, Seed: 1", kParametersPng);
        QVERIFY(!uni.scheduler);
        QCOMPARE(uni.sampler, std::string("UniPC"));
        QVERIFY(hasNote(uni, "the sampler 'UniPC' has no counterpart here"));
        const auto expo = daam::parseA1111Parameters(
            "a dog\nSteps: 20, Sampler: Euler, Schedule type: Exponential, CFG scale: 7, Seed: 1", kParametersPng);
        QCOMPARE(*expo.scheduler, std::string("euler"));
        QVERIFY(hasNote(expo, "the schedule 'Exponential' is not one of ours"));
        const auto lmsKarras = daam::parseA1111Parameters("a\nSteps: 9, Sampler: LMS Karras, Seed: 2", kParametersPng);
        QCOMPARE(*lmsKarras.scheduler, std::string("lms"));
        QVERIFY(hasNote(lmsKarras, "'Karras'"));

        // Without a settings line the whole text is the prompt, colons and all.
        const auto plain = daam::parseA1111Parameters("style: oil, light: soft, mood: calm: quiet", kParametersPng);
        QCOMPARE(*plain.prompt, std::string("style: oil, light: soft, mood: calm: quiet"));
        QVERIFY(!plain.steps && !plain.seed);
        // Only settings: an empty prompt.
        const auto bare = daam::parseA1111Parameters("Steps: 3, Sampler: DDIM, CFG scale: 1, Seed: 9", kParametersPng);
        QCOMPARE(*bare.prompt, std::string());
        QCOMPARE(*bare.seed, uint64_t(9));
    }

    void malformedA1111TextIsNamed() {
        EXPECT_PARAMETERS_ERROR(
            "castle.png: parameters chunk: Steps is not a whole number ('twenty')",
            daam::parseA1111Parameters("x\nSteps: twenty, Sampler: Euler, CFG scale: 7, Seed: 1", kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "parameters chunk: Size is not WIDTHxHEIGHT ('512 by 512')",
            daam::parseA1111Parameters("x\nSteps: 2, Sampler: Euler, Size: 512 by 512", kParametersPng));
        EXPECT_PARAMETERS_ERROR("parameters chunk: Size is not WIDTHxHEIGHT ('0x512')",
                                daam::parseA1111Parameters("x\nSteps: 2, Sampler: Euler, Size: 0x512", kParametersPng));
        EXPECT_PARAMETERS_ERROR("parameters chunk: Seed is not a whole number from 0 up ('-1')",
                                daam::parseA1111Parameters("x\nSteps: 2, Sampler: Euler, Seed: -1", kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "parameters chunk: Seed is not a whole number from 0 up ('18446744073709551616')",
            daam::parseA1111Parameters("x\nSteps: 2, Seed: 18446744073709551616, Size: 8x8", kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "parameters chunk: CFG scale is not a number ('high')",
            daam::parseA1111Parameters("x\nSteps: 2, Sampler: Euler, CFG scale: high", kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "parameters chunk: the quoted value of Model never ends",
            daam::parseA1111Parameters("x\nSteps: 20, Model: \"abc, Seed: 1, Size: 8x8", kParametersPng));
        EXPECT_PARAMETERS_ERROR("parameters chunk: the quoted value of Model is not a valid JSON string",
                                daam::parseA1111Parameters("x\nSteps: 20, Model: \"a\\qb\", Seed: 1", kParametersPng));
        EXPECT_PARAMETERS_ERROR("parameters chunk: text follows the quoted value of Model",
                                daam::parseA1111Parameters("x\nSteps: 20, Model: \"ab\" cd, Seed: 1", kParametersPng));
        EXPECT_PARAMETERS_ERROR("parameters chunk: empty", daam::parseA1111Parameters(" \n\r\n ", kParametersPng));
        EXPECT_PARAMETERS_ERROR("parameters chunk: not UTF-8 text",
                                daam::parseA1111Parameters("caf\xE9\nSteps: 2", kParametersPng));
    }

    void readsComfyUIGraphs() {
        const auto p = daam::parseComfyPrompt(comfyGraph().dump(), kParametersPng);
        QCOMPARE(p.source, daam::ParametersSource::ComfyUI);
        // The first pass (node 3, from the empty latent) rather than the hires-fix pass (node 2).
        QCOMPARE(*p.seed, uint64_t(156680208700286));
        QCOMPARE(*p.steps, 20);
        QCOMPARE(*p.guidance, 8.0);
        QCOMPARE(*p.scheduler, std::string("dpm++2m-karras"));
        QCOMPARE(p.sampler, std::string("dpmpp_2m karras"));
        QCOMPARE(*p.prompt, std::string("beautiful scenery, glass bottle"));
        QCOMPARE(*p.negativePrompt, std::string("text, watermark"));
        QCOMPARE(*p.width, 512);
        QCOMPARE(*p.height, 640);
        QCOMPARE(*p.modelName, std::string("v1-5-pruned-emaonly.safetensors"));
        QVERIFY(p.notes.empty());

        // KSamplerAdvanced's noise_seed, SDXL's text_g, a sampler we do not have, img2img's denoise.
        auto graph = comfyGraph();
        graph.erase("2");
        graph["3"]["class_type"] = "KSamplerAdvanced";
        graph["3"]["inputs"].erase("seed");
        graph["3"]["inputs"]["noise_seed"] = 77;
        graph["3"]["inputs"]["sampler_name"] = "uni_pc";
        graph["7"] = {{"class_type", "CLIPTextEncodeSDXL"},
                      {"inputs", {{"text_g", "ugly"}, {"text_l", "ugly, small"}, {"clip", {"4", 1}}}}};
        const auto advanced = daam::parseComfyPrompt(graph.dump(), kParametersPng);
        QCOMPARE(*advanced.seed, uint64_t(77));
        QCOMPARE(*advanced.negativePrompt, std::string("ugly"));
        QVERIFY(!advanced.scheduler);
        QVERIFY(hasNote(advanced, "the sampler 'uni_pc karras' has no counterpart here"));
        auto img2img = comfyGraph();
        img2img["3"]["inputs"]["denoise"] = 0.6;
        img2img["3"]["inputs"]["scheduler"] = "exponential";
        const auto partial = daam::parseComfyPrompt(img2img.dump(), kParametersPng);
        QVERIFY(hasNote(partial, "denoise 0.6"));
        QVERIFY(hasNote(partial, "the schedule 'exponential' is not one of ours: dpm++2m runs on its own"));

        // A link cycle ends: the prompt is then unknown, not an endless loop.
        auto cycle = comfyGraph();
        cycle["11"]["inputs"]["value"] = {"6", 0};
        QVERIFY(!daam::parseComfyPrompt(cycle.dump(), kParametersPng).prompt);
    }

    void malformedComfyUIGraphIsNamed() {
        EXPECT_PARAMETERS_ERROR("prompt chunk: not JSON", daam::parseComfyPrompt("{\"3\": {", kParametersPng));
        EXPECT_PARAMETERS_ERROR("prompt chunk: not a ComfyUI graph", daam::parseComfyPrompt("[1, 2]", kParametersPng));
        EXPECT_PARAMETERS_ERROR("prompt chunk: node '1' has no class_type",
                                daam::parseComfyPrompt(R"({"1": {"inputs": {}}})", kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "prompt chunk: the ComfyUI graph has no KSampler",
            daam::parseComfyPrompt(R"({"1": {"class_type": "SaveImage", "inputs": {}}})", kParametersPng));
        auto steps = comfyGraph();
        steps["3"]["inputs"]["steps"] = "twenty";
        EXPECT_PARAMETERS_ERROR("prompt chunk: KSampler node '3': steps is not a whole number",
                                daam::parseComfyPrompt(steps.dump(), kParametersPng));
        auto seed = comfyGraph();
        seed["3"]["inputs"]["seed"] = -4;
        EXPECT_PARAMETERS_ERROR("prompt chunk: KSampler node '3': seed is negative",
                                daam::parseComfyPrompt(seed.dump(), kParametersPng));
        auto absent = comfyGraph();
        absent["3"]["inputs"]["positive"] = {"99", 0};
        EXPECT_PARAMETERS_ERROR("prompt chunk: node '3' links to node '99', which is absent",
                                daam::parseComfyPrompt(absent.dump(), kParametersPng));
    }

    void readsComfyUIWorkflows() {
        const auto workflow = R"({
          "nodes": [
            {"id": 3, "type": "KSampler", "inputs": [{"name": "model", "link": 1}, {"name": "positive", "link": 4},
              {"name": "negative", "link": 6}, {"name": "latent_image", "link": 2}],
             "widgets_values": [8566257, "randomize", 25, 6.5, "euler_ancestral", "normal", 1]},
            {"id": 5, "type": "EmptyLatentImage", "widgets_values": [768, 512, 1]},
            {"id": 6, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "link": 3}],
             "widgets_values": ["a lighthouse at dusk"]},
            {"id": 7, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "link": 5},
              {"name": "text", "link": 9, "widget": {"name": "text"}}], "widgets_values": ["ignored"]},
            {"id": 12, "type": "PrimitiveNode", "widgets_values": ["fog"]}
          ],
          "links": [[2, 5, 0, 3, 3, "LATENT"], [4, 6, 0, 3, 1, "CONDITIONING"], [6, 7, 0, 3, 2, "CONDITIONING"],
                    [9, 12, 0, 7, 1, "STRING"]]
        })";
        const auto p = daam::parseComfyWorkflow(workflow, kParametersPng);
        QCOMPARE(*p.seed, uint64_t(8566257));
        QCOMPARE(*p.steps, 25);
        QCOMPARE(*p.guidance, 6.5);
        QCOMPARE(*p.scheduler, std::string("euler-a"));
        QCOMPARE(*p.prompt, std::string("a lighthouse at dusk"));
        QCOMPARE(*p.negativePrompt, std::string("fog"));
        QCOMPARE(*p.width, 768);
        QCOMPARE(*p.height, 512);
        EXPECT_PARAMETERS_ERROR("workflow chunk: not a ComfyUI workflow",
                                daam::parseComfyWorkflow("{\"nodes\": 3}", kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "workflow chunk: KSampler: steps is not a whole number in range",
            daam::parseComfyWorkflow(
                R"({"nodes": [{"id": 1, "type": "KSampler", "widgets_values": [1, "fixed", "many"]}]})",
                kParametersPng));
    }

    void ourChunkWinsAndNamesTheSession() {
        const auto text = daam::generationPngText(sampleRecord(), "/data/sessions/castle-01/");
        QCOMPARE(text.size(), size_t(2));
        QCOMPARE(text[0].first, std::string("parameters"));
        QCOMPARE(text[1].first, std::string("daam-studio"));
        const auto ours = json::parse(text[1].second);
        QCOMPARE(ours["session"].get<std::string>(), std::string("castle-01"));
        QVERIFY(!ours["request"].contains("device")); // the machine's, not the image's
        QVERIFY(!ours["model"].contains("path"));     // nor where the model lies on it

        // Ours is read first even when A1111's text beside it is malformed.
        auto entries = text;
        entries[0].second = "x\nSteps: many, Seed: 1, Size: 8x8";
        const auto p = daam::parseGenerationParameters(entries, kParametersPng);
        QCOMPARE(p.source, daam::ParametersSource::DaamStudio);
        QCOMPARE(*p.prompt, std::string("a cat, on a mat"));
        QCOMPARE(*p.negativePrompt, std::string("blurry\nlow quality"));
        QCOMPARE(*p.seed, uint64_t(3456789012u));
        QCOMPARE(*p.scheduler, std::string("dpm++2m-karras"));
        QCOMPARE(*p.guidance, 7.5);
        QCOMPARE(*p.width, 512);
        QCOMPARE(*p.eta, 0.0);
        QCOMPARE(*p.sessionFolder, std::string("castle-01"));
        QCOMPARE(*p.modelName, std::string("sd-1,5"));
        // Then A1111's, then ComfyUI's graph, then its workflow.
        entries.erase(entries.begin() + 1);
        EXPECT_PARAMETERS_ERROR("parameters chunk: Steps is not a whole number",
                                daam::parseGenerationParameters(entries, kParametersPng));
        const daam::PngTextEntries comfy = {{"workflow", "{}"}, {"prompt", comfyGraph().dump()}};
        QCOMPARE(*daam::parseGenerationParameters(comfy, kParametersPng).steps, 20);
        EXPECT_PARAMETERS_ERROR("castle.png: holds no generation parameters",
                                daam::parseGenerationParameters({{"Software", "GIMP"}}, kParametersPng));

        // A record without a request (a session built in memory) gives no chunks.
        QVERIFY(daam::generationPngText(json{{"seed", 1}}, "/x/y").empty());

        // The request applies field by field.
        daam::GenerationRequest request;
        request.device = "cuda";
        p.applyTo(request);
        QCOMPARE(request.prompt, std::string("a cat, on a mat"));
        QCOMPARE(request.steps, 20);
        QCOMPARE(request.height, 768);
        QCOMPARE(request.device, std::string("cuda"));
    }

    void malformedOwnChunkIsNamed() {
        auto chunkWith = [](const std::function<void(json&)>& edit) {
            json j = json::parse(daam::generationPngText(sampleRecord(), "/s/x")[1].second);
            edit(j);
            return j.dump();
        };
        EXPECT_PARAMETERS_ERROR(
            "daam-studio chunk: written by a newer DAAM Studio (format 2, this build reads 1)",
            daam::parseDaamParameters(chunkWith([](json& j) { j["format_version"] = 2; }), kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "daam-studio chunk: request.steps has the wrong type or is out of range",
            daam::parseDaamParameters(chunkWith([](json& j) { j["request"]["steps"] = "20"; }), kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "daam-studio chunk: request.seed has the wrong type or is out of range",
            daam::parseDaamParameters(chunkWith([](json& j) { j["request"]["seed"] = -1; }), kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "daam-studio chunk: session is not a folder name",
            daam::parseDaamParameters(chunkWith([](json& j) { j["session"] = "../../etc"; }), kParametersPng));
        EXPECT_PARAMETERS_ERROR(
            "daam-studio chunk: not DAAM Studio's parameters",
            daam::parseDaamParameters(chunkWith([](json& j) { j["format"] = "other"; }), kParametersPng));
        EXPECT_PARAMETERS_ERROR("daam-studio chunk: not JSON", daam::parseDaamParameters("{", kParametersPng));
    }

    void findsTheSessionBesideAPng() {
        const auto root = daam::test::makeTempDir("png-session");
        fs::create_directories(root + "/castle-01");
        std::ofstream(root + "/castle-01/generation.json") << "{}";
        daam::GenerationParameters p;
        p.sessionFolder = "castle-01";
        const auto inside = fs::path(root) / "castle-01";
        QCOMPARE(daam::sessionFolderOf(root + "/castle-01/image.png", p), inside.string());
        QCOMPARE(daam::sessionFolderOf(root + "/exported.png", p), inside.string());
        QCOMPARE(daam::sessionFolderOf(root + "/elsewhere/image.png", p), std::string());
        // A renamed session folder still holds its own image.png, but not any other PNG.
        p.sessionFolder = "castle-02";
        QCOMPARE(daam::sessionFolderOf(root + "/castle-01/image.png", p), inside.string());
        QCOMPARE(daam::sessionFolderOf(root + "/castle-01/copy.png", p), std::string());
        p.sessionFolder.reset(); // not a PNG of ours
        QCOMPARE(daam::sessionFolderOf(root + "/castle-01/image.png", p), std::string());
    }

    void savedSessionsCarryBothChunks() {
        const auto root = daam::test::makeTempDir("png-session");
        daam::saveGeneratedSession(root + "/first", tracedSession(sampleRecord()));
        const auto text = daam::readPngText(root + "/first/image.png");
        QCOMPARE(textOf(text, "parameters"), daam::formatA1111Parameters(sampleRecord()));
        auto p = daam::readGenerationParameters(root + "/first/image.png");
        QCOMPARE(*p.sessionFolder, std::string("first"));
        QCOMPARE(daam::sessionFolderOf(root + "/first/image.png", p), (fs::path(root) / "first").string());

        // Saved again elsewhere, the image names its new folder.
        daam::saveGeneratedSession(root + "/second", daam::loadSession(root + "/first"));
        p = daam::readGenerationParameters(root + "/second/image.png");
        QCOMPARE(*p.sessionFolder, std::string("second"));
        QCOMPARE(*p.seed, uint64_t(3456789012u));

        // A session without a request keeps whatever text its image had.
        auto bare = tracedSession(json{{"seed", 1}});
        bare.image.text = {{"Comment", "made by hand"}};
        daam::saveGeneratedSession(root + "/bare", bare);
        QVERIFY(daam::readPngText(root + "/bare/image.png") == bare.image.text);
    }
};

#undef EXPECT_PARAMETERS_ERROR // the tests compile in unity batches

DAAM_TEST_APPLESS_MAIN(TestGenerationParameters)
#include "test_generation_parameters.moc"
