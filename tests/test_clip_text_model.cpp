// SPDX-License-Identifier: GPL-3.0-or-later
// The CLIP text encoders of the three tiny pipelines against transformers 4.30's outputs
// (<pipe>/unit.safetensors), and the SDXL PromptEncoder against the UNet conditioning diffusers built.
#include "daam/config/ModelIndex.h"
#include "daam/io/Safetensors.h"
#include "daam/nn/CLIPTextModel.h"
#include "daam/pipeline/PromptEncoder.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>

using namespace daam;

namespace {
// float32 end to end; the goldens were computed in float32 by transformers.
constexpr double kTol = 1e-5;
double gMaxErr = 0;

void compare(const std::string& what, const torch::Tensor& out, const torch::Tensor& ref) {
    QVERIFY2(out.sizes() == ref.sizes(), qPrintable(daam::test::describeDifference(what, out, ref)));
    gMaxErr = std::max(gMaxErr, daam::test::relativeError(out, ref));
    DAAM_COMPARE_TENSORS(what, out, ref, kTol);
}
} // namespace

class TestCLIPTextModel : public QObject {
    Q_OBJECT

    void checkEncoder(const std::string& pipe, const std::string& component) {
        DAAM_REQUIRE_REFERENCE();
        const auto unit = loadSafetensors(daam::test::referencePath(pipe + "/unit.safetensors"));
        auto model = loadCLIPTextModel(daam::test::referencePath("pipelines/" + pipe + "/" + component));
        const std::string p = component + ".";
        torch::NoGradGuard noGrad;
        const auto out = model->forward(unit.at(p + "input_ids"));
        const std::string tag = pipe + " " + component + " ";
        compare(tag + "last_hidden_state", out.lastHiddenState, unit.at(p + "last_hidden_state"));
        const auto hs = unit.at(p + "hidden_states");
        QCOMPARE(int64_t(out.hiddenStates.size()), hs.size(0));
        for (int64_t i = 0; i < hs.size(0); ++i)
            compare(tag + "hidden_states[" + std::to_string(i) + "]", out.hiddenStates[i], hs[i]);
        compare(tag + "penultimate_hidden_state", out.penultimate(), unit.at(p + "penultimate_hidden_state"));
        if (model->config().withProjection) {
            QVERIFY(!unit.count(p + "pooler_output"));
            compare(tag + "text_embeds", out.textEmbeds, unit.at(p + "text_embeds"));
        } else {
            QVERIFY(!out.textEmbeds.defined());
            compare(tag + "pooler_output", out.pooled, unit.at(p + "pooler_output"));
        }
    }

    void checkPromptEncoder(const std::string& pipe, ModelFamily expected) {
        DAAM_REQUIRE_REFERENCE();
        const auto unit = loadSafetensors(daam::test::referencePath(pipe + "/unit.safetensors"));
        const auto index = ModelIndex::open(daam::test::referencePath("pipelines/" + pipe));
        QCOMPARE(index.family(), expected);
        const auto encoder = PromptEncoder::load(index);
        // unit.safetensors' unet.encoder_hidden_states is a seeded random tensor (the same in every pipe), not an
        // encoder output, so the text encoder goldens are the reference here.
        if (expected != ModelFamily::SDXL) {
            const auto e = encoder.encode(unit.at("text_encoder.input_ids"));
            QVERIFY(!e.pooled.defined());
            compare(pipe + " PromptEncoder hidden", e.hidden, unit.at("text_encoder.last_hidden_state"));
            return;
        }
        const auto e = encoder.encode(unit.at("text_encoder.input_ids"), unit.at("text_encoder_2.input_ids"));
        const auto expectedHidden = torch::cat(
            {unit.at("text_encoder.penultimate_hidden_state"), unit.at("text_encoder_2.penultimate_hidden_state")}, -1);
        QCOMPARE(e.hidden.size(2), int64_t(64)); // the UNet's cross_attention_dim
        compare(pipe + " PromptEncoder hidden", e.hidden, expectedHidden);
        compare(pipe + " PromptEncoder pooled", e.pooled, unit.at("text_encoder_2.text_embeds"));
        // Without the second id tensor SDXL cannot be encoded.
        DAAM_VERIFY_THROWS_NAMING(Error, encoder.encode(unit.at("text_encoder.input_ids")),
                                  "SDXL needs the ids of tokenizer_2");
    }

private Q_SLOTS:
    void sd1() { checkEncoder("sd1-tiny", "text_encoder"); }
    void sd2() { checkEncoder("sd2-tiny", "text_encoder"); }
    void sdxlTextEncoder1() { checkEncoder("sdxl-tiny", "text_encoder"); }
    void sdxlTextEncoder2() { checkEncoder("sdxl-tiny", "text_encoder_2"); }
    void promptEncoderSd1() { checkPromptEncoder("sd1-tiny", ModelFamily::SD1); }
    void promptEncoderSd2() { checkPromptEncoder("sd2-tiny", ModelFamily::SD2); }
    void promptEncoderSdxl() { checkPromptEncoder("sdxl-tiny", ModelFamily::SDXL); }

