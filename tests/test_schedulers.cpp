// SPDX-License-Identifier: GPL-3.0-or-later
// Schedulers and seeded noise against the diffusers 0.21.2 goldens: for every reference generation case the
// timesteps, sigmas, init_noise_sigma and the initial noise must match, and where the case recorded the UNet's
// inputs and outputs the whole sampling loop is replayed with those outputs (relative error ≤ 1e-5 per call).
// Also: LMS coefficients integrate exactly, Karras timesteps are sane, and bad configs / names fail clearly.
#include "daam/io/Safetensors.h"
#include "daam/sched/DPMSolverMultistepScheduler.h"
#include "daam/sched/LMSDiscreteScheduler.h"
#include "daam/sched/NoiseSource.h"
#include "daam/sched/SchedulerConfig.h"
#include "daam/sched/SchedulerFactory.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace daam;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> caseFiles() {
    std::vector<std::string> out;
    const auto root = test::referenceDir();
    if (root.empty() || !fs::is_directory(root)) return out;
    for (const auto& pipe : fs::directory_iterator(root)) {
        const auto cases = pipe.path() / "cases";
        if (!fs::is_directory(cases)) continue;
        for (const auto& f : fs::directory_iterator(cases))
            if (f.path().extension() == ".json") out.push_back(f.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void addCaseRows(bool onlyWithUnetIo) {
    QTest::addColumn<QString>("jsonPath");
    int rows = 0;
    for (const auto& path : caseFiles()) {
        const auto j = SchedulerConfig::parseJsonFile(path);
        if (onlyWithUnetIo && !j.value("has_unet_io", false)) continue;
        const auto name =
            fs::path(path).parent_path().parent_path().filename().string() + "/" + fs::path(path).stem().string();
        QTest::newRow(name.c_str()) << QString::fromStdString(path);
        ++rows;
    }
    if (rows == 0) QTest::newRow("no-reference") << QString();
}

struct Case {
    nlohmann::json json;
    std::map<std::string, torch::Tensor> tensors;
    std::unique_ptr<Scheduler> scheduler;
};

Case loadCase(const std::string& jsonPath) {
    Case c;
    c.json = SchedulerConfig::parseJsonFile(jsonPath);
    auto st = fs::path(jsonPath).replace_extension(".safetensors").string();
    c.tensors = loadSafetensors(st);
    const auto config = SchedulerConfig::fromJson(c.json.at("scheduler_config"), jsonPath);
    c.scheduler = makeScheduler(c.json.at("scheduler").get<std::string>(), config);
    c.scheduler->setEta(c.json.value("eta", 0.0));
    c.scheduler->setTimesteps(c.json.at("num_inference_steps").get<int>());
    return c;
}

torch::Tensor doubles(const std::vector<double>& v) {
    return torch::tensor(v, torch::TensorOptions().dtype(torch::kFloat64));
}

} // namespace

class TestSchedulers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void timestepsSigmasAndNoise_data() { addCaseRows(false); }
    void timestepsSigmasAndNoise();
    void replayWithReferenceUnet_data() { addCaseRows(true); }
    void replayWithReferenceUnet();
    void pipelineSchedulerFolders();
    void lmsCoefficientsIntegrateExactly();
    void karrasTimesteps();
    void noiseIsSeededAndSequential();
    void noiseDrawsPerStep();
    void badConfigsAndNames();
};

