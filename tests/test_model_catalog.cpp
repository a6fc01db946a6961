// SPDX-License-Identifier: GPL-3.0-or-later
// The model catalog: fake model folders (diffusers folders, original-layout checkpoints of each family and
// precision, LoRA- and VAE-like files, pickles, a damaged file, hidden, nested and looping folders, a hub cache)
// scanned, each model listed once with its family, precision, size and problem, and the scan cancelled.
#include "daam/builtin/BuiltInModel.h"
#include "daam/io/HubCache.h"
#include "daam/io/SafetensorsFile.h"
#include "daam/pipeline/ModelCatalog.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <QElapsedTimer>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;

// Unity builds compile several test files as one: these names must not be those of another test file's helpers.
namespace {

using CatalogKind = daam::CatalogEntry::Kind;

const std::string kCatalogSd1Text = "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight";
const std::string kCatalogSd2Text = "cond_stage_model.model.token_embedding.weight";
const std::string kCatalogXlText1 = "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight";
const std::string kCatalogXlText2 = "conditioner.embedders.1.model.token_embedding.weight";
const std::string kCatalogRefinerText = "conditioner.embedders.0.model.token_embedding.weight";

void catalogWriteText(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

struct CatalogTensor {
    std::string name;
    daam::DType dtype = daam::DType::F16;
    std::vector<int64_t> shape;
};

// A .safetensors file of zeros.
void catalogWriteTensors(const fs::path& path, const std::vector<CatalogTensor>& tensors) {
    fs::create_directories(path.parent_path());
    std::vector<std::vector<char>> data;
    for (const auto& t : tensors) {
        size_t bytes = daam::dtypeSize(t.dtype);
        for (int64_t d : t.shape)
            bytes *= size_t(d);
        data.emplace_back(bytes, 0);
    }
    std::vector<daam::RawTensor> raw;
    for (size_t i = 0; i < tensors.size(); ++i)
        raw.push_back({tensors[i].name, tensors[i].dtype, tensors[i].shape, data[i].data(), data[i].size()});
    daam::writeSafetensors(path.string(), raw);
}

// A few tensors of a checkpoint in the original layout: the UNet's first and last convolutions (the first reads
// `inChannels`), the VAE's, and the token embeddings of the text encoders `texts`; SDXL's UNet has a label_emb.
void catalogWriteCheckpoint(const fs::path& path, daam::DType dtype, const std::vector<std::string>& texts,
                            int64_t inChannels = 4, bool vae = true) {
    const bool sdxl = texts.size() == 2 || (texts.size() == 1 && texts[0] == kCatalogRefinerText);
    std::vector<CatalogTensor> tensors = {
        {"model.diffusion_model.input_blocks.0.0.weight", dtype, {8, inChannels, 3, 3}},
        {"model.diffusion_model.out.2.weight", dtype, {4, 8, 3, 3}}};
    if (sdxl) tensors.push_back({"model.diffusion_model.label_emb.0.0.weight", dtype, {8, 16}});
    if (vae) tensors.push_back({"first_stage_model.decoder.conv_in.weight", dtype, {8, 4, 3, 3}});
    for (const auto& text : texts)
        tensors.push_back({text, dtype, {16, 8}});
    catalogWriteTensors(path, tensors);
}

// torch.save's zip layout, as far as the scan reads it: the archive's first file is the pickle, whose strings
// (tensor names among them) are plain bytes.
std::string catalogFakePickle(const std::string& names) {
    std::string bytes("PK\3\4", 4);
    bytes += std::string(26, '\0') + "archive/data.pkl";
    bytes += std::string("\x80\x02}q\0X", 6) + names + std::string(1000, 'x');
    return bytes;
}

// A copy of a reference pipeline, writable so that tests can edit it and QTemporaryDir can remove it.
void catalogCopyTree(const fs::path& from, const fs::path& to) {
    fs::create_directories(to.parent_path());
    fs::copy(from, to, fs::copy_options::recursive);
    fs::permissions(to, fs::perms::owner_all, fs::perm_options::add);
    for (const auto& entry : fs::recursive_directory_iterator(to))
        fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
}

void catalogReplaceInFile(const fs::path& path, const std::string& from, const std::string& to) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const auto at = text.find(from);
    QVERIFY2(at != std::string::npos, qPrintable(QString::fromStdString(path.string() + " has no " + from)));
    text.replace(at, from.size(), to);
    catalogWriteText(path, text);
}

// A hub repo (refs/main, snapshots/<commit>/ of relative links into blobs/, as huggingface_hub lays it out) whose
// snapshot holds the files of `source`.
void catalogMakeHubRepo(const fs::path& cache, const std::string& repoId, const fs::path& source) {
    std::string folder = "models--" + repoId;
    folder.replace(folder.find('/'), 1, "--");
    const fs::path repo = cache / folder;
    const std::string commit(40, 'c');
    catalogWriteText(repo / "refs" / "main", commit);
    fs::create_directories(repo / "blobs");
    int blobs = 0;
    for (const auto& entry : fs::recursive_directory_iterator(source)) {
        if (!entry.is_regular_file()) continue;
        const fs::path relative = entry.path().lexically_relative(source);
        const std::string blob = "blob" + std::to_string(++blobs);
        fs::copy_file(entry.path(), repo / "blobs" / blob);
        const fs::path link = repo / "snapshots" / commit / relative;
        fs::create_directories(link.parent_path());
        fs::path up;
        for (const auto& part : relative.parent_path()) {
            (void)part;
            up /= "..";
        }
        fs::create_symlink(up / ".." / ".." / "blobs" / blob, link);
    }
}

const daam::CatalogEntry* catalogFind(const std::vector<daam::CatalogEntry>& entries, const std::string& name) {
    for (const auto& entry : entries)
        if (entry.name == name) return &entry;
    return nullptr;
}

QString catalogDescribe(const std::vector<daam::CatalogEntry>& entries) {
    QString text;
    for (const auto& e : entries)
        text += QStringLiteral("\n  %1 [%2] %3 %4 %5 bytes %6: %7")
                    .arg(QString::fromStdString(e.name))
                    .arg(int(e.kind))
                    .arg(QString::fromStdString(e.family), QString::fromStdString(e.precision))
                    .arg(e.bytes)
                    .arg(QString::fromStdString(e.path), QString::fromStdString(e.problem));
    return text;
}

bool catalogMentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Sets environment variables for one test and restores them after it.
class CatalogEnvGuard {
public:
    explicit CatalogEnvGuard(std::initializer_list<const char*> names) {
        for (const char* name : names)
            saved_.push_back(
                {name, qEnvironmentVariableIsSet(name) ? std::optional<QByteArray>(qgetenv(name)) : std::nullopt});
    }
    ~CatalogEnvGuard() {
        for (const auto& [name, value] : saved_)
            value ? qputenv(name, *value) : qunsetenv(name);
    }

private:
    std::vector<std::pair<const char*, std::optional<QByteArray>>> saved_;
};

} // namespace

