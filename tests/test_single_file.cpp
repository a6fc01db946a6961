// SPDX-License-Identifier: GPL-3.0-or-later
// Single-file checkpoints in the original layout: each tiny reference pipeline written as one .safetensors with
// its YAML gives the image and the heat maps its diffusers folder gives; in F16 within 5e-3; a file of a model
// shaped by SD 1.x's rules opens with no YAML; and every kind of bad file is refused naming it.
#include "daam/config/AutoencoderKLConfig.h"
#include "daam/config/OriginalCheckpoint.h"
#include "daam/config/UNet2DConditionConfig.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/pipeline/OriginalCheckpointWriter.h"
#include "daam/pipeline/RandomPipeline.h"
#include "daam/text/ClipTokenizer.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace {

std::string singleFileErrorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const daam::Error& e) {
        return e.what();
    }
    return "(no error)";
}

void replaceInFile(const std::string& path, const std::string& from, const std::string& to) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find(from);
    QVERIFY2(at != std::string::npos, qPrintable(QString::fromStdString(path + " has no " + from)));
    text.replace(at, from.size(), to);
    std::ofstream(path, std::ios::trunc) << text;
}

// The image and every word's heat map, from the same request on both models.
void compareGenerations(daam::StableDiffusionPipeline& folder, daam::StableDiffusionPipeline& file,
                        const daam::GenerationRequest& request, double tolerance) {
    const auto a = daam::generateTraced(folder, request, nullptr, {torch::kFloat32, false});
    const auto b = daam::generateTraced(file, request, nullptr, {torch::kFloat32, false});
    daam::HeatMapAggregator maps(a.session.trace, a.session.gridSide, a.session.gridSide);
    qInfo("relative error: image %.3g, text %.3g", daam::test::relativeError(b.result.image, a.result.image),
          daam::test::relativeError(b.result.textCond, a.result.textCond));
    DAAM_COMPARE_TENSORS("text", b.result.textCond, a.result.textCond, tolerance);
    DAAM_COMPARE_TENSORS("image", b.result.image, a.result.image, tolerance);
    daam::HeatMapAggregator& aggA = maps;
    daam::HeatMapAggregator aggB(b.session.trace, b.session.gridSide, b.session.gridSide);
    QCOMPARE(b.session.gridSide, a.session.gridSide);
    DAAM_COMPARE_TENSORS("global heat maps", aggB.globalMaps({}), aggA.globalMaps({}), tolerance);
}

} // namespace

class TestSingleFile : public QObject {
    Q_OBJECT

    std::string writeCheckpoint(const std::string& pipeline, const daam::OriginalCheckpointOptions& options,
                                const std::string& name = "model.safetensors") {
        const auto dir = daam::test::makeTempDir("single-file-" + pipeline);
        const auto file = dir + "/" + name;
        daam::writeOriginalCheckpoint(daam::test::referencePath("pipelines/" + pipeline), file, options);
        return file;
    }

private Q_SLOTS:
    void initTestCase() { DAAM_REQUIRE_REFERENCE(); }

    void givesWhatTheFolderGives_data() {
        QTest::addColumn<QString>("pipeline");
        QTest::addColumn<int>("side");
        QTest::addColumn<bool>("half");
        for (bool half : {false, true}) {
            const char* kind = half ? " F16" : " F32";
            QTest::newRow(qPrintable(QStringLiteral("sd1") + QLatin1String(kind)))
                << QStringLiteral("sd1-tiny") << 64 << half;
            QTest::newRow(qPrintable(QStringLiteral("sd2 v-prediction") + QLatin1String(kind)))
                << QStringLiteral("sd2-tiny") << 96 << half;
            QTest::newRow(qPrintable(QStringLiteral("sdxl") + QLatin1String(kind)))
                << QStringLiteral("sdxl-tiny") << 64 << half;
        }
    }
    void givesWhatTheFolderGives() {
        QFETCH(QString, pipeline);
        QFETCH(int, side);
        QFETCH(bool, half);
        daam::OriginalCheckpointOptions options;
        options.dtype = half ? torch::kFloat16 : torch::kFloat32;
        const auto file = writeCheckpoint(pipeline.toStdString(), options);

        const auto checkpoint = daam::OriginalCheckpoint::open(file);
        QVERIFY(!checkpoint.yamlPath().empty());
        auto folder =
            daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/" + pipeline.toStdString()));
        auto single = daam::StableDiffusionPipeline::load(file);
        QCOMPARE(int(single->family()), int(folder->family()));
        QCOMPARE(single->defaultScheduler(), folder->defaultScheduler());
        QCOMPARE(single->defaultImageSize(), folder->defaultImageSize());
        QCOMPARE(single->crossAttentionLayers().size(), folder->crossAttentionLayers().size());

        daam::GenerationRequest request;
        request.prompt = "a red dog and a bluebird";
        request.seed = 7;
        request.steps = 4;
        request.width = request.height = side;
        compareGenerations(*folder, *single, request, half ? 5e-3 : 1e-4);
    }