void TestSchedulers::timestepsSigmasAndNoise() {
    QFETCH(QString, jsonPath);
    DAAM_REQUIRE_REFERENCE();
    if (jsonPath.isEmpty()) QSKIP("no reference cases");
    auto c = loadCase(jsonPath.toStdString());
    auto& s = *c.scheduler;

    // (a) timesteps: values, count (PNDM repeats one) and the dtype the UNet sees.
    const auto refT = c.tensors.at("timesteps");
    QCOMPARE(s.numCalls(), int(refT.numel()));
    QCOMPARE(s.timestepDtype(), refT.scalar_type());
    QVERIFY2(torch::equal(s.timestepsTensor(), refT),
             qPrintable(test::describeDifference("timesteps", s.timestepsTensor(), refT)));
    QVERIFY(torch::equal(doubles(s.timesteps()), c.tensors.at("step_timesteps")));
    QCOMPARE(s.numCalls(), c.json.at("n_unet_evaluations").get<int>());

    if (c.tensors.count("sigmas")) {
        const auto refS = c.tensors.at("sigmas");
        QVERIFY(s.sigmas().defined());
        DAAM_COMPARE_TENSORS("sigmas", s.sigmas().to(torch::kFloat32), refS, 1e-7);
    }
    const double refSigma = c.json.at("init_noise_sigma").get<double>();
    QVERIFY2(
        std::abs(s.initNoiseSigma() - refSigma) <= 1e-7 * refSigma,
        qPrintable(
            QStringLiteral("init_noise_sigma %1 vs %2").arg(s.initNoiseSigma(), 0, 'g', 17).arg(refSigma, 0, 'g', 17)));

    // (b) initial latents: torch.randn with a fresh seeded generator, bit for bit, times init_noise_sigma.
    const int h = c.json.at("height").get<int>() / 2, w = c.json.at("width").get<int>() / 2;
    NoiseSource noise(c.json.at("seed").get<uint64_t>());
    const auto drawn = noise.randn({1, 4, h, w});
    QVERIFY2(torch::equal(drawn, c.tensors.at("noise")),
             qPrintable(test::describeDifference("noise", drawn, c.tensors.at("noise"))));
    const auto latents = drawn * s.initNoiseSigma();
    QVERIFY2(torch::equal(latents, c.tensors.at("latents_init")),
             qPrintable(test::describeDifference("latents_init", latents, c.tensors.at("latents_init"))));
}

void TestSchedulers::replayWithReferenceUnet() {
    QFETCH(QString, jsonPath);
    DAAM_REQUIRE_REFERENCE();
    if (jsonPath.isEmpty()) QSKIP("no reference cases with UNet I/O");
    auto c = loadCase(jsonPath.toStdString());
    auto& s = *c.scheduler;
    const double guidance = c.json.at("guidance_scale").get<double>();
    const bool cfg = guidance > 1.0;
    const auto unetIn = c.tensors.at("unet_in_steps");   // [calls, B, 4, h, w]
    const auto unetOut = c.tensors.at("unet_out_steps"); // [calls, B, 4, h, w]
    const auto refSteps = c.tensors.at("latents_steps"); // [calls, 4, h, w]
    QCOMPARE(unetIn.size(1), cfg ? 2 : 1);

    NoiseSource noise(c.json.at("seed").get<uint64_t>());
    const int h = c.json.at("height").get<int>() / 2, w = c.json.at("width").get<int>() / 2;
    auto latents = noise.randn({1, 4, h, w}) * s.initNoiseSigma();
    double maxIn = 0, maxStep = 0;
    for (int call = 0; call < s.numCalls(); ++call) {
        const auto x = cfg ? torch::cat({latents, latents}) : latents;
        const auto scaled = s.scaleModelInput(x, call);
        const auto what = "call " + std::to_string(call);
        maxIn = std::max(maxIn, test::relativeError(scaled, unetIn[call]));
        DAAM_COMPARE_TENSORS("unet input, " + what, scaled, unetIn[call], 1e-5);

        auto eps = unetOut[call];
        if (cfg) {
            const auto chunks = eps.chunk(2);
            eps = chunks[0] + guidance * (chunks[1] - chunks[0]);
        }
        latents = s.step(eps, call, latents, &noise);
        maxStep = std::max(maxStep, test::relativeError(latents, refSteps[call].unsqueeze(0)));
        DAAM_COMPARE_TENSORS("latents after step, " + what, latents, refSteps[call].unsqueeze(0), 1e-5);
    }
    DAAM_COMPARE_TENSORS("latents_final", latents, c.tensors.at("latents_final"), 1e-5);
    qInfo("%s: max rel. error UNet input %.3g, latents %.3g", qPrintable(jsonPath), maxIn, maxStep);
}

void TestSchedulers::pipelineSchedulerFolders() {
    DAAM_REQUIRE_REFERENCE();
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"sd1-tiny", "PNDMScheduler"}, {"sd2-tiny", "DDIMScheduler"}, {"sdxl-tiny", "EulerDiscreteScheduler"}};
    for (const auto& [pipe, cls] : expected) {
        const auto folder = test::referencePath("pipelines/" + pipe + "/scheduler");
        auto s = makeScheduler(folder);
        QCOMPARE(s->className(), cls);
        s->setTimesteps(5);
        QVERIFY(s->numCalls() >= 5);
    }
}