class TestModelCatalog : public QObject {
    Q_OBJECT

    QTemporaryDir temp_;
    fs::path root_, models_, hub_;
    bool reference_ = false;
    std::vector<daam::CatalogEntry> scan_;

    const daam::CatalogEntry& entry(const char* name) const {
        static const daam::CatalogEntry none;
        const auto* e = catalogFind(scan_, name);
        return e ? *e : none;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(temp_.isValid());
        root_ = fs::path(temp_.path().toStdString());
        models_ = root_ / "models";
        hub_ = root_ / "hub";
        using daam::DType;

        catalogWriteCheckpoint(models_ / "sd15.safetensors", DType::F16, {kCatalogSd1Text});
        catalogWriteCheckpoint(models_ / "sd21.safetensors", DType::F32, {kCatalogSd2Text});
        catalogWriteCheckpoint(models_ / "xl" / "sdxl-base.safetensors", DType::BF16,
                               {kCatalogXlText1, kCatalogXlText2});
        catalogWriteCheckpoint(models_ / "xl" / "sdxl-refiner.safetensors", DType::F16, {kCatalogRefinerText});
        catalogWriteCheckpoint(models_ / "inpainting.safetensors", DType::F16, {kCatalogSd1Text}, 9);
        catalogWriteCheckpoint(models_ / "no-vae.safetensors", DType::F16, {kCatalogSd1Text}, 4, false);
        // Half the UNet in each dtype.
        catalogWriteTensors(models_ / "half-and-half.safetensors",
                            {{"model.diffusion_model.a.weight", DType::F16, {100}},
                             {"model.diffusion_model.b.weight", DType::F32, {100}},
                             {"first_stage_model.decoder.conv_in.weight", DType::F32, {4}},
                             {kCatalogSd1Text, DType::F32, {4}}});
        // Not checkpoints: left out.
        catalogWriteTensors(models_ / "lora.safetensors",
                            {{"lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight", DType::F16, {4, 4}}});
        catalogWriteTensors(models_ / "vae.safetensors", {{"decoder.conv_in.weight", DType::F16, {4, 4}}});
        catalogWriteText(models_ / "embedding.pt", catalogFakePickle("string_to_param"));
        catalogWriteText(models_ / "notes.txt", "not a model");
        catalogWriteCheckpoint(models_ / ".trash" / "deleted.safetensors", DType::F16, {kCatalogSd1Text});
        catalogWriteCheckpoint(models_ / "a" / "b" / "c" / "d" / "too-deep.safetensors", DType::F16, {kCatalogSd1Text});
        // Listed with their problem.
        catalogWriteText(models_ / "v1-5-pruned.ckpt",
                         catalogFakePickle("model.diffusion_model.input_blocks.0.0.weight"));
        catalogWriteText(models_ / "damaged.safetensors", std::string("\x10\0\0\0\0\0\0\0{\"a\": nonsense}  ", 24));
        // Nested, and reached through links: each listed once.
        catalogWriteCheckpoint(models_ / "a" / "b" / "c" / "nested.safetensors", DType::F16, {kCatalogSd1Text});
        fs::create_directory_symlink("..", models_ / "a" / "up");
        fs::create_directory_symlink(models_, models_ / "a" / "b" / "top");
        fs::create_symlink("sd15.safetensors", models_ / "sd15-link.safetensors");
        fs::create_symlink("nowhere.safetensors", models_ / "dangling.safetensors");

        // A hub cache with a pipeline that has only its UNet: listed, with what it lacks.
        catalogWriteText(
            root_ / "unet-only" / "model_index.json",
            R"({"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"]})");
        catalogWriteText(root_ / "unet-only" / "unet" / "config.json", R"({"_class_name": "UNet2DConditionModel"})");
        catalogWriteTensors(root_ / "unet-only" / "unet" / "diffusion_pytorch_model.safetensors",
                            {{"conv_in.weight", DType::F16, {8, 4, 3, 3}}});
        catalogMakeHubRepo(hub_, "org/unet-only", root_ / "unet-only");
        fs::create_directories(hub_ / ".locks" / "models--org--unet-only");

        const std::string reference = daam::test::referenceDir();
        reference_ = !reference.empty();
        if (reference_) {
            const fs::path pipelines = fs::path(reference) / "pipelines";
            catalogCopyTree(pipelines / "sd1-tiny", models_ / "sd1-tiny");
            catalogCopyTree(pipelines / "sdxl-tiny", models_ / "xl" / "sdxl-tiny");
            catalogCopyTree(pipelines / "sd1-tiny", models_ / "sd1-inpainting");
            catalogReplaceInFile(models_ / "sd1-inpainting" / "unet" / "config.json", "\"in_channels\": 4",
                                 "\"in_channels\": 9");
            catalogCopyTree(pipelines / "sdxl-tiny", models_ / "xl" / "sdxl-refiner-folder");
            // As stabilityai/stable-diffusion-xl-refiner-1.0 has it: no first text encoder or tokenizer.
            const fs::path refinerIndex = models_ / "xl" / "sdxl-refiner-folder" / "model_index.json";
            catalogReplaceInFile(refinerIndex, "\"text_encoder\": [\n    \"transformers\",\n    \"CLIPTextModel\"",
                                 "\"text_encoder\": [\n    null,\n    null");
            catalogReplaceInFile(refinerIndex, "\"tokenizer\": [\n    \"transformers\",\n    \"CLIPTokenizer\"",
                                 "\"tokenizer\": [\n    null,\n    null");
            catalogMakeHubRepo(hub_, "org/tiny-sdxl", pipelines / "sdxl-tiny");
        }
        scan_ = daam::scanModelFolders({models_.string(), hub_.string(), (root_ / "absent").string()});
        qInfo("%s", qPrintable(catalogDescribe(scan_)));
    }

