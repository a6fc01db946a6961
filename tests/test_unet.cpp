// UNet2DConditionModel against diffusers 0.21.2 goldens (sd1-tiny, sd2-tiny, sdxl-tiny unit.safetensors):
// integer and per-sample float timesteps on a non-square 16×24 latent, the cross-attention observer seam,
// and load errors naming the offending tensor/key.
#include "daam/io/Safetensors.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace daam;

namespace {

struct Recorded {
    AttentionLayerInfo layer;
    int64_t step;
    torch::Tensor cond, uncond;
};

class RecordingObserver : public AttentionObserver {
public:
    bool wantUncond = false;
    std::vector<Recorded> calls;
    void onCrossAttention(const AttentionLayerInfo& layer, int64_t step, const torch::Tensor& cond,
                          const torch::Tensor& uncond) override {
        calls.push_back({layer, step, cond.clone(), uncond.defined() ? uncond.clone() : uncond});
    }
    bool wantsUnconditional() const override { return wantUncond; }
};

std::string pipeDir(const std::string& pipe) {
    return daam::test::referencePath("pipelines/" + pipe + "/unet");
}

AddedCond addedFor(const std::map<std::string, torch::Tensor>& unit) {
    AddedCond a;
    if (unit.count("unet.text_embeds")) a.textEmbeds = unit.at("unet.text_embeds");
    if (unit.count("unet.time_ids")) a.timeIds = unit.at("unet.time_ids");
    return a;
}

void copyDir(const std::string& from, const std::string& to) {
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

} // namespace

class TestUNet : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesDiffusers_data() {
        QTest::addColumn<QByteArray>("pipe");
        QTest::newRow("sd1-tiny") << QByteArray("sd1-tiny");
        QTest::newRow("sd2-tiny") << QByteArray("sd2-tiny");
        QTest::newRow("sdxl-tiny") << QByteArray("sdxl-tiny");
    }

