// SPDX-License-Identifier: GPL-3.0-or-later
// Image-to-image and "explain this image" against diffusers 0.21.2's StableDiffusionImg2ImgPipeline and
// StableDiffusionXLImg2ImgPipeline: tests/data/img2img holds one input image and, per case, what diffusers made of it
// on a tiny reference pipeline (tools/make_img2img_goldens.py). The VAE's sample, the noise, every step's latents
// and the image must match within 1e-4 relative; a session keeps the input and the request's image fields.
#include "daam/io/PngImage.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/util/Error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "CliRunner.h"
#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

std::string img2imgDataPath(const std::string& name) {
    return daam::test::testDataDir() + "/img2img/" + name;
}

nlohmann::json readImg2ImgCase(const std::string& name) {
    std::ifstream in(img2imgDataPath(name + ".json"));
    return nlohmann::json::parse(in);
}

// The request a case ran, with the prompt embeddings' prompts and the case's scheduler, strength and seed.
daam::GenerationRequest img2imgRequest(const nlohmann::json& meta) {
    daam::GenerationRequest r;
    r.prompt = meta["prompt"].get<std::string>();
    if (meta["guidance_scale"].get<double>() > 1) r.negativePrompt = meta["negative_prompt"].get<std::string>();
    r.seed = meta["seed"].get<uint64_t>();
    r.steps = meta["num_inference_steps"].get<int>();
    r.guidance = meta["guidance_scale"].get<double>();
    r.strength = meta["strength"].get<double>();
    r.scheduler = meta["scheduler"].get<std::string>();
    r.initImage = img2imgDataPath(meta["image"].get<std::string>());
    return r;
}

} // namespace

class TestImg2Img : public QObject {
    Q_OBJECT
    std::map<std::string, std::unique_ptr<daam::StableDiffusionPipeline>> pipelines_;

    daam::StableDiffusionPipeline& pipeline(const std::string& name) {
        auto& p = pipelines_[name];
        if (!p) p = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/" + name));
        return *p;
    }

private Q_SLOTS:
    void matchesDiffusers_data() {
        QTest::addColumn<QString>("caseName");
        std::vector<std::string> cases;
        for (const auto& e : fs::directory_iterator(daam::test::testDataDir() + "/img2img"))
            if (e.path().extension() == ".json") cases.push_back(e.path().stem().string());
        std::sort(cases.begin(), cases.end());
        QVERIFY(cases.size() >= 9);
        for (const auto& c : cases)
            QTest::newRow(c.c_str()) << QString::fromStdString(c);
    }

