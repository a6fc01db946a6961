// SPDX-License-Identifier: GPL-3.0-or-later
// Head/dependent map measures on a session whose maps are drawn by hand (so every IoU is known), their summary by
// relation, and `daam-cli syntax` on a session and on a batch index.
#include "daam/syntax/SyntaxMeasures.h"
#include "daam/trace/LayerSelection.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <filesystem>

#include "CliRunner.h"
#include "TestSupport.h"

#include "TestMain.h"

namespace fs = std::filesystem;

namespace {

// "a red dog on a sofa ." on an 8x8 image and one 8x8 layer: "dog" attends to the left half, "red" to the two
// leftmost columns, "sofa" to the right half, the rest nowhere. Masks at any tau in (0, 1): dog 32 pixels, red 16
// inside them, sofa 32 elsewhere.
daam::Session smSession() {
    daam::CrossAttentionLayerTable table(1);
    daam::parseLayerPath("down_blocks.0.attentions.0.transformer_blocks.0.attn2", table[0]);
    table[0].heads = 2;
    table[0].height = table[0].width = 8;
    daam::Session s;
    s.prompt = "a red dog on a sofa .";
    s.gridSide = 8;
    s.trace = std::make_shared<daam::AttentionTrace>(table, 9, daam::AttentionTraceOptions{torch::kFloat32, false});
    auto probs = torch::zeros({2, 8, 8, 77});
    probs.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, 4), 3}).fill_(1);
    probs.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, 2), 2}).fill_(1);
    probs.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(4, 8), 6}).fill_(1);
    s.trace->add(0, 0, probs.reshape({2, 64, 77}));
    const char* texts[] = {"a", "red", "dog", "on", "a", "sofa", "."};
    s.tokens.push_back({0, "<start>", 0, 0});
    int64_t at = 0;
    for (int i = 0; i < 7; ++i) {
        const std::string text = texts[i];
        s.tokens.push_back({i + 1, text, at, at + static_cast<int64_t>(text.size())});
        s.words.push_back({text, at, at + static_cast<int64_t>(text.size()), {i + 1}, text == "."});
        at += static_cast<int64_t>(text.size()) + 1;
    }
    s.tokens.push_back({99, "<end>", at, at});
    s.generation = {{"prompt", s.prompt}};
    s.image = daam::PngImage{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 99)};
    return s;
}

daam::syntax::Dependency smDep(int head, int dependent, const char* relation) {
    return {head, dependent, relation, "X"};
}

} // namespace

class TestSyntaxMeasures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void measuresOfDrawnMaps() {
        const auto s = smSession();
        const daam::HeatMapAggregator aggregator(s.trace, 8, 8);
        daam::syntax::DependencyParse parse;
        for (const auto& w : s.words)
            parse.words.push_back(w.text);
        parse.dependencies = {smDep(2, 1, "amod"), smDep(2, 5, "nmod"), smDep(5, 3, "case"), smDep(2, 6, "punct"),
                              smDep(1, 2, "test")};
        const auto m =
            daam::syntax::measureDependencies(s, aggregator, {}, daam::HeatMapNormalization::MinMax, parse, 0.4);
        QCOMPARE(m.size(), size_t(4)); // the pair with "." is left out
        QCOMPARE(m[0].head, std::string("dog"));
        QCOMPARE(m[0].dependent, std::string("red"));
        QCOMPARE(m[0].iou, 0.5);             // 16 of 32
        QCOMPARE(m[0].dependentInHead, 1.0); // red lies wholly inside dog
        QCOMPARE(m[0].headInDependent, 0.5);
        QCOMPARE(m[1].iou, 0.0);             // dog and sofa do not meet
        QCOMPARE(m[2].dependentInHead, 0.0); // "on" attends nowhere: an empty mask
        QCOMPARE(m[3].dependentInHead, 0.5); // the pair reversed swaps the two intersections
        QCOMPARE(m[3].headInDependent, 1.0);