    // SD 2.x's file holds one text layer more than diffusers' folder; the YAML's "penultimate" reads past it.
    void readsTheHiddenStateTheYamlNames() {
        const auto file = writeCheckpoint("sd2-tiny", {});
        const auto checkpoint = daam::OriginalCheckpoint::open(file);
        QCOMPARE(checkpoint.textEncoders().at(0).config.numHiddenLayers, int64_t(6));
        QVERIFY((checkpoint.textEncoders().at(0).hidden == daam::CLIPHiddenState{-2, true}));
        QVERIFY(checkpoint.vPrediction());
        // "last" reads the extra layer: another conditioning.
        replaceInFile(checkpoint.yamlPath(), "layer: \"penultimate\"", "layer: \"last\"");
        auto folder = daam::StableDiffusionPipeline::load(daam::test::referencePath("pipelines/sd2-tiny"));
        auto single = daam::StableDiffusionPipeline::load(file);
        daam::GenerationRequest request;
        request.prompt = "a red dog";
        request.steps = 1;
        request.width = request.height = 64;
        const auto a = folder->generate(request), b = single->generate(request);
        QVERIFY(daam::test::relativeError(b.textCond, a.textCond) > 1e-2);
    }

    // No YAML: the configuration comes from the tensors, the tokenizer is CLIP's own.
    void opensWithoutYaml() {
        const auto dir = daam::test::makeTempDir("single-file-standard");
        daam::writeRandomPipeline(dir + "/folder", daam::smallStandardSpec());
        daam::OriginalCheckpointOptions options;
        options.yaml = false;
        daam::writeOriginalCheckpoint(dir + "/folder", dir + "/standard.safetensors", options);
        QVERIFY(!fs::exists(dir + "/standard.yaml"));
        const auto checkpoint = daam::OriginalCheckpoint::open(dir + "/standard.safetensors");
        QVERIFY(checkpoint.yamlPath().empty());
        QCOMPARE(int(checkpoint.family()), int(daam::ModelFamily::SD1));
        QVERIFY(checkpoint.textEncoders().at(0).tokenizerDir.empty());
        const auto inferred = daam::UNet2DConditionConfig::fromJson(checkpoint.unetConfig(), "inferred");
        const auto written = daam::UNet2DConditionConfig::fromFile(dir + "/folder/unet/config.json");
        QVERIFY(inferred.blockOutChannels == written.blockOutChannels);
        QVERIFY(inferred.downBlockTypes == written.downBlockTypes);
        QVERIFY(inferred.upBlockTypes == written.upBlockTypes);
        QVERIFY(inferred.numAttentionHeads == written.numAttentionHeads);
        QCOMPARE(inferred.layersPerBlock, written.layersPerBlock);
        QCOMPARE(inferred.crossAttentionDim, written.crossAttentionDim);

        auto folder = daam::StableDiffusionPipeline::load(dir + "/folder");
        auto single = daam::StableDiffusionPipeline::load(dir + "/standard.safetensors");
        daam::GenerationRequest request;
        request.prompt = "a photo of a cat";
        request.steps = 3;
        request.width = request.height = 64;
        compareGenerations(*folder, *single, request, 1e-4);
    }