    void matchesDiffusers() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QString, caseName);
        const auto meta = readImg2ImgCase(caseName.toStdString());
        const auto ref = daam::loadSafetensors(img2imgDataPath(caseName.toStdString() + ".safetensors"));
        auto& p = pipeline(meta["pipeline"].get<std::string>());
        daam::GenerationResult result;
        try {
            result = p.generate(img2imgRequest(meta), nullptr, nullptr, /*keepStepLatents=*/true);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QCOMPARE(result.request.width, meta["width"].get<int>());
        QCOMPARE(result.request.height, meta["height"].get<int>());
        QCOMPARE(result.schedulerClass, meta["scheduler_class"].get<std::string>());

        const double tol = 1e-4;
        DAAM_COMPARE_TENSORS("init_latents", result.imageLatents, ref.at("init_latents"), tol);
        QVERIFY(torch::equal(result.initialNoise, ref.at("noise")));
        const auto timesteps = ref.at("step_timesteps");
        QCOMPARE(static_cast<int64_t>(result.timesteps.size()), timesteps.size(0));
        for (int64_t i = 0; i < timesteps.size(0); ++i)
            QCOMPARE(result.timesteps[i], timesteps[i].item<double>());
        QCOMPARE(result.timesteps.front(), ref.at("noise_timestep").item<double>());
        const auto steps = ref.at("latents_steps");
        QCOMPARE(static_cast<int64_t>(result.stepLatents.size()), steps.size(0));
        double worst = 0;
        for (int64_t i = 0; i < steps.size(0); ++i) {
            DAAM_COMPARE_TENSORS("latents_steps[" + std::to_string(i) + "]", result.stepLatents[i][0], steps[i], tol);
            worst = std::max(worst, daam::test::relativeError(result.stepLatents[i][0], steps[i]));
        }
        DAAM_COMPARE_TENSORS("image", result.image, ref.at("image"), tol);
        qInfo("%s: %zu UNet calls from t=%g; init latents %.1e, worst step %.1e, image %.1e", qPrintable(caseName),
              result.timesteps.size(), result.timesteps.front(),
              daam::test::relativeError(result.imageLatents, ref.at("init_latents")), worst,
              daam::test::relativeError(result.image, ref.at("image")));
    }

    // "Explain this image" starts at the first timestep at or below the one chosen: the same run as the strength
    // that starts there.
    void explainStartsAtTheChosenTimestep() {
        DAAM_REQUIRE_REFERENCE();
        auto& p = pipeline("sd1-tiny");
        auto request = img2imgRequest(readImg2ImgCase("sd1_ddim"));
        const auto byStrength = p.generate(request);
        auto explain = request;
        explain.strength = 1.0;
        explain.startTimestep = static_cast<int>(byStrength.timesteps.front()) + 40; // between two of the steps
        const auto byTimestep = p.generate(explain);
        QCOMPARE(byTimestep.timesteps, byStrength.timesteps);
        QVERIFY(torch::equal(byTimestep.finalLatents, byStrength.finalLatents));
        QCOMPARE(byTimestep.request.startTimestep, explain.startTimestep);
    }

    void refusesWhatCannotRun() {
        DAAM_REQUIRE_REFERENCE();
        auto& p = pipeline("sd1-tiny");
        const auto request = img2imgRequest(readImg2ImgCase("sd1_ddim"));
        auto r = request;
        r.strength = 0;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(r), "strength must be more than 0");
        r = request;
        r.strength = 0.05; // int(10 * 0.05) = 0 steps
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(r), "runs no step");
        r = request;
        r.startTimestep = 0; // DDIM's last timestep is 1 (steps_offset)
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(r), "at or below timestep 0");
        r = request;
        r.initImage = daam::test::makeTempDir("img2img") + "/absent.png";
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(r), "absent.png");
        r = request;
        const auto notPng = daam::test::makeTempDir("img2img") + "/text.png";
        std::ofstream(notPng) << "not an image";
        r.initImage = notPng;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(r), "text.png");
        r = request;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(r, nullptr, nullptr, false, torch::zeros({64, 64})),
                                  "RGB pixels");
    }

    // An image of another size is resized to the request's; width and height 0 take the image's.
    void sizesFollowTheImage() {
        DAAM_REQUIRE_REFERENCE();
        auto& p = pipeline("sd1-tiny");
        auto r = img2imgRequest(readImg2ImgCase("sd1_ddim"));
        r.steps = 2;
        auto pixels = torch::rand({3, 37, 50});
        const auto own = p.generate(r, nullptr, nullptr, false, pixels);
        QCOMPARE(own.request.width, 50 - 50 % p.vaeScaleFactor());
        QCOMPARE(own.request.height, 37 - 37 % p.vaeScaleFactor());
        QCOMPARE(own.inputImage.sizes(), (std::vector<int64_t>{3, 36, 50}));
        r.width = r.height = 32;
        const auto resized = p.generate(r, nullptr, nullptr, false, pixels);
        QCOMPARE(resized.image.sizes(), (std::vector<int64_t>{3, 32, 32}));
        QVERIFY(resized.inputImage.min().item<float>() >= 0 && resized.inputImage.max().item<float>() <= 1);
    }

    // A traced image-to-image generation saves its input and its request's image fields, and reads them back.
    void sessionKeepsTheInput() {
        DAAM_REQUIRE_REFERENCE();
        auto& p = pipeline("sd1-tiny");
        auto r = img2imgRequest(readImg2ImgCase("sd1_ddim"));
        r.startTimestep = 700;
        const auto traced = daam::generateTraced(p, r);
        QCOMPARE(traced.session.trace->calls(), static_cast<int64_t>(traced.result.timesteps.size()));
        QVERIFY(traced.result.timesteps.front() <= 700);
        const auto dir = daam::test::makeTempDir("img2img") + "/session";
        daam::saveGeneratedSession(dir, traced.session);
        QVERIFY(fs::exists(dir + "/input.png"));
        const auto loaded = daam::loadSession(dir);
        const auto original = daam::readPng(r.initImage);
        QCOMPARE(loaded.inputImage.width, original.width);
        QVERIFY(loaded.inputImage.pixels == original.pixels);
        const auto request = daam::GenerationRequest::fromJson(loaded.generation["request"], dir + "/generation.json");
        QCOMPARE(request.initImage, r.initImage);
        QVERIFY(!loaded.generation["request"].contains("strength")); // the start timestep, not a strength, ran
        QCOMPARE(request.startTimestep, 700);
        // Text-to-image records stay as they were: no image fields.
        QVERIFY(!daam::GenerationRequest{}.toJson().contains("init_image"));
    }

    // daam-cli generate --image and explain, end to end on the reference pipeline.
    void commandLine() {
        DAAM_REQUIRE_REFERENCE();
        const auto meta = readImg2ImgCase("sd1_ddim");
        const auto ref = daam::loadSafetensors(img2imgDataPath("sd1_ddim.safetensors"));
        const auto root = daam::test::makeTempDir("img2img-cli");
        const auto model = QString::fromStdString(daam::test::referencePath("pipelines/sd1-tiny"));
        const auto input = QString::fromStdString(img2imgDataPath("input.png"));
        auto r = daam::test::runCli(
            {QStringLiteral("generate"), QStringLiteral("--model"), model, QStringLiteral("--prompt"),
             QString::fromStdString(meta["prompt"].get<std::string>()), QStringLiteral("--negative"),
             QString::fromStdString(meta["negative_prompt"].get<std::string>()), QStringLiteral("--seed"),
             QString::number(meta["seed"].get<int>()), QStringLiteral("--steps"),
             QString::number(meta["num_inference_steps"].get<int>()), QStringLiteral("--scheduler"),
             QStringLiteral("ddim"), QStringLiteral("--image"), input, QStringLiteral("--strength"),
             QString::number(meta["strength"].get<double>()), QStringLiteral("--out"),
             QString::fromStdString(root + "/i2i")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // diffusers' image, within one level of the PNG.
        const auto png = daam::readPng(root + "/i2i/image.png");
        const auto ours =
            torch::from_blob(const_cast<uint8_t*>(png.pixels.data()), {png.height, png.width, 3}, torch::kUInt8)
                .to(torch::kInt32);
        const auto theirs = (ref.at("image").permute({1, 2, 0}) * 255).round().to(torch::kInt32);
        QVERIFY((ours - theirs).abs().max().item<int>() <= 1);
        QVERIFY(fs::exists(root + "/i2i/input.png"));

        // explain takes the prompt from the PNG's parameters.
        r = daam::test::runCli({QStringLiteral("explain"), QStringLiteral("--model"), model, QStringLiteral("--image"),
                                QString::fromStdString(root + "/i2i/image.png"), QStringLiteral("--step"),
                                QStringLiteral("300"), QStringLiteral("--steps"), QStringLiteral("10"),
                                QStringLiteral("--scheduler"), QStringLiteral("euler"), QStringLiteral("--out"),
                                QString::fromStdString(root + "/explained")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("prompt from")), qPrintable(r.err));
        const auto session = daam::loadSession(root + "/explained");
        QCOMPARE(session.prompt, meta["prompt"].get<std::string>());
        QCOMPARE(session.generation["request"]["start_timestep"].get<int>(), 300);
        QVERIFY(session.generation["timesteps"][0].get<double>() <= 300);
        QCOMPARE(session.trace->calls(), static_cast<int>(session.generation["timesteps"].size()));

        // An image without parameters needs --prompt; a missing one is named.
        r = daam::test::runCli({QStringLiteral("explain"), QStringLiteral("--model"), model, QStringLiteral("--image"),
                                input, QStringLiteral("--out"), QString::fromStdString(root + "/none")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("give --prompt")), qPrintable(r.err));
        r = daam::test::runCli({QStringLiteral("explain"), QStringLiteral("--model"), model, QStringLiteral("--image"),
                                QString::fromStdString(root + "/missing.png"), QStringLiteral("--prompt"),
                                QStringLiteral("a dog"), QStringLiteral("--out"),
                                QString::fromStdString(root + "/none")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("missing.png")), qPrintable(r.err));
        QVERIFY(!fs::exists(root + "/none"));
        r = daam::test::runCli({QStringLiteral("generate"), QStringLiteral("--model"), model,
                                QStringLiteral("--prompt"), QStringLiteral("a dog"), QStringLiteral("--strength"),
                                QStringLiteral("0.5"), QStringLiteral("--out"),
                                QString::fromStdString(root + "/none")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("--image")), qPrintable(r.err));
    }
};

DAAM_TEST_APPLESS_MAIN(TestImg2Img)
#include "test_img2img.moc"
