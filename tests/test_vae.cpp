// SPDX-License-Identifier: GPL-3.0-or-later
// AutoencoderKL against diffusers 0.21.2 goldens: decode, decode of z/scaling_factor, encode mean/logvar,
// for every tiny pipeline; a load error naming the misshapen tensor; and mid_block_add_attention.
#include "daam/io/Safetensors.h"
#include "daam/nn/AutoencoderKL.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace daam;

class TestVae : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesDiffusers_data() {
        QTest::addColumn<QByteArray>("pipe");
        QTest::newRow("sd1-tiny") << QByteArray("sd1-tiny");
        QTest::newRow("sd2-tiny") << QByteArray("sd2-tiny");
        QTest::newRow("sdxl-tiny") << QByteArray("sdxl-tiny");
    }

    // Tolerance: relative error ≤ 1e-5 (measured values printed by qInfo).
    void matchesDiffusers() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QByteArray, pipe);
        const auto p = pipe.toStdString();
        torch::NoGradGuard noGrad;
        auto unit = loadSafetensors(daam::test::referencePath(p + "/unit.safetensors"));
        auto vae = loadAutoencoderKL(daam::test::referencePath("pipelines/" + p + "/vae"));
        const auto& z = unit.at("vae.z");
        auto check = [&](const std::string& name, const torch::Tensor& out) {
            const auto& ref = unit.at("vae." + name);
            qInfo("%s vae.%s rel err %.3g", p.c_str(), name.c_str(), daam::test::relativeError(out, ref));
            DAAM_COMPARE_TENSORS(p + " vae." + name, out, ref, 1e-5);
        };
        check("decode_out", vae->decode(z));
        check("decode_scaled_out", vae->decode(z / vae->scalingFactor()));
        auto dist = vae->encode(unit.at("vae.encode_in"));
        check("encode_mean", dist.mean);
        check("encode_logvar", dist.logvar);
    }

    // bf16 on the CPU decodes channels-last (AutoencoderKL.cpp): the golden decode to bf16's precision, a
    // contiguous NCHW image, as close to it as the NCHW decode through the same bf16 modules.
    void bf16DecodeMatchesDiffusers() {
        DAAM_REQUIRE_REFERENCE();
        torch::NoGradGuard noGrad;
        auto unit = loadSafetensors(daam::test::referencePath("sd1-tiny/unit.safetensors"));
        LoadOptions options;
        options.dtype = torch::kBFloat16;
        auto vae = loadAutoencoderKL(daam::test::referencePath("pipelines/sd1-tiny/vae"), options);
        const auto z = unit.at("vae.z").to(torch::kBFloat16);
        const auto image = vae->decode(z);
        QVERIFY(image.is_contiguous());
        QCOMPARE(image.scalar_type(), torch::kBFloat16);
        const double err = daam::test::relativeError(image.to(torch::kFloat32), unit.at("vae.decode_out"));
        qInfo("bf16 decode vs diffusers' float32: relative error %.2e", err);
        QVERIFY2(err < 2e-2, qPrintable(QString::number(err)));
        // The NCHW way, layer by layer as the decoder runs them but without the channels-last conversion.
        auto modules = vae->named_modules();
        auto conv = [&](const std::string& name) { return modules[name]->as<daam::Conv2dImpl>(); };
        auto x = conv("decoder.conv_in")->forward(conv("post_quant_conv")->forward(z));
        x = modules["decoder.mid_block"]->as<UNetMidBlock2DImpl>()->forward(x);
        for (size_t i = 0; modules.contains("decoder.up_blocks." + std::to_string(i)); ++i)
            x = modules["decoder.up_blocks." + std::to_string(i)]->as<UpDecoderBlock2DImpl>()->forward(x);
        x = conv("decoder.conv_out")
                ->forward(modules["decoder.conv_norm_out"]->as<daam::GroupNormImpl>()->forwardSilu(x));
        QVERIFY(!x.is_contiguous(torch::MemoryFormat::ChannelsLast) || x.size(1) == 1);
        // The two ways round bf16 at different points through some thirty layers: each is as close to float32.
        const double nchwErr = daam::test::relativeError(x.to(torch::kFloat32), unit.at("vae.decode_out"));
        const double layoutErr = daam::test::relativeError(image.to(torch::kFloat32), x.to(torch::kFloat32));
        qInfo("NCHW bf16 decode vs float32 %.2e; channels-last vs NCHW %.2e", nchwErr, layoutErr);
        QVERIFY2(err <= 1.5 * nchwErr, qPrintable(QString::number(err)));
    }

    void wrongShapeNamesTensor() {
        DAAM_REQUIRE_REFERENCE();
        const auto dir = daam::test::makeTempDir("vae-shape") + "/vae";
        std::filesystem::copy(daam::test::referencePath("pipelines/sd1-tiny/vae"), dir,
                              std::filesystem::copy_options::recursive);
        auto config = daam::readJsonFile(dir + "/config.json");
        config["latent_channels"] = 8;
        daam::writeJsonFile(dir + "/config.json", config);
        // Found before the model is built: the key and a tensor that shows the difference.
        DAAM_VERIFY_THROWS_NAMING(FileError, loadAutoencoderKL(dir),
                                  "config.json: key \"latent_channels\" does not match the weights",
                                  "'quant_conv.weight'");
    }

    // Absurd sizes end in a FileError naming config.json and the key, never in LibTorch's allocation error.
    void absurdSizesNameTheKey_data() {
        QTest::addColumn<QByteArray>("edit");
        QTest::addColumn<QString>("expected");
        QTest::newRow("channels") << QByteArray(R"({"block_out_channels": [1000000000000, 64]})")
                                  << R"(key "block_out_channels" must be from 1 to 16384)";
        QTest::newRow("layers") << QByteArray(R"({"layers_per_block": 1000000})")
                                << R"(key "layers_per_block" must be from 1 to 256)";
        QTest::newRow("latent channels") << QByteArray(R"({"latent_channels": -4})")
                                         << R"(key "latent_channels" must be from 1 to 16384)";
        QTest::newRow("norm groups") << QByteArray(R"({"norm_num_groups": 0})")
                                     << R"(key "norm_num_groups" must be from 1 to 16384)";
        QTest::newRow("not an integer") << QByteArray(R"({"layers_per_block": "many"})")
                                        << R"(key "layers_per_block" must be an integer)";
        QTest::newRow("layers unlike the weights")
            << QByteArray(R"({"layers_per_block": 256})") << R"(key "layers_per_block" does not match the weights)";
        QTest::newRow("channels unlike the weights")
            << QByteArray(R"({"block_out_channels": [16384, 16384], "norm_num_groups": 32})")
            << R"(key "block_out_channels" does not match the weights)";
    }
    void absurdSizesNameTheKey() {
        DAAM_REQUIRE_REFERENCE();
        QFETCH(QByteArray, edit);
        QFETCH(QString, expected);
        const auto dir = daam::test::makeTempDir("vae-absurd") + "/vae";
        std::filesystem::copy(daam::test::referencePath("pipelines/sd1-tiny/vae"), dir,
                              std::filesystem::copy_options::recursive);
        auto config = daam::readJsonFile(dir + "/config.json");
        config.update(nlohmann::json::parse(edit.toStdString()));
        daam::writeJsonFile(dir + "/config.json", config);
        try {
            loadAutoencoderKL(dir);
            QFAIL("an absurd config was accepted");
        } catch (const FileError& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.rfind(dir + "/config.json: " + expected.toStdString(), 0) == 0, msg.c_str());
            QVERIFY2(msg.size() < dir.size() + 300, msg.c_str());
        }
    }

    // diffusers' mid_block_add_attention: false builds the encoder's and decoder's mid blocks without their
    // self-attention (no "attentions" weights), and the two ResNets run back to back.
    void midBlockWithoutAttention() {
        const auto dir = daam::test::makeTempDir("vae-no-mid-attention");
        auto config = nlohmann::json{{"_class_name", "AutoencoderKL"},
                                     {"block_out_channels", {32}},
                                     {"down_block_types", {"DownEncoderBlock2D"}},
                                     {"up_block_types", {"UpDecoderBlock2D"}},
                                     {"latent_channels", 4},
                                     {"norm_num_groups", 32}};
        for (bool add : {true, false}) {
            config["mid_block_add_attention"] = add;
            std::ofstream(dir + "/config.json") << config.dump(2);
            const auto parsed = AutoencoderKLConfig::fromFile(dir + "/config.json");
            QCOMPARE(parsed.midBlockAddAttention, add);
            AutoencoderKL vae(parsed);
            int attention = 0;
            for (const auto& p : vae->named_parameters())
                attention += p.key().find("mid_block.attentions") != std::string::npos;
            QCOMPARE(attention > 0, add);
            torch::NoGradGuard noGrad;
            const auto x = torch::rand({1, 3, 16, 16}) * 2 - 1;
            const auto z = vae->encode(x).mean;
            // One block: the latents keep the image's size (a latent factor of 1).
            QCOMPARE(z.sizes(), (torch::IntArrayRef{1, 4, 16, 16}));
            QCOMPARE(vae->decode(z).sizes(), x.sizes());
        }
    }
};

DAAM_TEST_APPLESS_MAIN(TestVae)
#include "test_vae.moc"