    // Names of Stability's own SD 1.5 file (v1-5-pruned-emaonly), as diffusers' conversion script pairs them.
    void namesAreStabilitys() {
        const auto spec = daam::sd15RandomSpec();
        const auto unet = daam::unetNameMap(daam::UNet2DConditionConfig::fromJson(spec.unet, "sd15"));
        const std::vector<std::pair<std::string, std::string>> unetPairs = {
            {"conv_in.weight", "input_blocks.0.0.weight"},
            {"time_embedding.linear_2.bias", "time_embed.2.bias"},
            {"down_blocks.0.resnets.1.norm1.weight", "input_blocks.2.0.in_layers.0.weight"},
            {"down_blocks.0.downsamplers.0.conv.weight", "input_blocks.3.0.op.weight"},
            {"down_blocks.1.resnets.0.conv_shortcut.weight", "input_blocks.4.0.skip_connection.weight"},
            {"down_blocks.1.attentions.1.transformer_blocks.0.attn2.to_k.weight",
             "input_blocks.5.1.transformer_blocks.0.attn2.to_k.weight"},
            {"down_blocks.3.resnets.1.conv1.weight", "input_blocks.11.0.in_layers.2.weight"},
            {"mid_block.attentions.0.proj_in.weight", "middle_block.1.proj_in.weight"},
            {"mid_block.resnets.1.time_emb_proj.bias", "middle_block.2.emb_layers.1.bias"},
            {"up_blocks.0.resnets.2.conv2.weight", "output_blocks.2.0.out_layers.3.weight"},
            {"up_blocks.0.upsamplers.0.conv.weight", "output_blocks.2.1.conv.weight"},
            {"up_blocks.1.upsamplers.0.conv.weight", "output_blocks.5.2.conv.weight"},
            {"up_blocks.3.attentions.2.transformer_blocks.0.ff.net.0.proj.weight",
             "output_blocks.11.1.transformer_blocks.0.ff.net.0.proj.weight"},
            {"conv_norm_out.bias", "out.0.bias"}};
        for (const auto& [ours, theirs] : unetPairs) {
            const auto mapped = unet.theirs(ours);
            QVERIFY2(mapped && mapped->first == theirs, ours.c_str());
            const auto back = unet.ours(theirs);
            QVERIFY2(back.size() == 1 && back[0].first == ours, theirs.c_str());
        }
        const auto vae = daam::vaeNameMap(daam::AutoencoderKLConfig::fromJson(spec.vae, "sd15"));
        for (const auto& [ours, theirs] : std::vector<std::pair<std::string, std::string>>{
                 {"decoder.up_blocks.0.upsamplers.0.conv.weight", "decoder.up.3.upsample.conv.weight"},
                 {"decoder.up_blocks.2.resnets.0.conv_shortcut.bias", "decoder.up.1.block.0.nin_shortcut.bias"},
                 {"encoder.down_blocks.2.downsamplers.0.conv.weight", "encoder.down.2.downsample.conv.weight"},
                 {"encoder.mid_block.attentions.0.to_q.weight", "encoder.mid.attn_1.q.weight"},
                 {"decoder.mid_block.attentions.0.group_norm.bias", "decoder.mid.attn_1.norm.bias"},
                 {"encoder.conv_norm_out.weight", "encoder.norm_out.weight"}}) {
            const auto mapped = vae.theirs(ours);
            QVERIFY2(mapped && mapped->first == theirs, ours.c_str());
        }
        const auto clip = daam::clipNameMap(24, true, true);
        QCOMPARE(clip.theirs("text_model.encoder.layers.23.mlp.fc2.bias")->first,
                 std::string("transformer.resblocks.23.mlp.c_proj.bias"));
        QCOMPARE(clip.ours("transformer.resblocks.3.attn.in_proj_weight").size(), size_t(3));
        QCOMPARE(clip.theirs("text_projection.weight")->first, std::string("text_projection"));
    }

