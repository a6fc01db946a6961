// SPDX-License-Identifier: GPL-3.0-or-later
// UNet2DConditionModel against diffusers 0.21.2 goldens (sd1-tiny, sd2-tiny, sdxl-tiny unit.safetensors):
// integer and per-sample float timesteps on a non-square 16×24 latent, the cross-attention observer seam,
// and load errors naming the offending tensor/key.
#include "daam/io/Safetensors.h"
#include "daam/io/WeightSet.h"
#include "daam/nn/BasicTransformerBlock.h"
#include "daam/nn/ChannelsLastConvolution.h"
#include "daam/nn/DenseLayers.h"
#include "daam/nn/ResnetBlock2D.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/util/CpuPeak.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

using namespace daam;

namespace {

struct Recorded {
    CrossAttentionLayer layer;
    int64_t step;
    torch::Tensor cond, uncond;
};

class RecordingObserver : public AttentionObserver {
public:
    bool wantUncond = false;
    std::vector<Recorded> calls;
    void onCrossAttention(const CrossAttentionLayer& layer, int64_t step, const torch::Tensor& cond,
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

// A two-level UNet folder (config and random weights) whose mid block is `midBlockType` (null: none); `extra`
// keys are added to the config.
std::string writeTinyUNet(const std::string& tag, const nlohmann::json& midBlockType,
                          const nlohmann::json& extra = nlohmann::json::object()) {
    const auto dir = daam::test::makeTempDir(tag) + "/unet";
    std::filesystem::create_directories(dir);
    const nlohmann::json config = {{"_class_name", "UNet2DConditionModel"},
                                   {"attention_head_dim", 2},
                                   {"block_out_channels", {32, 64}},
                                   {"cross_attention_dim", 16},
                                   {"down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D"}},
                                   {"up_block_types", {"CrossAttnUpBlock2D", "CrossAttnUpBlock2D"}},
                                   {"layers_per_block", 1},
                                   {"mid_block_type", midBlockType},
                                   {"norm_num_groups", 32},
                                   {"sample_size", 8}};
    auto full = config;
    full.update(extra);
    std::ofstream(dir + "/config.json") << full.dump(2);
    torch::manual_seed(0);
    UNet2DConditionModel unet(UNet2DConditionConfig::fromFile(dir + "/config.json"));
    saveStateDict(*unet, dir + "/diffusion_pytorch_model.safetensors");
    return dir;
}

std::vector<std::string> midBlockNames(const UNet2DConditionModel& unet) {
    std::vector<std::string> names;
    for (const auto& item : unet->named_parameters())
        if (item.key().rfind("mid_block.", 0) == 0) names.push_back(item.key());
    return names;
}

} // namespace

class TestUNet : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Without gradients the resnet block works in place on its own intermediate tensors: the result must be
    // bit-identical to the graph-building path, and the input (the residual, when the channels match) untouched.
    void resnetBlockInPlaceOnlyWithoutGradients_data() {
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<double>("outputScale");
        QTest::newRow("same channels, time embedding") << 8 << 8 << 1.0;
        QTest::newRow("shortcut conv, output scale 2") << 8 << 16 << 2.0;
    }
    void resnetBlockInPlaceOnlyWithoutGradients() {
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(double, outputScale);
        torch::manual_seed(11);
        daam::ResnetBlock2D block(in, out, 12, 4, 1e-5, outputScale);
        const auto x = torch::randn({2, in, 6, 6}), temb = torch::randn({2, 12});
        const auto xBefore = x.clone();
        const auto withGrad = block->forward(x, temb);
        QVERIFY(withGrad.requires_grad());
        torch::Tensor without;
        {
            torch::NoGradGuard noGrad;
            without = block->forward(x, temb);
        }
        QVERIFY(torch::equal(without, withGrad.detach()));
        QVERIFY(torch::equal(x, xBefore));
    }

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

    void bf16MatchesDiffusers_data() { matchesDiffusers_data(); }

