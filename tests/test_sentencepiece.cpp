// SPDX-License-Identifier: GPL-3.0-or-later
// SentencePieceTokenizer and the isolation of sentencepiece in libdaam_spm. A tiny model is trained at
// test time (through the wrapper) from captions, so the expected pieces come from sentencepiece itself
// and the tokenizer's ids, spans, words and padding are checked against them. The isolation checks read
// /proc/self/maps: sentencepiece must not be mapped until the wrapper is loaded, and libtorch (including
// its protobuf-based ONNX export) must keep working once it is.
#include "daam/text/SentencePieceTokenizer.h"
#include "daam/text/SpmLibrary.h"
#include "daam/util/Error.h"

#include <torch/csrc/jit/ir/irparser.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace {

std::string readMaps() {
    std::ifstream in("/proc/self/maps");
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
}

bool mapped(const std::string& maps, const std::string& library) {
    return maps.find(library) != std::string::npos;
}

// Exercises libtorch's protobuf: the ONNX exporter builds an onnx::ModelProto and prints it.
std::string exportOnnx() {
    auto graph = std::make_shared<torch::jit::Graph>();
    torch::jit::parseIR(R"IR(
graph(%x : Float(2, 3, strides=[3, 1], requires_grad=0, device=cpu)):
  %y : Float(2, 3, strides=[3, 1], requires_grad=0, device=cpu) = onnx::Relu(%x)
  return (%y))IR",
                        graph.get());
    // google_printer: the text comes from protobuf's own DebugString() of the ModelProto.
    return torch::jit::pretty_print_onnx(graph, {}, 13, false, torch::onnx::OperatorExportTypes::ONNX, true);
}

const char* kCaptions[] = {
    "a red circle and a blue square",
    "a green triangle next to a red square",
    "a blue circle on a white table",
    "two red circles and one green square",
    "a small café with a red door",
    "a big blue café at night",
    "a cat sitting on a red chair",
    "a dog running in a green field",
    "the sun over a blue sea",
    "a white house with a red roof",
    "three blue squares in a row",
    "a yellow circle, a red square!",
    "a green tree near a white house",
    "a black cat and a white dog",
    "a red car on a grey road",
    "a blue bird on a green branch",
    "an orange circle and a purple square",
    "a café, a bar and a shop",
    "a red apple on a white plate",
    "a small dog in a big field",
};

} // namespace