    // Measured max relative error (CPU, float32): see the qInfo lines; tolerance 1e-5.
    void matchesDiffusers() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QByteArray, pipe);
        torch::NoGradGuard noGrad;
        auto unit = loadSafetensors(daam::test::referencePath(pipe.toStdString() + "/unit.safetensors"));
        auto unet = loadUNet(pipeDir(pipe.toStdString()));
        const auto added = addedFor(unit);
        const auto& sample = unit.at("unet.sample");
        const auto& ehs = unit.at("unet.encoder_hidden_states");

        auto out = unet->forward(sample, torch::tensor(int64_t(981)), ehs, &added);
        qInfo("%s out_t981 rel err %.3g", pipe.constData(), daam::test::relativeError(out, unit.at("unet.out_t981")));
        DAAM_COMPARE_TENSORS(pipe.toStdString() + " unet.out_t981", out, unit.at("unet.out_t981"), 1e-5);

        auto outF = unet->forward(sample, unit.at("unet.timesteps_float"), ehs, &added);
        qInfo("%s out_tfloat rel err %.3g", pipe.constData(),
              daam::test::relativeError(outF, unit.at("unet.out_tfloat")));
        DAAM_COMPARE_TENSORS(pipe.toStdString() + " unet.out_tfloat", outF, unit.at("unet.out_tfloat"), 1e-5);
    }

    void observerSeesConditionalHalf_data() { matchesDiffusers_data(); }

    void observerSeesConditionalHalf() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QByteArray, pipe);
        torch::NoGradGuard noGrad;
        auto unit = loadSafetensors(daam::test::referencePath(pipe.toStdString() + "/unit.safetensors"));
        auto unet = loadUNet(pipeDir(pipe.toStdString()));
        const auto added = addedFor(unit);
        const auto& sample = unit.at("unet.sample");
        const auto& ehs = unit.at("unet.encoder_hidden_states");
        const auto t = torch::tensor(int64_t(981));

        auto plain = unet->forward(sample, t, ehs, &added);
        RecordingObserver observer;
        observer.wantUncond = true;
        AttentionCall call{&observer, 7, 1, 1}; // batch [uncond, cond]
        auto observed = unet->forward(sample, t, ehs, &added, &call);
        QVERIFY2(torch::equal(plain, observed), "attaching an observer changed the UNet output");

        const auto& table = unet->crossAttentionLayers();
        QVERIFY(!table.empty());
        QCOMPARE(observer.calls.size(), table.size());
        const int64_t h = sample.size(2), w = sample.size(3);
        for (size_t i = 0; i < table.size(); ++i) {
            const auto& rec = observer.calls[i];
            QCOMPARE(QByteArray::fromStdString(rec.layer.path), QByteArray::fromStdString(table[i].path));
            QCOMPARE(rec.layer.heads, table[i].heads);
            QCOMPARE(rec.step, int64_t(7));
            QCOMPARE(rec.layer.height, h / table[i].downscale);
            QCOMPARE(rec.layer.width, w / table[i].downscale);
            QCOMPARE(rec.cond.sizes().vec(),
                     (std::vector<int64_t>{table[i].heads, rec.layer.height * rec.layer.width, ehs.size(1)}));
            QCOMPARE(rec.uncond.sizes().vec(), rec.cond.sizes().vec());
            const double rowErr = (rec.cond.sum(-1) - 1).abs().max().item<double>();
            QVERIFY2(rowErr < 1e-5,
                     (rec.layer.path + ": rows do not sum to 1, max error " + std::to_string(rowErr)).c_str());
        }
        // Forward order: down before mid before up, and sd1's layer names as diffusers numbers them.
        QVERIFY(table.front().kind == BlockKind::Down && table.back().kind == BlockKind::Up);

        // The conditional half equals a batch-1 run on the conditional row alone; the unconditional half the
        // batch-1 run on row 0.
        for (int64_t row : {int64_t(1), int64_t(0)}) {
            RecordingObserver single;
            AttentionCall one{&single, 0, 0, 1};
            AddedCond addedRow;
            if (added.textEmbeds.defined()) {
                addedRow.textEmbeds = added.textEmbeds.narrow(0, row, 1);
                addedRow.timeIds = added.timeIds.narrow(0, row, 1);
            }
            unet->forward(sample.narrow(0, row, 1), t, ehs.narrow(0, row, 1), &addedRow, &one);
            QCOMPARE(single.calls.size(), observer.calls.size());
            for (size_t i = 0; i < single.calls.size(); ++i) {
                const auto& batched = row == 1 ? observer.calls[i].cond : observer.calls[i].uncond;
                DAAM_COMPARE_TENSORS(observer.calls[i].layer.path + (row == 1 ? " cond" : " uncond"), batched,
                                     single.calls[i].cond, 1e-5);
            }
        }
    }

    // The query-chunked self-attention path (used for large latents) equals the single-block path.
    void chunkedSelfAttentionMatches() {
        torch::NoGradGuard noGrad;
        torch::manual_seed(3);
        AttentionOptions o;
        o.queryDim = 32;
        o.heads = 4;
        o.dimHead = 8;
        Attention whole(o);
        o.maxScoreElements = 2 * 4 * 64 * 10; // forces chunks of 10 queries (last one partial)
        Attention chunked(o);
        chunked->to(torch::kFloat64);
        whole->to(torch::kFloat64);
        auto wp = whole->named_parameters(), cp = chunked->named_parameters();
        for (const auto& item : wp)
            cp[item.key()].copy_(item.value());
        auto x = torch::randn({2, 64, 32}, torch::kFloat64);
        auto a = whole->forward(x), b = chunked->forward(x);
        DAAM_COMPARE_TENSORS("chunked self-attention", b, a, 1e-12);
    }

    // Latents not divisible by the total downsampling (here 4) upsample to the skip sizes, as diffusers'
    // forward_upsample_size does; the output keeps the input's spatial size.
    void oddLatentSize() {
        DAAM_REQUIRE_REFERENCE();
        torch::NoGradGuard noGrad;
        auto unet = loadUNet(pipeDir("sd1-tiny"));
        auto sample = torch::randn({1, 4, 15, 22});
        auto ehs = torch::randn({1, 77, 32});
        auto out = unet->forward(sample, torch::tensor(500.0), ehs);
        QCOMPARE(out.sizes().vec(), sample.sizes().vec());
        QVERIFY(torch::isfinite(out).all().item<bool>());
    }

    void sd1LayerTable() {
        DAAM_REQUIRE_REFERENCE();
        auto unet = UNet2DConditionModel(UNet2DConditionConfig::fromFile(pipeDir("sd1-tiny") + "/config.json"));
        const auto& table = unet->crossAttentionLayers();
        // CrossAttnDown ×2 (1 layer each), mid, CrossAttnUp ×2 (2 layers each).
        QCOMPARE(int(table.size()), 7);
        QCOMPARE(QByteArray::fromStdString(table[0].path),
                 QByteArray("down_blocks.0.attentions.0.transformer_blocks.0.attn2"));
        QCOMPARE(QByteArray::fromStdString(table[2].path),
                 QByteArray("mid_block.attentions.0.transformer_blocks.0.attn2"));
        QCOMPARE(QByteArray::fromStdString(table[3].path),
                 QByteArray("up_blocks.1.attentions.0.transformer_blocks.0.attn2"));
        QCOMPARE(table[3].downscale, int64_t(2));
        QCOMPARE(table[6].downscale, int64_t(1));
        QCOMPARE(table[2].heads, int64_t(8));
    }

    void wrongShapeNamesTensor() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = daam::test::makeTempDir("unet-shape") + "/unet";
        copyDir(pipeDir("sd1-tiny"), dir);
        std::ifstream in(dir + "/config.json");
        auto config = nlohmann::json::parse(in);
        in.close();
        config["block_out_channels"] = {32, 32, 96};
        std::ofstream(dir + "/config.json") << config.dump(2);
        try {
            loadUNet(dir);
            QFAIL("loading mismatched weights did not throw");
        } catch (const FileError& e) {
            const QByteArray msg = e.what();
            QVERIFY2(msg.contains("down_blocks.2.resnets.0.conv1.weight"), msg.constData());
        }
    }

    void unsupportedConfigNamesKey() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = daam::test::makeTempDir("unet-key") + "/unet";
        copyDir(pipeDir("sd1-tiny"), dir);
        std::ifstream in(dir + "/config.json");
        auto config = nlohmann::json::parse(in);
        in.close();
        config["class_embed_type"] = "timestep";
        std::ofstream(dir + "/config.json") << config.dump(2);
        try {
            loadUNet(dir);
            QFAIL("an unsupported config value did not throw");
        } catch (const FileError& e) {
            QVERIFY2(QByteArray(e.what()).contains("class_embed_type"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestUNet)
#include "test_unet.moc"
