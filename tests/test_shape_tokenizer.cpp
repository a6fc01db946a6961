// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in model's SentencePiece tokenizer, trained on shape-world captions: every colour and shape
// word is one token (clean per-word maps), training is reproducible, and loadTokenizer opens the folder.
#include "daam/builtin/ShapeTokenizer.h"
#include "daam/text/Tokenizer.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <fstream>

namespace {
std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
} // namespace

class TestShapeTokenizer : public QObject {
    Q_OBJECT
    std::string dir_;

private Q_SLOTS:
    void initTestCase() {
        dir_ = daam::test::makeTempDir("shape-tok") + "/tokenizer";
        daam::builtin::ShapeTokenizerOptions options;
        options.scenes = 2000;
        daam::builtin::trainShapeTokenizer(dir_, options);
    }

    void wordsAreSingleTokens() {
        const auto tokenizer = daam::loadTokenizer(dir_);
        QVERIFY(tokenizer->vocabSize() <= 128);
        const auto t = tokenizer->encode("a red circle, an orange star and a small blue square on the left");
        QCOMPARE(t.ids.size(), size_t(77));
        QCOMPARE(t.ids[0], tokenizer->startId());
        QCOMPARE(t.tokens.back().id, tokenizer->endId());
        QCOMPARE(t.ids.back(), tokenizer->padId());
        QVERIFY(tokenizer->padId() != tokenizer->endId());
        for (const char* w : {"red", "circle", "orange", "star", "blue", "square", "small", "left"}) {
            const auto it =
                std::find_if(t.words.begin(), t.words.end(), [&](const auto& word) { return word.text == w; });
            QVERIFY2(it != t.words.end(), w);
            QVERIFY2(it->tokens.size() == 1,
                     (std::string(w) + " is " + std::to_string(it->tokens.size()) + " tokens").c_str());
        }
    }

    void trainingIsReproducible() {
        const auto again = daam::test::makeTempDir("shape-tok") + "/tokenizer";
        daam::builtin::ShapeTokenizerOptions options;
        options.scenes = 2000;
        daam::builtin::trainShapeTokenizer(again, options);
        // The .model file also records the paths it was trained from; the vocabulary and scores must agree.
        QCOMPARE(readBytes(again + "/spiece.vocab"), readBytes(dir_ + "/spiece.vocab"));
    }
};

DAAM_TEST_APPLESS_MAIN(TestShapeTokenizer)
#include "test_shape_tokenizer.moc"
