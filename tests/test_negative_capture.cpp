// SPDX-License-Identifier: GPL-3.0-or-later
// Capturing the unconditional half: a negative prompt's words get maps of their own, saved and loaded
// with the session. Runs on a tiny random-weight pipeline the test writes (no reference needed).
#include "daam/io/Safetensors.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/pipeline/RandomPipeline.h"
#include "daam/trace/HeatMapAggregator.h"

#include <torch/torch.h>

#include "CliRunner.h"
#include "TestSupport.h"

#include "TestMain.h"

class TestNegativeCapture : public QObject {
    Q_OBJECT
    std::unique_ptr<daam::StableDiffusionPipeline> pipeline_;

    daam::GenerationRequest request(const std::string& prompt, const std::string& negative) const {
        daam::GenerationRequest r;
        r.prompt = prompt;
        r.negativePrompt = negative;
        r.seed = 3;
        r.steps = 2;
        r.scheduler = "ddim";
        return r;
    }

private Q_SLOTS:
    void initTestCase() {
        const auto dir = daam::test::makeTempDir("negative") + "/tiny";
        daam::writeRandomPipeline(dir, daam::tinyRandomSpec());
        pipeline_ = daam::StableDiffusionPipeline::load(dir);
    }

    // At the first UNet call both halves see the same latents, so the negative prompt's maps there are the
    // prompt maps of the swapped generation (prompt and negative exchanged).
    void negativeMapsAreTheUnconditionalAttention() {
        const auto a = daam::generateTraced(*pipeline_, request("a red dog", "blurry green cat"), nullptr,
                                            {torch::kFloat32, false});
        const auto b = daam::generateTraced(*pipeline_, request("blurry green cat", "a red dog"), nullptr,
                                            {torch::kFloat32, false});
        QVERIFY(a.session.negativeTrace);
        QCOMPARE(a.session.negativePrompt, std::string("blurry green cat"));
        QCOMPARE(a.session.negativeWords.size(), size_t(3));
        QCOMPARE(a.session.negativeTrace->tokens(), b.session.trace->tokens());
        QCOMPARE(a.session.negativeTrace->calls(), a.session.trace->calls());
        for (int l = 0; l < static_cast<int>(a.session.trace->layers().size()); ++l) {
            const auto neg = a.session.negativeTrace->layerMaps(l)[0];
            DAAM_COMPARE_TENSORS("layer " + std::to_string(l), neg, b.session.trace->layerMaps(l)[0], 1e-5);
            QVERIFY(!torch::allclose(neg.narrow(0, 1, 3), a.session.trace->layerMaps(l)[0].narrow(0, 1, 3)));
        }
    }

