// SPDX-License-Identifier: GPL-3.0-or-later
// Models named by Hugging Face repo id: a fake hub cache laid out as huggingface_hub writes it (refs, snapshots
// of relative links into blobs, .no_exist), resolved offline by ref and by hash, listed, and each error.
#include "daam/io/HubCache.h"
#include "daam/util/Error.h"

#include "TestMain.h"

#include <QDir>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

using namespace daam;
namespace fs = std::filesystem;

// Unity builds compile several test files as one: these names must not be those of another test file's helpers.
namespace {

void writeCacheFile(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string readCacheFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A commit hash (40 hex digits) and a blob name (64, like the sha256 names of LFS blobs) that differ by `n`; the
// hashes in their first digits, as abbreviated hashes need.
std::string hubCommitHash(int n) {
    std::ostringstream s;
    s << std::hex << (0x10 + n) << "5e2c4b9f";
    return s.str() + std::string(40 - s.str().size(), 'c');
}
std::string hubBlobName(int n) {
    std::ostringstream s;
    s << std::hex << (0xb10b00 + n);
    return s.str() + std::string(64 - s.str().size(), 'e');
}

// One models--org--name folder, written as huggingface_hub writes it.
class FakeHubRepo {
public:
    FakeHubRepo(const fs::path& cache, const std::string& repoId) {
        std::string folder = "models--" + repoId;
        folder.replace(folder.find('/'), 1, "--");
        dir_ = cache / folder;
        fs::create_directories(dir_ / "blobs");
    }
    const fs::path& dir() const { return dir_; }
    fs::path snapshot(const std::string& commit) const { return dir_ / "snapshots" / commit; }

    void ref(const std::string& name, const std::string& content) const {
        writeCacheFile(dir_ / "refs" / name, content);
    }
    // snapshots/<commit>/<file>: a relative link into ../../blobs/, as huggingface_hub makes where it can.
    void file(const std::string& commit, const std::string& file, const std::string& content) {
        const std::string blob = hubBlobName(++blobs_);
        writeCacheFile(dir_ / "blobs" / blob, content);
        link(commit, file, blob);
    }
    // A link to a blob that is not there: an interrupted or pruned download.
    void danglingFile(const std::string& commit, const std::string& file) {
        link(commit, file, hubBlobName(900 + ++blobs_));
    }
    // A minimal pipeline: model_index.json and unet/ with a config and the named weights file.
    void pipeline(const std::string& commit, const std::string& weights = "diffusion_pytorch_model.safetensors") {
        file(commit, "model_index.json",
             R"({"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"]})");
        file(commit, "unet/config.json", R"({"_class_name": "UNet2DConditionModel"})");
        file(commit, "unet/" + weights, "weights of " + commit);
    }

private:
    void link(const std::string& commit, const std::string& file, const std::string& blob) const {
        const fs::path path = snapshot(commit) / file;
        fs::create_directories(path.parent_path());
        fs::path target;
        for (const auto& part : fs::path(file).parent_path()) {
            (void)part;
            target /= "..";
        }
        fs::create_symlink(target / ".." / ".." / "blobs" / blob, path);
    }
    fs::path dir_;
    int blobs_ = 0;
};

template <class F> std::string hubErrorOf(F&& f) {
    try {
        f();
    } catch (const FileError& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("unexpected exception: ") + e.what();
    }
    return {};
}

bool hasText(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// Sets or unsets environment variables for one test and restores them after it.
class HubEnvGuard {
public:
    explicit HubEnvGuard(std::initializer_list<const char*> names) {
        for (const char* name : names) {
            saved_.push_back(
                {name, qEnvironmentVariableIsSet(name) ? std::optional<QByteArray>(qgetenv(name)) : std::nullopt});
        }
    }
    ~HubEnvGuard() {
        for (const auto& [name, value] : saved_)
            value ? qputenv(name, *value) : qunsetenv(name);
    }
    static void set(const char* name, const char* value) { value ? qputenv(name, value) : qunsetenv(name); }

private:
    std::vector<std::pair<const char*, std::optional<QByteArray>>> saved_;
};

} // namespace

class TestHubCache : public QObject {
    Q_OBJECT

    QTemporaryDir temp_;
    fs::path cache_;
    const std::string good_ = hubCommitHash(1), second_ = hubCommitHash(2), variant_ = hubCommitHash(3),
                      bin_ = hubCommitHash(4), absent_ = hubCommitHash(5), notPipeline_ = hubCommitHash(6),
                      dangling_ = hubCommitHash(7), hubSaysNo_ = hubCommitHash(8);

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(temp_.isValid());
        cache_ = fs::path(temp_.path().toStdString()) / "hub";

        FakeHubRepo good(cache_, "org/good");
        good.pipeline(good_);
        // Pipelines never read the top level's single-file checkpoints; a pruned one must not matter.
        good.danglingFile(good_, "v1-pruned.ckpt");
        good.ref("main", good_);
        good.pipeline(second_);
        good.ref("v2", second_ + "\n");
        good.ref("refs/pr/1", second_);
        // Shares its first 7 digits with good_, so that they no longer name one snapshot.
        good.pipeline(good_.substr(0, 7) + std::string(33, 'd'));

        FakeHubRepo variant(cache_, "org/variant-only");
        variant.pipeline(variant_, "diffusion_pytorch_model.fp16.safetensors");
        variant.ref("main", variant_);

        FakeHubRepo bin(cache_, "org/bin-only");
        bin.pipeline(bin_, "diffusion_pytorch_model.bin");
        bin.ref("main", bin_);

        FakeHubRepo absent(cache_, "org/absent-snapshot");
        absent.pipeline(good_);
        absent.ref("main", absent_);

        FakeHubRepo notPipeline(cache_, "org/text-model");
        notPipeline.file(notPipeline_, "config.json", "{}");
        notPipeline.file(notPipeline_, "model.safetensors", "weights");
        notPipeline.ref("main", notPipeline_);

        FakeHubRepo hubSaysNo(cache_, "org/checkpoint-only");
        hubSaysNo.file(hubSaysNo_, "config.json", "{}");
        writeCacheFile(hubSaysNo.dir() / ".no_exist" / hubSaysNo_ / "model_index.json", "");
        hubSaysNo.ref("main", hubSaysNo_);

        FakeHubRepo dangling(cache_, "org/incomplete");
        dangling.file(dangling_, "model_index.json", "{}");
        dangling.danglingFile(dangling_, "unet/diffusion_pytorch_model.safetensors");
        dangling.ref("main", dangling_);

        FakeHubRepo emptyRef(cache_, "org/empty-ref");
        emptyRef.pipeline(good_);
        emptyRef.ref("main", "");

        FakeHubRepo badRef(cache_, "org/bad-ref");
        badRef.pipeline(good_);
        badRef.ref("main", "not-a-hash");

        FakeHubRepo noMain(cache_, "org/no-main");
        noMain.pipeline(good_);
        noMain.ref("v1", good_);

        // Neither is a model repo of org/name form, whatever they hold.
        FakeHubRepo legacy(cache_, "x/y");
        legacy.pipeline(good_);
        legacy.ref("main", good_);
        fs::rename(legacy.dir(), cache_ / "models--gpt2");
        FakeHubRepo(cache_, "org/dataset").pipeline(good_);
        writeCacheFile(cache_ / "models--org--dataset" / "refs" / "main", good_);
        fs::rename(cache_ / "models--org--dataset", cache_ / "datasets--org--dataset");
        fs::create_directories(cache_ / ".locks" / "models--org--good");
    }

    void resolvesRepoIdToSnapshotOfMain() {
        const std::string snapshot = resolveHubModel("org/good", "main", cache_.string());
        QCOMPARE(snapshot, (cache_ / "models--org--good" / "snapshots" / good_).string());
        // The weights are links into blobs/; reading them goes through.
        const fs::path weights = fs::path(snapshot) / "unet" / "diffusion_pytorch_model.safetensors";
        QVERIFY(fs::is_symlink(weights));
        QVERIFY(fs::is_regular_file(weights));
        QCOMPARE(readCacheFile(weights), "weights of " + good_);
        QCOMPARE(resolveHubModel("org/good", "", cache_.string()), snapshot); // "" is main
    }

    void resolvesOtherRevisions() {
        const std::string second = (cache_ / "models--org--good" / "snapshots" / second_).string();
        QCOMPARE(resolveHubModel("org/good", second_, cache_.string()), second); // a hash needs no ref
        QCOMPARE(resolveHubModel("org/good", "v2", cache_.string()), second);    // a tag; its newline is trimmed
        QCOMPARE(resolveHubModel("org/good", "refs/pr/1", cache_.string()), second);
        QCOMPARE(resolveHubModel("org/good", second_.substr(0, 7), cache_.string()), second);
        QCOMPARE(readCacheFile(fs::path(second) / "unet" / "diffusion_pytorch_model.safetensors"),
                 "weights of " + second_);
    }

    void resolvesVariantAndBinOnlyPipelines() {
        // Which weights a component has is WeightSet's business: both are pipelines.
        const fs::path variant = resolveHubModel("org/variant-only", "main", cache_.string());
        QVERIFY(fs::is_regular_file(variant / "unet" / "diffusion_pytorch_model.fp16.safetensors"));
        QVERIFY(!fs::exists(variant / "unet" / "diffusion_pytorch_model.safetensors"));
        const fs::path bin = resolveHubModel("org/bin-only", "main", cache_.string());
        QVERIFY(fs::is_regular_file(bin / "unet" / "diffusion_pytorch_model.bin"));
    }

    void cacheFolderFromEnvironment() {
        HubEnvGuard guard{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME",
                          "HOME",         "DAAM_TEST_VAR"};
        HubEnvGuard::set("HF_HUB_CACHE", "/x/hub-cache");
        HubEnvGuard::set("HUGGINGFACE_HUB_CACHE", "/legacy/hub");
        HubEnvGuard::set("HF_HOME", "/y/hf");
        HubEnvGuard::set("XDG_CACHE_HOME", "/z/cache");
        HubEnvGuard::set("HOME", "/home/someone");
        QCOMPARE(hubCacheDir(), std::string("/x/hub-cache"));
        HubEnvGuard::set("HF_HUB_CACHE", nullptr);
        QCOMPARE(hubCacheDir(), std::string("/legacy/hub"));
        HubEnvGuard::set("HUGGINGFACE_HUB_CACHE", "");
        QCOMPARE(hubCacheDir(), std::string("/y/hf/hub")); // "" counts as unset
        HubEnvGuard::set("HF_HOME", nullptr);
        QCOMPARE(hubCacheDir(), std::string("/z/cache/huggingface/hub"));
        HubEnvGuard::set("XDG_CACHE_HOME", nullptr);
        QCOMPARE(hubCacheDir(), std::string("/home/someone/.cache/huggingface/hub"));
        // huggingface_hub expands ~ and $VAR in these variables.
        HubEnvGuard::set("HF_HOME", "~/hf");
        QCOMPARE(hubCacheDir(), std::string("/home/someone/hf/hub"));
        HubEnvGuard::set("DAAM_TEST_VAR", "/data");
        HubEnvGuard::set("HF_HUB_CACHE", "${DAAM_TEST_VAR}/hub and $DAAM_NO_SUCH_VAR");
        QCOMPARE(hubCacheDir(), std::string("/data/hub and $DAAM_NO_SUCH_VAR"));

        // The default argument reads the environment at each call.
        HubEnvGuard::set("HF_HUB_CACHE", cache_.string().c_str());
        QCOMPARE(resolveHubModel("org/good"), (cache_ / "models--org--good" / "snapshots" / good_).string());
        QCOMPARE(listHubModels().size(), size_t(3));
    }

    void repoIdSyntax() {
        const struct {
            const char* text;
            bool repoId;
        } cases[] = {{"stabilityai/stable-diffusion-2-1", true},
                     {"CompVis/stable-diffusion-v1-4", true},
                     {"stabilityai/stable-diffusion-xl-base-1.0", true},
                     {"my_org/model.v2", true},
                     {"a/b", true},
                     {"gpt2", false}, // a bare name is a folder
                     {"", false},
                     {"/models/sd", false},
                     {"./sd/model", false},
                     {"../sd/model", false},
                     {"~/sd", false},
                     {".org/name", false},
                     {"org/.name", false},
                     {"org/name.", false},
                     {"-org/name", false},
                     {"org/name-", false},
                     {"org/na..me", false},
                     {"org--x/name", false},
                     {"org/name.git", false},
                     {"org/name/unet", false},
                     {"org/", false},
                     {"/name", false},
                     {"org/na me", false},
                     {"C:/models", false},
                     {"org/naïve", false},
                     {"org\\name", false}};
        for (const auto& c : cases)
            QVERIFY2(looksLikeRepoId(c.text) == c.repoId, c.text);
        QVERIFY(looksLikeRepoId("org/" + std::string(96, 'n')));
        QVERIFY(!looksLikeRepoId("org/" + std::string(97, 'n')));

        // An existing relative folder a/b is that folder.
        const QString cwd = QDir::currentPath();
        QVERIFY(QDir::setCurrent(temp_.path()));
        fs::create_directories("local-org/local-model");
        const bool folderTaken = looksLikeRepoId("local-org/local-model");
        const bool otherTaken = looksLikeRepoId("local-org/other-model");
        QVERIFY(QDir::setCurrent(cwd));
        QVERIFY(!folderTaken);
        QVERIFY(otherTaken);
    }

    void errorsNameTheFileAndTheProblem() {
        const std::string cache = cache_.string();
        const auto repo = [&](const std::string& folder) { return (cache_ / folder).string(); };
        std::string failures;
        // The message must start with "<path>: " and say each of `mentions`, briefly.
        const auto expect = [&](const char* what, const std::string& repoId, const std::string& revision,
                                const std::string& cacheDir, const std::string& path,
                                const std::vector<std::string>& mentions) {
            const std::string message = hubErrorOf([&] { resolveHubModel(repoId, revision, cacheDir); });
            if (message.compare(0, path.size() + 2, path + ": ") != 0)
                failures += std::string("\n") + what + ": does not start with " + path + ": " + message;
            for (const auto& part : mentions)
                if (!hasText(message, part)) failures += std::string("\n") + what + ": lacks " + part + ": " + message;
            if (message.size() > path.size() + 300) failures += std::string("\n") + what + ": too long: " + message;
        };
        expect("no cache folder", "org/good", "main", repo("nowhere"), repo("nowhere"),
               {"no Hugging Face cache", "never downloads", "hf download org/good", "HF_HUB_CACHE"});
        expect("no cache at all", "org/good", "main", "", "org/good", {"HF_HUB_CACHE", "HOME"});
        expect("not a repo id", "no-slash", "main", cache, "no-slash", {"not a Hugging Face repo id"});
        expect("not downloaded", "org/absent", "main", cache, repo("models--org--absent"),
               {"not downloaded", "never downloads", "hf download org/absent"});
        expect("another case", "Org/Good", "main", cache, repo("models--Org--Good"), {"org/good", "case-sensitive"});
        expect("no refs/main", "org/no-main", "main", cache, repo("models--org--no-main/refs/main"),
               {"not found", "\"main\"", "not downloaded", "v1"});
        expect("no such tag", "org/good", "v9", cache, repo("models--org--good/refs/v9"),
               {"\"v9\"", "main, refs/pr/1, v2", "--revision v9"});
        expect("unsafe revision", "org/good", "../../x", cache, repo("models--org--good/refs"),
               {"not a branch, tag or commit hash"});
        expect("empty ref", "org/empty-ref", "main", cache, repo("models--org--empty-ref/refs/main"),
               {"empty", "commit hash", "again"});
        expect("ref not a hash", "org/bad-ref", "main", cache, repo("models--org--bad-ref/refs/main"),
               {"\"not-a-hash\"", "not a 40-digit commit hash"});
        expect("snapshot missing", "org/absent-snapshot", "main", cache,
               repo("models--org--absent-snapshot/snapshots/" + absent_),
               {"refs/main names this commit", "no snapshot"});
        expect("ambiguous hash", "org/good", good_.substr(0, 7), cache, repo("models--org--good/snapshots"),
               {"2 snapshots", good_.substr(0, 7), "more digits"});
        expect("hash not cached", "org/good", absent_, cache, repo("models--org--good/snapshots/" + absent_),
               {"no snapshot", "--revision " + absent_});
        expect("not a pipeline", "org/text-model", "main", cache,
               repo("models--org--text-model/snapshots/" + notPipeline_ + "/model_index.json"),
               {"not found", "not a diffusers pipeline", "some of its files"});
        expect("hub says not a pipeline", "org/checkpoint-only", "main", cache,
               repo("models--org--checkpoint-only/snapshots/" + hubSaysNo_ + "/model_index.json"),
               {"the hub has none", "not a diffusers pipeline"});
        expect("dangling weights", "org/incomplete", "main", cache,
               repo("models--org--incomplete/snapshots/" + dangling_ + "/unet/diffusion_pytorch_model.safetensors"),
               {"links to " + repo("models--org--incomplete/blobs/"), "missing", "incomplete", "hf download"});
        QVERIFY2(failures.empty(), failures.c_str());
    }

    void listsThePipelinesOfACache() {
        const auto models = listHubModels(cache_.string());
        QStringList ids;
        for (const auto& m : models)
            ids << QString::fromStdString(m.repoId);
        QCOMPARE(ids, QStringList({QStringLiteral("org/bin-only"), QStringLiteral("org/good"),
                                   QStringLiteral("org/variant-only")}));
        QCOMPARE(models[1].revision, good_);
        QCOMPARE(models[1].snapshotDir, resolveHubModel("org/good", "main", cache_.string()));
        QCOMPARE(models[2].snapshotDir, (cache_ / "models--org--variant-only" / "snapshots" / variant_).string());
        QCOMPARE(resolveHubModel(models[2].repoId, models[2].revision, cache_.string()), models[2].snapshotDir);

        QVERIFY(listHubModels((cache_ / "nowhere").string()).empty());
        QVERIFY(listHubModels("").empty());
        QVERIFY(listHubModels((cache_ / "models--org--good" / "refs" / "main").string()).empty()); // a file
    }
};

DAAM_TEST_APPLESS_MAIN(TestHubCache)
#include "test_hub_cache.moc"
