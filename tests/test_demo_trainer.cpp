// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in model's trainer: a run stopped at a checkpoint and resumed trains the same model, byte for
// byte, as one that never stopped; the loss log ends where the checkpoint does; a checkpoint made with
// other options is refused by name; the thread counts each phase ran with are recorded and said; and what it
// exports is a pipeline folder the engine generates with.
#include "daam/builtin/BuiltInModel.h"
#include "daam/builtin/DemoTrainer.h"
#include "daam/pipeline/StableDiffusionPipeline.h"
#include "daam/util/Error.h"

#include <ATen/Parallel.h>

#include "CliRunner.h"
#include "TestSupport.h"

#include "TestMain.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace {

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

daam::builtin::DemoTrainOptions tinyOptions(const std::string& out) {
    daam::builtin::DemoTrainOptions o;
    o.outDir = out;
    o.vaeSteps = 4;
    o.vaeBatch = 2;
    o.decoderSteps = 4;
    o.latentScenes = 24;
    o.unetSteps = 6;
    o.unetBatch = 3;
    // The design is spelt out, so that these runs stay tiny and the identity checks below keep testing the
    // same changes, whatever the built-in model's defaults become.
    o.latentFactor = 4;
    o.unetChannels = {8, 16};
    o.unetCrossAttention = {true, true};
    o.unetUpCrossAttention = {};
    o.unetOnlyCrossAttention = {};
    o.unetMidBlock = "cross";
    o.unetLayersPerBlock = 1;
    o.unetHeads = 4;
    o.textWidth = 64;
    o.textLayers = 2;
    o.groundingWeight = 0;
    o.checkpointEvery = 2;
    return o;
}

// Trains `o` in runs that each stop at their first checkpoint until one finishes; returns how many runs that
// took, or 0 when `maxRuns` runs did not finish it.
int trainInStoppedRuns(daam::builtin::DemoTrainOptions o, int maxRuns) {
    o.stopAfterSeconds = 1e-9;
    for (int runs = 1; runs <= maxRuns; ++runs)
        if (daam::builtin::trainDemoModel(o).finished) return runs;
    return 0;
}

// The loss column of train-log.tsv (the seconds column differs between runs).
std::vector<std::string> lossColumn(const std::string& path) {
    std::istringstream in(readBytes(path));
    std::vector<std::string> rows;
    for (std::string line; std::getline(in, line);) {
        std::istringstream cells(line);
        std::string phase, step, loss;
        cells >> phase >> step >> loss;
        rows.push_back(phase + " " + step + " " + loss);
    }
    return rows;
}

// The UNet config.json that a training folder exported.
nlohmann::json exportedUNetConfig(const std::string& trainingDir) {
    return nlohmann::json::parse(readBytes(trainingDir + "/model/unet/config.json"));
}

// A two-step generation of a caption of the world, as a check that an exported model runs.
bool generatesAFiniteImage(daam::StableDiffusionPipeline& pipeline) {
    daam::GenerationRequest request;
    request.prompt = "a red circle";
    request.steps = 2;
    return pipeline.generate(request).image.isfinite().all().item<bool>();
}

} // namespace

class TestDemoTrainer : public QObject {
    Q_OBJECT
    std::string straight_;

private Q_SLOTS:
    void initTestCase() {
        straight_ = daam::test::makeTempDir("demo-train") + "/straight";
        std::vector<std::string> phases;
        const auto r =
            daam::builtin::trainDemoModel(tinyOptions(straight_), [&](const daam::builtin::DemoTrainProgress& p) {
                if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
            });
        QVERIFY(r.finished);
        const std::vector<std::string> expected{"tokenizer", "vae", "latents", "decoder", "unet", "done"};
        QCOMPARE(phases, expected);
    }

