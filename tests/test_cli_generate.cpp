// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli generate / encode end to end. A tiny random-weight pipeline written by the test (no downloads,
// so this runs everywhere) checks the folder layout, latents dump, capture being read-only and the error
// paths; with ../shared/reference present, the dumped tensors of sd1-tiny must match diffusers' (≤ 1e-4), and
// --from-png repeats a generation from its image.png, takes an A1111 PNG's settings under the options given, and
// refuses a malformed PNG.
#include "daam/config/ModelIndex.h"
#include "daam/io/PngImage.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/GenerationParameters.h"
#include "daam/pipeline/PromptEncoder.h"
#include "daam/pipeline/RandomPipeline.h"
#include "daam/sched/NoiseSource.h"
#include "daam/sched/SchedulerConfig.h"
#include "daam/text/Tokenizer.h"
#include "daam/trace/Session.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "CliRunner.h"
#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

using daam::test::runCli;

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

nlohmann::json readJson(const std::string& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

void writeJson(const std::string& path, const nlohmann::json& j) {
    std::ofstream(path) << j.dump(1);
}

std::string readWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A copy of `model` broken the way a download or a hand edit breaks one ("" leaves it whole and returns `model`).
std::string brokenCopy(const std::string& model, const QString& damage) {
    if (damage.isEmpty()) return model;
    const auto dir = daam::test::makeTempDir("cli-gen") + "/broken";
    fs::copy(model, dir, fs::copy_options::recursive);
    if (damage == QLatin1String("cut header")) {
        // The header's text cut in half, the length prefix unchanged: the JSON runs on into the tensor data.
        const auto path = dir + "/unet/diffusion_pytorch_model.safetensors";
        auto bytes = readWhole(path);
        uint64_t length = 0;
        for (int i = 7; i >= 0; --i)
            length = (length << 8) | static_cast<uint8_t>(bytes[size_t(i)]);
        bytes.erase(8 + length / 2, length / 2);
        std::ofstream(path, std::ios::binary) << bytes;
    } else if (damage == QLatin1String("integer weights")) {
        const auto path = dir + "/text_encoder/model.safetensors";
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (const auto& [name, t] : daam::loadSafetensors(path))
            tensors.emplace_back(name, name == "text_model.final_layer_norm.weight" ? t.to(torch::kInt32) : t.clone());
        daam::saveSafetensors(path, tensors);
    } else {
        const struct {
            const char* damage;
            const char* file;
            nlohmann::json edit;
        } edits[] = {{"absurd hidden size", "text_encoder/config.json", {{"hidden_size", 1000000000000}}},
                     {"unet layers unlike the weights", "unet/config.json", {{"layers_per_block", 200}}},
                     {"absurd vae channels", "vae/config.json", {{"block_out_channels", {1000000000, 32, 32}}}},
                     {"tokenizer past the vocabulary", "tokenizer/vocab.json", {{"zebra</w>", 900}}},
                     {"absurd timesteps", "scheduler/scheduler_config.json", {{"num_train_timesteps", 1000000000000}}}};
        bool found = false;
        for (const auto& e : edits) {
            if (damage != QLatin1String(e.damage)) continue;
            auto j = readJson(dir + "/" + e.file);
            j.update(e.edit);
            writeJson(dir + "/" + e.file, j);
            found = true;
        }
        if (!found) qFatal("unknown damage %s", qPrintable(damage));
    }
    return dir;
}

} // namespace

class TestCliGenerate : public QObject {
    Q_OBJECT
    std::string model_;

private Q_SLOTS:
    void initTestCase() {
        model_ = daam::test::makeTempDir("cli-gen") + "/tiny";
        daam::writeRandomPipeline(model_, daam::tinyRandomSpec());
    }

