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