    // OpenAI's vocabulary gives the ids transformers' CLIPTokenizer gives for openai/clip-vit-large-patch14.
    void standardTokenizerMatchesClip() {
        const auto sd1 = daam::ClipTokenizer::standard(false);
        const auto ids = sd1->encode("a photo of a cat").ids;
        const std::vector<int64_t> head(ids.begin(), ids.begin() + 8);
        QVERIFY((head == std::vector<int64_t>{49406, 320, 1125, 539, 320, 2368, 49407, 49407}));
        QCOMPARE(sd1->vocabSize(), int64_t(49408));
        const auto sd2 = daam::ClipTokenizer::standard(true);
        QCOMPARE(sd2->encode("a photo of a cat").ids.at(7), int64_t(0));
    }

    void refusesBadFiles() {
        const auto dir = daam::test::makeTempDir("single-file-bad");
        auto expect = [](const std::string& path, const std::string& problem) {
            const auto message = singleFileErrorOf([&] { daam::StableDiffusionPipeline::load(path); });
            QVERIFY2(message.find(path) != std::string::npos && message.find(problem) != std::string::npos,
                     qPrintable(QString::fromStdString(message)));
            QVERIFY2(message.size() < 600, qPrintable(QString::fromStdString(message)));
        };
        // A pickle, by name and by content.
        std::ofstream(dir + "/model.ckpt") << "PK\x03\x04 whatever";
        expect(dir + "/model.ckpt", "pickle");
        std::ofstream(dir + "/disguised.safetensors") << "PK\x03\x04 whatever";
        expect(dir + "/disguised.safetensors", "pickle");

        // One component of a diffusers folder, not a checkpoint.
        const auto unet = daam::test::referencePath("pipelines/sd1-tiny/unet/diffusion_pytorch_model.safetensors");
        expect(unet, "diffusers folder");

        // Parts missing: the VAE, a text encoder.
        const auto full = writeCheckpoint("sd1-tiny", {}, "full.safetensors");
        auto tensors = daam::loadSafetensors(full);
        auto without = [&](const std::string& prefix, const std::string& name) {
            std::vector<std::pair<std::string, torch::Tensor>> kept;
            for (const auto& [n, t] : tensors)
                if (n.compare(0, prefix.size(), prefix) != 0) kept.emplace_back(n, t);
            daam::saveSafetensors(dir + "/" + name, kept);
            return dir + "/" + name;
        };
        expect(without("first_stage_model.", "no-vae.safetensors"), "has no VAE");
        expect(without("cond_stage_model.", "no-text.safetensors"), "has no text encoder");
        expect(without("model.diffusion_model.", "no-unet.safetensors"), "not a Stable Diffusion checkpoint");

        // Tensors of a family we do not know: a text encoder in neither CLIP layout.
        {
            std::vector<std::pair<std::string, torch::Tensor>> kept;
            for (const auto& [n, t] : tensors)
                kept.emplace_back(n.compare(0, 25, "cond_stage_model.transfor") == 0 ? "cond_stage_model.t5." + n : n,
                                  t);
            daam::saveSafetensors(dir + "/t5.safetensors", kept);
            expect(dir + "/t5.safetensors", "does not know");
        }
        // An inpainting UNet (9 input channels).
        {
            auto copy = tensors;
            copy["model.diffusion_model.input_blocks.0.0.weight"] = torch::zeros({32, 9, 3, 3});
            std::vector<std::pair<std::string, torch::Tensor>> all(copy.begin(), copy.end());
            daam::saveSafetensors(dir + "/inpaint.safetensors", all);
            expect(dir + "/inpaint.safetensors", "inpainting");
        }

        // A YAML that contradicts the tensors: named, and its key.
        const auto yaml = fs::path(full).replace_extension(".yaml").string();
        replaceInFile(yaml, "channel_mult: [1, 1, 2]", "channel_mult: [1, 2, 4]");
        const auto message = singleFileErrorOf([&] { daam::StableDiffusionPipeline::load(full); });
        QVERIFY2(message.find(yaml) == 0 && message.find("channel_mult") != std::string::npos &&
                     message.find("does not belong") != std::string::npos,
                 qPrintable(QString::fromStdString(message)));
    }
};

DAAM_TEST_GUILESS_MAIN(TestSingleFile)
#include "test_single_file.moc"
