// SPDX-License-Identifier: GPL-3.0-or-later
// Whole generations against diffusers: every case in ../shared/reference/<pipe>/cases (tiny random-weight
// SD1, SD2 and SDXL pipelines, several schedulers, with and without guidance and negative prompts).
// Each recorded tensor must match within 1e-4 relative (float32), and the PNG within one level.
#include "daam/io/PngImage.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/sched/SchedulerConfig.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

class TestPipeline : public QObject {
    Q_OBJECT
    std::map<std::string, std::unique_ptr<daam::StableDiffusionPipeline>> pipelines_;

    daam::StableDiffusionPipeline& pipeline(const std::string& name) {
        auto& p = pipelines_[name];
        if (!p) p = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/" + name));
        return *p;
    }

private Q_SLOTS:
    void matchesDiffusers_data() {
        QTest::addColumn<QString>("pipe");
        QTest::addColumn<QString>("caseName");
        if (daam::test::referenceDir().empty()) {
            QTest::newRow("no reference") << QString() << QString();
            return;
        }
        for (const char* pipe : {"sd1-tiny", "sd2-tiny", "sdxl-tiny"}) {
            const auto dir = daam::test::referencePath(std::string(pipe) + "/cases");
            std::vector<std::string> cases;
            for (const auto& e : fs::directory_iterator(dir))
                if (e.path().extension() == ".json") cases.push_back(e.path().stem().string());
            std::sort(cases.begin(), cases.end());
            for (const auto& c : cases)
                QTest::newRow((std::string(pipe) + "/" + c).c_str())
                    << QString::fromUtf8(pipe) << QString::fromStdString(c);
        }
    }

    void matchesDiffusers() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QString, pipe);
        QFETCH(QString, caseName);
        const std::string base = daam::test::referencePath(pipe.toStdString() + "/cases/" + caseName.toStdString());
        // Python's json writes -Infinity (lambda_min_clipped): parse as the scheduler config reader does.
        const auto meta = daam::SchedulerConfig::parseJsonFile(base + ".json");
        const auto ref = daam::loadSafetensors(base + ".safetensors");

        daam::GenerationRequest request;
        request.prompt = meta["prompt"].get<std::string>();
        if (meta["negative_prompt"].is_string()) request.negativePrompt = meta["negative_prompt"].get<std::string>();
        request.seed = meta["seed"].get<uint64_t>();
        request.steps = meta["num_inference_steps"].get<int>();
        request.guidance = meta["guidance_scale"].get<double>();
        request.eta = meta["eta"].get<double>();
        request.width = meta["width"].get<int>();
        request.height = meta["height"].get<int>();
        request.scheduler = meta["scheduler"].get<std::string>();

        auto& p = pipeline(pipe.toStdString());
        daam::GenerationResult result;
        try {
            result = p.generate(request, nullptr, nullptr, /*keepStepLatents=*/true);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }

        const double tol = 1e-4;
        DAAM_COMPARE_TENSORS("prompt_embeds", result.textCond, ref.at("prompt_embeds"), tol);
        if (ref.count("negative_prompt_embeds")) // absent without guidance
            DAAM_COMPARE_TENSORS("negative_prompt_embeds", result.textUncond, ref.at("negative_prompt_embeds"), tol);
        QVERIFY(torch::equal(result.initialNoise, ref.at("noise")));
        const auto steps = ref.at("latents_steps");
        QCOMPARE(static_cast<int64_t>(result.stepLatents.size()), steps.size(0));
        for (int64_t i = 0; i < steps.size(0); ++i)
            DAAM_COMPARE_TENSORS("latents_steps[" + std::to_string(i) + "]", result.stepLatents[i][0], steps[i], tol);
        DAAM_COMPARE_TENSORS("latents_final", result.finalLatents, ref.at("latents_final"), tol);
        DAAM_COMPARE_TENSORS("image", result.image, ref.at("image")[0], tol);

        // The PNG diffusers wrote, within one level of ours.
        const auto png = daam::readPng(base + ".png");
        auto ours = (result.image.permute({1, 2, 0}) * 255).round().to(torch::kInt32);
        auto theirs = torch::from_blob(const_cast<uint8_t*>(png.pixels.data()), {png.height, png.width, png.channels},
                                       torch::kUInt8)
                          .narrow(2, 0, 3)
                          .to(torch::kInt32);
        QVERIFY2((ours - theirs).abs().max().item<int>() <= 1, "PNG differs by more than one level");
        qInfo("%s: image relative error %.2e, %zu UNet calls, %.2f s", qPrintable(caseName),
              daam::test::relativeError(result.image, ref.at("image")[0]), result.timesteps.size(), result.seconds);
    }

    void rejectsBadRequests() {
        DAAM_REQUIRE_REFERENCE();
        auto& p = pipeline("sd1-tiny");
        daam::GenerationRequest r;
        r.prompt = "a dog";
        r.steps = 2;
        r.width = r.height = 64;
        auto bad = r;
        bad.width = 63;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(bad), "multiples of 2");
        bad = r;
        bad.steps = 0;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(bad), "steps must be at least 1");
        bad = r;
        bad.scheduler = "heun-magic";
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(bad), "heun-magic");
        bad = r;
        bad.dtype = "fp16";
        DAAM_VERIFY_THROWS_NAMING(daam::Error, p.generate(bad), "fp16 needs a CUDA device");
    }

    void availableDevicesAreWhatParseDeviceTakes() {
        const auto devices = daam::availableDevices();
        QVERIFY(!devices.empty());
        QCOMPARE(devices.front(), std::string("cpu"));
        const size_t gpus = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
        QCOMPARE(devices.size(), 1 + gpus);
        for (size_t i = 0; i < devices.size(); ++i) {
            const auto device = daam::parseDevice(devices[i]);
            QCOMPARE(device.is_cuda(), i > 0);
            if (i > 0) QCOMPARE(int(device.index()), int(i - 1));
        }
        if (gpus == 0) DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::parseDevice("cuda:0"), "no CUDA device available");
    }

    void missingComponentIsNamed() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = daam::test::makeTempDir("pipe") + "/model";
        fs::copy(daam::test::referencePath("pipelines/sd1-tiny"), dir, fs::copy_options::recursive);
        fs::remove_all(dir + "/vae");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::StableDiffusionPipeline::load(dir), "vae");
    }
};

DAAM_TEST_APPLESS_MAIN(TestPipeline)
#include "test_pipeline.moc"