    void resumedRunEqualsStraightRun() {
        const auto out = daam::test::makeTempDir("demo-train") + "/resumed";
        const int runs = trainInStoppedRuns(tinyOptions(out), 20);
        QVERIFY2(runs >= 5, std::to_string(runs).c_str()); // stopped inside the VAE, decoder and UNet phases
        // spiece.model records the paths it was trained from; its vocabulary must agree.
        for (const char* file : {"vae/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.safetensors",
                                 "text_encoder/model.safetensors", "tokenizer/spiece.vocab"}) {
            const auto a = readBytes(straight_ + "/model/" + file), b = readBytes(out + "/model/" + file);
            QVERIFY2(!a.empty(), file);
            QVERIFY2(a == b, file);
        }
        QCOMPARE(lossColumn(out + "/train-log.tsv"), lossColumn(straight_ + "/train-log.tsv"));
        // The header, then a line at every checkpoint: VAE and decoder steps 2 and 4, UNet steps 2, 4 and 6.
        QCOMPARE(lossColumn(out + "/train-log.tsv").size(), size_t(1 + 2 + 2 + 3));
    }

    void aGroundedRunTrainsOtherWeightsAndResumesAlike() {
        // The grounding loss changes the UNet phase's losses and weights (not the autoencoder's), and a grounded
        // run stopped at every checkpoint and resumed trains the same bytes as one that never stopped.
        const auto root = daam::test::makeTempDir("demo-train-grounded");
        auto o = tinyOptions(root + "/straight");
        o.groundingWeight = 0.5;
        o.autoencoderFrom = straight_;
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        auto resumed = o;
        resumed.outDir = root + "/resumed";
        const int runs = trainInStoppedRuns(resumed, 10);
        QVERIFY2(runs >= 3, std::to_string(runs).c_str());
        const auto unet = "/model/unet/diffusion_pytorch_model.safetensors";
        QVERIFY(readBytes(o.outDir + unet) == readBytes(resumed.outDir + unet));
        QVERIFY(readBytes(o.outDir + unet) != readBytes(straight_ + unet));
        const auto grounded = lossColumn(o.outDir + "/train-log.tsv"), plain = lossColumn(straight_ + "/train-log.tsv");
        QCOMPARE(lossColumn(resumed.outDir + "/train-log.tsv"), grounded);
        QVERIFY(grounded.back().rfind("unet ", 0) == 0);
        QVERIFY(grounded.back() != plain.back());
        auto pipeline = daam::StableDiffusionPipeline::load(o.outDir + "/model");
        QVERIFY(generatesAFiniteImage(*pipeline));
    }

