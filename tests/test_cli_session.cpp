// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli's session commands end to end, on a session made from castorini/daam's raw dump
// (sd1-tiny/daam/daam_ddim_raw): `heatmap` must write the reference's expanded map and mask.
#include "daam/io/Safetensors.h"
#include "daam/trace/HeatMapImage.h"
#include "daam/trace/Session.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "CliRunner.h"
#include "TestSupport.h"

#include "TestMain.h"

#include <cmath>
#include <filesystem>
#include <fstream>

namespace {

using daam::test::runCli;

// The raw dump as a session: layers in forward order, the prompt's tokens and words, the image.
std::string makeReferenceSession() {
    std::ifstream in(daam::test::referencePath("sd1-tiny/daam/daam_ddim_raw.json"));
    const auto meta = nlohmann::json::parse(in);
    const auto tensors = daam::loadSafetensors(daam::test::referencePath("sd1-tiny/daam/daam_ddim_raw.safetensors"));
    std::vector<std::pair<daam::CrossAttentionLayer, int>> layers;
    for (const auto& l : meta["layers"]) {
        daam::CrossAttentionLayer layer;
        daam::parseLayerPath(l["module"].get<std::string>(), layer);
        layer.heads = l["heads"].get<int>();
        const auto probs = tensors.at("raw.step0.layer" + std::to_string(l["layer_idx"].get<int>()));
        layer.height = layer.width = static_cast<int>(std::lround(std::sqrt(double(probs.size(1)))));
        layers.emplace_back(layer, l["layer_idx"].get<int>());
    }
    std::sort(layers.begin(), layers.end(), [](const auto& a, const auto& b) {
        return std::make_tuple(int(a.first.block), a.first.blockIndex, a.first.attentionIndex) <
               std::make_tuple(int(b.first.block), b.first.blockIndex, b.first.attentionIndex);
    });
    daam::CrossAttentionLayerTable table;
    for (const auto& l : layers)
        table.push_back(l.first);

    daam::Session s;
    s.prompt = meta["prompt"].get<std::string>(); // "a red bluebird"
    s.gridSide = meta["heat_map_size"].get<int>();
    const int keep = meta["raw"]["keep_columns"].get<int>();
    s.trace = std::make_shared<daam::AttentionTrace>(table, keep, daam::AttentionTraceOptions{torch::kFloat32, false});
    for (int call = 0; call < 2; ++call)
        for (size_t l = 0; l < layers.size(); ++l)
            s.trace->add(call, static_cast<int>(l),
                         tensors.at("raw.step" + std::to_string(call) + ".layer" + std::to_string(layers[l].second)));
    s.tokens = {{752, "<|startoftext|>", 0, 0},
                {320, "a</w>", 0, 1},
                {539, "red</w>", 2, 5},
                {531, "blu", 6, 9},
                {68, "e", 9, 10},
                {608, "bird</w>", 10, 14},
                {753, "<|endoftext|>", 14, 14}};
    s.words = {{"a", 0, 1, {1}, false}, {"red", 2, 5, {2}, false}, {"bluebird", 6, 14, {3, 4, 5}, false}};
    auto image = (tensors.at("image")[0].permute({1, 2, 0}) * 255).round().to(torch::kUInt8);
    s.image = daam::tensorToImage(image);
    const auto dir = daam::test::makeTempDir("cli") + "/session";
    daam::saveSession(dir, s);
    return dir;
}

} // namespace

class TestCliSession : public QObject {
    Q_OBJECT
    std::string session_, tmp_;
    std::map<std::string, torch::Tensor> reference_;

private Q_SLOTS:
    void initTestCase() {
        DAAM_REQUIRE_REFERENCE();
        session_ = makeReferenceSession();
        tmp_ = daam::test::makeTempDir("cli-out");
        reference_ = daam::loadSafetensors(daam::test::referencePath("sd1-tiny/daam/daam_ddim_raw.safetensors"));
    }

    void heatmapReproducesTheReference() {
        for (const char* word : {"a", "red", "bluebird"}) {
            const auto out = tmp_ + "/" + word + ".safetensors";
            const auto r = runCli({QStringLiteral("heatmap"), QStringLiteral("--session"),
                                   QString::fromStdString(session_), QStringLiteral("--word"), QString::fromUtf8(word),
                                   QStringLiteral("--out"), QString::fromStdString(out)});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            const auto got = daam::loadSafetensors(out);
            DAAM_COMPARE_TENSORS(std::string("heatmap ") + word, got.at("heatmap"),
                                 reference_.at(std::string("expanded.") + word), 1e-5);
            const double agree =
                got.at("mask").eq(reference_.at(std::string("mask.") + word)).to(torch::kFloat64).mean().item<double>();
            QVERIFY2(agree >= 0.999, word);
        }
    }

