// SPDX-License-Identifier: GPL-3.0-or-later
// Prompts in A1111's syntax through the real CLIP tokenizer and the pipeline: the windows' layout on whole
// prompts (boundaries, the comma rule, padding for SD1 and SD2, BREAK), words and their weights in the prompt,
// the emphasis rule on the text encoder's output, and generations past 75 tokens where every word gets a map.
#include "daam/pipeline/GenerationSession.h"
#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/text/ChunkedPrompt.h"
#include "daam/text/ClipTokenizer.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cmath>

#include "TestSupport.h"

#include "TestMain.h"

namespace {

std::string repeatWord(const std::string& word, int times) {
    std::string out;
    for (int i = 0; i < times; ++i)
        out += (i ? " " : "") + word;
    return out;
}

} // namespace

class TestChunkedPrompt : public QObject {
    Q_OBJECT
    std::unique_ptr<daam::ClipTokenizer> sd1_ = daam::ClipTokenizer::standard(false);
    std::unique_ptr<daam::ClipTokenizer> sd2_ = daam::ClipTokenizer::standard(true);
    std::unique_ptr<daam::StableDiffusionPipeline> tiny_;

    daam::StableDiffusionPipeline& tiny() {
        if (!tiny_) tiny_ = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/sd1-tiny"));
        return *tiny_;
    }

private Q_SLOTS:
    // 80 tokens without a comma: 75 in the first window, 5 in the second; SD1 pads with the end token, SD2
    // (OpenCLIP) with "!" after each window's end.
    void windowsOfSeventyFive() {
        const auto prompt = repeatWord("cat", 80);
        const int64_t cat = sd1_->encode("cat").ids[1];
        for (const auto* tokenizer : {sd1_.get(), sd2_.get()}) {
            const auto t = daam::encodeA1111Prompt(*tokenizer, prompt);
            QCOMPARE(t.chunks, 2);
            QCOMPARE(t.ids.size(), size_t(154));
            QCOMPARE(t.ids[0], tokenizer->startId());
            for (int i = 1; i <= 75; ++i)
                QCOMPARE(t.ids[size_t(i)], cat);
            QCOMPARE(t.ids[76], tokenizer->endId());
            QCOMPARE(t.ids[77], tokenizer->startId());
            for (int i = 78; i <= 82; ++i)
                QCOMPARE(t.ids[size_t(i)], cat);
            QCOMPARE(t.ids[83], tokenizer->endId());
            for (size_t i = 84; i < 154; ++i)
                QCOMPARE(t.ids[i], tokenizer->padId());
            QCOMPARE(t.tokens.size(), size_t(84)); // through the second window's end
            QCOMPARE(t.words.size(), size_t(80));
            QCOMPARE(t.words[75].tokens, std::vector<int>{78});
            QCOMPARE(t.promptTokens, 80);
        }
    }

    // A comma among the last 20 tokens of a full window moves what follows it to the next window.
    void commaBacktrack() {
        const auto prompt = repeatWord("cat", 70) + ", " + repeatWord("cat", 10);
        const auto t = daam::encodeA1111Prompt(*sd1_, prompt);
        QCOMPARE(t.chunks, 2);
        QCOMPARE(t.tokens[71].text, std::string(",</w>"));
        QCOMPARE(t.ids[72], sd1_->endId());
        for (size_t i = 73; i < 77; ++i)
            QCOMPARE(t.ids[i], sd1_->endId()); // padding
        QCOMPARE(t.ids[77], sd1_->startId());
        QCOMPARE(t.words[71].text, std::string("cat")); // the first word after the comma
        QCOMPARE(t.words[71].tokens, std::vector<int>{78});
        QCOMPARE(t.ids[88], sd1_->endId());
        QCOMPARE(t.tokens.size(), size_t(89));
    }

    void breakStartsAWindow() {
        const auto t = daam::encodeA1111Prompt(*sd1_, "a cat BREAK a dog");
        QCOMPARE(t.chunks, 2);
        QCOMPARE(t.words.size(), size_t(4));
        QCOMPARE(t.words[1].text, std::string("cat"));
        QCOMPARE(t.words[1].tokens, std::vector<int>{2});
        QCOMPARE(t.ids[3], sd1_->endId());
        QCOMPARE(t.words[3].text, std::string("dog"));
        QCOMPARE(t.words[3].tokens, std::vector<int>{79});
        QCOMPARE(t.words[3].begin, int64_t(14));
    }

    // Weights reach the words and the ids; escaped brackets are text, and spans are the prompt's.
    void weightsAndSpans() {
        const auto t = daam::encodeA1111Prompt(*sd1_, "a (red:1.5) [cat] \\(toy\\)");
        QCOMPARE(t.chunks, 1);
        std::vector<std::string> texts;
        for (const auto& w : t.words)
            texts.push_back(w.text);
        // The escaped brackets are the prompt's "(" and ")": the backslashes are not part of the words.
        QCOMPARE(texts, (std::vector<std::string>{"a", "red", "cat", "(", "toy", ")"}));
        QCOMPARE(t.words[1].weight, 1.5);
        QCOMPARE(t.words[1].begin, int64_t(3));
        QCOMPARE(t.weights[size_t(t.words[1].tokens[0])], 1.5);
        QCOMPARE(t.words[2].weight, 1 / 1.1);
        QCOMPARE(t.words[0].weight, 1.0);
        QCOMPARE(t.weights[0], 1.0); // the start token
        QCOMPARE(t.weights.size(), size_t(77));
    }