    void recordsTheThreadCountsOfEachPhase() {
        // A straight run lists one count per phase; a run resumed with another count lists both where it
        // changed, and every phase after with the new count alone.
        using Threads = std::vector<std::pair<std::string, std::vector<int>>>;
        const int before = at::get_num_threads();
        const auto state = nlohmann::json::parse(readBytes(straight_ + "/checkpoint/state.json"));
        QCOMPARE(state.at("threads"),
                 nlohmann::json({{"vae", {before}}, {"latents", {before}}, {"decoder", {before}}, {"unet", {before}}}));
        const auto root = daam::test::makeTempDir("demo-train");
        auto o = tinyOptions(root + "/mixed");
        o.stopAfterSeconds = 1e-9;
        at::set_num_threads(1);
        const auto first = daam::builtin::trainDemoModel(o); // stops at the VAE's first checkpoint
        at::set_num_threads(2);
        o.stopAfterSeconds = 0;
        const auto second = daam::builtin::trainDemoModel(o);
        at::set_num_threads(before);
        QVERIFY(!first.finished);
        QCOMPARE(first.threadsByPhase, (Threads{{"vae", {1}}}));
        QVERIFY(second.finished);
        QCOMPARE(second.threadsByPhase, (Threads{{"vae", {1, 2}}, {"latents", {2}}, {"decoder", {2}}, {"unet", {2}}}));
        // A run that takes this one's autoencoder takes its record of it too.
        auto borrower = tinyOptions(root + "/borrower");
        borrower.autoencoderFrom = o.outDir;
        at::set_num_threads(1);
        const auto third = daam::builtin::trainDemoModel(borrower);
        at::set_num_threads(before);
        QCOMPARE(third.threadsByPhase, (Threads{{"vae", {1, 2}}, {"latents", {2}}, {"decoder", {2}}, {"unet", {1}}}));
        // A record that is not a list of counts per phase is refused, naming the file.
        const auto statePath = o.outDir + "/checkpoint/state.json";
        auto broken = nlohmann::json::parse(readBytes(statePath));
        broken["threads"] = {{"vae", {0}}};
        std::ofstream(statePath, std::ios::trunc) << broken.dump();
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(o), statePath,
                                  "'threads' must map each phase to a list of thread counts");
    }

    void commandSaysTheThreadCountsOfEachPhase() {
        // daam-cli train-demo ends by saying what each phase ran with, and which phases ran with two counts.
        const auto out = QString::fromStdString(daam::test::makeTempDir("demo-train") + "/cli");
        const QStringList tiny =
            QStringLiteral("train-demo --vae-steps 2 --vae-batch 2 --decoder-steps 2 --scenes 8 --unet-steps 2 "
                           "--unet-batch 2 --out")
                .split(QLatin1Char(' ')) +
            QStringList{out};
        qputenv("DAAM_THREADS", "1");
        const auto r = daam::test::runCli(tiny);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("threads per phase: vae 1, latents 1, decoder 1, unet 1\n")),
                 qPrintable(r.out));
        QVERIFY2(!r.out.contains(QStringLiteral("note:")), qPrintable(r.out));
        qputenv("DAAM_THREADS", "2");
        const auto more = daam::test::runCli(tiny + QStringList{QStringLiteral("--unet-steps"), QStringLiteral("4")});
        qunsetenv("DAAM_THREADS");
        QVERIFY2(more.exitCode == 0, qPrintable(more.err));
        QVERIFY2(more.out.contains(QStringLiteral("threads per phase: vae 1, latents 1, decoder 1, unet 1+2\n")),
                 qPrintable(more.out));
        QVERIFY2(more.out.contains(QStringLiteral("note: unet ran with more than one thread count")),
                 qPrintable(more.out));
    }

    void moreUNetStepsAfterTheEnd() {
        // A finished run asked for more UNet steps goes on from its last step, to the same weights as a run
        // that had asked for them from the start.
        const auto root = daam::test::makeTempDir("demo-train");
        auto longer = tinyOptions(root + "/longer");
        longer.unetSteps = 8;
        QVERIFY(daam::builtin::trainDemoModel(longer).finished);
        auto extended = tinyOptions(root + "/extended");
        QVERIFY(daam::builtin::trainDemoModel(extended).finished);
        extended.unetSteps = 8;
        int unetSteps = 0;
        QVERIFY(daam::builtin::trainDemoModel(extended, [&](const daam::builtin::DemoTrainProgress& p) {
                    if (p.phase == "unet") unetSteps = std::max(unetSteps, p.step);
                    QVERIFY(p.phase == "unet" || p.phase == "done");
                }).finished);
        QCOMPARE(unetSteps, 8);
        for (const char* file : {"unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"})
            QVERIFY2(readBytes(root + "/longer/model/" + file) == readBytes(root + "/extended/model/" + file), file);
        QCOMPARE(lossColumn(root + "/extended/train-log.tsv"), lossColumn(root + "/longer/train-log.tsv"));
        // Asking for no more than it trained changes nothing.
        const auto before = readBytes(root + "/extended/model/unet/diffusion_pytorch_model.safetensors");
        extended.unetSteps = 6;
        QVERIFY(daam::builtin::trainDemoModel(extended).finished);
        QVERIFY(readBytes(root + "/extended/model/unet/diffusion_pytorch_model.safetensors") == before);
    }

    void unetDesignsShareAnAutoencoder() {
        const auto root = daam::test::makeTempDir("demo-train");
        // From a finished run with the same options: only the UNet phase runs, and it trains what the straight
        // run trained (its batches and noise depend on the seed and step alone).
        auto same = tinyOptions(root + "/same");
        same.autoencoderFrom = straight_;
        QVERIFY(daam::builtin::trainDemoModel(same, [](const daam::builtin::DemoTrainProgress& p) {
                    QVERIFY2(p.phase == "unet" || p.phase == "done", p.phase.c_str());
                }).finished);
        for (const char* file : {"vae/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.safetensors",
                                 "text_encoder/model.safetensors", "tokenizer/spiece.model"}) {
            const auto a = readBytes(straight_ + "/model/" + file);
            QVERIFY2(!a.empty(), file);
            QVERIFY2(a == readBytes(same.outDir + "/model/" + file), file);
        }
        auto straightRows = lossColumn(straight_ + "/train-log.tsv");
        std::vector<std::string> unetRows{straightRows.front()};
        for (const auto& row : straightRows)
            if (row.rfind("unet ", 0) == 0) unetRows.push_back(row);
        QCOMPARE(lossColumn(same.outDir + "/train-log.tsv"), unetRows);

        // Another UNet design on the same autoencoder.
        auto wider = tinyOptions(root + "/wider");
        wider.unetChannels = {12, 24};
        wider.autoencoderFrom = straight_;
        QVERIFY(daam::builtin::trainDemoModel(wider).finished);
        QCOMPARE(readBytes(wider.outDir + "/model/vae/diffusion_pytorch_model.safetensors"),
                 readBytes(straight_ + "/model/vae/diffusion_pytorch_model.safetensors"));
        const auto config = exportedUNetConfig(wider.outDir);
        QCOMPARE(config.at("block_out_channels"), nlohmann::json({12, 24}));
        // Once it has a checkpoint, the option is ignored and the run resumes as any other.
        wider.unetSteps = 8;
        wider.autoencoderFrom = root + "/nowhere";
        QVERIFY(daam::builtin::trainDemoModel(wider).finished);
    }

    void anAutoencoderMidwayTrainsItsOwnDecoder() {
        // A run stopped in its decoder phase lends its latents; the new run trains the decoder from the start,
        // to the straight run's decoder.
        const auto root = daam::test::makeTempDir("demo-train");
        auto early = tinyOptions(root + "/early");
        early.stopAfterSeconds = 1e-9;
        std::string phase;
        for (int runs = 0; phase != "decoder" && runs < 10; ++runs) {
            daam::builtin::trainDemoModel(early);
            phase = nlohmann::json::parse(readBytes(early.outDir + "/checkpoint/state.json")).at("phase");
        }
        QCOMPARE(phase, std::string("decoder"));
        auto o = tinyOptions(root + "/late");
        o.autoencoderFrom = early.outDir;
        std::vector<std::string> phases;
        QVERIFY(daam::builtin::trainDemoModel(o, [&](const daam::builtin::DemoTrainProgress& p) {
                    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
                }).finished);
        QCOMPARE(phases, (std::vector<std::string>{"decoder", "unet", "done"}));
        for (const char* file : {"vae/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.safetensors"})
            QVERIFY2(readBytes(straight_ + "/model/" + file) == readBytes(o.outDir + "/model/" + file), file);
    }

    void anAutoencoderThatDoesNotFitIsRefused() {
        const auto root = daam::test::makeTempDir("demo-train");
        auto o = tinyOptions(root + "/finer");
        o.latentFactor = 2;
        o.autoencoderFrom = straight_;
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(o),
                                  straight_ + "/checkpoint/state.json", "another latent_factor (4, not 2)");
        o = tinyOptions(root + "/orphan");
        o.autoencoderFrom = root + "/missing";
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(o),
                                  root + "/missing/checkpoint/state.json", "no training checkpoint");
        // A run still in its VAE phase has no latents to lend.
        auto early = tinyOptions(root + "/early");
        early.stopAfterSeconds = 1e-9;
        QVERIFY(!daam::builtin::trainDemoModel(early).finished);
        o = tinyOptions(root + "/too-soon");
        o.autoencoderFrom = early.outDir;
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(o),
                                  early.outDir + "/checkpoint/state.json", "has not encoded its latents yet");
        // Nothing was started in the refused folders.
        QVERIFY(!std::filesystem::exists(root + "/too-soon/checkpoint/state.json"));
        QVERIFY(!std::filesystem::exists(root + "/finer/checkpoint/state.json"));
    }

    void aPipelinesAutoencoderStartsTheUNetPhase() {
        // The straight run's exported pipeline lends its tokenizer and finished VAE: the new run encodes its
        // latents and goes on to the UNet, with no decoder phase, and exports that same VAE.
        const auto root = daam::test::makeTempDir("demo-train");
        auto o = tinyOptions(root + "/from-pipeline");
        o.autoencoderFrom = straight_ + "/model";
        std::vector<std::string> phases;
        QVERIFY(daam::builtin::trainDemoModel(o, [&](const daam::builtin::DemoTrainProgress& p) {
                    if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
                }).finished);
        QCOMPARE(phases, (std::vector<std::string>{"latents", "unet", "done"}));
        for (const char* file : {"vae/diffusion_pytorch_model.safetensors", "tokenizer/spiece.model"}) {
            const auto a = readBytes(straight_ + "/model/" + file);
            QVERIFY2(!a.empty(), file);
            QVERIFY2(a == readBytes(o.outDir + "/model/" + file), file);
        }
        const auto state = nlohmann::json::parse(readBytes(o.outDir + "/checkpoint/state.json"));
        QVERIFY(state.value("autoencoder_from_pipeline", "").find("straight/model") != std::string::npos);
        auto pipeline = daam::StableDiffusionPipeline::load(o.outDir + "/model");
        QVERIFY(generatesAFiniteImage(*pipeline));

        // A VAE of another latent factor, and a pipeline without a SentencePiece tokenizer, are refused.
        auto finer = tinyOptions(root + "/finer");
        finer.latentFactor = 2;
        finer.autoencoderFrom = straight_ + "/model";
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(finer),
                                  straight_ + "/model/vae/diffusion_pytorch_model.safetensors", "tensors");
        QVERIFY(!std::filesystem::exists(finer.outDir + "/checkpoint/state.json"));
        const auto bare = root + "/bare";
        std::filesystem::create_directories(bare);
        std::filesystem::copy(straight_ + "/model", bare, std::filesystem::copy_options::recursive);
        std::filesystem::remove(bare + "/tokenizer/spiece.model");
        auto orphan = tinyOptions(root + "/orphan");
        orphan.autoencoderFrom = bare;
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(orphan),
                                  bare + "/tokenizer/spiece.model", "no SentencePiece tokenizer");
    }

    void aTokenizerTakenFromAnotherFolder() {
        // The straight run's pipeline lends its tokenizer: nothing else changes, down to the UNet's bytes.
        const auto root = daam::test::makeTempDir("demo-train");
        auto o = tinyOptions(root + "/given-tokenizer");
        o.tokenizerFrom = straight_ + "/model";
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        for (const char* file : {"tokenizer/spiece.model", "vae/diffusion_pytorch_model.safetensors",
                                 "unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"})
            QVERIFY2(readBytes(straight_ + "/model/" + file) == readBytes(o.outDir + "/model/" + file), file);
        // A training folder is read through its model/ folder; one without a tokenizer is refused by name.
        auto fromRun = tinyOptions(root + "/from-run");
        fromRun.tokenizerFrom = straight_;
        fromRun.unetSteps = 2;
        QVERIFY(daam::builtin::trainDemoModel(fromRun).finished);
        auto orphan = tinyOptions(root + "/orphan");
        orphan.tokenizerFrom = root + "/nowhere";
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(orphan),
                                  root + "/nowhere/model/tokenizer/spiece.model", "no SentencePiece tokenizer");
    }

    void otherOptionsAreRefused() {
        auto o = tinyOptions(straight_);
        o.unetChannels = {16, 32};
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(o), "state.json", "other options");
    }

    void levelsWithoutCrossAttention() {
        const auto out = daam::test::makeTempDir("demo-train") + "/plain-level";
        auto o = tinyOptions(out);
        o.unetCrossAttention = {true, false};
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        const auto config = exportedUNetConfig(out);
        QCOMPARE(config["down_block_types"], nlohmann::json({"CrossAttnDownBlock2D", "DownBlock2D"}));
        QCOMPARE(config["up_block_types"], nlohmann::json({"UpBlock2D", "CrossAttnUpBlock2D"}));
        auto pipeline = daam::StableDiffusionPipeline::load(out + "/model");
        QVERIFY(generatesAFiniteImage(*pipeline));

        o.unetCrossAttention = {true};
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(o),
                                  "one cross-attention flag per UNet level");
    }

    void upBlocksWithoutCrossAttention() {
        const auto out = daam::test::makeTempDir("demo-train") + "/down-text-only";
        auto o = tinyOptions(out);
        o.unetCrossAttention = {false, true};
        o.unetUpCrossAttention = {false, false};
        o.unetMidBlock = "resnet";
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        const auto config = exportedUNetConfig(out);
        QCOMPARE(config["down_block_types"], nlohmann::json({"DownBlock2D", "CrossAttnDownBlock2D"}));
        QCOMPARE(config["up_block_types"], nlohmann::json({"UpBlock2D", "UpBlock2D"}));
        auto pipeline = daam::StableDiffusionPipeline::load(out + "/model");
        // The down block's one attention is the only cross-attention layer, and DAAM's default reads it.
        QCOMPARE(pipeline->unet()->crossAttentionLayers().size(), size_t(1));
        QCOMPARE(pipeline->unet()->crossAttentionLayers()[0].path,
                 std::string("down_blocks.1.attentions.0.transformer_blocks.0.attn2"));
        QVERIFY(generatesAFiniteImage(*pipeline));

        // Up-block flags that differ from the down blocks' make another run.
        auto symmetric = o;
        symmetric.unetUpCrossAttention = {};
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(symmetric), "state.json",
                                  "other options");
        o.unetUpCrossAttention = {true};
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(o),
                                  "up-block cross-attention flag per UNet level");
    }

    void levelsThatAttendOnlyToTheText() {
        const auto out = daam::test::makeTempDir("demo-train") + "/only-cross";
        auto o = tinyOptions(out);
        o.unetOnlyCrossAttention = {true, false};
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        QCOMPARE(exportedUNetConfig(out)["only_cross_attention"], nlohmann::json({true, false}));
        auto pipeline = daam::StableDiffusionPipeline::load(out + "/model");
        const auto params = pipeline->unet()->named_parameters();
        const auto keyWidth = [&](const std::string& block) {
            return params[block + ".attentions.0.transformer_blocks.0.attn1.to_k.weight"].size(1);
        };
        const int64_t textWidth = params["down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"].size(1);
        QCOMPARE(keyWidth("down_blocks.0"), textWidth);
        QCOMPARE(keyWidth("up_blocks.1"), textWidth);
        QCOMPARE(keyWidth("down_blocks.1"), int64_t(o.unetChannels[1]));
        QVERIFY(generatesAFiniteImage(*pipeline));

        o.unetOnlyCrossAttention = {true};
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(o),
                                  "one only-cross-attention flag per UNet level");
        auto plain = tinyOptions(daam::test::makeTempDir("demo-train") + "/only-cross-plain");
        plain.unetCrossAttention = {false, true};
        plain.unetOnlyCrossAttention = {true, false};
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(plain), "level 0 has no cross-attention");
    }

    void textEncoderWidthLayersAndUNetHeads() {
        const auto out = daam::test::makeTempDir("demo-train") + "/text-32";
        auto o = tinyOptions(out);
        o.textWidth = 32;
        o.textLayers = 1;
        o.unetHeads = 2;
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        const auto text = nlohmann::json::parse(readBytes(out + "/model/text_encoder/config.json"));
        QCOMPARE(text["hidden_size"], nlohmann::json(32));
        QCOMPARE(text["intermediate_size"], nlohmann::json(128));
        QCOMPARE(text["num_attention_heads"], nlohmann::json(2));
        QCOMPARE(text["num_hidden_layers"], nlohmann::json(1));
        QCOMPARE(exportedUNetConfig(out)["attention_head_dim"], nlohmann::json(2));
        QCOMPARE(exportedUNetConfig(out)["cross_attention_dim"], nlohmann::json(32));
        auto pipeline = daam::StableDiffusionPipeline::load(out + "/model");
        const auto params = pipeline->unet()->named_parameters();
        QCOMPARE(params["down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"].size(1), int64_t(32));
        for (const auto& layer : pipeline->unet()->crossAttentionLayers())
            QCOMPARE(layer.heads, 2);
        QVERIFY(generatesAFiniteImage(*pipeline));

        // Each of them makes another run.
        auto width = o;
        width.textWidth = 64;
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(width), "state.json", "other options");
        auto layers = o;
        layers.textLayers = 2;
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(layers), "state.json",
                                  "other options");
        auto heads = o;
        heads.unetHeads = 4;
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(heads), "state.json", "other options");

        auto bad = tinyOptions(daam::test::makeTempDir("demo-train") + "/text-bad");
        bad.unetHeads = 3;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(bad), "divide into the 3 attention heads");
        bad.unetHeads = 4;
        bad.textWidth = 40;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(bad), "multiple of 16");
        bad.textWidth = 64;
        bad.textLayers = 0;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(bad), "layers must be 1 to 12");
    }

    void latentFactorSetsTheLatentSide() {
        const auto out = daam::test::makeTempDir("demo-train") + "/factor-2";
        auto o = tinyOptions(out);
        o.latentFactor = 2;
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        auto pipeline = daam::StableDiffusionPipeline::load(out + "/model");
        QCOMPARE(pipeline->vaeScaleFactor(), 2);
        daam::GenerationRequest request;
        request.prompt = "a red circle";
        request.steps = 2;
        const auto result = pipeline->generate(request);
        QCOMPARE(result.finalLatents.sizes(), (torch::IntArrayRef{1, 4, 32, 32}));
        QCOMPARE(result.image.sizes(), (torch::IntArrayRef{3, 64, 64}));

        // A factor of 1: latents at the image's size, and an autoencoder without mid-block attention. The UNet's
        // first level gives up its transformer here: self-attention over 64x64 latents made this one test take
        // minutes, and the latent side is what it checks.
        const auto full = daam::test::makeTempDir("demo-train") + "/factor-1";
        o.outDir = full;
        o.latentFactor = 1;
        o.unetCrossAttention = {false, true};
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        QCOMPARE(nlohmann::json::parse(readBytes(full + "/model/vae/config.json"))["mid_block_add_attention"],
                 nlohmann::json(false));
        auto fullPipeline = daam::StableDiffusionPipeline::load(full + "/model");
        QCOMPARE(fullPipeline->vaeScaleFactor(), 1);
        QCOMPARE(fullPipeline->generate(request).finalLatents.sizes(), (torch::IntArrayRef{1, 4, 64, 64}));

        o.latentFactor = 3;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(o),
                                  "the latent factor must be 1, 2, 4 or 8");
    }

    void layersPerBlockDeepenTheUNet() {
        const auto out = daam::test::makeTempDir("demo-train") + "/two-layers";
        auto o = tinyOptions(out);
        o.unetLayersPerBlock = 2;
        QVERIFY(daam::builtin::trainDemoModel(o).finished);
        QCOMPARE(exportedUNetConfig(out)["layers_per_block"], nlohmann::json(2));
        auto pipeline = daam::StableDiffusionPipeline::load(out + "/model");
        // Down blocks hold two ResNets, up blocks three (diffusers' layers_per_block + 1).
        const auto params = pipeline->unet()->named_parameters();
        QVERIFY(params.contains("down_blocks.0.resnets.1.conv1.weight"));
        QVERIFY(!params.contains("down_blocks.0.resnets.2.conv1.weight"));
        QVERIFY(params.contains("up_blocks.1.resnets.2.conv1.weight"));
        QVERIFY(params.contains("down_blocks.0.attentions.1.proj_in.weight"));
        QVERIFY(generatesAFiniteImage(*pipeline));

        o.unetLayersPerBlock = 5;
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(o), "layers per block must be 1 to 4");
    }

    void midUNetBlocks() {
        for (const std::string kind : {"resnet", "none"}) {
            const auto out = daam::test::makeTempDir("demo-train") + "/mid-" + kind;
            auto o = tinyOptions(out);
            o.unetMidBlock = kind;
            QVERIFY(daam::builtin::trainDemoModel(o).finished);
            QCOMPARE(exportedUNetConfig(out)["mid_block_type"],
                     kind == "resnet" ? nlohmann::json("UNetMidBlock2D") : nlohmann::json(nullptr));
            auto pipeline = daam::StableDiffusionPipeline::load(out + "/model");
            const auto params = pipeline->unet()->named_parameters();
            QCOMPARE(params.contains("mid_block.resnets.0.conv1.weight"), kind == "resnet");
            QVERIFY(!params.contains("mid_block.attentions.0.proj_in.weight"));
            for (const auto& layer : pipeline->unet()->crossAttentionLayers())
                QVERIFY2(layer.path.rfind("mid_block", 0) != 0, layer.path.c_str());
            QVERIFY(generatesAFiniteImage(*pipeline));
        }
        auto o = tinyOptions(daam::test::makeTempDir("demo-train") + "/mid-bogus");
        o.unetMidBlock = "attention";
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::builtin::trainDemoModel(o),
                                  "mid block must be cross, resnet or none");
    }

    void checkpointsFromBeforeTheLatentFactorAndLayerOptionsResume() {
        // Their state.json has neither latent_factor nor unet_layers_per_block: they were all trained with
        // 16x16 latents and one layer per block.
        const auto path = straight_ + "/checkpoint/state.json";
        nlohmann::json state;
        {
            std::ifstream in(path);
            state = nlohmann::json::parse(in);
        }
        state["identity"].erase("latent_factor");
        state["identity"].erase("unet_layers_per_block");
        state["identity"].erase("unet_mid_block");
        state["identity"].erase("unet_only_cross_attention");
        state["identity"].erase("unet_up_cross_attention");
        state["identity"].erase("unet_heads");
        state["identity"].erase("text_width");
        state["identity"].erase("text_layers");
        state["identity"].erase("grounding_weight");
        std::ofstream(path) << state.dump();
        QVERIFY(daam::builtin::trainDemoModel(tinyOptions(straight_)).finished);
        // Another value of any of them is another run.
        const std::function<void(daam::builtin::DemoTrainOptions&)> changes[] = {
            [](auto& o) { o.latentFactor = 2; },
            [](auto& o) { o.unetLayersPerBlock = 2; },
            [](auto& o) { o.unetMidBlock = "resnet"; },
            [](auto& o) {
                o.unetOnlyCrossAttention = {true, false};
            },
            [](auto& o) {
                o.unetUpCrossAttention = {true, false};
            },
            [](auto& o) { o.unetHeads = 2; },
            [](auto& o) { o.textWidth = 32; },
            [](auto& o) { o.textLayers = 1; },
            [](auto& o) { o.groundingWeight = 0.1; },
        };
        for (const auto& change : changes) {
            auto o = tinyOptions(straight_);
            change(o);
            DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(o),
                                      straight_ + "/checkpoint/state.json", "trained with other options");
        }
    }

    void anOptimizerStateThatDoesNotFitIsRefused() {
        // What LibTorch 2.11 made of a 1.13 checkpoint: states paired with parameters of other shapes.
        const auto root = daam::test::makeTempDir("demo-train-optim");
        auto narrow = tinyOptions(root + "/narrow");
        narrow.unetSteps = 2;
        auto wide = tinyOptions(root + "/wide");
        wide.unetSteps = 2;
        wide.unetChannels = {16, 32}; // the same parameters as {8, 16}, twice as wide
        QVERIFY(daam::builtin::trainDemoModel(narrow).finished);
        QVERIFY(daam::builtin::trainDemoModel(wide).finished);
        std::filesystem::copy_file(wide.outDir + "/checkpoint/unet-optim.pt",
                                   narrow.outDir + "/checkpoint/unet-optim.pt",
                                   std::filesystem::copy_options::overwrite_existing);
        narrow.unetSteps = 4;
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::builtin::trainDemoModel(narrow), "unet-optim.pt",
                                  "does not fit");
    }

    void exportedModelGenerates() {
        auto pipeline = daam::StableDiffusionPipeline::load(straight_ + "/model");
        QCOMPARE(pipeline->defaultImageSize(), 64);
        QCOMPARE(pipeline->tokenizer().maxLength(), 32);
        QCOMPARE(pipeline->defaultScheduler(), std::string("DPMSolverMultistepScheduler"));
        daam::GenerationRequest request;
        request.prompt = "a red circle and a blue square";
        request.steps = 3;
        const auto result = pipeline->generate(request);
        QCOMPARE(result.image.sizes(), (torch::IntArrayRef{3, 64, 64}));
        QVERIFY(result.image.isfinite().all().item<bool>());
    }

    // The shipped model's scheduler config is the one train-demo writes: every scheduler the app offers reads it.
    void exportsTheShippedSchedulerConfig() {
        const auto shipped = daam::builtin::builtInModelDir();
        QVERIFY(!shipped.empty());
        const auto written = nlohmann::json::parse(readBytes(straight_ + "/model/scheduler/scheduler_config.json"));
        QVERIFY2(written == nlohmann::json::parse(readBytes(shipped + "/scheduler/scheduler_config.json")),
                 written.dump().c_str());
    }
};

DAAM_TEST_GUILESS_MAIN(TestDemoTrainer)
#include "test_demo_trainer.moc"
