// SPDX-License-Identifier: GPL-3.0-or-later
// SDXL's options beside the text: micro-conditioning (original size, crop, target size) with diffusers'
// defaults, force_zeros_for_empty_prompt from model_index.json, and the VAE's force_upcast read from its config.
#include "daam/config/AutoencoderKLConfig.h"
#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>

namespace fs = std::filesystem;

class TestSdxlConditioning : public QObject {
    Q_OBJECT
    std::unique_ptr<daam::StableDiffusionPipeline> sdxl_;

    daam::GenerationRequest request() const {
        daam::GenerationRequest r;
        r.prompt = "a red dog";
        r.seed = 3;
        r.steps = 2;
        r.width = r.height = 64;
        return r;
    }

private Q_SLOTS:
    void initTestCase() {
        DAAM_REQUIRE_REFERENCE();
        sdxl_ = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/sdxl-tiny"));
    }

    void defaultsAreTheImageSize() {
        const auto plain = sdxl_->generate(request());
        QCOMPARE(plain.request.originalWidth, 64);
        QCOMPARE(plain.request.targetHeight, 64);
        auto explicitRequest = request();
        explicitRequest.originalWidth = explicitRequest.originalHeight = 64;
        explicitRequest.targetWidth = explicitRequest.targetHeight = 64;
        QVERIFY(torch::equal(sdxl_->generate(explicitRequest).image, plain.image));
        // The record keeps them, (height, width) as diffusers orders them.
        const auto j = plain.request.toJson();
        QCOMPARE(j["original_size"][0].get<int>(), 64);
        const auto back = daam::GenerationRequest::fromJson(j, "record");
        QCOMPARE(back.targetWidth, 64);
    }

    void eachConditionChangesTheImage() {
        const auto plain = sdxl_->generate(request()).image;
        auto original = request();
        original.originalWidth = 1024;
        original.originalHeight = 768;
        auto crop = request();
        crop.cropTop = 32;
        auto target = request();
        target.targetWidth = 512;
        for (const auto& r : {original, crop, target}) {
            // The tiny model's random add_embedding moves the image only a little (5.8e-7 relative for the original
            // size), but the same inputs give the same bits: any change is the condition arriving.
            const auto image = sdxl_->generate(r).image;
            QVERIFY(!torch::equal(image, plain));
        }
    }

    void refusedForOtherFamilies() {
        auto sd1 = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/sd1-tiny"));
        auto r = request();
        r.cropLeft = 8;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, sd1->generate(r), "SDXL");
        r.cropLeft = -1;
        QVERIFY_THROWS_EXCEPTION(daam::Error, r.validate());
    }

    void forceZerosForEmptyPromptFromTheIndex() {
        QVERIFY(torch::equal(sdxl_->generate(request()).textUncond,
                             torch::zeros_like(sdxl_->generate(request()).textUncond)));
        const auto dir = daam::test::makeTempDir("sdxl-no-force-zeros");
        fs::copy(daam::test::referencePath("pipelines/sdxl-tiny"), dir, fs::copy_options::recursive);
        auto index = daam::readJsonFile(dir + "/model_index.json");
        index["force_zeros_for_empty_prompt"] = false;
        daam::writeJsonFile(dir + "/model_index.json", index);
        auto encoded = daam::StableDiffusionPipeline::load(dir);
        const auto out = encoded->generate(request());
        QVERIFY(out.textUncond.abs().sum().item<double>() > 0);
        // The encoded "" is what the negative prompt's encoding gives for an empty text.
        QVERIFY(daam::test::relativeError(out.image, sdxl_->generate(request()).image) > 1e-6);

        index["force_zeros_for_empty_prompt"] = "yes";
        daam::writeJsonFile(dir + "/model_index.json", index);
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::StableDiffusionPipeline::load(dir), dir + "/model_index.json",
                                  "force_zeros_for_empty_prompt");
    }

    void forceUpcastIsRead() {
        const auto dir = daam::test::makeTempDir("vae-force-upcast");
        auto config = daam::readJsonFile(daam::test::referencePath("pipelines/sdxl-tiny/vae/config.json"));
        QVERIFY(daam::AutoencoderKLConfig::fromJson(config, "vae").forceUpcast == config.value("force_upcast", true));
        config["force_upcast"] = false;
        QVERIFY(!daam::AutoencoderKLConfig::fromJson(config, "vae").forceUpcast);
        config.erase("force_upcast");
        QVERIFY(daam::AutoencoderKLConfig::fromJson(config, "vae").forceUpcast); // diffusers' default
    }
};

DAAM_TEST_GUILESS_MAIN(TestSdxlConditioning)
#include "test_sdxl_conditioning.moc"
