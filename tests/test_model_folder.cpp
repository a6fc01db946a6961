// SPDX-License-Identifier: GPL-3.0-or-later
// Pipeline folders: model_index.json and the model family, config errors, and weight files that do not fit
// the model (missing / extra / wrongly shaped tensors, shards) reported by name.
#include "daam/config/CLIPTextConfig.h"
#include "daam/config/ModelIndex.h"
#include "daam/io/Safetensors.h"
#include "daam/nn/CLIPTextModel.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

using namespace daam;
namespace fs = std::filesystem;

namespace {
void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// Runs `f`, expects a FileError, and returns its message ("" when nothing or something else was thrown).
template <class F> std::string fileErrorOf(F&& f) {
    try {
        f();
    } catch (const FileError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("unexpected exception: ") + e.what();
    }
    return {};
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// A copy of sd1-tiny's text_encoder folder with only config.json; the caller writes the weights.
fs::path textEncoderCopy(const std::string& tag) {
    const fs::path dir = fs::path(daam::test::makeTempDir(tag)) / "text_encoder";
    fs::create_directories(dir);
    fs::copy_file(fs::path(daam::test::referencePath("pipelines/sd1-tiny/text_encoder")) / "config.json",
                  dir / "config.json");
    return dir;
}

std::vector<std::pair<std::string, torch::Tensor>> referenceWeights() {
    const auto map = loadSafetensors(daam::test::referencePath("pipelines/sd1-tiny/text_encoder/model.safetensors"));
    return {map.begin(), map.end()};
}
} // namespace

class TestModelFolder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modelIndexOfTinyPipelines() {
        DAAM_REQUIRE_REFERENCE();
        const struct {
            const char* pipe;
            const char* className;
            ModelFamily family;
        } cases[] = {{"sd1-tiny", "StableDiffusionPipeline", ModelFamily::SD1},
                     {"sd2-tiny", "StableDiffusionPipeline", ModelFamily::SD2},
                     {"sdxl-tiny", "StableDiffusionXLPipeline", ModelFamily::SDXL}};
        for (const auto& c : cases) {
            const auto index = ModelIndex::open(daam::test::referencePath(std::string("pipelines/") + c.pipe));
            QCOMPARE(index.className(), std::string(c.className));
            QCOMPARE(index.family(), c.family);
            for (const char* name : {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) {
                QVERIFY2(index.has(name), name);
                QVERIFY(fs::is_directory(index.componentDir(name)));
            }
            QCOMPARE(index.has("text_encoder_2"), c.family == ModelFamily::SDXL);
            QCOMPARE(index.components().at("unet").library, std::string("diffusers"));
            QCOMPARE(index.components().at("text_encoder").library, std::string("transformers"));
        }
    }

    void nullComponentsAndMissingFolders() {
        const fs::path dir = daam::test::makeTempDir("model_index");
        fs::create_directories(dir / "unet");
        writeText(dir / "model_index.json", R"({"_class_name": "StableDiffusionPipeline",
            "requires_safety_checker": false, "safety_checker": [null, null],
            "unet": ["diffusers", "UNet2DConditionModel"]})");
        const auto index = ModelIndex::open(dir.string());
        QVERIFY(index.has("unet"));
        QVERIFY(!index.has("safety_checker"));
        QVERIFY(index.components().count("safety_checker"));
        DAAM_VERIFY_THROWS_NAMING(FileError, index.componentDir("safety_checker"), "safety_checker");