        parse.words.pop_back();
        DAAM_VERIFY_THROWS_NAMING(
            daam::Error,
            daam::syntax::measureDependencies(s, aggregator, {}, daam::HeatMapNormalization::MinMax, parse, 0.4),
            "the parse has 6 words, the session's prompt 7");
    }

    void summaryByRelation() {
        std::vector<daam::syntax::DependencyMeasures> m(3);
        m[0].dependency.relation = m[1].dependency.relation = "amod";
        m[2].dependency.relation = "nmod";
        m[0].iou = 0.2, m[0].dependentInHead = 0.9, m[0].headInDependent = 0.3;
        m[1].iou = 0.6, m[1].dependentInHead = 0.5, m[1].headInDependent = 0.7;
        m[2].iou = 0.1;
        const auto s = daam::syntax::summarizeByRelation(m);
        QCOMPARE(s.size(), size_t(2));
        const auto& amod = s.at("amod");
        QCOMPARE(amod.pairs, 2);
        QVERIFY(std::abs(amod.iou.mean - 0.4) < 1e-12);
        QVERIFY(std::abs(amod.iou.std - 0.2) < 1e-12);
        QVERIFY(std::abs(amod.dependentInHead.mean - 0.7) < 1e-12);
        QVERIFY(std::abs(amod.headInDependent.std - 0.2) < 1e-12);
        QCOMPARE(amod.dependentMoreInHead, 0.5);
        QCOMPARE(s.at("nmod").iou.std, 0.0);
    }

    // The parser, the measures and the command together: Link Grammar's parse of the drawn session's prompt.
    void commandLine() {
        const fs::path dir = daam::test::makeTempDir("syntax-cli");
        daam::saveSession((dir / "sessions" / "00000").string(), smSession());
        daam::saveSession((dir / "sessions" / "00001").string(), smSession());
        auto r = daam::test::runCli({QStringLiteral("syntax"), QStringLiteral("--session"),
                                     QString::fromStdString((dir / "sessions" / "00000").string()),
                                     QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["parsed"].get<bool>(), true);
        bool amod = false, nmod = false;
        for (const auto& p : j["pairs"]) {
            if (p["relation"] == "amod" && p["head"] == "dog" && p["dependent"] == "red") {
                amod = true;
                QCOMPARE(p["iou"].get<double>(), 0.5);
                QCOMPARE(p["dependent_in_head"].get<double>(), 1.0);
            }
            nmod |= p["relation"] == "nmod" && p["head"] == "dog" && p["dependent"] == "sofa";
        }
        QVERIFY2(amod && nmod, j["pairs"].dump().c_str());

        daam::writeFileAtomically((dir / "index.jsonl").string(),
                                  "{\"item\":0,\"session\":\"sessions/00000\",\"status\":\"done\"}\n"
                                  "{\"item\":1,\"status\":\"failed\",\"error\":\"x\"}\n"
                                  "{\"item\":2,\"session\":\"sessions/00001\",\"status\":\"done\"}\n");
        r = daam::test::runCli({QStringLiteral("syntax"), QStringLiteral("--index"),
                                QString::fromStdString((dir / "index.jsonl").string()), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto summary = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(summary["items"].get<int>(), 2);
        QCOMPARE(summary["relations"]["amod"]["pairs"].get<int>(), 2);
        QCOMPARE(summary["relations"]["amod"]["iou"]["mean"].get<double>(), 0.5);
        QCOMPARE(summary["relations"]["amod"]["iou"]["std"].get<double>(), 0.0);
        QCOMPARE(summary["relations"]["amod"]["dependent_more_in_head"].get<double>(), 1.0);

        r = daam::test::runCli({QStringLiteral("syntax"), QStringLiteral("--index"),
                                QString::fromStdString((dir / "absent.jsonl").string())});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("absent.jsonl: no such file")), qPrintable(r.err));
    }
};

DAAM_TEST_APPLESS_MAIN(TestSyntaxMeasures)
#include "test_syntax_measures.moc"