    // A bf16 UNet as the loader makes it (on an AVX-512 BF16 CPU: packed convolutions on channels-last activations,
    // DenseLayers.h) against diffusers' float32 output, and the same UNet with its convolutions kept on NCHW
    // activations: both within bf16's precision of the golden, the channels-last one no further than 1.5x the other.
    void bf16MatchesDiffusers() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QByteArray, pipe);
        torch::NoGradGuard noGrad;
        auto unit = loadSafetensors(daam::test::referencePath(pipe.toStdString() + "/unit.safetensors"));
        daam::LoadOptions bf16;
        bf16.dtype = torch::kBFloat16;
        auto unet = loadUNet(pipeDir(pipe.toStdString()), bf16);
        const auto added = addedFor(unit);
        const auto sample = unit.at("unet.sample").to(torch::kBFloat16);
        const auto ehs = unit.at("unet.encoder_hidden_states").to(torch::kBFloat16);
        const auto& golden = unit.at("unet.out_t981");
        const auto out = unet->forward(sample, torch::tensor(int64_t(981)), ehs, &added);
        QVERIFY(out.is_contiguous());
        int channelsLast = 0;
        for (const auto& module : unet->modules())
            if (auto* conv = dynamic_cast<Conv2dImpl*>(module.get()); conv && conv->channelsLast()) {
                ++channelsLast;
                conv->allowChannelsLast(false);
            }
        QCOMPARE(channelsLast > 0, daam::ChannelsLastConvolution::compiledIn() && daam::cpuHasAvx512Bf16());
        const auto nchw = unet->forward(sample, torch::tensor(int64_t(981)), ehs, &added);
        const double error = daam::test::relativeError(out.to(torch::kFloat32), golden);
        const double nchwError = daam::test::relativeError(nchw.to(torch::kFloat32), golden);
        qInfo("%s bf16 rel err %.3g (%d convolutions channels-last), NCHW %.3g", pipe.constData(), error, channelsLast,
              nchwError);
        QVERIFY2(error < 3e-2 && nchwError < 3e-2, qPrintable(QString::number(std::max(error, nchwError))));
        QVERIFY2(error <= 1.5 * nchwError, qPrintable(QString::number(error)));
    }

    void largeLatentsMatchDiffusers_data() {
        QTest::addColumn<QByteArray>("pipe");
        QTest::addColumn<QStringList>("cases");
        QTest::newRow("sd1-tiny") << QByteArray("sd1-tiny")
                                  << QStringList{QStringLiteral("sd1_64x64"), QStringLiteral("sd1_72x80")};
        QTest::newRow("sd2-tiny") << QByteArray("sd2-tiny") << QStringList{QStringLiteral("sd2_64x64")};
    }

    // Latents of 64x64 and more take oneDNN's Winograd convolutions in float32 (DenseLayers.h), which the
    // reference's 16x24 cases never reach: diffusers' output at such sizes (tests/data/unet, written by
    // tools/make_unet_goldens.py), one size after another on one model. Measured: see the qInfo lines; tolerance
    // 1e-5, as above.
    void largeLatentsMatchDiffusers() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QByteArray, pipe);
        QFETCH(QStringList, cases);
        torch::NoGradGuard noGrad;
        auto unet = loadUNet(pipeDir(pipe.toStdString()));
        for (const auto& name : cases) {
            const auto golden =
                loadSafetensors(daam::test::testDataDir() + "/unet/" + name.toStdString() + ".safetensors");
            const auto out =
                unet->forward(golden.at("sample"), golden.at("timestep"), golden.at("encoder_hidden_states"));
            qInfo("%s rel err %.3g", qPrintable(name), daam::test::relativeError(out, golden.at("out")));
            DAAM_COMPARE_TENSORS(name.toStdString(), out, golden.at("out"), 1e-5);
        }
        int winograd = 0;
        for (const auto& module : unet->modules())
            if (auto* conv = dynamic_cast<Conv2dImpl*>(module.get()); conv && conv->winograd()) ++winograd;
        qInfo("%d convolutions took Winograd", winograd);
        QCOMPARE(winograd > 0, daam::test::winogradExpected());
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
            QCOMPARE(int64_t(rec.layer.height), h / table[i].downscale);
            QCOMPARE(int64_t(rec.layer.width), w / table[i].downscale);
            QCOMPARE(rec.cond.sizes().vec(),
                     (std::vector<int64_t>{table[i].heads, int64_t(rec.layer.height) * rec.layer.width, ehs.size(1)}));
            QCOMPARE(rec.uncond.sizes().vec(), rec.cond.sizes().vec());
            const double rowErr = (rec.cond.sum(-1) - 1).abs().max().item<double>();
            QVERIFY2(rowErr < 1e-5,
                     (rec.layer.path + ": rows do not sum to 1, max error " + std::to_string(rowErr)).c_str());
        }
        // Forward order: down before mid before up, and sd1's layer names as diffusers numbers them.
        QVERIFY(table.front().block == UNetBlock::Down && table.back().block == UNetBlock::Up);

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
        QCOMPARE(table[3].downscale, 2);
        QCOMPARE(table[6].downscale, 1);
        QCOMPARE(table[2].heads, 8);
        // Built in bf16 (block by block), every parameter is bf16, as converting the fp32 model gives.
        auto bf16 = UNet2DConditionModel(UNet2DConditionConfig::fromFile(pipeDir("sd1-tiny") + "/config.json"),
                                         torch::kBFloat16);
        for (const auto& p : bf16->named_parameters())
            QVERIFY2(p.value().scalar_type() == torch::kBFloat16, p.key().c_str());
        QCOMPARE(bf16->named_parameters().size(), unet->named_parameters().size());
        // Built for loading, every parameter has its shape and dtype and holds one element between them all.
        auto placeholders = UNet2DConditionModel(UNet2DConditionConfig::fromFile(pipeDir("sd1-tiny") + "/config.json"),
                                                 torch::kBFloat16, daam::InitialParameters::ToBeLoaded);
        std::set<const void*> storages;
        for (const auto& p : placeholders->named_parameters()) {
            QVERIFY2(p.value().sizes() == unet->named_parameters()[p.key()].sizes(), p.key().c_str());
            QVERIFY2(p.value().scalar_type() == torch::kBFloat16, p.key().c_str());
            storages.insert(p.value().storage().data());
        }
        QCOMPARE(placeholders->named_parameters().size(), unet->named_parameters().size());
        QCOMPARE(int(storages.size()), 1);
        // The path names the layer's place, and reads back to it.
        for (const auto& layer : table) {
            daam::CrossAttentionLayer parsed;
            QVERIFY(daam::parseLayerPath(layer.path, parsed));
            QVERIFY(parsed.block == layer.block && parsed.blockIndex == layer.blockIndex &&
                    parsed.attentionIndex == layer.attentionIndex && parsed.transformerIndex == layer.transformerIndex);
            QCOMPARE(layer.height, 0); // the UNet's table knows no latent size
        }
        // At a latent size, a layer's grid rounds up as stride-2 convolutions do: 9 -> 5 at downscale 2.
        const auto at = daam::withLatentSize(table, 9, 16);
        QCOMPARE(at[3].height, 5);
        QCOMPARE(at[3].width, 8);
        QCOMPARE(at[6].height, 9);
    }

    void wrongShapeNamesTensor() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = daam::test::makeTempDir("unet-shape") + "/unet";
        copyDir(pipeDir("sd1-tiny"), dir);
        auto config = daam::readJsonFile(dir + "/config.json");
        config["block_out_channels"] = {32, 32, 96};
        daam::writeJsonFile(dir + "/config.json", config);
        // Found before the model is built: the key and a tensor that shows the difference.
        DAAM_VERIFY_THROWS_NAMING(FileError, loadUNet(dir),
                                  "config.json: key \"block_out_channels\" does not match the weights",
                                  "down_blocks.2.resnets.0.conv2.weight");
    }

    // Absurd sizes end in a FileError naming config.json and the key, never in LibTorch's allocation error:
    // out of bounds before anything is read further, within bounds but unlike the weights before the model is built.
    void absurdSizesNameTheKey_data() {
        QTest::addColumn<QByteArray>("edit");
        QTest::addColumn<QString>("expected");
        QTest::newRow("channels") << QByteArray(R"({"block_out_channels": [1000000000000, 32, 64]})")
                                  << R"(key "block_out_channels" must be from 1 to 16384)";
        QTest::newRow("negative channels") << QByteArray(R"({"block_out_channels": [32, -32, 64]})")
                                           << R"(key "block_out_channels" must be from 1 to 16384)";
        QTest::newRow("fractional channels") << QByteArray(R"({"block_out_channels": [32, 1e300, 64]})")
                                             << R"(key "block_out_channels" must be a list of integers)";
        QTest::newRow("layers") << QByteArray(R"({"layers_per_block": 100000})")
                                << R"(key "layers_per_block" must be from 1 to 256)";
        QTest::newRow("heads") << QByteArray(R"({"attention_head_dim": 1000000})")
                               << R"(key "attention_head_dim" must be from 1 to 1024)";
        QTest::newRow("heads per block") << QByteArray(R"({"attention_head_dim": [8, 0, 8]})")
                                         << R"(key "attention_head_dim" must be from 1 to 1024)";
        QTest::newRow("norm groups") << QByteArray(R"({"norm_num_groups": 0})")
                                     << R"(key "norm_num_groups" must be from 1 to 16384)";
        QTest::newRow("cross-attention dim") << QByteArray(R"({"cross_attention_dim": 1000000000})")
                                             << R"(key "cross_attention_dim" must be from 1 to 16384)";
        QTest::newRow("transformer layers") << QByteArray(R"({"transformer_layers_per_block": 5000})")
                                            << R"(key "transformer_layers_per_block" must be from 1 to 256)";
        QTest::newRow("in channels") << QByteArray(R"({"in_channels": 99999999999})")
                                     << R"(key "in_channels" must be from 1 to 16384)";
        QTest::newRow("sample size") << QByteArray(R"({"sample_size": 100000})")
                                     << R"(key "sample_size" must be from 1 to 4096)";
        QTest::newRow("blocks") << QByteArray(R"({"block_out_channels": [32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
            32, 32, 32, 32, 32, 32], "down_block_types": ["DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D",
            "DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D",
            "DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D", "DownBlock2D"]})")
                                << R"(key "down_block_types" has 17 blocks, more than the 16 this build reads)";
        // Within the bounds, but tens of GB were they built: refused by comparing with the weights first.
        QTest::newRow("layers unlike the weights")
            << QByteArray(R"({"layers_per_block": 200})") << R"(key "layers_per_block" does not match the weights)";
        QTest::newRow("channels unlike the weights")
            << QByteArray(R"({"block_out_channels": [16384, 16384, 16384], "attention_head_dim": 8})")
            << R"(key "block_out_channels" does not match the weights)";
        QTest::newRow("transformer layers unlike the weights")
            << QByteArray(R"({"transformer_layers_per_block": 256})")
            << R"(key "transformer_layers_per_block" does not match the weights)";
        QTest::newRow("cross-attention dim unlike the weights")
            << QByteArray(R"({"cross_attention_dim": 16384})") << R"(key "cross_attention_dim" does not match)";
    }
    void absurdSizesNameTheKey() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QByteArray, edit);
        QFETCH(QString, expected);
        const auto dir = daam::test::makeTempDir("unet-absurd") + "/unet";
        copyDir(pipeDir("sd1-tiny"), dir);
        auto config = daam::readJsonFile(dir + "/config.json");
        config.update(nlohmann::json::parse(edit.toStdString()));
        daam::writeJsonFile(dir + "/config.json", config);
        try {
            loadUNet(dir);
            QFAIL("an absurd config was accepted");
        } catch (const FileError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.rfind(dir + "/config.json: " + expected.toStdString(), 0) == 0, msg.c_str());
            QVERIFY2(msg.size() < dir.size() + 300, msg.c_str());
        }
    }

    void unsupportedConfigNamesKey() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = daam::test::makeTempDir("unet-key") + "/unet";
        copyDir(pipeDir("sd1-tiny"), dir);
        auto config = daam::readJsonFile(dir + "/config.json");
        config["class_embed_type"] = "timestep";
        daam::writeJsonFile(dir + "/config.json", config);
        DAAM_VERIFY_THROWS_NAMING(FileError, loadUNet(dir), "class_embed_type");
    }

    // diffusers' other mid blocks: "UNetMidBlock2D" is one ResNet under mid_block.resnets.0 (num_layers=0,
    // no attention), and an explicit null drops the mid block. Neither adds a cross-attention layer, and a
    // cross-attention mid block's weights do not load into either.
    void midBlockTypes() {
        torch::NoGradGuard noGrad;
        const auto resnetDir = writeTinyUNet("unet-mid-resnet", "UNetMidBlock2D");
        const auto noneDir = writeTinyUNet("unet-mid-none", nullptr);
        const auto crossDir = writeTinyUNet("unet-mid-cross", "UNetMidBlock2DCrossAttn");
        auto resnetMid = loadUNet(resnetDir);
        auto noMid = loadUNet(noneDir);
        auto crossMid = loadUNet(crossDir);
        QCOMPARE(resnetMid->config().midBlockType, std::string("UNetMidBlock2D"));
        QVERIFY(noMid->config().midBlockType.empty());

        const auto names = midBlockNames(resnetMid);
        QCOMPARE(int(names.size()), 10); // norm1, conv1, time_emb_proj, norm2, conv2: weight and bias each
        for (const auto& name : names)
            QVERIFY2(name.rfind("mid_block.resnets.0.", 0) == 0, name.c_str());
        QVERIFY(midBlockNames(noMid).empty());
        QVERIFY(midBlockNames(crossMid).size() > names.size());

        const auto mid = [](const UNet2DConditionModel& unet) {
            int count = 0;
            for (const auto& layer : unet->crossAttentionLayers())
                count += layer.path.rfind("mid_block.", 0) == 0 ? 1 : 0;
            return count;
        };
        QCOMPARE(mid(crossMid), 1);
        QCOMPARE(mid(resnetMid), 0);
        QCOMPARE(mid(noMid), 0);
        QCOMPARE(resnetMid->crossAttentionLayers().size() + 1, crossMid->crossAttentionLayers().size());

        const auto sample = torch::randn({2, 4, 8, 8});
        const auto context = torch::randn({2, 5, 16});
        const auto a = resnetMid->forward(sample, torch::tensor(500.0), context);
        const auto b = noMid->forward(sample, torch::tensor(500.0), context);
        QCOMPARE(a.sizes().vec(), sample.sizes().vec());
        QVERIFY(torch::isfinite(a).all().item<bool>() && torch::isfinite(b).all().item<bool>());
        QVERIFY(!torch::allclose(a, b)); // the mid ResNet is in the path

        std::filesystem::copy_file(crossDir + "/diffusion_pytorch_model.safetensors",
                                   resnetDir + "/diffusion_pytorch_model.safetensors",
                                   std::filesystem::copy_options::overwrite_existing);
        DAAM_VERIFY_THROWS_NAMING(FileError, loadUNet(resnetDir), "mid_block.attentions.0");

        auto config = nlohmann::json::parse(std::ifstream(noneDir + "/config.json"));
        config["mid_block_type"] = "UNetMidBlock2DSimpleCrossAttn";
        std::ofstream(resnetDir + "/config.json") << config.dump();
        DAAM_VERIFY_THROWS_NAMING(FileError, loadUNet(resnetDir), "mid_block_type");
    }

    // diffusers' only_cross_attention: attn1 takes its keys and values from the text, so a block has no
    // self-attention and each image position's output depends on that position alone. The flag is per down
    // block, reversed for the up blocks, never for the mid block; attn2 stays the only DAAM layer.
    void onlyCrossAttention() {
        torch::NoGradGuard noGrad;
        const auto dir =
            writeTinyUNet("unet-only-cross", "UNetMidBlock2DCrossAttn", {{"only_cross_attention", {true, false}}});
        auto unet = loadUNet(dir);
        QCOMPARE(unet->config().onlyCrossAttention, (std::vector<bool>{true, false}));
        const auto params = unet->named_parameters();
        const auto keyShape = [&](const std::string& block) {
            return params[block + ".attentions.0.transformer_blocks.0.attn1.to_k.weight"].sizes().vec();
        };
        QCOMPARE(keyShape("down_blocks.0"), (std::vector<int64_t>{32, 16})); // from the 16-wide text
        QCOMPARE(keyShape("down_blocks.1"), (std::vector<int64_t>{64, 64}));
        QCOMPARE(keyShape("up_blocks.1"), (std::vector<int64_t>{32, 16}));
        QCOMPARE(keyShape("up_blocks.0"), (std::vector<int64_t>{64, 64}));
        QCOMPARE(keyShape("mid_block"), (std::vector<int64_t>{64, 64}));
        for (const auto& layer : unet->crossAttentionLayers())
            QVERIFY2(layer.path.size() > 5 && layer.path.substr(layer.path.size() - 5) == "attn2", layer.path.c_str());
        const auto out = unet->forward(torch::randn({2, 4, 8, 8}), torch::tensor(500.0), torch::randn({2, 5, 16}));
        QVERIFY(torch::isfinite(out).all().item<bool>());

        const auto changedRows = [](bool onlyCross) {
            torch::manual_seed(1);
            BasicTransformerBlock block(32, 2, 16, 16, false, onlyCross);
            const auto x = torch::randn({1, 10, 32}), context = torch::randn({1, 5, 16});
            auto moved = x.clone();
            moved[0][3] += torch::randn({32}); // not a constant: the layer norms would remove it
            const auto diff = (block->forward(moved, context, nullptr, nullptr, 2, 5) -
                               block->forward(x, context, nullptr, nullptr, 2, 5))
                                  .abs()
                                  .amax(-1)[0];
            return int((diff > 1e-6).sum().item<int64_t>());
        };
        QCOMPARE(changedRows(true), 1);
        QCOMPARE(changedRows(false), 10);

        for (const auto& bad :
             {nlohmann::json::array({true}), nlohmann::json::array({true, 1}), nlohmann::json("yes")}) {
            auto config = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
            config["only_cross_attention"] = bad;
            std::ofstream(dir + "/config.json") << config.dump();
            DAAM_VERIFY_THROWS_NAMING(FileError, loadUNet(dir), "only_cross_attention");
        }
    }
};

DAAM_TEST_APPLESS_MAIN(TestUNet)
#include "test_unet.moc"