class TestSentencePiece : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Runs before anything loads the wrapper.
    void initTestCase() {
        QVERIFY(!daam::SpmLibrary::isLoaded());
        const torch::Tensor sum = torch::ones({4, 4}).sum();
        QCOMPARE(sum.item<float>(), 16.0f);
        const std::string maps = readMaps();
        QVERIFY2(mapped(maps, "libtorch_cpu.so"), "libtorch is not mapped after a torch op");
        // Not a DT_NEEDED dependency of daam_core's executables: absent until the wrapper is dlopen()ed.
        QVERIFY2(!mapped(maps, "libsentencepiece"), "libsentencepiece is mapped before the wrapper was loaded");
        QVERIFY2(!mapped(maps, "libdaam_spm"), "the wrapper is mapped before it was asked for");

        dir_ = daam::test::makeTempDir("spm");
        const std::string corpus = dir_ + "/captions.txt";
        {
            std::ofstream out(corpus);
            for (const char* caption : kCaptions)
                out << caption << "\n";
        }
        modelPath_ = dir_ + "/tokenizer.model";
        daam::trainSentencePiece("--input=" + corpus + " --model_prefix=" + dir_ +
                                 "/tokenizer --vocab_size=60 --model_type=unigram --character_coverage=1.0"
                                 " --bos_id=1 --eos_id=2 --pad_id=0 --unk_id=3 --minloglevel=2"
                                 " --hard_vocab_limit=false");
        QVERIFY(daam::SpmLibrary::isLoaded());
    }

    void wrapperIsolated() {
        const std::string maps = readMaps();
        QVERIFY2(mapped(maps, "libdaam_spm"), "the wrapper is not mapped after training");
        QVERIFY2(mapped(maps, "libsentencepiece"), "libsentencepiece is not mapped after loading the wrapper");
        // Torch still computes, and its protobuf (ONNX export) still works next to sentencepiece's.
        const torch::Tensor a = torch::arange(6, torch::kFloat32).reshape({2, 3});
        QCOMPARE(torch::matmul(a, a.t()).sum().item<float>(), 0.f + 5 + 14 + 14 + 50);
        const std::string onnx = exportOnnx();
        QVERIFY2(onnx.find("Relu") != std::string::npos, "the ONNX ModelProto lacks its Relu node");
        // And sentencepiece still works after torch's protobuf ran.
        daam::SpmModel model(modelPath_);
        QVERIFY(!model.encode("a red circle").empty());
        // torch::save / torch::load round trip (zip container) in the same process.
        const std::string tensorPath = dir_ + "/t.pt";
        torch::save(a, tensorPath);
        torch::Tensor b;
        torch::load(b, tensorPath);
        QVERIFY(torch::equal(a, b));
    }

    void modelBasics() {
        daam::SpmModel model(modelPath_);
        QCOMPARE(model.padId(), 0);
        QCOMPARE(model.bosId(), 1);
        QCOMPARE(model.eosId(), 2);
        QCOMPARE(model.unkId(), 3);
        QVERIFY(model.vocabSize() > 10 && model.vocabSize() <= 60);
        QCOMPARE(QString::fromStdString(model.idToPiece(2)), QStringLiteral("</s>"));
        QCOMPARE(model.idToPiece(model.vocabSize()), std::string());
    }

    void idsAndSpans() {
        daam::SpmModel model(modelPath_);
        daam::SentencePieceTokenizer tok(modelPath_, 16, false);
        const std::string prompt = "a red café, blue";
        const auto pieces = model.encode(prompt);
        const daam::TokenizedPrompt out = tok.encode(prompt);
        QCOMPARE(out.ids.size(), size_t(16));
        QCOMPARE(out.promptTokens, int(pieces.size()));
        QVERIFY(!out.truncated);
        QCOMPARE(out.tokens.size(), pieces.size() + 1);
        std::string joined;
        for (size_t i = 0; i < pieces.size(); ++i) {
            QCOMPARE(out.ids[i], int64_t(pieces[i].id));
            QCOMPARE(out.tokens[i].text, pieces[i].text);
            joined += pieces[i].text;
        }
        // Sentencepiece reproduces the prompt with "▁" for spaces (the model normalises nothing here).
        QCOMPARE(QString::fromStdString(joined), QString::fromUtf8("▁a▁red▁café,▁blue"));
        QCOMPARE(out.ids[pieces.size()], int64_t(2)); // EOS
        for (size_t i = pieces.size() + 1; i < 16; ++i)
            QCOMPARE(out.ids[i], int64_t(0)); // pad
        QCOMPARE(tok.endId(), int64_t(2));
        QCOMPARE(tok.padId(), int64_t(0));
        QCOMPARE(tok.startId(), int64_t(-1));

        // Spans in code points: each non-special token's span is its piece without the "▁", and
        // "é" counts as one character although it is two bytes.
        const QString q = QString::fromStdString(prompt);
        for (size_t i = 0; i < pieces.size(); ++i) {
            QString body = QString::fromStdString(pieces[i].text);
            body.remove(QChar(0x2581));
            const auto& t = out.tokens[i];
            QCOMPARE(q.mid(int(t.begin), int(t.end - t.begin)), body);
        }
        QCOMPARE(out.tokens.back().begin, int64_t(16)); // EOS sits at the end of the 16-character prompt
        QCOMPARE(out.tokens.back().end, int64_t(16));

        // Words: "a", "red", "café", ",", "blue" whatever the pieces are.
        QCOMPARE(out.words.size(), size_t(5));
        const char* texts[] = {"a", "red", "café", ",", "blue"};
        const int64_t begins[] = {0, 2, 6, 10, 12};
        const int64_t ends[] = {1, 5, 10, 11, 16};
        int position = 0;
        for (size_t w = 0; w < 5; ++w) {
            const auto& word = out.words[w];
            QCOMPARE(QString::fromStdString(word.text), QString::fromUtf8(texts[w]));
            QCOMPARE(word.begin, begins[w]);
            QCOMPARE(word.end, ends[w]);
            QCOMPARE(word.punctuation, w == 3);
            // Words cover consecutive token positions, in order, all of them.
            for (int p : word.tokens)
                QCOMPARE(p, position++);
        }
        QCOMPARE(position, int(pieces.size()));
    }

    // A character outside the vocabulary: sentencepiece emits a lone "▁" and then <unk> for it, and the
    // word takes its text from the <unk> piece's span.
    void unknownCharacter() {
        daam::SentencePieceTokenizer tok(modelPath_, 20, false);
        const std::string prompt = "a 猫 red";
        const daam::TokenizedPrompt out = tok.encode(prompt);
        bool sawUnk = false;
        for (const auto& t : out.tokens)
            sawUnk = sawUnk || t.id == 3;
        QVERIFY(sawUnk);
        QCOMPARE(out.words.size(), size_t(3));
        QCOMPARE(QString::fromStdString(out.words[1].text), QString::fromUtf8("猫"));
        QCOMPARE(out.words[1].begin, int64_t(2));
        QCOMPARE(out.words[1].end, int64_t(3));
        QVERIFY(!out.words[1].punctuation);
        QCOMPARE(QString::fromStdString(out.words[2].text), QStringLiteral("red"));
        QCOMPARE(out.words[2].begin, int64_t(4));
    }

    void bosAndTruncation() {
        daam::SentencePieceTokenizer tok(modelPath_, 6, true);
        const std::string prompt = "a red circle and a blue square";
        daam::SpmModel model(modelPath_);
        const auto pieces = model.encode(prompt);
        QVERIFY(pieces.size() > 4);
        const daam::TokenizedPrompt out = tok.encode(prompt);
        QCOMPARE(out.ids.size(), size_t(6));
        QVERIFY(out.truncated);
        QCOMPARE(out.promptTokens, int(pieces.size()));
        QCOMPARE(out.ids[0], int64_t(1)); // BOS
        for (int i = 0; i < 4; ++i)
            QCOMPARE(out.ids[1 + i], int64_t(pieces[i].id));
        QCOMPARE(out.ids[5], int64_t(2)); // EOS replaces what did not fit
        QCOMPARE(out.tokens.size(), size_t(6));
        QCOMPARE(out.tokens[0].begin, out.tokens[0].end);
        // Only words with surviving tokens; positions count the BOS at 0.
        QVERIFY(!out.words.empty());
        QCOMPARE(out.words.front().tokens.front(), 1);
        QCOMPARE(out.words.back().tokens.back(), 4);
        QCOMPARE(QString::fromStdString(out.words.front().text), QStringLiteral("a"));
        QCOMPARE(tok.startId(), int64_t(1));
        QCOMPARE(tok.promptCapacity(), 4);
        // Without a start token (T5-style) one more prompt token fits.
        daam::SentencePieceTokenizer noBos(modelPath_, 6, false);
        QCOMPARE(noBos.promptCapacity(), 5);
        const auto five = noBos.encode(prompt);
        QVERIFY(five.truncated);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(five.ids[i], int64_t(pieces[i].id));
        QCOMPARE(five.ids[5], int64_t(2));

        // Without truncation the rest is padding.
        daam::SentencePieceTokenizer wide(modelPath_, 77, true);
        const auto full = wide.encode(prompt);
        QVERIFY(!full.truncated);
        QCOMPARE(full.ids.size(), size_t(77));
        QCOMPARE(full.ids[pieces.size() + 1], int64_t(2));
        QCOMPARE(full.ids[76], int64_t(0));
        QCOMPARE(full.words.size(), size_t(7));
    }

    void fromFolder() {
        const std::string folder = daam::test::makeTempDir("spm-folder");
        std::filesystem::copy_file(modelPath_, folder + "/spiece.model");
        {
            std::ofstream out(folder + "/tokenizer_config.json");
            out << R"({"add_bos_token": true, "model_max_length": 12})";
        }
        auto tok = daam::SentencePieceTokenizer::fromFolder(folder);
        QCOMPARE(tok->maxLength(), 12);
        QVERIFY(tok->addsBos());
        QCOMPARE(tok->encode("a dog").ids.size(), size_t(12));
        QCOMPARE(tok->encode("a dog").ids[0], int64_t(1));
        // The factory picks SentencePiece for a folder with spiece.model, CLIP BPE for vocab.json + merges.txt.
        auto viaFactory = daam::loadTokenizer(folder);
        QVERIFY(dynamic_cast<daam::SentencePieceTokenizer*>(viaFactory.get()));
        QVERIFY(viaFactory->encode("a dog").ids == tok->encode("a dog").ids);
        const auto noTokenizer = daam::test::makeTempDir("no-tokenizer");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::loadTokenizer(noTokenizer), noTokenizer, "no tokenizer found");

        {
            std::ofstream out(folder + "/tokenizer_config.json");
            out << R"({"model_max_length": 1000000000000000019884624838656})"; // transformers' "unset"
        }
        tok = daam::SentencePieceTokenizer::fromFolder(folder);
        QCOMPARE(tok->maxLength(), 77);
        QVERIFY(!tok->addsBos());

        {
            std::ofstream out(folder + "/tokenizer_config.json");
            out << R"({"add_bos_token": "yes")";
        }
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::SentencePieceTokenizer::fromFolder(folder),
                                  "tokenizer_config.json");
    }

    void badModelPath() {
        const std::string missing = dir_ + "/no-such.model";
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::SentencePieceTokenizer tok(missing), missing);
        const std::string garbage = dir_ + "/garbage.model";
        std::ofstream(garbage) << "not a model";
        try {
            daam::SpmModel model(garbage);
            QFAIL("a garbage model loaded");
        } catch (const daam::FileError& e) {
            QCOMPARE(e.path(), garbage);
        }
        // Found by fuzz_sentencepiece: a normalization trie whose values point past its replacement strings made
        // sentencepiece read outside the model when encoding (the wrapper now refuses it when loading), and a piece
        // holding a NUL byte made its double-array builder throw through the wrapper's C interface, which ended the
        // process. Each fuzzer seed is an options byte and the model.
        for (const char* name : {"crash-charsmap-overread", "crash-nul-piece"}) {
            std::ifstream seed(daam::test::testDataDir() + "/fuzz-seeds-sentencepiece/" + name, std::ios::binary);
            const std::string bytes{std::istreambuf_iterator<char>(seed), std::istreambuf_iterator<char>()};
            QVERIFY(bytes.size() > 1);
            const std::string hostile = dir_ + "/" + name + ".model";
            std::ofstream(hostile, std::ios::binary) << bytes.substr(1);
            try {
                daam::SpmModel model(hostile);
                QFAIL(name);
            } catch (const daam::FileError& e) {
                QCOMPARE(e.path(), hostile);
            }
        }
    }

    void candidatePathsOrder() {
        qputenv("DAAM_SPM_WRAPPER", "/nowhere/libdaam_spm.so");
        const auto paths = daam::SpmLibrary::candidatePaths();
        qunsetenv("DAAM_SPM_WRAPPER");
        // $DAAM_SPM_WRAPPER, then the one place relative to the executable, the same in the build tree as installed.
        QCOMPARE(paths.size(), size_t(2));
        QCOMPARE(paths.front(), std::string("/nowhere/libdaam_spm.so"));
        QVERIFY(paths[1].find("/daam-studio/libdaam_spm.so") != std::string::npos);
        QCOMPARE(std::filesystem::path(paths[1]).parent_path().parent_path().parent_path(),
                 std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path());
        QCOMPARE(daam::SpmLibrary::instance().path(), paths[1]);
    }

private:
    std::string dir_;
    std::string modelPath_;
};

DAAM_TEST_APPLESS_MAIN(TestSentencePiece)
#include "test_sentencepiece.moc"
