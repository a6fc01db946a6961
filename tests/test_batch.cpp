// SPDX-License-Identifier: GPL-3.0-or-later
// Batches: prompts files (plain, CSV, JSONL) and their errors, shard specs, a resumed run and three merged shards
// equal to one uninterrupted run file for file, failed items, and the CLI's batch and batch-merge.
#include "daam/batch/BatchRunner.h"
#include "daam/builtin/BuiltInModel.h"
#include "daam/io/PngImage.h"
#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/HeatMapImage.h"
#include "daam/trace/Measures.h"
#include "daam/trace/Session.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "CliRunner.h"
#include "TestSupport.h"

#include "TestMain.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void btWrite(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string btRead(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Every file under `dir`, relative to it, sorted.
std::vector<std::string> btFiles(const fs::path& dir) {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) files.push_back(fs::relative(e.path(), dir).string());
    std::sort(files.begin(), files.end());
    return files;
}

json btWithoutTimes(json j) {
    j.erase("seconds");
    return j;
}

// Empty when two batch folders hold the same: batch.json and every session's image and trace byte for byte, the
// index and generation.json equal but for the run's timings.
QString btDifference(const fs::path& a, const fs::path& b) {
    if (btFiles(a) != btFiles(b)) return QStringLiteral("the folders hold different files");
    for (const auto& file : btFiles(a)) {
        const auto name = fs::path(file).filename().string();
        if (name == "index.jsonl") {
            const auto ra = daam::readBatchIndex((a / file).string()), rb = daam::readBatchIndex((b / file).string());
            if (ra.size() != rb.size()) return QStringLiteral("index sizes differ");
            for (const auto& [item, row] : ra)
                if (!rb.count(item) || btWithoutTimes(row) != btWithoutTimes(rb.at(item)))
                    return QStringLiteral("index row %1 differs").arg(item);
        } else if (name == "generation.json") {
            if (btWithoutTimes(json::parse(btRead(a / file))) != btWithoutTimes(json::parse(btRead(b / file))))
                return QString::fromStdString(file + " differs");
        } else if (btRead(a / file) != btRead(b / file)) {
            return QString::fromStdString(file + " differs");
        }
    }
    return {};
}

// Stops a run after `items` items, as a kill between two items would.
struct BtStopAfter : daam::BatchRunObserver {
    explicit BtStopAfter(int items) : left(items) {}
    void onItemEnd(const daam::BatchItem&, const json&, int, int) override {
        if (--left == 0) throw std::runtime_error("stopped");
    }
    int left;
};

} // namespace

class TestBatch : public QObject {
    Q_OBJECT
    std::unique_ptr<daam::StableDiffusionPipeline> pipeline_;
    std::string model_;

    daam::GenerationRequest base() const {
        daam::GenerationRequest r;
        r.steps = 4;
        return r;
    }

    daam::BatchPlan plan(const std::string& promptsFile, const std::vector<uint64_t>& seeds) const {
        return daam::makeBatchPlan(promptsFile, daam::readPromptRows(promptsFile), base(), seeds,
                                   pipeline_->fingerprint(), daam::traceOptionsJson({}));
    }

    daam::BatchRunOptions options(const fs::path& out, daam::ShardSpec shard = {}) const {
        daam::BatchRunOptions o;
        o.outDir = out.string();
        o.shard = shard;
        o.modelPath = pipeline_->modelPath();
        return o;
    }