    void longInputIsRejected() {
        DAAM_REQUIRE_REFERENCE();
        auto model = loadCLIPTextModel(daam::test::referencePath("pipelines/sd1-tiny/text_encoder"));
        const auto tooLong = torch::zeros({1, 78}, torch::kLong);
        DAAM_VERIFY_THROWS_NAMING(Error, model->forward(tooLong), "78 tokens exceed max_position_embeddings 77");
    }

    // Ids past the embedding are a daam::Error, not LibTorch's index error from inside the forward pass.
    void idsOutsideTheVocabularyAreRefused() {
        DAAM_REQUIRE_REFERENCE();
        auto model = loadCLIPTextModel(daam::test::referencePath("pipelines/sd1-tiny/text_encoder"));
        torch::NoGradGuard noGrad;
        for (int64_t id : {int64_t(754), int64_t(1) << 40, int64_t(-1)}) {
            const auto ids = torch::tensor({int64_t(752), int64_t(5), id, int64_t(753)}, torch::kLong).view({1, 4});
            DAAM_VERIFY_THROWS_NAMING(Error, model->forward(ids),
                                      "token id " + std::to_string(id) + " is outside its vocabulary of 754 ids");
        }
    }

    // A tokenizer with more ids than its text encoder embeds is refused when the two are paired, naming both files.
    void tokenizerPastTheVocabularyIsRefused() {
        DAAM_REQUIRE_REFERENCE();
        const std::string dir = daam::test::makeTempDir("te-vocab") + "/sdxl";
        std::filesystem::copy(daam::test::referencePath("pipelines/sdxl-tiny"), dir,
                              std::filesystem::copy_options::recursive);
        const auto index = ModelIndex::open(dir);
        const auto encoder = PromptEncoder::load(index);
        encoder.checkTokenizer(index, *loadTokenizer(dir + "/tokenizer"), 1);
        encoder.checkTokenizer(index, *loadTokenizer(dir + "/tokenizer_2"), 2);

        auto vocab = readJsonFile(dir + "/tokenizer_2/vocab.json");
        vocab["zebra</w>"] = 1000;
        writeJsonFile(dir + "/tokenizer_2/vocab.json", vocab);
        try {
            encoder.checkTokenizer(index, *loadTokenizer(dir + "/tokenizer_2"), 2);
            QFAIL("a tokenizer past the text encoder's vocabulary was accepted");
        } catch (const FileError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.rfind(dir + "/tokenizer_2/vocab.json: has token ids up to 1000, past the 754 ids", 0) == 0 &&
                         msg.find(dir + "/text_encoder_2/config.json") != std::string::npos,
                     msg.c_str());
        }
    }

    void cleanupTestCase() { qInfo("max relative error over all compared tensors: %.3g", gMaxErr); }
};

DAAM_TEST_APPLESS_MAIN(TestCLIPTextModel)
#include "test_clip_text_model.moc"