    void listsCheckpointsWithFamilyAndPrecision() {
        const struct {
            const char* name;
            const char* family;
            const char* precision;
        } cases[] = {{"sd15", "SD 1.x", "F16"},
                     {"sd21", "SD 2.x", "F32"},
                     {"sdxl-base", "SDXL", "BF16"},
                     {"nested", "SD 1.x", "F16"},
                     {"half-and-half", "SD 1.x", "mixed"}};
        for (const auto& c : cases) {
            const auto& e = entry(c.name);
            QVERIFY2(e.kind == CatalogKind::Checkpoint, c.name);
            QCOMPARE(e.family, std::string(c.family));
            QCOMPARE(e.precision, std::string(c.precision));
            QVERIFY2(e.problem.empty(), e.problem.c_str());
        }
        const auto& sd15 = entry("sd15");
        QCOMPARE(sd15.path, (models_ / "sd15.safetensors").string());
        QCOMPARE(sd15.bytes, uint64_t(fs::file_size(models_ / "sd15.safetensors")));
    }

    void listsWhyACheckpointCannotBeOpened() {
        const struct {
            const char* name;
            const char* says;
        } cases[] = {{"sdxl-refiner", "SDXL refiner"},
                     {"inpainting", "inpainting"},
                     {"no-vae", "no VAE"},
                     {"v1-5-pruned", "PyTorch pickle"},
                     {"damaged", "not valid JSON"}};
        for (const auto& c : cases) {
            const auto& e = entry(c.name);
            QVERIFY2(e.kind == CatalogKind::Checkpoint, c.name);
            QVERIFY2(catalogMentions(e.problem, c.says),
                     qPrintable(QString::fromStdString(c.name + (": " + e.problem))));
        }
        QCOMPARE(entry("sdxl-refiner").family, std::string("SDXL"));
        QVERIFY(catalogMentions(entry("v1-5-pruned").problem, ".safetensors"));
    }

