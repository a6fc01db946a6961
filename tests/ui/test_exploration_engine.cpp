// SPDX-License-Identifier: GPL-3.0-or-later
// ExplorationEngine, ExplorationState and OverlayRenderer on a synthetic session: maps land where the
// attention was put, step ranges and layers change them, masks and their overlap follow the threshold,
// and a damaged folder is reported without losing the open session.
#include "ExplorationEngine.h"
#include "ExplorationState.h"
#include "OverlayRenderer.h"

#include "SyntheticSession.h"
#include "TestSupport.h"

#include "TestMain.h"
#include <QSignalSpy>

#include <filesystem>
#include <numeric>
#include <thread>

using namespace daam::ui;
using daam::test::kWordCat;
using daam::test::kWordDog;

namespace {

// Mean of a map over a rectangle [x0, x1) x [y0, y1).
double meanOver(const HeatMap& map, int x0, int y0, int x1, int y1) {
    double sum = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            sum += map.at(x, y);
    return sum / ((x1 - x0) * (y1 - y0));
}

} // namespace

class TestExplorationEngine : public QObject {
    Q_OBJECT

    std::string dir_;

private Q_SLOTS:
    void initTestCase() { dir_ = daam::test::saveSyntheticSession(daam::test::makeTempDir("ui-engine")); }

    void opensASessionAndSummarizesIt() {
        ExplorationEngine engine;
        QString error;
        QVERIFY2(engine.open(QString::fromStdString(dir_), &error), qPrintable(error));
        const auto& s = engine.summary();
        // The three words, then the start and end tokens (tokens of no word).
        QCOMPARE(s.words.size(), size_t(5));
        QCOMPARE(s.words[kWordCat].text, QStringLiteral("cat"));
        QVERIFY(!s.words[kWordCat].special);
        QCOMPARE(s.words[3].text, QStringLiteral("<|startoftext|>"));
        QCOMPARE(s.words[3].rows, std::vector<int>{0});
        QCOMPARE(s.words[4].rows, std::vector<int>{4});
        QVERIFY(s.words[3].special && s.words[4].special);
        QCOMPARE(s.words[kWordCat].tokens, QStringList{QStringLiteral("cat</w>")});
        QCOMPARE(s.calls, daam::test::kSyntheticCalls);
        QCOMPARE(s.layers.size(), size_t(3));
        QCOMPARE(s.image.size(), QSize(64, 64));
        QCOMPARE(s.timesteps.size(), size_t(4));
    }