void TestSchedulers::lmsCoefficientsIntegrateExactly() {
    // The Lagrange basis sums to 1, so the coefficients of one step sum to sigma_{t+1} - sigma_t; and the
    // basis of order 1 is the constant 1.
    SchedulerConfig config;
    config.betaSchedule = "scaled_linear";
    config.betaStart = 0.00085;
    config.betaEnd = 0.012;
    LMSDiscreteScheduler lms(config);
    lms.setTimesteps(10);
    const auto sig = lms.sigmas().to(torch::kFloat64);
    for (int t = 0; t < 10; ++t) {
        const int order = std::min(t + 1, 4);
        double sum = 0;
        for (int k = 0; k < order; ++k)
            sum += lms.lmsCoefficient(order, t, k);
        const double width = sig[t + 1].item<double>() - sig[t].item<double>();
        QVERIFY2(std::abs(sum - width) <= 1e-12 * std::abs(width) + 1e-14,
                 qPrintable(QStringLiteral("t=%1 sum %2 width %3").arg(t).arg(sum, 0, 'g', 17).arg(width, 0, 'g', 17)));
    }
}

void TestSchedulers::karrasTimesteps() {
    SchedulerConfig config;
    config.betaSchedule = "scaled_linear";
    config.betaStart = 0.00085;
    config.betaEnd = 0.012;
    auto s = makeScheduler("dpm++2m-karras", config);
    s->setTimesteps(20);
    const auto& t = s->timesteps();
    QVERIFY(!t.empty() && t.size() <= 20);
    for (size_t i = 1; i < t.size(); ++i)
        QVERIFY2(t[i] < t[i - 1], "Karras timesteps must strictly decrease");
    QVERIFY(t.front() <= 999 && t.back() >= 0);
    // Karras spacing is dense at low noise: the last gaps are smaller than the first.
    QVERIFY(t[t.size() - 2] - t.back() < t[0] - t[1]);
    NoiseSource noise(1);
    auto x = noise.randn({1, 4, 8, 8});
    for (int c = 0; c < s->numCalls(); ++c)
        x = s->step(torch::zeros_like(x), c, x, &noise);
    QVERIFY(torch::isfinite(x).all().item<bool>());
}

void TestSchedulers::noiseIsSeededAndSequential() {
    NoiseSource a(42), b(42), other(43);
    const auto a1 = a.randn({2, 3}), a2 = a.randn({2, 3});
    QVERIFY(torch::equal(a1, b.randn({2, 3})));
    QVERIFY(torch::equal(a2, b.randn({2, 3})));
    QVERIFY(!torch::equal(a1, a2));
    QVERIFY(!torch::equal(a1, other.randn({2, 3})));
    QCOMPARE(a.draws(), 2);
}

void TestSchedulers::noiseDrawsPerStep() {
    // diffusers shares one generator: Euler and Euler-a draw one randn per step (Euler's is unused),
    // DDIM only with eta > 0, the others never. Any other count would desynchronise later draws.
    SchedulerConfig config;
    config.betaSchedule = "scaled_linear";
    config.betaStart = 0.00085;
    config.betaEnd = 0.012;
    config.skipPrkSteps = true;
    config.clipSample = false;
    const std::vector<std::tuple<std::string, double, int>> expected = {
        {"euler", 0.0, 5}, {"euler-a", 0.0, 5}, {"ddim", 0.0, 0}, {"ddim", 1.0, 5},
        {"pndm", 0.0, 0},  {"dpm++2m", 0.0, 0}, {"lms", 0.0, 0}};
    for (const auto& [name, eta, draws] : expected) {
        auto s = makeScheduler(name, config);
        s->setEta(eta);
        s->setTimesteps(5);
        NoiseSource noise(7);
        auto x = torch::ones({1, 4, 4, 4});
        for (int c = 0; c < s->numCalls(); ++c) {
            s->scaleModelInput(x, c);
            x = s->step(torch::zeros_like(x), c, x, &noise);
        }
        QVERIFY2(noise.draws() == draws,
                 qPrintable(QString::fromStdString(name + " drew " + std::to_string(noise.draws()))));
        QVERIFY(torch::isfinite(x).all().item<bool>());
    }
}