    // The pipeline's embedding of an emphasised prompt is the plain prompt's, each token's row times its weight,
    // then scaled back to the plain embedding's mean.
    void emphasisOnTheEmbedding() {
        DAAM_REQUIRE_REFERENCE();
        daam::GenerationRequest plain;
        plain.prompt = "a red dog";
        plain.steps = 1;
        plain.scheduler = "ddim";
        plain.guidance = 1;
        plain.width = plain.height = 64;
        auto weighted = plain;
        weighted.prompt = "a (red:1.5) dog";
        weighted.promptSyntax = "a1111";
        const auto z = tiny().generate(plain).textCond[0].to(torch::kFloat64);
        const auto e = tiny().generate(weighted).textCond[0].to(torch::kFloat64);
        auto w = torch::ones({77, 1}, torch::kFloat64);
        w[2] = 1.5; // start, a, red
        // Every row is the plain row times its weight times one common scale...
        const auto scale = (e[0] / z[0]).mean();
        const double rowErr = daam::test::relativeError(e, z * w * scale);
        QVERIFY2(rowErr < 1e-6, qPrintable(QString::number(rowErr)));
        // ...the scale that gives back the plain embedding's mean. This tiny model's hidden states average
        // near zero, where the ratio of means amplifies float32 rounding, so the mean is compared against the
        // values' size instead of the scale against its float64 value.
        const double meanGap = (e.mean() - z.mean()).abs().item<double>();
        const double rms = z.pow(2).mean().sqrt().item<double>();
        QVERIFY2(meanGap < 1e-6 * rms, qPrintable(QString::number(meanGap / rms)));
        QVERIFY(std::abs(scale.item<double>() - 1) > 1e-4); // the mean was restored, not left as it was
        // and it is not the plain embedding
        QVERIFY(daam::test::relativeError(e, z) > 1e-3);
    }

    // 120 tokens: refused as diffusers reads prompts, two windows in A1111's syntax, and every word has a map.
    void longPromptGeneratesWithEveryWordMapped() {
        DAAM_REQUIRE_REFERENCE();
        std::string prompt;
        const char* words[] = {"red", "dog", "blue", "bench", "green", "tree", "sky", "cat"};
        for (int i = 0; i < 120; ++i)
            prompt += std::string(i ? " " : "") + words[i % 8];
        daam::GenerationRequest r;
        r.prompt = prompt;
        r.negativePrompt = "blurry";
        r.steps = 3;
        r.scheduler = "ddim";
        r.width = r.height = 64;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, tiny().generate(r), "reads at most 75");
        r.promptSyntax = "a1111";
        const auto traced = daam::generateTraced(tiny(), r);
        QCOMPARE(traced.result.textCond.sizes(), (std::vector<int64_t>{1, 154, 32}));
        QCOMPARE(traced.result.textUncond.sizes(), (std::vector<int64_t>{1, 154, 32})); // padded to two windows
        const auto& session = traced.session;
        QCOMPARE(session.words.size(), size_t(120));
        QCOMPARE(session.trace->tokens(), 77 + 47); // through the second window's end
        const daam::HeatMapAggregator aggregator(session.trace, session.gridSide, session.gridSide);
        const daam::HeatMapQuery query;
        for (size_t i = 0; i < session.words.size(); ++i) {
            const auto map = aggregator.wordMap(query, session.words[i].tokens);
            QVERIFY2(map.sum().item<double>() > 0, session.words[i].text.c_str());
        }
        // The record names the syntax, and the session reads back with its words in both windows.
        QCOMPARE(traced.session.generation["request"]["prompt_syntax"].get<std::string>(), std::string("a1111"));
        const auto dir = daam::test::makeTempDir("chunked") + "/session";
        daam::saveGeneratedSession(dir, session);
        const auto loaded = daam::loadSession(dir);
        QCOMPARE(loaded.words.back().tokens, session.words.back().tokens);
        QVERIFY(loaded.words.back().tokens.front() > 77);
    }

    // Weights survive a session's save and load.
    void weightsInTheSession() {
        DAAM_REQUIRE_REFERENCE();
        daam::GenerationRequest r;
        r.prompt = "a (red:1.3) dog";
        r.promptSyntax = "a1111";
        r.steps = 2;
        r.width = r.height = 64;
        const auto traced = daam::generateTraced(tiny(), r);
        const auto dir = daam::test::makeTempDir("chunked") + "/weights";
        daam::saveGeneratedSession(dir, traced.session);
        const auto loaded = daam::loadSession(dir);
        QCOMPARE(loaded.words[1].weight, 1.3);
        QCOMPARE(loaded.words[0].weight, 1.0);
    }

    void sdxlTakesBothTokenizers() {
        DAAM_REQUIRE_REFERENCE();
        auto xl = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/sdxl-tiny"));
        daam::GenerationRequest r;
        r.prompt = repeatWord("dog", 90);
        r.promptSyntax = "a1111";
        r.steps = 2;
        r.width = r.height = 64;
        const auto result = xl->generate(r);
        QCOMPARE(result.textCond.sizes(), (std::vector<int64_t>{1, 154, 64}));
        QVERIFY(torch::isfinite(result.image).all().item<bool>());
    }

    void refusesOtherSyntaxNames() {
        daam::GenerationRequest r;
        r.prompt = "a dog";
        r.promptSyntax = "compel";
        DAAM_VERIFY_THROWS_NAMING(daam::Error, r.validate(), "compel");
    }
};

DAAM_TEST_APPLESS_MAIN(TestChunkedPrompt)
#include "test_chunked_prompt.moc"