        writeText(dir / "model_index.json", R"({"_class_name": "StableDiffusionPipeline",
            "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"]})");
        DAAM_VERIFY_THROWS_NAMING(FileError, ModelIndex::open(dir.string()), "model_index.json", "\"vae\"");
    }

    void familyRule() {
        const fs::path dir = daam::test::makeTempDir("family");
        for (const char* sub : {"text_encoder", "tokenizer", "text_encoder_2"})
            fs::create_directories(dir / sub);
        const std::string pipeline = R"("_class_name": "StableDiffusionPipeline",
            "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"])";
        writeText(dir / "model_index.json", "{" + pipeline + "}");
        writeText(dir / "text_encoder" / "config.json", R"({"hidden_act": "quick_gelu"})");
        writeText(dir / "tokenizer" / "tokenizer_config.json", R"({"pad_token": "<|endoftext|>"})");
        QCOMPARE(ModelIndex::open(dir.string()).family(), ModelFamily::SD1);
        // gelu alone is enough (a tokenizer config without "!" padding, as some SD2 conversions have).
        writeText(dir / "text_encoder" / "config.json", R"({"hidden_act": "gelu"})");
        QCOMPARE(ModelIndex::open(dir.string()).family(), ModelFamily::SD2);
        // "!" padding alone too, also written as an AddedToken object.
        writeText(dir / "text_encoder" / "config.json", R"({"hidden_act": "quick_gelu"})");
        writeText(dir / "tokenizer" / "tokenizer_config.json", R"({"pad_token": {"content": "!", "lstrip": false}})");
        QCOMPARE(ModelIndex::open(dir.string()).family(), ModelFamily::SD2);
        writeText(dir / "model_index.json",
                  "{" + pipeline + R"(, "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"]})");
        QCOMPARE(ModelIndex::open(dir.string()).family(), ModelFamily::SDXL);
    }

    void malformedModelIndex() {
        const fs::path dir = daam::test::makeTempDir("model_index_bad");
        writeText(dir / "model_index.json", R"({"_class_name": "StableDiffusionPipeline", "unet": )");
        DAAM_VERIFY_THROWS_NAMING(FileError, ModelIndex::open(dir.string()), "model_index.json", "malformed");

        writeText(dir / "model_index.json", R"({"_class_name": "X", "unet": ["diffusers", 3]})");
        DAAM_VERIFY_THROWS_NAMING(FileError, ModelIndex::open(dir.string()), "model_index.json", "\"unet\"");

        writeText(dir / "model_index.json", R"({"unet": ["diffusers", "UNet2DConditionModel"]})");
        DAAM_VERIFY_THROWS_NAMING(FileError, ModelIndex::open(dir.string()), "_class_name");

        fs::remove(dir / "model_index.json");
        DAAM_VERIFY_THROWS_NAMING(FileError, ModelIndex::open(dir.string()), "model_index.json");
    }

    void configDefaultsAndErrors() {
        const fs::path dir = daam::test::makeTempDir("config");
        const auto path = (dir / "config.json").string();
        writeText(path, R"({"hidden_size": 64, "num_attention_heads": 4})");
        auto c = CLIPTextConfig::load(path);
        QCOMPARE(c.hiddenSize, int64_t(64));
        QCOMPARE(c.vocabSize, int64_t(49408));
        QCOMPARE(c.intermediateSize, int64_t(2048));
        QCOMPARE(c.numHiddenLayers, int64_t(12));
        QCOMPARE(c.maxPositionEmbeddings, int64_t(77));
        QCOMPARE(c.hiddenAct, std::string("quick_gelu"));
        QCOMPARE(c.layerNormEps, 1e-5);
        QVERIFY(!c.withProjection);

        const struct {
            std::string json;
            const char* key;
        } bad[] = {{R"({"hidden_size": "32"})", "hidden_size"},
                   {R"({"num_hidden_layers": 2.5})", "num_hidden_layers"},
                   {R"({"hidden_act": 1})", "hidden_act"},
                   {R"({"hidden_act": "relu"})", "hidden_act"},
                   {R"({"layer_norm_eps": "small"})", "layer_norm_eps"},
                   {R"({"architectures": "CLIPTextModel"})", "architectures"},
                   {R"({"vocab_size": 0})", "vocab_size"},
                   {R"({"intermediate_size": -3})", "intermediate_size"},
                   {R"({"hidden_size": 30, "num_attention_heads": 4})", "hidden_size"},
                   // Sizes far past any real model are refused before a model is allocated from them.
                   {R"({"hidden_size": 1000000000000})", "hidden_size"},
                   {R"({"hidden_size": 18446744073709551615})", "hidden_size"},
                   {R"({"hidden_size": 1e12})", "hidden_size"},
                   {R"({"vocab_size": 50000000})", "vocab_size"},
                   {R"({"intermediate_size": 1000000})", "intermediate_size"},
                   {R"({"projection_dim": 100000})", "projection_dim"},
                   {R"({"num_hidden_layers": 100000})", "num_hidden_layers"},
                   {R"({"hidden_size": 4096, "num_attention_heads": 4096})", "num_attention_heads"},
                   {R"({"max_position_embeddings": 10000000})", "max_position_embeddings"},
                   {"{\"hidden_act\": \"relu_" + std::string(3000, 'x') + "\"}", "hidden_act"}};
        for (const auto& b : bad) {
            writeText(path, b.json);
            const auto message = fileErrorOf([&] { CLIPTextConfig::load(path); });
            QVERIFY2(contains(message, path) && contains(message, std::string("\"") + b.key + "\""),
                     (excerpt(b.json) + " -> " + message).c_str());
            QVERIFY2(message.size() < path.size() + 200, message.c_str());
        }
        writeText(path, R"({"hidden_size": 32,)");
        DAAM_VERIFY_THROWS_NAMING(FileError, CLIPTextConfig::load(path), path, "malformed");
        // A cut file quotes only an excerpt of what the parser read (nlohmann's text quotes all of it).
        writeText(path, "{\"hidden_act\": \"" + std::string(5000, 'g'));
        const auto message = fileErrorOf([&] { CLIPTextConfig::load(path); });
        QVERIFY2(contains(message, path) && contains(message, "malformed JSON") && message.size() < path.size() + 300,
                 message.c_str());

        // The shared helper: defaults for absent and null keys, type errors name file and key.
        const auto j = nlohmann::json::parse(R"({"a": 3, "b": null, "c": "x"})");
        QCOMPARE(jsonValue<int>(j, "a", 7, "f.json"), 3);
        QCOMPARE(jsonValue<int>(j, "b", 7, "f.json"), 7);
        QCOMPARE(jsonValue<int>(j, "z", 7, "f.json"), 7);
        QCOMPARE(jsonValue<double>(j, "a", 0.5, "f.json"), 3.0);
        DAAM_VERIFY_THROWS_NAMING(FileError, jsonValue<int>(j, "c", 0, "f.json"), "f.json", "\"c\"");
    }

    void malformedTextEncoderConfig() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = textEncoderCopy("te_bad_config");
        saveSafetensors((dir / "model.safetensors").string(), referenceWeights());
        writeText(dir / "config.json", R"({"hidden_size": 32, "num_attention_heads": [4]})");
        DAAM_VERIFY_THROWS_NAMING(FileError, loadCLIPTextModel(dir.string()), "config.json", "num_attention_heads");
    }

    void weightMismatchesAreNamed() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = textEncoderCopy("te_mismatch");
        auto weights = referenceWeights();
        const std::string dropped = "text_model.encoder.layers.1.mlp.fc2.bias";
        const std::string reshaped = "text_model.encoder.layers.0.self_attn.k_proj.weight";
        const std::string extra = "text_model.encoder.layers.0.self_attn.extra_gate";
        std::vector<std::pair<std::string, torch::Tensor>> edited;
        for (auto& [name, t] : weights) {
            if (name == dropped) continue;
            edited.emplace_back(name,
                                name == reshaped
                                    ? t.flatten().narrow(0, 0, t.numel() - t.size(1)).view({t.size(0) - 1, t.size(1)})
                                    : t);
        }
        QCOMPARE(edited.size(), weights.size() - 1);
        edited.emplace_back(extra, torch::zeros({3}));
        saveSafetensors((dir / "model.safetensors").string(), edited);
        DAAM_VERIFY_THROWS_NAMING(FileError, loadCLIPTextModel(dir.string()), "model.safetensors", dropped, extra,
                                  reshaped);
    }

    // A config whose sizes are within the bounds but do not describe the weights beside it is refused, by key,
    // before its model is built: 200 layers, or a 16384-wide hidden size (tens of GB), never get allocated.
    void configThatDoesNotFitTheWeightsIsRefusedFirst() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = textEncoderCopy("te_config_vs_weights");
        saveSafetensors((dir / "model.safetensors").string(), referenceWeights());
        const auto original = readJsonFile((dir / "config.json").string());
        const struct {
            nlohmann::json edit;
            const char* key;
        } cases[] = {{{{"num_hidden_layers", 200}}, "num_hidden_layers"},
                     {{{"hidden_size", 16384}}, "hidden_size"},
                     {{{"vocab_size", 999999}}, "vocab_size"},
                     {{{"intermediate_size", 65536}}, "intermediate_size"},
                     {{{"max_position_embeddings", 65536}}, "max_position_embeddings"}};
        for (const auto& c : cases) {
            auto config = original;
            config.update(c.edit);
            writeJsonFile((dir / "config.json").string(), config);
            DAAM_VERIFY_THROWS_NAMING(FileError, loadCLIPTextModel(dir.string()),
                                      (dir / "config.json").string() + ": key \"" + c.key + "\"",
                                      "does not match the weights", "model.safetensors");
        }
    }

    // Integer data for a floating-point weight is a broken file, not something to convert; other float types are.
    void weightDtypesMustBeOfTheParametersKind() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = textEncoderCopy("te_dtype");
        const std::string target = "text_model.encoder.layers.1.mlp.fc1.weight";
        for (const auto& [type, name] : {std::pair{torch::kInt32, "I32"}, std::pair{torch::kUInt8, "U8"}}) {
            auto weights = referenceWeights();
            for (auto& [n, t] : weights)
                if (n == target) t = t.to(type);
            saveSafetensors((dir / "model.safetensors").string(), weights);
            const auto message = fileErrorOf([&] { loadCLIPTextModel(dir.string()); });
            QVERIFY2(contains(message, (dir / "model.safetensors").string() + ": tensor '" + target + "' holds " +
                                           name + " data, but the model's parameter is F32") &&
                         message.size() < 400,
                     message.c_str());
        }
        auto weights = referenceWeights();
        for (auto& [n, t] : weights)
            if (n == target) t = t.to(torch::kBFloat16);
        saveSafetensors((dir / "model.safetensors").string(), weights);
        auto model = loadCLIPTextModel(dir.string());
        QCOMPARE(model->named_parameters()[target].scalar_type(), torch::kFloat32);
    }

    void shardedWeightsLoadTheSame() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = textEncoderCopy("te_sharded");
        const auto weights = referenceWeights();
        std::vector<std::pair<std::string, torch::Tensor>> shards[2];
        nlohmann::json map = nlohmann::json::object();
        for (size_t i = 0; i < weights.size(); ++i) {
            const int s = i < weights.size() / 2 ? 0 : 1;
            shards[s].push_back(weights[i]);
            map[weights[i].first] = "model-0000" + std::to_string(s + 1) + "-of-00002.safetensors";
        }
        saveSafetensors((dir / "model-00001-of-00002.safetensors").string(), shards[0]);
        saveSafetensors((dir / "model-00002-of-00002.safetensors").string(), shards[1]);
        writeText(dir / "model.safetensors.index.json", nlohmann::json{{"metadata", {}}, {"weight_map", map}}.dump());

        auto reference = loadCLIPTextModel(daam::test::referencePath("pipelines/sd1-tiny/text_encoder"));
        auto sharded = loadCLIPTextModel(dir.string());
        const auto ids = torch::tensor({752, 5, 17, 300, 753, 753}, torch::kLong).view({1, 6});
        torch::NoGradGuard noGrad;
        const auto a = reference->forward(ids), b = sharded->forward(ids);
        QVERIFY(torch::equal(a.lastHiddenState, b.lastHiddenState));
        QVERIFY(torch::equal(a.pooled, b.pooled));

        // An index that names a shard that is not there.
        map[weights.back().first] = "model-00003-of-00002.safetensors";
        writeText(dir / "model.safetensors.index.json", nlohmann::json{{"weight_map", map}}.dump());
        DAAM_VERIFY_THROWS_NAMING(FileError, loadCLIPTextModel(dir.string()), "model-00003-of-00002.safetensors");
    }
};

DAAM_TEST_APPLESS_MAIN(TestModelFolder)
#include "test_model_folder.moc"
