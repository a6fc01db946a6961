// SPDX-License-Identifier: GPL-3.0-or-later
// DAAM end to end against castorini/daam: generate with capture on (sd1-tiny), then the default preset's
// global maps, word maps, image-size maps and masks must match what daam computed in its own run
// (../shared/reference/sd1-tiny/daam/*), and capture must not change the image.
#include "daam/io/Safetensors.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/sched/SchedulerConfig.h"
#include "daam/trace/HeatMapAggregator.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

class TestDaamGeneration : public QObject {
    Q_OBJECT
    std::unique_ptr<daam::StableDiffusionPipeline> pipeline_;

private Q_SLOTS:
    void initTestCase() {
        DAAM_REQUIRE_REFERENCE();
        pipeline_ = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/sd1-tiny"));
    }

    void matchesCastoriniDaam_data() {
        QTest::addColumn<QString>("caseName");
        QTest::newRow("pndm red dog") << "daam_pndm_redDog";
        QTest::newRow("ddim bluebird") << "daam_ddim_raw";
    }
    void matchesCastoriniDaam() {
        QFETCH(QString, caseName);
        const auto base = daam::test::referencePath("sd1-tiny/daam/" + caseName.toStdString());
        const auto meta = daam::SchedulerConfig::parseJsonFile(base + ".json");
        const auto ref = daam::loadSafetensors(base + ".safetensors");

        daam::GenerationRequest request;
        request.prompt = meta["prompt"].get<std::string>();
        request.seed = meta["seed"].get<uint64_t>();
        request.steps = meta["num_inference_steps"].get<int>();
        request.guidance = meta["guidance_scale"].get<double>();
        request.width = meta["width"].get<int>();
        request.height = meta["height"].get<int>();
        request.scheduler = meta["scheduler"].get<std::string>();
        const auto traced = daam::generateTraced(*pipeline_, request, nullptr, {torch::kFloat32, false});

        // Capture is read-only: the image is the untraced one (daam asserts the same).
        const auto plain = pipeline_->generate(request);
        QVERIFY(torch::equal(plain.image, traced.result.image));
        DAAM_COMPARE_TENSORS("image", traced.result.image, ref.at("image")[0], 1e-4);

        const auto& session = traced.session;
        QCOMPARE(session.gridSide, meta["heat_map_size"].get<int>());
        daam::HeatMapAggregator aggregator(session.trace, session.gridSide, session.gridSide);
        QCOMPARE(static_cast<int>(aggregator.defaultLayers().size()), static_cast<int>(meta["layers"].size()));
        DAAM_COMPARE_TENSORS("global_heat_maps", aggregator.globalMaps({}), ref.at("global_heat_maps"), 1e-4);
        for (const auto& [word, info] : meta["words"].items()) {
            const auto rows = info["token_indices"].get<std::vector<int>>();
            const auto map = aggregator.wordMap({}, rows);
            DAAM_COMPARE_TENSORS("word." + word, map, ref.at("word." + word), 1e-4);
            const auto expanded = daam::expandToImage(map, request.height, request.width);
            DAAM_COMPARE_TENSORS("expanded." + word, expanded, ref.at("expanded." + word), 1e-4);
            const auto agree =
                daam::thresholdMask(expanded, 0.4).eq(ref.at("mask." + word)).to(torch::kFloat64).mean().item<double>();
            QVERIFY2(agree >= 0.999, ("mask." + word).c_str());
        }
        qInfo("%s: global maps relative error %.2e, trace %.2f MB", qPrintable(caseName),
              daam::test::relativeError(aggregator.globalMaps({}), ref.at("global_heat_maps")),
              session.trace->bytes() / 1e6);
    }

    void sessionRoundTripKeepsTheMaps() {
        daam::GenerationRequest request;
        request.prompt = "a red dog sitting on a blue bench";
        request.seed = 7;
        request.steps = 3;
        request.width = request.height = 64; // sd1-tiny's default is 512x512, far too slow for a unit test
        const auto traced = daam::generateTraced(*pipeline_, request); // float16 storage (default)
        const auto dir = daam::test::makeTempDir("daam-gen") + "/session";
        daam::saveSession(dir, traced.session);
        const auto loaded = daam::loadSession(dir);
        QCOMPARE(loaded.generation["request"]["seed"].get<int>(), 7);
        QCOMPARE(loaded.generation["model"]["family"].get<std::string>(), std::string("SD1"));
        QCOMPARE(loaded.words.size(), traced.session.words.size());
        QCOMPARE(loaded.trace->calls(), 4); // PNDM: steps + 1 UNet calls
        daam::HeatMapAggregator a(traced.session.trace, 64, 64), b(loaded.trace, 64, 64);
        QVERIFY(torch::equal(a.globalMaps({}), b.globalMaps({})));
    }
};

DAAM_TEST_APPLESS_MAIN(TestDaamGeneration)
#include "test_daam_generation.moc"