    // daam-cli heatmap --negative and --token: the maps the aggregator gives for those rows, at image size.
    void commandLineReachesNegativeWordsAndSpecialTokens() {
        const auto traced = daam::generateTraced(*pipeline_, request("a red dog", "blurry green cat"), nullptr,
                                                 {torch::kFloat32, false});
        const auto dir = daam::test::makeTempDir("negative-cli");
        daam::saveGeneratedSession(dir + "/s", traced.session);
        const auto& s = traced.session;
        const int height = s.image.height, width = s.image.width;
        auto heatmap = [&](QStringList extra) {
            const auto out = QString::fromStdString(dir + "/out.safetensors");
            const auto r =
                daam::test::runCli(QStringList{QStringLiteral("heatmap"), QStringLiteral("--session"),
                                               QString::fromStdString(dir + "/s"), QStringLiteral("--out"), out} +
                                   extra);
            if (r.exitCode != 0) qWarning("%s", qPrintable(r.err));
            return r.exitCode == 0 ? daam::loadSafetensors(out.toStdString()).at("heatmap") : torch::Tensor();
        };
        const daam::HeatMapAggregator negative(s.negativeTrace, s.gridSide, s.gridSide);
        const auto& green = s.negativeWords[1];
        QCOMPARE(green.text, std::string("green"));
        auto got = heatmap({QStringLiteral("--negative"), QStringLiteral("--word"), QStringLiteral("green")});
        QVERIFY(got.defined());
        DAAM_COMPARE_TENSORS("negative green", got,
                             daam::expandToImage(negative.wordMap({}, green.tokens), height, width), 1e-6);

        const daam::HeatMapAggregator prompt(s.trace, s.gridSide, s.gridSide);
        const int eos = static_cast<int>(s.tokens.size()) - 1;
        got = heatmap({QStringLiteral("--token"), QStringLiteral("eos")});
        QVERIFY(got.defined());
        DAAM_COMPARE_TENSORS("eos", got, daam::expandToImage(prompt.wordMap({}, {eos}), height, width), 1e-6);
        got = heatmap({QStringLiteral("--token"), QStringLiteral("sos"), QStringLiteral("--normalize"),
                       QStringLiteral("absolute")});
        QVERIFY(got.defined());
        DAAM_COMPARE_TENSORS(
            "sos", got,
            daam::expandToImage(prompt.wordMap({}, {0}), height, width, daam::HeatMapNormalization::Absolute), 1e-6);
        got = heatmap({QStringLiteral("--negative"), QStringLiteral("--token"), QStringLiteral("1")});
        QVERIFY(got.defined());
        DAAM_COMPARE_TENSORS("negative row 1", got, daam::expandToImage(negative.wordMap({}, {1}), height, width),
                             1e-6);

        auto fails = [&](QStringList extra, int code, const QString& message) {
            const auto r = daam::test::runCli(QStringList{QStringLiteral("heatmap"), QStringLiteral("--session"),
                                                          QString::fromStdString(dir + "/s"), QStringLiteral("--out"),
                                                          QString::fromStdString(dir + "/x.safetensors")} +
                                              extra);
            QCOMPARE(r.exitCode, code);
            QVERIFY2(r.err.contains(message), qPrintable(r.err));
        };
        fails({QStringLiteral("--token"), QStringLiteral("99")}, 2, QStringLiteral("the prompt has rows 0 to"));
        fails({QStringLiteral("--token"), QStringLiteral("eos"), QStringLiteral("--word"), QStringLiteral("red")}, 2,
              QStringLiteral("exactly one of --word and --token"));
        fails({QStringLiteral("--negative"), QStringLiteral("--word"), QStringLiteral("red")}, 1,
              QStringLiteral("'red' is not in the prompt"));
        daam::saveGeneratedSession(dir + "/s", daam::generateTraced(*pipeline_, request("a red dog", "")).session);
        fails({QStringLiteral("--negative"), QStringLiteral("--word"), QStringLiteral("red")}, 1,
              QStringLiteral("holds no negative prompt's maps"));
    }

    void noNegativeTraceWithoutNegativePromptOrGuidance() {
        QVERIFY(!daam::generateTraced(*pipeline_, request("a red dog", "")).session.negativeTrace);
        auto unguided = request("a red dog", "blurry");
        unguided.guidance = 1.0;
        QVERIFY(!daam::generateTraced(*pipeline_, unguided).session.negativeTrace);
        QVERIFY(!daam::generateTraced(*pipeline_, request("a red dog", "blurry"), nullptr, {}, false, false)
                     .session.negativeTrace);
    }

    void sessionKeepsTheNegativeTrace() {
        const auto traced = daam::generateTraced(*pipeline_, request("a red dog", "blurry green cat"));
        const auto dir = daam::test::makeTempDir("negative") + "/s";
        daam::saveSession(dir, traced.session);
        const auto loaded = daam::loadSession(dir);
        QVERIFY(loaded.negativeTrace);
        QCOMPARE(loaded.negativePrompt, std::string("blurry green cat"));
        QCOMPARE(loaded.negativeWords.size(), size_t(3));
        QCOMPARE(loaded.negativeWords[1].text, std::string("green"));
        daam::HeatMapAggregator a(traced.session.negativeTrace, 96, 96), b(loaded.negativeTrace, 96, 96);
        QVERIFY(torch::equal(a.globalMaps({}), b.globalMaps({})));
        // Images and the prompt's maps are unaffected by capturing the other half.
        const auto plain =
            daam::generateTraced(*pipeline_, request("a red dog", "blurry green cat"), nullptr, {}, false, false);
        QVERIFY(torch::equal(plain.result.image, traced.result.image));
        QVERIFY(torch::equal(plain.session.trace->layerMaps(0), traced.session.trace->layerMaps(0)));
    }
};

DAAM_TEST_APPLESS_MAIN(TestNegativeCapture)
#include "test_negative_capture.moc"