    void mapsLandWhereTheAttentionWent() {
        ExplorationEngine engine;
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr));
        MapQuery early;
        early.callEnd = 2;
        const auto& maps = engine.allWordMaps(early);
        QCOMPARE(maps.size(), size_t(5));
        QCOMPARE(maps[kWordCat].width, 64);
        QVERIFY(meanOver(maps[kWordCat], 0, 0, 24, 64) > 0.7);
        QVERIFY(meanOver(maps[kWordCat], 40, 0, 64, 64) < 0.3);
        QVERIFY(meanOver(maps[kWordDog], 40, 0, 64, 64) > 0.7);
        QVERIFY(meanOver(maps[kWordDog], 0, 0, 24, 64) < 0.3);

        // Late steps: "cat" sits in the top half instead.
        MapQuery late;
        late.callBegin = 2;
        const auto lateCat = engine.allWordMaps(late)[kWordCat];
        QVERIFY(meanOver(lateCat, 0, 0, 64, 24) > 0.7);
        QVERIFY(meanOver(lateCat, 0, 40, 64, 64) < 0.3);
    }

    void shareSplitsEachPixelAmongTheWords() {
        ExplorationEngine engine;
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr));
        MapQuery early;
        early.callEnd = 2;
        early.normalization = Normalization::Share;
        const auto& maps = engine.allWordMaps(early);
        // The three words' shares sum to 1 at every pixel; the start and end tokens stay out of the sum.
        for (int y = 0; y < 64; y += 9)
            for (int x = 0; x < 64; x += 9) {
                const double sum =
                    maps[daam::test::kWordA].at(x, y) + maps[kWordCat].at(x, y) + maps[kWordDog].at(x, y);
                QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum)));
            }
        // "cat" takes most of the left half, "dog" of the right (logits 3 against -3 and 0).
        QVERIFY(meanOver(maps[kWordCat], 0, 0, 24, 64) > 0.8);
        QVERIFY(meanOver(maps[kWordDog], 40, 0, 64, 64) > 0.8);
        // Unlike min-max maps, shares are not stretched: "a" never reaches 1 anywhere.
        QVERIFY(*std::max_element(maps[daam::test::kWordA].values.begin(), maps[daam::test::kWordA].values.end()) <
                0.2);
        // The start token's share is its part of itself and the words: e^2 / (e^2 + e^0 + e^3 + e^-3) = 0.26
        // on either half.
        const auto& start = engine.wordMap(3, early);
        QVERIFY(std::abs(meanOver(start, 0, 0, 64, 64) - 0.26) < 0.02);
    }

    // "cat" twice (the second occurrence reads the flat "a" row): each chip's own map, or one merged map of both
    // occurrences' rows, as castorini/daam computes a repeated word.
    void repeatedWordsMergeOnRequest() {
        auto session = std::make_shared<daam::Session>(daam::test::makeSyntheticSession());
        session->words.push_back({"cat", 10, 13, {1}, false});
        ExplorationEngine engine;
        QVERIFY(engine.setSession(session, QString(), nullptr));
        MapQuery own;
        own.normalization = Normalization::Absolute;
        MapQuery merged = own;
        merged.mergeRepeats = true;
        const auto first = engine.wordMap(kWordCat, own).values;
        const auto second = engine.wordMap(3, own).values;
        QVERIFY(first != second);
        const auto mergedFirst = engine.wordMap(kWordCat, merged).values;
        const auto mergedSecond = engine.wordMap(3, merged).values;
        QCOMPARE(mergedFirst, mergedSecond);
        // The merged map is the mean of the two rows' maps (bicubic upsampling is linear; absolute maps are
        // not stretched), up to float rounding.
        for (size_t i = 0; i < first.size(); i += 97)
            QVERIFY(std::abs(mergedFirst[i] - (first[i] + second[i]) / 2) < 1e-5);
        // "dog" occurs once: merging leaves it as it was.
        // (A copy: a word map is valid until the query changes.)
        const auto dogMerged = engine.wordMap(kWordDog, merged).values;
        QCOMPARE(dogMerged, engine.wordMap(kWordDog, own).values);
    }

    void layersNarrowTheQuery() {
        ExplorationEngine engine;
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr));
        MapQuery q;
        const auto share = engine.layerShare(kWordCat, q);
        QCOMPARE(share.size(), size_t(3));
        QCOMPARE(std::accumulate(share.begin(), share.end(), 0.0), 1.0);
        q.layers = {1};
        const auto mid = engine.layerShare(kWordCat, q);
        QCOMPARE(mid[1], 1.0);
        QCOMPARE(mid[0], 0.0);
        const auto mass = engine.massOverCalls(kWordDog, {});
        QCOMPARE(mass.size(), size_t(daam::test::kSyntheticCalls));
        QVERIFY(mass[0] > 0 && mass[0] < 1);
    }

    void overlapUsesTheThreshold() {
        ExplorationEngine engine;
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr));
        MapQuery early;
        early.callEnd = 2;
        const auto& maps = engine.allWordMaps(early);
        const auto same = ExplorationEngine::overlap(maps[kWordCat], maps[kWordCat], 0.4);
        QCOMPARE(same.iou, 1.0);
        const auto apart = ExplorationEngine::overlap(maps[kWordCat], maps[kWordDog], 0.4);
        QVERIFY2(apart.iou < 0.2, qPrintable(QString::number(apart.iou)));
        // A lower threshold grows both masks into each other.
        const auto loose = ExplorationEngine::overlap(maps[kWordCat], maps[kWordDog], 0.05);
        QVERIFY(loose.iou > apart.iou);
    }

    void backgroundJobsInstallOnlyIntoTheirSession() {
        ExplorationEngine engine;
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr));
        MapQuery late;
        late.callBegin = 2;
        QVERIFY(!engine.isReady(late));
        const auto job = engine.gridMapsJob(late);
        GridMapsPtr result;
        std::thread worker([&] { result = job(); });
        worker.join();
        QVERIFY(!engine.isReady(late)); // computing touched no engine state
        QVERIFY(engine.install(result));
        QVERIFY(engine.isReady(late));
        QVERIFY(meanOver(engine.wordMap(kWordCat, late), 0, 0, 64, 24) > 0.7);

        const auto stale = engine.gridMapsJob(late)();
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr)); // a new session
        QVERIFY(!engine.install(stale));
        QVERIFY(!engine.isReady(late));
    }

    void damagedFolderKeepsTheOpenSession() {
        ExplorationEngine engine;
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr));
        const auto broken = daam::test::makeTempDir("ui-broken") + "/s";
        std::filesystem::create_directories(broken);
        std::filesystem::copy(dir_, broken, std::filesystem::copy_options::recursive);
        std::filesystem::resize_file(broken + "/trace.safetensors", 100);
        QString error;
        QVERIFY(!engine.open(QString::fromStdString(broken), &error));
        QVERIFY2(error.contains(QStringLiteral("trace.safetensors")), qPrintable(error));
        QVERIFY(!engine.open(QStringLiteral("/nonexistent/session"), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(engine.hasSession());
        QCOMPARE(engine.summary().words.size(), size_t(5));
    }

    void stateSignalsOnlyRealChanges() {
        ExplorationEngine engine;
        QVERIFY(engine.open(QString::fromStdString(dir_), nullptr));
        ExplorationState state;
        state.resetForSession(engine.summary());
        QCOMPARE(state.selectedWords(), QList<int>{kWordCat}); // not the article before it
        QCOMPARE(state.callEnd(), 4);
        state.selectWord(daam::test::kWordA);
        QSignalSpy changed(&state, &ExplorationState::changed);
        state.selectWord(kWordCat);
        state.selectWord(kWordCat);
        QCOMPARE(changed.count(), 1);
        state.toggleWord(kWordDog);
        QCOMPARE(state.selectedWords(), (QList<int>{kWordCat, kWordDog}));
        state.toggleWord(kWordCat);
        QCOMPARE(state.selectedWords(), QList<int>{kWordDog});
        state.setCallRange(2, 4);
        QCOMPARE(state.query().callBegin, 2);
        QCOMPARE(state.query().callEnd, -1);
        state.setThreshold(0.4); // unchanged
        QCOMPARE(changed.count(), 4);
    }

    void sessionsOpenOnTheFirstWordThatNamesSomething() {
        auto summaryOf = [](const QStringList& texts) {
            SessionSummary summary;
            summary.calls = 1;
            for (const auto& text : texts) {
                WordInfo word;
                word.text = text;
                word.punctuation = text == QStringLiteral(",");
                word.special = text.startsWith(QStringLiteral("<|"));
                summary.words.push_back(word);
            }
            return summary;
        };
        ExplorationState state;
        state.resetForSession(summaryOf({QStringLiteral("A"), QStringLiteral(","), QStringLiteral("the"),
                                         QStringLiteral("red"), QStringLiteral("circle")}));
        QCOMPARE(state.selectedWords(), QList<int>{3});
        // Only function words, punctuation and start/end tokens: the first word all the same.
        state.resetForSession(summaryOf(
            {QStringLiteral(","), QStringLiteral("on"), QStringLiteral("the"), QStringLiteral("<|endoftext|>")}));
        QCOMPARE(state.selectedWords(), QList<int>{1});
        state.resetForSession(summaryOf({QStringLiteral("<|startoftext|>")}));
        QVERIFY(state.selectedWords().isEmpty());
    }

    void rendererColoursHotAndMasksCut() {
        HeatMap map;
        map.width = 4;
        map.height = 1;
        map.values = {0.0f, 0.2f, 0.8f, 1.0f};
        QImage grey(4, 1, QImage::Format_RGB888);
        grey.fill(QColor(128, 128, 128));
        OverlayStyle style;
        style.opacity = 1.0;
        const QImage heat = renderOverlay(grey, {&map}, style);
        // Jet at 1 is dark red; at 0 the paper's overlay leaves the image as it is.
        QCOMPARE(heat.pixelColor(0, 0), QColor(128, 128, 128));
        QVERIFY(heat.pixelColor(3, 0).red() > 100 && heat.pixelColor(3, 0).blue() < 30);
        style.maskMode = MaskMode::Cutout;
        const QImage cut = renderOverlay(grey, {&map}, style);
        QVERIFY(cut.pixelColor(1, 0).red() < 40);
        QCOMPARE(cut.pixelColor(2, 0), QColor(128, 128, 128));
        const QImage mask = renderMask(map, 0.5);
        QCOMPARE(qGray(mask.pixel(1, 0)), 0);
        QCOMPARE(qGray(mask.pixel(2, 0)), 255);
    }
};

DAAM_TEST_MAIN(TestExplorationEngine)
#include "test_exploration_engine.moc"