void TestSchedulers::badConfigsAndNames() {
    const std::string src = "/x/scheduler_config.json";
    auto expectFileError = [&](const std::string& text, const std::string& key) {
        try {
            SchedulerConfig::fromJson(SchedulerConfig::parseJsonText(text, src), src);
        } catch (const FileError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(src) != std::string::npos && msg.find(key) != std::string::npos, msg.c_str());
            QVERIFY2(msg.size() < 300, msg.c_str()); // file content is quoted in excerpts only
            return;
        }
        QFAIL(("no error for " + text.substr(0, 100)).c_str());
    };
    expectFileError(R"({"prediction_type": "noise"})", "prediction_type");
    expectFileError(R"({"beta_schedule": "cubic"})", "beta_schedule");
    expectFileError(R"({"timestep_spacing": 3})", "timestep_spacing");
    expectFileError(R"({"beta_start": "small"})", "beta_start");
    expectFileError(R"({"num_train_timesteps": "many"})", "num_train_timesteps");
    expectFileError(R"({"set_alpha_to_one": "yes"})", "set_alpha_to_one");
    expectFileError(R"({"algorithm_type": "unipc"})", "algorithm_type");
    expectFileError(R"({"trained_betas": [0.1, 0.2]})", "trained_betas");
    expectFileError(R"({"steps_offset": 1,)", "invalid JSON");
    // Sizes past any real schedule are refused before a schedule of that length is built.
    expectFileError(R"({"num_train_timesteps": 1000000000000})", "num_train_timesteps");
    expectFileError(R"({"num_train_timesteps": 18446744073709551615})", "num_train_timesteps");
    expectFileError(R"({"num_train_timesteps": 1e300})", "num_train_timesteps");
    expectFileError(R"({"num_train_timesteps": 1000, "steps_offset": 5000})", "steps_offset");
    expectFileError(R"({"solver_order": 4294967298})", "solver_order");
    expectFileError("{\"steps_offset\": 1, \"beta_end\": \"" + std::string(4000, 'z') + "\"}", "beta_end");
    expectFileError("{\"steps_offset\": \"" + std::string(4000, 'z'), "invalid JSON");

    // Python's json writes -Infinity for lambda_min_clipped; it must parse.
    const auto cfg = SchedulerConfig::fromJson(
        SchedulerConfig::parseJsonText(R"({"lambda_min_clipped": -Infinity, "_class_name": "X"})", src), src);
    QVERIFY(std::isinf(cfg.lambdaMinClipped) && cfg.lambdaMinClipped < 0);
    QCOMPARE(cfg.className, std::string("X"));

    DAAM_VERIFY_THROWS_NAMING(Error, makeScheduler("heun", SchedulerConfig{}), "heun", "ddim", "dpm++2m-karras",
                              "LMSDiscreteScheduler");
    // PRK steps are not implemented: PNDM must refuse rather than sample differently from diffusers.
    DAAM_VERIFY_THROWS_NAMING(Error, makeScheduler("pndm", SchedulerConfig{}), "skip_prk_steps");
    const std::string missing = "/nonexistent-daam-scheduler-folder";
    DAAM_VERIFY_THROWS_NAMING(FileError, makeScheduler(missing), missing, "cannot open");
    // Steps must follow each other for PNDM's history to be right; the first may be a later call (image-to-image).
    SchedulerConfig plms;
    plms.skipPrkSteps = true;
    auto pndm = makeScheduler("pndm", plms);
    pndm->setTimesteps(5);
    const auto x = torch::zeros({1, 4, 2, 2});
    pndm->step(x, 1, x, nullptr);
    DAAM_VERIFY_THROWS_NAMING(Error, pndm->step(x, 3, x, nullptr), "expected call 2, got 3");
    pndm->setTimesteps(5);
    pndm->step(x, 0, x, nullptr);
    DAAM_VERIFY_THROWS_NAMING(Error, pndm->step(x, 0, x, nullptr), "expected call 1, got 0");
}

DAAM_TEST_APPLESS_MAIN(TestSchedulers)
#include "test_schedulers.moc"