    void writesASessionWithLatents() {
        const auto out = daam::test::makeTempDir("cli-gen") + "/s";
        const auto r = runCli({QStringLiteral("generate"), QStringLiteral("--model"), q(model_),
                               QStringLiteral("--prompt"), QStringLiteral("a red dog"), QStringLiteral("--seed"),
                               QStringLiteral("5"), QStringLiteral("--steps"), QStringLiteral("3"),
                               QStringLiteral("--out"), q(out), QStringLiteral("--dump-latents")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        const auto session = daam::loadSession(out);
        QCOMPARE(session.image.width, 64);
        QCOMPARE(session.image.height, 64);
        QCOMPARE(session.trace->calls(), 4); // PNDM: steps + 1 UNet calls
        QCOMPARE(session.words.size(), size_t(3));
        const auto gen = readJson(out + "/generation.json");
        QCOMPARE(gen["request"]["seed"].get<int>(), 5);
        QCOMPARE(gen["timesteps"].size(), size_t(4));

        const auto latents = daam::loadSafetensors(out + "/latents.safetensors");
        for (const char* key : {"text_cond", "text_uncond", "initial", "step_000", "step_003", "final", "image"})
            QVERIFY2(latents.count(key), key);
        QVERIFY(!latents.count("step_004"));
        QCOMPARE(latents.at("text_cond").sizes().vec(), (std::vector<int64_t>{1, 77, 32}));
        QCOMPARE(latents.at("image").sizes().vec(), (std::vector<int64_t>{3, 64, 64}));
        // The initial noise is torch.randn(generator=manual_seed(5)); the last step is the final latents.
        QVERIFY(torch::equal(latents.at("initial"), daam::NoiseSource(5).randn({1, 4, 16, 16})));
        QVERIFY(torch::equal(latents.at("step_003"), latents.at("final")));
        // image.png is the float image quantized.
        const auto png = daam::readPng(out + "/image.png");
        const auto quantized = (latents.at("image").permute({1, 2, 0}) * 255).round().to(torch::kUInt8).contiguous();
        QVERIFY(std::equal(png.pixels.begin(), png.pixels.end(), quantized.data_ptr<uint8_t>()));
    }

    void noTraceWritesTheSameImageAndNoTrace() {
        const auto root = daam::test::makeTempDir("cli-gen");
        const QStringList common = {QStringLiteral("generate"),
                                    QStringLiteral("--model"),
                                    q(model_),
                                    QStringLiteral("--prompt"),
                                    QStringLiteral("a blue square"),
                                    QStringLiteral("--steps"),
                                    QStringLiteral("2"),
                                    QStringLiteral("--scheduler"),
                                    QStringLiteral("euler-a"),
                                    QStringLiteral("--seed"),
                                    QStringLiteral("9")};
        QCOMPARE(runCli(common + QStringList{QStringLiteral("--out"), q(root + "/traced")}).exitCode, 0);
        QCOMPARE(runCli(common + QStringList{QStringLiteral("--out"), q(root + "/plain"), QStringLiteral("--no-trace")})
                     .exitCode,
                 0);
        QVERIFY(!fs::exists(root + "/plain/trace.safetensors"));
        QVERIFY(fs::exists(root + "/traced/trace.safetensors"));
        QVERIFY(daam::readPng(root + "/plain/image.png").pixels == daam::readPng(root + "/traced/image.png").pixels);
        // Over an earlier session, --no-trace leaves no trace of it behind.
        QCOMPARE(
            runCli(common + QStringList{QStringLiteral("--out"), q(root + "/traced"), QStringLiteral("--no-trace")})
                .exitCode,
            0);
        QVERIFY(!fs::exists(root + "/traced/trace.safetensors"));
    }

    // bf16 on the CPU (AVX-512 BF16 here): the same image to bf16's precision.
    void bf16StaysCloseToFp32() {
        const auto root = daam::test::makeTempDir("cli-gen");
        const QStringList common = {
            QStringLiteral("generate"), QStringLiteral("--model"),        q(model_),
            QStringLiteral("--prompt"), QStringLiteral("a red dog"),      QStringLiteral("--steps"),
            QStringLiteral("3"),        QStringLiteral("--dump-latents"), QStringLiteral("--no-trace")};
        const auto a = runCli(common + QStringList{QStringLiteral("--out"), q(root + "/fp32")});
        QVERIFY2(a.exitCode == 0, qPrintable(a.err));
        const auto b = runCli(common + QStringList{QStringLiteral("--out"), q(root + "/bf16"),
                                                   QStringLiteral("--dtype"), QStringLiteral("bf16")});
        QVERIFY2(b.exitCode == 0, qPrintable(b.err));
        const auto fp32 = daam::loadSafetensors(root + "/fp32/latents.safetensors");
        const auto bf16 = daam::loadSafetensors(root + "/bf16/latents.safetensors");
        QCOMPARE(bf16.at("image").scalar_type(), torch::kFloat32);
        const double err = daam::test::relativeError(bf16.at("image"), fp32.at("image"));
        qInfo("bf16 image vs fp32: relative error %.2e", err);
        QVERIFY(err > 0 && err < 0.05);
        QCOMPARE(readJson(root + "/bf16/generation.json")["request"]["dtype"].get<std::string>(), std::string("bf16"));
    }

    void badInputsGetClearErrors_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("damage"); // of a copy of the model (brokenCopy); "" for the model itself
        // The tiny pipeline's CLIP tokenizer reads 75 tokens between its start and end tokens.
        QString longText = QStringLiteral("a dog");
        for (int i = 0; i < 80; ++i)
            longText += QStringLiteral(" and a cat");
        QTest::newRow("prompt past the token limit")
            << QStringList{QStringLiteral("--prompt"), longText}
            << QStringLiteral(" tokens; this model's text encoder reads at most 75, so it would lose \"") << QString();
        QTest::newRow("negative prompt past the token limit")
            << QStringList{QStringLiteral("--negative"), longText} << QStringLiteral("Shorten the negative prompt.")
            << QString();
        QTest::newRow("width") << QStringList{QStringLiteral("--width"), QStringLiteral("66")}
                               << QStringLiteral("multiples of 4") << QString();
        QTest::newRow("steps") << QStringList{QStringLiteral("--steps"), QStringLiteral("0")} << QStringLiteral("steps")
                               << QString();
        QTest::newRow("scheduler") << QStringList{QStringLiteral("--scheduler"), QStringLiteral("heun")}
                                   << QStringLiteral("heun") << QString();
        QTest::newRow("steps past the noise schedule")
            << QStringList{QStringLiteral("--steps"), QStringLiteral("1000"), QStringLiteral("--scheduler"),
                           QStringLiteral("ddim")}
            << QStringLiteral("1000 steps of DDIMScheduler reach timestep 1000, outside the noise schedule's 1000")
            << QString();
        QTest::newRow("dtype") << QStringList{QStringLiteral("--dtype"), QStringLiteral("fp16")}
                               << QStringLiteral("CUDA") << QString();
        // Broken models: each error names the file and the key or tensor, and quotes no more than an excerpt.
        const auto broken = [](const char* damage, const char* message) {
            QTest::newRow(damage) << QStringList{} << QString::fromUtf8(message) << QString::fromUtf8(damage);
        };
        broken("cut header", "/unet/diffusion_pytorch_model.safetensors: header is not valid JSON: parse error");
        broken("integer weights", "/text_encoder/model.safetensors: tensor 'text_model.final_layer_norm.weight' holds "
                                  "I32 data, but the model's parameter is F32");
        broken("absurd hidden size",
               "/text_encoder/config.json: key \"hidden_size\" must be from 1 to 16384, got 1000000000000");
        broken("unet layers unlike the weights",
               "/unet/config.json: key \"layers_per_block\" does not match the weights");
        broken("absurd vae channels", "/vae/config.json: key \"block_out_channels\" must be from 1 to 16384");
        broken("tokenizer past the vocabulary",
               "/tokenizer/vocab.json: has token ids up to 900, past the 514 ids of the text encoder");
        broken("absurd timesteps",
               "/scheduler/scheduler_config.json: key 'num_train_timesteps' must be from 2 to 100000");
    }
    void badInputsGetClearErrors() {
        QFETCH(QStringList, extra);
        QFETCH(QString, message);
        QFETCH(QString, damage);
        const auto model = brokenCopy(model_, damage);
        const auto out = daam::test::makeTempDir("cli-gen") + "/s";
        const auto r = runCli(QStringList{QStringLiteral("generate"), QStringLiteral("--model"), q(model),
                                          QStringLiteral("--out"), q(out)} +
                              (extra.contains(QStringLiteral("--prompt"))
                                   ? QStringList{}
                                   : QStringList{QStringLiteral("--prompt"), QStringLiteral("a dog")}) +
                              extra);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(r.err.startsWith(QStringLiteral("daam-cli generate: ")), qPrintable(r.err));
        QVERIFY2(QString(r.err).replace(q(model), QStringLiteral("MODEL")).size() < 400, qPrintable(r.err));
        QVERIFY(!fs::exists(out));
    }

    // encode reads the tokenizer and the text encoder: the same refusals, and no output file.
    void encodeRefusesBrokenModels() {
        for (const char* damage : {"integer weights", "absurd hidden size", "tokenizer past the vocabulary"}) {
            const auto model = brokenCopy(model_, QString::fromUtf8(damage));
            const auto file = daam::test::makeTempDir("cli-gen") + "/text.safetensors";
            const auto r =
                runCli({QStringLiteral("encode"), QStringLiteral("--model"), q(model), QStringLiteral("--prompt"),
                        QStringLiteral("a red dog"), QStringLiteral("--out"), q(file)});
            QVERIFY2(r.exitCode == 1 && r.err.startsWith(QStringLiteral("daam-cli encode: error: ")) &&
                         QString(r.err).replace(q(model), QStringLiteral("MODEL")).size() < 400,
                     qPrintable(QString::fromUtf8(damage) + QStringLiteral(": ") + r.err));
            QVERIFY(!fs::exists(file));
        }
    }

    void missingComponentIsNamed() {
        const auto broken = daam::test::makeTempDir("cli-gen") + "/broken";
        fs::copy(model_, broken, fs::copy_options::recursive);
        fs::remove_all(broken + "/vae");
        const auto r =
            runCli({QStringLiteral("generate"), QStringLiteral("--model"), q(broken), QStringLiteral("--prompt"),
                    QStringLiteral("a dog"), QStringLiteral("--out"), q(broken + "-out")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("vae")), qPrintable(r.err));
    }

    void refusesToOverwriteAFolderOfOtherFiles() {
        const auto dir = daam::test::makeTempDir("cli-gen") + "/mine";
        fs::create_directories(dir);
        std::ofstream(dir + "/notes.txt") << "keep me";
        const auto r = runCli({QStringLiteral("generate"), QStringLiteral("--model"), q(model_),
                               QStringLiteral("--prompt"), QStringLiteral("a dog"), QStringLiteral("--steps"),
                               QStringLiteral("1"), QStringLiteral("--out"), q(dir)});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("not a session folder")), qPrintable(r.err));
        QVERIFY(fs::exists(dir + "/notes.txt"));
    }

    void encodeWritesTheConditioning() {
        const auto file = daam::test::makeTempDir("cli-gen") + "/text.safetensors";
        const auto r =
            runCli({QStringLiteral("encode"), QStringLiteral("--model"), q(model_), QStringLiteral("--prompt"),
                    QStringLiteral("a red dog"), QStringLiteral("--out"), q(file)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto tensors = daam::loadSafetensors(file);
        QCOMPARE(tensors.at("text").sizes().vec(), (std::vector<int64_t>{1, 77, 32}));
        // The same numbers as the pipeline's encoder, in this process.
        torch::NoGradGuard noGrad;
        const auto index = daam::ModelIndex::open(model_);
        const auto ids = daam::loadTokenizer(index.componentDir("tokenizer"))->encode("a red dog").ids;
        const auto expected =
            daam::PromptEncoder::load(index).encode(torch::tensor(ids, torch::kInt64).unsqueeze(0)).hidden;
        QVERIFY(torch::equal(tensors.at("text"), expected));
        QVERIFY(torch::equal(tensors.at("input_ids")[0], torch::tensor(ids, torch::kInt64)));
        QVERIFY2(!r.err.contains(QStringLiteral("warning")), qPrintable(r.err));
    }

    // encode keeps what fits, as diffusers does, and says so; generate refuses the same prompt.
    void encodeWarnsOfATruncatedPrompt() {
        QString longText = QStringLiteral("a dog");
        for (int i = 0; i < 80; ++i)
            longText += QStringLiteral(" and a cat");
        const auto file = daam::test::makeTempDir("cli-gen") + "/text.safetensors";
        const auto r = runCli({QStringLiteral("encode"), QStringLiteral("--model"), q(model_),
                               QStringLiteral("--prompt"), longText, QStringLiteral("--out"), q(file)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("only the first 75 are encoded")), qPrintable(r.err));
        QCOMPARE(daam::loadSafetensors(file).at("input_ids").size(1), 77);
    }

    // The acceptance: every dumped tensor of a reference case within 1e-4, the PNG within 1 level.
    void fromPngRepeatsAGeneration() {
        DAAM_REQUIRE_REFERENCE();
        const auto model = q(daam::test::referencePath("pipelines/sd1-tiny"));
        const auto root = daam::test::makeTempDir("cli-from-png");
        const QStringList settings = {QStringLiteral("--prompt"),    QStringLiteral("a red dog, on a bench"),
                                      QStringLiteral("--negative"),  QStringLiteral("blurry"),
                                      QStringLiteral("--seed"),      QStringLiteral("3456789012"),
                                      QStringLiteral("--steps"),     QStringLiteral("3"),
                                      QStringLiteral("--guidance"),  QStringLiteral("6.5"),
                                      QStringLiteral("--scheduler"), QStringLiteral("dpm++2m-karras"),
                                      QStringLiteral("--width"),     QStringLiteral("64"),
                                      QStringLiteral("--height"),    QStringLiteral("64")};
        const QStringList generate = {QStringLiteral("generate"), QStringLiteral("--model"), model};
        auto r = runCli(generate + settings + QStringList{QStringLiteral("--out"), q(root + "/a")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli(generate + settings +
                   QStringList{QStringLiteral("--no-trace"), QStringLiteral("--out"), q(root + "/plain")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // Both image.png files carry A1111's text and ours, which names the folder.
        const auto a = readJson(root + "/a/generation.json");
        const auto hash = a["model"]["fingerprint"].get<std::string>();
        for (const char* folder : {"a", "plain"}) {
            const auto text = daam::readPngText(root + "/" + folder + "/image.png");
            QCOMPARE(text.size(), size_t(2));
            QCOMPARE(text[0].second,
                     "a red dog, on a bench\nNegative prompt: blurry\nSteps: 3, Sampler: DPM++ 2M Karras, "
                     "CFG scale: 6.5, Seed: 3456789012, Size: 64x64, Model hash: " +
                         hash + ", Model: sd1-tiny");
            QCOMPARE(*daam::parseDaamParameters(text[1].second, "x").sessionFolder, std::string(folder));
        }

        // The same settings from the PNG give the same image.
        r = runCli(generate + QStringList{QStringLiteral("--from-png"), q(root + "/a/image.png"),
                                          QStringLiteral("--out"), q(root + "/b")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("(DAAM Studio)")), qPrintable(r.err));
        const auto b = readJson(root + "/b/generation.json");
        for (const char* key :
             {"prompt", "negative_prompt", "seed", "steps", "guidance", "scheduler", "width", "height"})
            QVERIFY2(a["request"][key] == b["request"][key], key);
        QVERIFY(daam::readPng(root + "/a/image.png").pixels == daam::readPng(root + "/b/image.png").pixels);

        // An A1111 PNG: its settings, under the options given on the command line.
        daam::PngImage image{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 0)};
        image.text = {{"parameters", "a blue cat\nNegative prompt: ugly\nSteps: 2, Sampler: Euler a, CFG scale: 5, "
                                     "Seed: 11, Size: 64x64, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly"}};
        daam::writePng(root + "/a1111.png", image);
        r = runCli(generate + QStringList{QStringLiteral("--from-png"), q(root + "/a1111.png"),
                                          QStringLiteral("--seed"), QStringLiteral("12"), QStringLiteral("--out"),
                                          q(root + "/c")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("the PNG was made with the model 'v1-5-pruned-emaonly'")),
                 qPrintable(r.err));
        const auto c = readJson(root + "/c/generation.json")["request"];
        QCOMPARE(c["prompt"].get<std::string>(), std::string("a blue cat"));
        QCOMPARE(c["negative_prompt"].get<std::string>(), std::string("ugly"));
        QCOMPARE(c["seed"].get<int>(), 12);
        QCOMPARE(c["steps"].get<int>(), 2);
        QCOMPARE(c["guidance"].get<double>(), 5.0);
        QCOMPARE(c["scheduler"].get<std::string>(), std::string("euler-a"));
        QCOMPARE(c["width"].get<int>(), 64);
    }

    void fromPngRefusesAMalformedPng() {
        const auto root = daam::test::makeTempDir("cli-from-png");
        daam::PngImage image{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 0)};
        image.text = {{"parameters", "a dog\nSteps: many, Sampler: Euler, CFG scale: 7, Seed: 1"}};
        daam::writePng(root + "/bad.png", image);
        image.text = {{"Software", "GIMP"}};
        daam::writePng(root + "/plain.png", image);
        const struct {
            const char* png;
            const char* message;
        } cases[] = {{"/bad.png", "/bad.png: parameters chunk: Steps is not a whole number ('many')"},
                     {"/plain.png", "/plain.png: holds no generation parameters"},
                     {"/absent.png", "/absent.png: cannot open"}};
        for (const auto& c : cases) {
            const auto out = root + "/out";
            const auto r = runCli({QStringLiteral("generate"), QStringLiteral("--model"), q(model_),
                                   QStringLiteral("--from-png"), q(root + c.png), QStringLiteral("--out"), q(out)});
            QVERIFY(r.exitCode != 0);
            QVERIFY2(r.err.contains(q(root + c.message)), qPrintable(r.err));
            QVERIFY(!fs::exists(out));
        }
    }

    void matchesDiffusersDump_data() {
        QTest::addColumn<QString>("caseName");
        QTest::addColumn<QString>("scheduler");
        QTest::newRow("ddim") << "ddim"
                              << "ddim";
        QTest::newRow("pndm") << "pndm"
                              << "pndm";
        QTest::newRow("euler_a") << "euler_a"
                                 << "euler-a";
        QTest::newRow("dpmpp_2m") << "dpmpp_2m"
                                  << "dpm++2m";
        QTest::newRow("ddim_negprompt") << "ddim_negprompt"
                                        << "ddim";
    }
    void matchesDiffusersDump() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QString, caseName);
        QFETCH(QString, scheduler);
        const auto base = daam::test::referencePath("sd1-tiny/cases/" + caseName.toStdString());
        const auto meta = daam::SchedulerConfig::parseJsonFile(base + ".json");
        const auto ref = daam::loadSafetensors(base + ".safetensors");
        const auto out = daam::test::makeTempDir("cli-gen") + "/ref";
        QStringList argv = {QStringLiteral("generate"),
                            QStringLiteral("--model"),
                            q(daam::test::referencePath("pipelines/sd1-tiny")),
                            QStringLiteral("--prompt"),
                            q(meta["prompt"].get<std::string>()),
                            QStringLiteral("--seed"),
                            QString::number(meta["seed"].get<uint64_t>()),
                            QStringLiteral("--steps"),
                            QString::number(meta["num_inference_steps"].get<int>()),
                            QStringLiteral("--guidance"),
                            QString::number(meta["guidance_scale"].get<double>()),
                            QStringLiteral("--width"),
                            QString::number(meta["width"].get<int>()),
                            QStringLiteral("--height"),
                            QString::number(meta["height"].get<int>()),
                            QStringLiteral("--scheduler"),
                            scheduler,
                            QStringLiteral("--eta"),
                            QString::number(meta["eta"].get<double>()),
                            QStringLiteral("--out"),
                            q(out),
                            QStringLiteral("--dump-latents")};
        if (meta["negative_prompt"].is_string())
            argv << QStringLiteral("--negative") << q(meta["negative_prompt"].get<std::string>());
        const auto r = runCli(argv);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto dump = daam::loadSafetensors(out + "/latents.safetensors");
        DAAM_COMPARE_TENSORS("text_cond", dump.at("text_cond"), ref.at("prompt_embeds"), 1e-4);
        DAAM_COMPARE_TENSORS("text_uncond", dump.at("text_uncond"), ref.at("negative_prompt_embeds"), 1e-4);
        DAAM_COMPARE_TENSORS("initial", dump.at("initial"), ref.at("noise"), 1e-4);
        const auto steps = ref.at("latents_steps");
        for (int64_t i = 0; i < steps.size(0); ++i) {
            char name[32];
            std::snprintf(name, sizeof(name), "step_%03lld", static_cast<long long>(i));
            QVERIFY2(dump.count(name), name);
            DAAM_COMPARE_TENSORS(name, dump.at(name), steps[i].unsqueeze(0), 1e-4);
        }
        DAAM_COMPARE_TENSORS("final", dump.at("final"), ref.at("latents_final"), 1e-4);
        DAAM_COMPARE_TENSORS("image", dump.at("image"), ref.at("image")[0], 1e-4);
        const auto png = daam::readPng(out + "/image.png"), refPng = daam::readPng(base + ".png");
        QCOMPARE(png.pixels.size(), refPng.pixels.size());
        int worst = 0;
        for (size_t i = 0; i < png.pixels.size(); ++i)
            worst = std::max(worst, std::abs(int(png.pixels[i]) - int(refPng.pixels[i])));
        QVERIFY2(worst <= 1, qPrintable(QStringLiteral("PNG differs by %1 levels").arg(worst)));
    }
};

DAAM_TEST_APPLESS_MAIN(TestCliGenerate)
#include "test_cli_generate.moc"