    void heatmapWritesOverlayAndMaskPngs() {
        const auto png = tmp_ + "/red.png", mask = tmp_ + "/red-mask.png";
        const auto r =
            runCli({QStringLiteral("heatmap"), QStringLiteral("--session"), QString::fromStdString(session_),
                    QStringLiteral("--word"), QStringLiteral("RED"), QStringLiteral("--steps"), QStringLiteral("1:"),
                    QStringLiteral("--layers"), QStringLiteral("up"), QStringLiteral("--out"),
                    QString::fromStdString(png), QStringLiteral("--mask-out"), QString::fromStdString(mask)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("heads were summed")));
        const auto overlay = daam::readPng(png);
        QCOMPARE(overlay.width, 64);
        QCOMPARE(overlay.channels, 3);
        QVERIFY(daam::readPng(mask).width == 64);
    }

    void wordsAndIou() {
        auto r = runCli({QStringLiteral("words"), QStringLiteral("--session"), QString::fromStdString(session_)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("bluebird")) && r.out.contains(QStringLiteral("3:blu 4:e 5:bird</w>")));
        r = runCli({QStringLiteral("iou"), QStringLiteral("--session"), QString::fromStdString(session_),
                    QStringLiteral("--word"), QStringLiteral("red"), QStringLiteral("--with"), QStringLiteral("red"),
                    QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(nlohmann::json::parse(r.out.toStdString())["iou"].get<double>(), 1.0);
        // Against a reference mask: the word's own mask written as PNG gives IoU 1.
        const auto maskPng = tmp_ + "/bluebird-mask.png";
        r = runCli({QStringLiteral("heatmap"), QStringLiteral("--session"), QString::fromStdString(session_),
                    QStringLiteral("--word"), QStringLiteral("bluebird"), QStringLiteral("--out"),
                    QString::fromStdString(tmp_ + "/b.safetensors"), QStringLiteral("--mask-out"),
                    QString::fromStdString(maskPng)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({QStringLiteral("iou"), QStringLiteral("--session"), QString::fromStdString(session_),
                    QStringLiteral("--word"), QStringLiteral("bluebird"), QStringLiteral("--mask"),
                    QString::fromStdString(maskPng), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(nlohmann::json::parse(r.out.toStdString())["iou"].get<double>(), 1.0);
    }

    // --heads with a layer's own heads after ';': layer #0 on head 1 is the same map whether head 1 comes from
    // the list for every layer or from #0's own; with the other layers on head 0 the map is a third one.
    void headsPerLayer() {
        auto heatmap = [&](const QString& heads, const QStringList& more) {
            const auto out = tmp_ + "/heads.safetensors";
            const auto r = runCli(QStringList{QStringLiteral("heatmap"), QStringLiteral("--session"),
                                              QString::fromStdString(session_), QStringLiteral("--word"),
                                              QStringLiteral("red"), QStringLiteral("--heads"), heads,
                                              QStringLiteral("--out"), QString::fromStdString(out)} +
                                  more);
            [&] { QVERIFY2(r.exitCode == 0, qPrintable(r.err)); }();
            return r.exitCode == 0 ? daam::loadSafetensors(out).at("heatmap") : torch::Tensor();
        };
        const QStringList firstLayer{QStringLiteral("--layers"), QStringLiteral("#0")};
        const auto viaAll = heatmap(QStringLiteral("1"), firstLayer);
        const auto viaLayer = heatmap(QStringLiteral("0;#0:1"), firstLayer);
        QVERIFY(viaAll.defined() && viaLayer.defined());
        QVERIFY(torch::equal(viaAll, viaLayer));
        QVERIFY(!torch::equal(heatmap(QStringLiteral("0"), firstLayer), viaAll));
        const auto mixed = heatmap(QStringLiteral("0;#0:1"), {});
        QVERIFY(!torch::equal(mixed, heatmap(QStringLiteral("0"), {})));
        QVERIFY(!torch::equal(mixed, heatmap(QStringLiteral("1"), {})));
        for (const auto& [bad, message] :
             {std::pair{QStringLiteral("0;3:1"), QStringLiteral("--heads expects")},
              std::pair{QStringLiteral("x"), QStringLiteral("--heads expects")},
              std::pair{QStringLiteral("0;#99:1"), QStringLiteral("--heads names layer #99; the trace has")}}) {
            const auto r = runCli({QStringLiteral("heatmap"), QStringLiteral("--session"),
                                   QString::fromStdString(session_), QStringLiteral("--word"), QStringLiteral("red"),
                                   QStringLiteral("--heads"), bad, QStringLiteral("--out"), QStringLiteral("x.png")});
            QVERIFY2(r.exitCode == 2 && r.err.contains(message), qPrintable(bad + QStringLiteral(": ") + r.err));
        }
    }

    void errorsNameTheProblem() {
        auto r =
            runCli({QStringLiteral("heatmap"), QStringLiteral("--session"), QString::fromStdString(session_),
                    QStringLiteral("--word"), QStringLiteral("cat"), QStringLiteral("--out"), QStringLiteral("x.png")});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(QStringLiteral("'cat' is not in the prompt (its words: a, red, bluebird)")),
                 qPrintable(r.err));
        r = runCli({QStringLiteral("heatmap"), QStringLiteral("--session"), QStringLiteral("/nonexistent"),
                    QStringLiteral("--word"), QStringLiteral("a"), QStringLiteral("--out"), QStringLiteral("x.png")});
        QVERIFY(r.exitCode != 0 && r.err.contains(QStringLiteral("/nonexistent: not a session folder")));
        r = runCli({QStringLiteral("heatmap"), QStringLiteral("--session"), QString::fromStdString(session_),
                    QStringLiteral("--word"), QStringLiteral("a"), QStringLiteral("--steps"), QStringLiteral("5:9"),
                    QStringLiteral("--out"), QStringLiteral("x.png")});
        QVERIFY(r.exitCode == 2 && r.err.contains(QStringLiteral("beyond the trace's 2 UNet calls")));
    }

    // Sessions written by a newer build, or cut short: refused in one short line that names the file.
    void brokenSessionsAreRefused() {
        const auto heatmap = [&](const std::string& session) {
            return runCli({QStringLiteral("heatmap"), QStringLiteral("--session"), QString::fromStdString(session),
                           QStringLiteral("--word"), QStringLiteral("red"), QStringLiteral("--out"),
                           QString::fromStdString(tmp_ + "/broken.png")});
        };
        const auto copy = [&](const std::string& tag) {
            const auto dir = daam::test::makeTempDir("cli-broken") + "/" + tag;
            std::filesystem::copy(session_, dir, std::filesystem::copy_options::recursive);
            return dir;
        };
        const auto readText = [](const std::string& path) {
            std::ifstream in(path, std::ios::binary);
            return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        };

        auto dir = copy("future");
        auto generation = nlohmann::json::parse(readText(dir + "/generation.json"));
        generation["session"]["format_version"] = 2;
        std::ofstream(dir + "/generation.json") << generation.dump();
        auto r = heatmap(dir);
        QVERIFY2(r.exitCode == 1 && r.err.contains(QString::fromStdString(
                                        dir + "/generation.json: written by a newer DAAM Studio (format 2, "
                                              "this build reads 1)")),
                 qPrintable(r.err));

        dir = copy("future-trace");
        const auto tracePath = dir + "/trace.safetensors";
        auto metadata = daam::SafetensorsFile::open(tracePath)->metadata();
        metadata["format_version"] = "3";
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (const auto& [name, t] : daam::loadSafetensors(tracePath))
            tensors.emplace_back(name, t.clone());
        daam::saveSafetensors(tracePath, tensors, metadata);
        r = heatmap(dir);
        QVERIFY2(r.exitCode == 1 && r.err.contains(QString::fromStdString(
                                        tracePath + ": written by a newer DAAM Studio (format 3, this build reads 1)")),
                 qPrintable(r.err));

        // generation.json cut inside a long prompt: the message quotes an excerpt, not the rest of the file.
        dir = copy("cut");
        generation = nlohmann::json::parse(readText(dir + "/generation.json"));
        generation["session"]["prompt"] = std::string(5000, 'p');
        const auto text = generation.dump();
        std::ofstream(dir + "/generation.json") << text.substr(0, text.find(std::string(2500, 'p')) + 2500);
        r = heatmap(dir);
        QVERIFY2(r.exitCode == 1 && r.err.contains(QStringLiteral("generation.json: malformed JSON: ")) &&
                     r.err.size() < int(dir.size()) + 300,
                 qPrintable(r.err));
        QVERIFY(!std::filesystem::exists(tmp_ + "/broken.png"));
    }
};

DAAM_TEST_APPLESS_MAIN(TestCliSession)
#include "test_cli_session.moc"