    void leavesOutWhatIsNoModel() {
        for (const char* name : {"lora", "vae", "embedding", "notes", "deleted", "too-deep", "dangling", "up", "top"})
            QVERIFY2(!catalogFind(scan_, name), name);
    }

    void listsEachModelOnce() {
        // sd15-link.safetensors is sd15.safetensors; a/up and a/b/top lead back to the top folder.
        QVERIFY(!catalogFind(scan_, "sd15-link"));
        int nested = 0;
        for (const auto& e : scan_)
            nested += e.name == "nested";
        QCOMPARE(nested, 1);
        // A folder named twice, or inside another named one, adds nothing.
        const auto twice = daam::scanModelFolders({models_.string(), models_.string(), (models_ / "xl").string()});
        const auto once = daam::scanModelFolders({models_.string()});
        QCOMPARE(twice.size(), once.size());
        QCOMPARE(once.size(), size_t(reference_ ? 14 : 10));
    }

    void sortedByKindThenName() {
        for (size_t i = 1; i < scan_.size(); ++i) {
            const auto& a = scan_[i - 1];
            const auto& b = scan_[i];
            QVERIFY(a.kind < b.kind ||
                    (a.kind == b.kind &&
                     QString::fromStdString(a.name).compare(QString::fromStdString(b.name), Qt::CaseInsensitive) <= 0));
        }
        QCOMPARE(scan_.front().kind, reference_ ? CatalogKind::Folder : CatalogKind::Checkpoint);
        QCOMPARE(scan_.back().kind, CatalogKind::HubRepo);
    }