    // eval-masks over the batch in DIR/whole (items 0 and 1: "a red circle", 2 and 3: "a blue square"): masks for
    // the first two items, scored as the session's own maps give them.
    void evalMasks(const fs::path& dir) {
        auto half = torch::zeros({64, 64}, torch::kUInt8), corner = torch::zeros({64, 64}, torch::kUInt8);
        half.slice(1, 0, 32).fill_(1);
        corner.slice(0, 0, 20).slice(1, 0, 20).fill_(1);
        const std::vector<std::tuple<int, std::string, torch::Tensor>> masks = {
            {0, "circle", half}, {1, "circle", corner}, {1, "red", half}};
        double expected = 0;
        for (const auto& [item, word, mask] : masks) {
            char name[8];
            std::snprintf(name, sizeof(name), "%05d", item);
            fs::create_directories(dir / "masks" / name);
            daam::writePng((dir / "masks" / name / (word + ".png")).string(), daam::tensorToImage(mask * 255));
            const auto session = daam::loadSession((dir / "whole" / "sessions" / name).string());
            const daam::HeatMapAggregator aggregator(session.trace, session.gridSide, session.gridSide);
            for (const auto& w : session.words)
                if (w.text == word)
                    expected += daam::maskIoU(
                        daam::thresholdMask(daam::expandToImage(aggregator.wordMap({}, w.tokens), 64, 64), 0.4), mask);
        }
        expected /= 3;
        const auto index = QString::fromStdString((dir / "whole" / "index.jsonl").string());
        const auto masksDir = QString::fromStdString((dir / "masks").string());
        auto r = daam::test::runCli(
            {QStringLiteral("eval-masks"), QStringLiteral("--index"), index, QStringLiteral("--masks"), masksDir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("no masks for item 2 (looked for 00002, 2 and its id r)")) ||
                     r.err.contains(QStringLiteral("no masks for item 2 (looked for 00002, 2)")),
                 qPrintable(r.err));
        r = daam::test::runCli({QStringLiteral("eval-masks"), QStringLiteral("--index"), index,
                                QStringLiteral("--masks"), masksDir, QStringLiteral("--skip-missing"),
                                QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = json::parse(r.out.toStdString());
        QCOMPARE(j["masks"].get<int>(), 3);
        QCOMPARE(j["items"].get<int>(), 2);
        QCOMPARE(j["items_without_masks"].get<int>(), 2);
        QVERIFY2(std::abs(j["miou"].get<double>() - expected) < 1e-12, j.dump().c_str());
        QCOMPARE(j["words"]["circle"]["masks"].get<int>(), 2);
        QCOMPARE(j["sweep"].size(), size_t(17)); // 0.1 to 0.9 in steps of 0.05

        // A mask of the wrong size, and a word the prompt does not have, are named.
        daam::writePng((dir / "masks" / "00000" / "circle.png").string(),
                       daam::tensorToImage(torch::ones({32, 32}, torch::kUInt8) * 255));
        r = daam::test::runCli({QStringLiteral("eval-masks"), QStringLiteral("--index"), index,
                                QStringLiteral("--masks"), masksDir, QStringLiteral("--skip-missing")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("00000/circle.png: the mask is 32x32, item 0's image 64x64")),
                 qPrintable(r.err));
        fs::remove(dir / "masks" / "00000" / "circle.png");
        daam::writePng((dir / "masks" / "00000" / "dog.png").string(), daam::tensorToImage(half * 255));
        r = daam::test::runCli({QStringLiteral("eval-masks"), QStringLiteral("--index"), index,
                                QStringLiteral("--masks"), masksDir, QStringLiteral("--skip-missing")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("00000/dog.png: item 0: the word 'dog' is not in the prompt")),
                 qPrintable(r.err));

        // The same masks drawn in the sessions themselves (the app's Annotate tools): the same score.
        for (const auto& [item, word, mask] : masks) {
            char name[8];
            std::snprintf(name, sizeof(name), "%05d", item);
            const auto sessionDir = (dir / "whole" / "sessions" / name).string();
            auto session = daam::loadSession(sessionDir);
            for (size_t w = 0; w < session.words.size(); ++w)
                if (session.words[w].text == word) {
                    session.annotations[int(w)].mask = daam::tensorToImage(mask * 255);
                    break;
                }
            daam::saveSessionAnnotations(sessionDir, session);
        }
        r = daam::test::runCli({QStringLiteral("eval-masks"), QStringLiteral("--index"), index,
                                QStringLiteral("--masks"), QStringLiteral("sessions"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 1); // items 2 and 3 have none
        QVERIFY2(r.err.contains(QStringLiteral("none drawn in its session")), qPrintable(r.err));
        r = daam::test::runCli({QStringLiteral("eval-masks"), QStringLiteral("--index"), index,
                                QStringLiteral("--masks"), QStringLiteral("sessions"), QStringLiteral("--skip-missing"),
                                QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto fromSessions = json::parse(r.out.toStdString());
        QCOMPARE(fromSessions["masks"].get<int>(), 3);
        QVERIFY2(std::abs(fromSessions["miou"].get<double>() - expected) < 1e-12, fromSessions.dump().c_str());
    }

private Q_SLOTS:
    void initTestCase() {
        model_ = daam::builtin::builtInModelDir();
        QVERIFY2(!model_.empty(), "the built-in model is missing");
        pipeline_ = daam::StableDiffusionPipeline::load(model_);
    }

    void readsPlainCsvAndJsonl() {
        const fs::path dir = daam::test::makeTempDir("batch-files");
        btWrite(dir / "p.txt", "a red circle\n\n  a blue square  \r\n");
        auto rows = daam::readPromptRows((dir / "p.txt").string());
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(rows[1].line, 3);
        QCOMPARE(rows[1].fields["prompt"].get<std::string>(), std::string("a blue square"));

        // A spreadsheet's export: byte-order mark, quoted commas, doubled quotes, a line break inside quotes.
        btWrite(dir / "p.csv", "\xEF\xBB\xBFPrompt,seed,steps,negative,id\n"
                               "\"a red, round circle\",7,,,c1\n"
                               "\"a \"\"blue\"\" square\nover two lines\",,3,green,\n"
                               "a star,,,,\n");
        rows = daam::readPromptRows((dir / "p.csv").string());
        QCOMPARE(rows.size(), size_t(3));
        QCOMPARE(rows[0].fields["prompt"].get<std::string>(), std::string("a red, round circle"));
        QCOMPARE(rows[0].fields["seed"].get<uint64_t>(), uint64_t(7));
        QCOMPARE(rows[0].fields["id"].get<std::string>(), std::string("c1"));
        QVERIFY(!rows[0].fields.contains("steps"));
        QCOMPARE(rows[1].fields["prompt"].get<std::string>(), std::string("a \"blue\" square\nover two lines"));
        QCOMPARE(rows[1].fields["negative_prompt"].get<std::string>(), std::string("green"));
        QCOMPARE(rows[1].fields["steps"].get<int>(), 3);
        QCOMPARE(rows[2].line, 5);

        btWrite(dir / "p.jsonl",
                "{\"prompt\": \"a star\", \"seed\": 3, \"guidance\": 1.5}\n\n{\"prompt\": \"a moon\"}\n");
        rows = daam::readPromptRows((dir / "p.jsonl").string());
        QCOMPARE(rows.size(), size_t(2));
        QCOMPARE(rows[0].fields["guidance"].get<double>(), 1.5);
        QCOMPARE(rows[1].line, 3);
        btWrite(dir / "latin1.txt", "caf\xe9\n");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::readPromptRows((dir / "latin1.txt").string()),
                                  (dir / "latin1.txt").string(), "not UTF-8");

        // Rows times seeds; a row's own seed makes one item; the row's options win over the base request.
        const auto p = daam::makeBatchPlan((dir / "p.csv").string(), daam::readPromptRows((dir / "p.csv").string()),
                                           base(), {0, 1}, "model", json::object());
        QCOMPARE(p.items.size(), size_t(5));
        QCOMPARE(p.items[0].request.seed, uint64_t(7));
        QCOMPARE(p.items[2].request.seed, uint64_t(1));
        QCOMPARE(p.items[2].request.steps, 3);
        QCOMPARE(p.items[3].request.steps, 4);
        QCOMPARE(p.items[4].session, std::string("sessions/00004"));
        QCOMPARE(p.items[4].line, 5);
        // The plan's fingerprint follows what decides the outputs, and not the device.
        auto other = base();
        other.device = "cuda";
        QCOMPARE(daam::makeBatchPlan((dir / "p.csv").string(), daam::readPromptRows((dir / "p.csv").string()), other,
                                     {0, 1}, "model", json::object())
                     .fingerprint,
                 p.fingerprint);
        QVERIFY(daam::makeBatchPlan((dir / "p.csv").string(), daam::readPromptRows((dir / "p.csv").string()), base(),
                                    {0, 2}, "model", json::object())
                    .fingerprint != p.fingerprint);
    }

    void badPromptsFilesNameTheLine_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << "e.txt"
                               << "\n  \n"
                               << "e.txt: holds no prompts";
        QTest::newRow("no rows") << "e.csv"
                                 << ""
                                 << "e.csv: holds no header row";
        QTest::newRow("malformed JSONL") << "m.jsonl"
                                         << "{\"prompt\": \"a\"}\n{\"prompt\": \"b\"\n"
                                         << "m.jsonl:2: malformed JSON";
        QTest::newRow("JSONL not an object") << "a.jsonl"
                                             << "[\"a\"]\n"
                                             << "a.jsonl:1: a JSONL line must hold one";
        QTest::newRow("JSONL unknown key") << "k.jsonl"
                                           << "{\"promt\": \"a\"}\n"
                                           << "k.jsonl:1: unknown key \"promt\"";
        QTest::newRow("JSONL wrong type") << "t.jsonl"
                                          << "{\"prompt\": \"a\", \"seed\": -1}\n"
                                          << "t.jsonl:1: \"seed\" must be a whole number";
        QTest::newRow("JSONL no prompt") << "n.jsonl"
                                         << "{\"seed\": 1}\n"
                                         << "n.jsonl:1: no prompt";
        QTest::newRow("CSV unknown column") << "u.csv"
                                            << "prompt,sead\na,1\n"
                                            << "u.csv:1: unknown column 'sead'";
        QTest::newRow("CSV no prompt column") << "n.csv"
                                              << "seed\n1\n"
                                              << "n.csv:1: the header row names no 'prompt'";
        QTest::newRow("CSV bad seed") << "s.csv"
                                      << "prompt,seed\na,1\nb,x1\n"
                                      << "s.csv:3: column 'seed': 'x1' is not a whole number";
        QTest::newRow("CSV field count") << "f.csv"
                                         << "prompt,seed\na,1,2\n"
                                         << "f.csv:2: 3 fields where the header";
        QTest::newRow("CSV open quote") << "q.csv"
                                        << "prompt\n\"a red\n"
                                        << "q.csv:2: a quoted CSV field is never";
        QTest::newRow("CSV empty prompt") << "p.csv"
                                          << "prompt,seed\n,1\n"
                                          << "p.csv:2: no prompt";
        QTest::newRow("out of range") << "r.jsonl"
                                      << "{\"prompt\": \"a\", \"steps\": 0}\n"
                                      << "r.jsonl:1: ";
    }

    void badPromptsFilesNameTheLine() {
        QFETCH(QString, name);
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const fs::path dir = daam::test::makeTempDir("batch-bad");
        const auto path = dir / name.toStdString();
        btWrite(path, text.toStdString());
        try {
            daam::makeBatchPlan(path.string(), daam::readPromptRows(path.string()), base(), {0}, "m", json::object());
            QFAIL("no error");
        } catch (const daam::Error& e) {
            const std::string message = e.what();
            QVERIFY2(message.find((dir.string() + "/" + expected.toStdString())) == 0, message.c_str());
        }
    }

    void shardSpecs() {
        QCOMPARE(daam::parseShardSpec("2/3").index, 2);
        QCOMPARE(daam::parseShardSpec("2/3").count, 3);
        QVERIFY(daam::parseShardSpec("1/3").contains(4));
        QVERIFY(!daam::parseShardSpec("1/3").contains(5));
        for (const char* bad : {"3/2", "a/b", "1/0", "2", "-1/2", "/2", "1/", "1/2/3", ""})
            DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::parseShardSpec(bad), "got '" + std::string(bad) + "'");
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::parseShardSpec("3/2"), "there is no shard 3 of 2");
    }

    void resumedRunEqualsUninterrupted() {
        const fs::path dir = daam::test::makeTempDir("batch-resume");
        btWrite(dir / "p.txt", "a red circle\na blue square and a green star\na yellow triangle\n");
        const auto p = plan((dir / "p.txt").string(), {0, 1});
        QCOMPARE(p.items.size(), size_t(6));

        const auto whole = daam::runBatch(*pipeline_, p, options(dir / "whole"));
        QCOMPARE(whole.done, 6);
        QCOMPARE(whole.failed, 0);
        QVERIFY(whole.generateSeconds > 0 && whole.itemSeconds >= whole.generateSeconds);

        // Killed after three items, while appending the fourth's row, and while saving a session.
        BtStopAfter stop(3);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, daam::runBatch(*pipeline_, p, options(dir / "resumed"), &stop));
        QCOMPARE(daam::readBatchIndex((dir / "resumed" / "index.jsonl").string()).size(), size_t(3));
        std::ofstream((dir / "resumed" / "index.jsonl").string(), std::ios::app) << "{\"item\": 3, \"sta";
        fs::create_directories(dir / "resumed" / "sessions" / "00004.tmp-Xa1b2c");
        btWrite(dir / "resumed" / "sessions" / "00004.tmp-Xa1b2c" / "image.png", "half");
        fs::create_directories(dir / "resumed" / "sessions" / "00005"); // swapped in? no: it has no generation.json

        const auto resumed = daam::runBatch(*pipeline_, p, options(dir / "resumed"));
        QCOMPARE(resumed.skipped, 3);
        QCOMPARE(resumed.done, 3);
        QCOMPARE(btDifference(dir / "whole", dir / "resumed"), QString());

        // A finished batch run again does nothing; another plan in the same folder is refused.
        const auto again = daam::runBatch(*pipeline_, p, options(dir / "resumed"));
        QCOMPARE(again.skipped, 6);
        QCOMPARE(again.done, 0);
        const auto otherSeeds = plan((dir / "p.txt").string(), {0, 2});
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::runBatch(*pipeline_, otherSeeds, options(dir / "resumed")),
                                  "holds another batch");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError,
                                  daam::runBatch(*pipeline_, p, options(dir / "resumed", daam::ShardSpec{1, 2})),
                                  "holds shard 0/1 of this batch, not 1/2");
        fs::create_directories(dir / "other");
        btWrite(dir / "other" / "notes.txt", "mine");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::runBatch(*pipeline_, p, options(dir / "other")),
                                  (dir / "other").string(), "is not a batch folder");
        QCOMPARE(btRead(dir / "other" / "notes.txt"), std::string("mine"));
    }

    void threeShardsMergeToTheWhole() {
        const fs::path dir = daam::test::makeTempDir("batch-shards");
        btWrite(dir / "p.txt", "a red circle\na blue square\na green star and a red square\na yellow moon\n");
        const auto p = plan((dir / "p.txt").string(), {3, 4});
        QCOMPARE(daam::runBatch(*pipeline_, p, options(dir / "whole")).done, 8);
        std::vector<std::string> shards;
        for (int i = 0; i < 3; ++i) {
            shards.push_back((dir / ("shard" + std::to_string(i))).string());
            const auto s = daam::runBatch(*pipeline_, p, options(shards.back(), daam::ShardSpec{i, 3}));
            QCOMPARE(s.shardItems, i < 2 ? 3 : 2);
        }
        // Missing, repeated and foreign shards are refused before anything is written.
        DAAM_VERIFY_THROWS_NAMING(daam::Error,
                                  daam::mergeBatchShards((dir / "m1").string(), {shards[0], shards[1]}, false),
                                  "shard 2/3 is missing");
        DAAM_VERIFY_THROWS_NAMING(
            daam::FileError, daam::mergeBatchShards((dir / "m1").string(), {shards[0], shards[1], shards[1]}, false),
            shards[1], "is shard 1 again");
        DAAM_VERIFY_THROWS_NAMING(
            daam::FileError,
            daam::mergeBatchShards((dir / "m1").string(), {shards[0], shards[1], (dir / "whole").string()}, false),
            (dir / "whole" / "batch.json").string(), "was run as one of 1 shards");
        QVERIFY(!fs::exists(dir / "m1"));

        const auto merged = daam::mergeBatchShards((dir / "merged").string(), shards, false);
        QCOMPARE(merged.items, 8);
        QCOMPARE(merged.failed, 0);
        QCOMPARE(btDifference(dir / "whole", dir / "merged"), QString());
        QCOMPARE(btRead(dir / "whole" / "batch.json"), btRead(dir / "merged" / "batch.json"));

        // An item whose row is gone (a shard stopped early) is named.
        auto rows = daam::readBatchIndex(shards[1] + "/index.jsonl");
        rows.erase(4);
        daam::writeBatchIndex(shards[1] + "/index.jsonl", rows);
        try {
            daam::mergeBatchShards((dir / "m2").string(), shards, false);
            QFAIL("merged without item 4");
        } catch (const daam::FileError& e) {
            QVERIFY2(std::string(e.what()) == shards[1] + ": has no row for item 4: rerun that shard to finish it",
                     e.what());
        }
        QVERIFY(!fs::exists(dir / "m2"));
        QVERIFY(!fs::exists(dir / "m2.merging"));
    }

    void failedItemsAreRecordedAndRetried() {
        const fs::path dir = daam::test::makeTempDir("batch-fail");
        std::string longPrompt;
        for (int i = 0; i < 120; ++i)
            longPrompt += "red circle ";
        btWrite(dir / "p.txt", "a red circle\n" + longPrompt + "\na blue square\n");
        const auto p = plan((dir / "p.txt").string(), {0});
        const auto s = daam::runBatch(*pipeline_, p, options(dir / "b"));
        QCOMPARE(s.done, 2);
        QCOMPARE(s.failed, 1);
        const auto rows = daam::readBatchIndex((dir / "b" / "index.jsonl").string());
        QCOMPARE(rows.at(1)["status"].get<std::string>(), std::string("failed"));
        QVERIFY2(rows.at(1)["error"].get<std::string>().find("token") != std::string::npos,
                 rows.at(1)["error"].dump().c_str());
        QVERIFY(!rows.at(1).contains("session"));
        QVERIFY(!fs::exists(dir / "b" / "sessions" / "00001"));
        const auto again = daam::runBatch(*pipeline_, p, options(dir / "b"));
        QCOMPARE(again.skipped, 2);
        QCOMPARE(again.failed, 1);
    }

    void commandLine() {
        const fs::path dir = daam::test::makeTempDir("batch-cli");
        btWrite(dir / "p.jsonl", "{\"prompt\": \"a red circle\", \"id\": \"r\"}\n{\"prompt\": \"a blue square\"}\n");
        const auto prompts = QString::fromStdString((dir / "p.jsonl").string());
        auto out = [&](const char* name) { return QString::fromStdString((dir / name).string()); };
        auto r = daam::test::runCli({QStringLiteral("batch"), QStringLiteral("--prompts"), prompts,
                                     QStringLiteral("--out"), out("whole"), QStringLiteral("--seeds"),
                                     QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("3")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("4 items in shard 0/1: 4 done now")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("[4/4] item 3 done")), qPrintable(r.err)); // plain lines in a pipe
        const auto rows = daam::readBatchIndex((dir / "whole" / "index.jsonl").string());
        QCOMPARE(rows.at(1)["id"].get<std::string>(), std::string("r"));
        QCOMPARE(rows.at(1)["seed"].get<int>(), 1);
        for (int i = 0; i < 2; ++i) {
            r = daam::test::runCli({QStringLiteral("batch"), QStringLiteral("--prompts"), prompts,
                                    QStringLiteral("--out"), out(i ? "s1" : "s0"), QStringLiteral("--seeds"),
                                    QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("3"),
                                    QStringLiteral("--shard"), QStringLiteral("%1/2").arg(i)});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        r = daam::test::runCli({QStringLiteral("batch-merge"), QStringLiteral("--out"), out("merged"), out("s0"),
                                out("s1"), QStringLiteral("--move")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(btDifference(dir / "whole", dir / "merged"), QString());
        QVERIFY(!fs::exists(dir / "s0" / "sessions" / "00000"));

        evalMasks(dir);

        r = daam::test::runCli({QStringLiteral("batch"), QStringLiteral("--prompts"), prompts, QStringLiteral("--out"),
                                out("x"), QStringLiteral("--shard"), QStringLiteral("3/2")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--shard: a shard is I/N with 0 <= I < N (got '3/2'")),
                 qPrintable(r.err));
        btWrite(dir / "bad.csv", "prompt,seed\na,1\nb,one\n");
        r = daam::test::runCli({QStringLiteral("batch"), QStringLiteral("--prompts"),
                                QString::fromStdString((dir / "bad.csv").string()), QStringLiteral("--out"), out("x")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("bad.csv:3: column 'seed': 'one' is not a whole number")),
                 qPrintable(r.err));
        QVERIFY(!fs::exists(dir / "x"));
    }
};

DAAM_TEST_GUILESS_MAIN(TestBatch)
#include "test_batch.moc"