    void listsDiffusersFolders() {
        DAAM_REQUIRE_REFERENCE();
        const auto& sd1 = entry("sd1-tiny");
        QCOMPARE(sd1.kind, CatalogKind::Folder);
        QCOMPARE(sd1.path, (models_ / "sd1-tiny").string());
        QCOMPARE(sd1.family, std::string("SD 1.x"));
        QCOMPARE(sd1.precision, std::string("F32"));
        QVERIFY2(sd1.problem.empty(), sd1.problem.c_str());
        // Every weights file the pipeline reads.
        uint64_t bytes = 0;
        for (const char* file : {"unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                                 "text_encoder/model.safetensors"})
            bytes += fs::file_size(models_ / "sd1-tiny" / file);
        QCOMPARE(sd1.bytes, bytes);
        const auto& xl = entry("sdxl-tiny");
        QCOMPARE(xl.family, std::string("SDXL"));
        QVERIFY2(xl.problem.empty(), xl.problem.c_str());
        QVERIFY(catalogMentions(entry("sd1-inpainting").problem, "9 channels"));
        QVERIFY(catalogMentions(entry("sdxl-refiner-folder").problem, "SDXL refiner"));
    }

    void readsTheWeightsThePipelineReads() {
        DAAM_REQUIRE_REFERENCE();
        const fs::path pipeline = fs::path(daam::test::referencePath("pipelines/sd1-tiny"));
        const auto unetOf = [&](const char* name) {
            const fs::path folder = root_ / "weights" / name;
            catalogCopyTree(pipeline, folder);
            return folder / "unet";
        };
        const std::string plain = "diffusion_pytorch_model.safetensors";
        const uint64_t unetBytes = fs::file_size(pipeline / "unet" / plain);
        const uint64_t allBytes = entry("sd1-tiny").bytes;

        // Only the fp16 variant downloaded: that one is read.
        const fs::path variantOnly = unetOf("variant-only");
        fs::rename(variantOnly / plain, variantOnly / "diffusion_pytorch_model.fp16.safetensors");
        auto e = daam::describeModel(variantOnly.parent_path().string());
        QVERIFY2(e.problem.empty(), e.problem.c_str());
        QCOMPARE(e.bytes, allBytes);
        QCOMPARE(e.precision, std::string("F32"));

        // Shards listed in an index: each counted once.
        const fs::path sharded = unetOf("sharded");
        const auto header = daam::SafetensorsFile::open((sharded / plain).string());
        std::string map;
        for (const auto& t : header->entries())
            map += (map.empty() ? "" : ", ") + ("\"" + t.name + "\": \"shard-1.safetensors\"");
        fs::rename(sharded / plain, sharded / "shard-1.safetensors");
        catalogWriteText(sharded / "diffusion_pytorch_model.safetensors.index.json", "{\"weight_map\": {" + map + "}}");
        e = daam::describeModel(sharded.parent_path().string());
        QVERIFY2(e.problem.empty(), e.problem.c_str());
        QCOMPARE(e.bytes, allBytes);
        QCOMPARE(e.precision, std::string("F32"));

        // Two variants and no plain file: the app cannot choose.
        const fs::path twoVariants = unetOf("two-variants");
        fs::copy_file(twoVariants / plain, twoVariants / "diffusion_pytorch_model.ema.safetensors");
        fs::rename(twoVariants / plain, twoVariants / "diffusion_pytorch_model.fp16.safetensors");
        e = daam::describeModel(twoVariants.parent_path().string());
        QVERIFY2(catalogMentions(e.problem, "unet: no plain diffusion_pytorch_model.safetensors but several variants"),
                 e.problem.c_str());
        QCOMPARE(e.bytes, allBytes - unetBytes);

        // PyTorch weights only.
        const fs::path binOnly = unetOf("bin-only");
        fs::rename(binOnly / plain, binOnly / "diffusion_pytorch_model.bin");
        e = daam::describeModel(binOnly.parent_path().string());
        QVERIFY2(catalogMentions(e.problem, ".bin weights are not supported"), e.problem.c_str());
        QVERIFY(e.precision.empty());
    }

    void listsHubCachePipelines() {
        const auto& unetOnly = entry("org/unet-only");
        QCOMPARE(unetOnly.kind, CatalogKind::HubRepo);
        // Not the default cache: the entry names the snapshot, which loads as a folder.
        QCOMPARE(unetOnly.path, (hub_ / "models--org--unet-only" / "snapshots" / std::string(40, 'c')).string());
        QCOMPARE(unetOnly.precision, std::string("F16"));
        QVERIFY2(catalogMentions(unetOnly.problem, "no 'tokenizer' component"), unetOnly.problem.c_str());
        if (reference_) {
            const auto& xl = entry("org/tiny-sdxl");
            QCOMPARE(xl.family, std::string("SDXL"));
            QVERIFY2(xl.problem.empty(), xl.problem.c_str());
            QVERIFY(xl.bytes > 0);
        }
        // In the default cache, the repo id is what the pipeline loads.
        CatalogEnvGuard guard{"HF_HUB_CACHE"};
        qputenv("HF_HUB_CACHE", QByteArray::fromStdString(hub_.string()));
        const auto entries = daam::scanModelFolders({hub_.string()});
        QVERIFY(!entries.empty());
        QCOMPARE(entries.size(), size_t(reference_ ? 2 : 1));
        for (const auto& e : entries)
            QCOMPARE(e.path, e.name);
        QCOMPARE(daam::describeModel("org/unet-only").name, std::string("org/unet-only"));
        QVERIFY(catalogMentions(daam::describeModel("org/not-downloaded").problem, "org/not-downloaded"));
    }

    void describesOneModel() {
        QVERIFY(daam::describeModel((models_ / "sd15.safetensors").string()).problem.empty());
        QVERIFY(catalogMentions(daam::describeModel((models_ / "lora.safetensors").string()).problem,
                                "not a Stable Diffusion checkpoint"));
        QVERIFY(catalogMentions(daam::describeModel((models_ / "embedding.pt").string()).problem, "PyTorch pickle"));
        QVERIFY(catalogMentions(daam::describeModel((models_ / "a").string()).problem, "model_index.json"));
        QVERIFY(catalogMentions(daam::describeModel((root_ / "nothing-here").string()).problem, "no such model"));
        const auto builtIn = daam::builtin::builtInModels();
        QCOMPARE(builtIn.size(), size_t(2));
        const auto e = daam::builtInCatalogEntry(builtIn[1].dir, builtIn[1].name);
        QCOMPARE(e.kind, CatalogKind::BuiltIn);
        QCOMPARE(e.path, builtIn[1].dir);
        QCOMPARE(e.name, std::string("Shapes (attention-supervised)"));
        QVERIFY(e.family.empty());
        QVERIFY2(e.problem.empty(), e.problem.c_str());
    }

    void cancelledScanStopsAndReturnsNothing() {
        int polls = 0;
        QVERIFY(daam::scanModelFolders({models_.string(), hub_.string()}, [&] { return ++polls > 3; }).empty());
        QCOMPARE(polls, 4); // not polled again once it said so
        QVERIFY(!daam::scanModelFolders({models_.string()}, [] { return false; }).empty());
    }

    void defaultFoldersAreTheCacheAndThoseThatExist() {
        CatalogEnvGuard guard{"HOME", "HF_HUB_CACHE"};
        const fs::path home = root_ / "home";
        fs::create_directories(home / "ComfyUI" / "models" / "checkpoints");
        qputenv("HOME", QByteArray::fromStdString(home.string()));
        qputenv("HF_HUB_CACHE", QByteArray::fromStdString((root_ / "no-cache-yet").string()));
        const std::vector<std::string> expected = {(root_ / "no-cache-yet").string(),
                                                   (home / "ComfyUI" / "models" / "checkpoints").string()};
        QCOMPARE(daam::defaultModelFolders(), expected);
    }

    void scansHundredsOfFilesQuickly() {
        const fs::path many = root_ / "many";
        for (int i = 0; i < 500; ++i) {
            const fs::path path =
                many / ("sub" + std::to_string(i % 10)) / ("model" + std::to_string(i) + ".safetensors");
            if (i % 5 == 0)
                catalogWriteTensors(path, {{"lora_unet_x.lora_up.weight", daam::DType::F16, {4}}});
            else
                catalogWriteCheckpoint(path, i % 2 ? daam::DType::F16 : daam::DType::F32, {kCatalogSd1Text});
        }
        QElapsedTimer timer;
        timer.start();
        const auto entries = daam::scanModelFolders({many.string()});
        qInfo("500 files scanned in %lld ms", timer.elapsed());
        QCOMPARE(entries.size(), size_t(400));
    }
};

DAAM_TEST_APPLESS_MAIN(TestModelCatalog)
#include "test_model_catalog.moc"
