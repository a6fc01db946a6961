// SPDX-License-Identifier: GPL-3.0-or-later
// Scanning folders for models and describing each from its headers and configs, without LibTorch.
#include "daam/pipeline/ModelCatalog.h"

#include "daam/config/ModelIndex.h"
#include "daam/io/HubCache.h"
#include "daam/io/SafetensorsFile.h"
#include "daam/io/WeightsFiles.h"
#include "daam/util/AsciiText.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace fs = std::filesystem;

namespace daam {

namespace {
// Unity builds compile several core files as one, merging their anonymous namespaces: this one's helpers live in a
// namespace of their own so that their names cannot clash with another file's.
namespace catalog {

using Kind = CatalogEntry::Kind;

// The original layout's component prefixes, as OriginalCheckpoint.h's `namespace original` has them (that header
// needs LibTorch); the family is told from the text encoders' tensors as OriginalCheckpoint::open tells it.
constexpr std::string_view kUNet = "model.diffusion_model.";
constexpr std::string_view kVae = "first_stage_model.";
constexpr std::string_view kSd1Text = "cond_stage_model.transformer.";
constexpr std::string_view kSd2Text = "cond_stage_model.model.";
constexpr std::string_view kSdxlText1 = "conditioner.embedders.0.transformer.";
constexpr std::string_view kSdxlText2 = "conditioner.embedders.1.model.";

constexpr const char* kPickleProblem =
    "a PyTorch pickle, which DAAM Studio does not open (loading one can run code); convert it to .safetensors";

// How much of a pickle is searched for the UNet's tensor names. torch.save writes the pickle of names and
// storage keys (a few hundred KB for a checkpoint) before the tensor data, in its zip format as in the older one.
constexpr size_t kPickleSearchBytes = 8u << 20;

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

const char* familyName(ModelFamily family) {
    switch (family) {
    case ModelFamily::SD1:
        return "SD 1.x";
    case ModelFamily::SD2:
        return "SD 2.x";
    case ModelFamily::SDXL:
        return "SDXL";
    }
    return "";
}

bool isPickleExtension(const std::string& ext) {
    return ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin";
}

uint64_t fileBytes(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : uint64_t(size);
}

// Elements of each float dtype; the UNet's precision is the one that holds nearly all of them. A few tensors of
// another dtype (F32 norms kept by some F16 conversions) do not make a model mixed.
class PrecisionCount {
public:
    void add(const TensorEntry& e) {
        if (e.dtype == DType::F64 || e.dtype == DType::F32 || e.dtype == DType::F16 || e.dtype == DType::BF16)
            elements_[e.dtype] += uint64_t(std::max<int64_t>(e.numel(), 0));
    }
    std::string precision() const {
        uint64_t total = 0;
        for (const auto& [dtype, n] : elements_)
            total += n;
        if (total == 0) return {};
        for (const auto& [dtype, n] : elements_)
            if (double(n) >= 0.9 * double(total)) return dtypeName(dtype);
        return "mixed";
    }

private:
    std::map<DType, uint64_t> elements_;
};

// The entries of `file` (sorted by name) whose names start with `prefix`.
std::pair<std::vector<TensorEntry>::const_iterator, std::vector<TensorEntry>::const_iterator>
entriesWithPrefix(const SafetensorsFile& file, std::string_view prefix) {
    const auto& entries = file.entries();
    auto begin = std::lower_bound(entries.begin(), entries.end(), prefix,
                                  [](const TensorEntry& e, std::string_view p) { return e.name < p; });
    auto end = begin;
    while (end != entries.end() && startsWith(end->name, prefix))
        ++end;
    return {begin, end};
}

bool hasPrefix(const SafetensorsFile& file, std::string_view prefix) {
    const auto& entries = file.entries();
    const auto it = std::lower_bound(entries.begin(), entries.end(), prefix,
                                     [](const TensorEntry& e, std::string_view p) { return e.name < p; });
    return it != entries.end() && startsWith(it->name, prefix);
}

bool has(const SafetensorsFile& file, std::string_view prefix, std::string_view rest) {
    return file.find(std::string(prefix) + std::string(rest)) != nullptr;
}

// A FileError's text for an entry of `base`: its problem alone when it is about `base` itself, else with the file
// it is about, relative to `base` when inside it ("unet/config.json: missing key ...").
std::string problemOf(const FileError& e, const fs::path& base) {
    const fs::path at = fs::path(e.path()).lexically_normal();
    const fs::path root = base.lexically_normal();
    if (at == root) return e.problem();
    const fs::path rel = at.lexically_relative(root);
    if (!rel.empty() && *rel.begin() != "..") return rel.string() + ": " + e.problem();
    return e.what();
}

// Whether the first bytes are those of torch.save: a zip archive (PK\3\4) since PyTorch 1.6, a bare pickle
// (protocol 2 to 5) before. As OriginalCheckpoint::open tells pickles from damaged safetensors files.
bool looksLikePickle(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    char head[4] = {};
    in.read(head, 4);
    return (in.gcount() >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) ||
           (in.gcount() >= 2 && static_cast<unsigned char>(head[0]) == 0x80 && head[1] >= 2 && head[1] <= 5);
}

// Whether the first kPickleSearchBytes of a pickle name a tensor of the original layout's UNet. The names are
// plain UTF-8 in the pickle, so this tells checkpoints from embeddings, LoRAs and VAEs without unpickling.
bool pickleNamesUNet(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::string window;
    std::vector<char> chunk(1u << 18);
    size_t read = 0;
    while (read < kPickleSearchBytes && in) {
        in.read(chunk.data(), std::streamsize(chunk.size()));
        const auto got = size_t(in.gcount());
        if (got == 0) break;
        read += got;
        // Keep the end of the previous chunk, so that a name split between two chunks is still found.
        const size_t keep = std::min(window.size(), kUNet.size() - 1);
        window.erase(0, window.size() - keep);
        window.append(chunk.data(), got);
        if (window.find(kUNet) != std::string::npos) return true;
    }
    return false;
}

CatalogEntry fileEntry(const fs::path& file, const std::string& shownPath) {
    CatalogEntry entry;
    entry.path = shownPath;
    entry.kind = Kind::Checkpoint;
    entry.name = file.stem().string();
    entry.bytes = fileBytes(file);
    return entry;
}

// A .safetensors file: nullopt when it is no Stable Diffusion checkpoint in the original layout, unless `always`.
std::optional<CatalogEntry> describeSafetensors(const fs::path& file, const std::string& shownPath, bool always) {
    CatalogEntry entry = fileEntry(file, shownPath);
    std::shared_ptr<const SafetensorsFile> st;
    try {
        st = SafetensorsFile::open(file.string());
    } catch (const FileError& e) {
        entry.problem = looksLikePickle(file) ? kPickleProblem : problemOf(e, file);
        return entry;
    }
    if (!hasPrefix(*st, kUNet)) {
        if (!always) return std::nullopt;
        entry.problem = hasPrefix(*st, "down_blocks.") || hasPrefix(*st, "text_model.") || st->find("conv_in.weight")
                            ? "one component of a diffusers folder, not a whole checkpoint: open the folder with "
                              "model_index.json instead"
                            : "not a Stable Diffusion checkpoint: it has no model.diffusion_model.* tensors (the UNet "
                              "of the original layout)";
        return entry;
    }

    PrecisionCount precision;
    const auto [unetBegin, unetEnd] = entriesWithPrefix(*st, kUNet);
    for (auto it = unetBegin; it != unetEnd; ++it)
        precision.add(*it);
    entry.precision = precision.precision();

    // The checks of OriginalCheckpoint::open that the names and shapes alone decide, in its order.
    const bool sd1Text = has(*st, kSd1Text, "text_model.embeddings.token_embedding.weight") ||
                         has(*st, kSd1Text, "embeddings.token_embedding.weight");
    const bool sd2Text = has(*st, kSd2Text, "token_embedding.weight");
    const bool xlText1 = has(*st, kSdxlText1, "text_model.embeddings.token_embedding.weight");
    const bool xlText2 = has(*st, kSdxlText2, "token_embedding.weight");
    std::string problem;
    if (xlText1 && xlText2) {
        entry.family = familyName(ModelFamily::SDXL);
    } else if (xlText1 || xlText2 || hasPrefix(*st, "conditioner.")) {
        entry.family = familyName(ModelFamily::SDXL);
        if (st->find("conditioner.embedders.0.model.token_embedding.weight"))
            problem = "an SDXL refiner (one OpenCLIP text encoder); DAAM Studio opens base models only";
        else
            problem = std::string("an SDXL checkpoint without its ") +
                      (xlText1 ? "second text encoder (conditioner.embedders.1.model.*)"
                               : "first text encoder (conditioner.embedders.0.transformer.*)");
    } else if (sd2Text) {
        entry.family = familyName(ModelFamily::SD2);
    } else if (sd1Text) {
        entry.family = familyName(ModelFamily::SD1);
    } else if (hasPrefix(*st, "cond_stage_model.")) {
        problem = "a text encoder of a kind DAAM Studio does not know (cond_stage_model.* is neither CLIP's "
                  "transformers layout nor OpenCLIP's)";
    } else {
        problem = "no text encoder (cond_stage_model.* or conditioner.embedders.*): DAAM Studio needs the whole "
                  "checkpoint";
    }
    if (problem.empty() && !hasPrefix(*st, kVae))
        problem = "no VAE (first_stage_model.* tensors): DAAM Studio needs the whole checkpoint";
    const TensorEntry* convIn = st->find(std::string(kUNet) + "input_blocks.0.0.weight");
    if (problem.empty() && convIn && convIn->shape.size() == 4 && convIn->shape[1] != 4)
        problem = "an inpainting or image-editing model (its UNet reads " + std::to_string(convIn->shape[1]) +
                  " channels); DAAM Studio opens text-to-image checkpoints (4 channels)";
    const bool labelEmb = hasPrefix(*st, std::string(kUNet) + "label_emb.");
    if (problem.empty() && !entry.family.empty() && (entry.family == familyName(ModelFamily::SDXL)) != labelEmb)
        problem = labelEmb ? "a UNet with a label_emb (SDXL's) but the text encoder of SD 1.x/2.x"
                           : "SDXL's text encoders but no label_emb in its UNet";
    entry.problem = problem;
    return entry;
}

// A pickle: nullopt when its start names no UNet tensor of the original layout (an embedding, a LoRA, a VAE, an
// upscaler), unless `always`.
std::optional<CatalogEntry> describePickle(const fs::path& file, const std::string& shownPath, bool always) {
    if (!always && !pickleNamesUNet(file)) return std::nullopt;
    CatalogEntry entry = fileEntry(file, shownPath);
    entry.problem = kPickleProblem;
    return entry;
}

// The weights files WeightSet::open(componentDir, baseName) reads when no variant is asked for (as the app asks),
// chosen by the same locateWeights: the list shows what opening reads.
std::vector<fs::path> weightsFiles(const fs::path& dir, const std::string& base) {
    const auto location = locateWeights(dir.string(), base);
    if (!location.single.empty()) return {location.single};
    std::set<std::string> shards;
    for (const auto& [tensor, shard] : readWeightMap(location.index))
        shards.insert(shard);
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& shard : shards) {
        if (!fs::is_regular_file(dir / shard, ec)) throw FileError((dir / shard).string(), "no such file");
        files.push_back(dir / shard);
    }
    return files;
}

// A diffusers pipeline folder. `name` and `shownPath` are what the entry shows (a hub snapshot shows its repo id).
CatalogEntry describeFolder(const fs::path& folder, Kind kind, std::string name, std::string shownPath) {
    CatalogEntry entry;
    entry.path = std::move(shownPath);
    entry.kind = kind;
    entry.name = std::move(name);
    std::optional<ModelIndex> index;
    try {
        index = ModelIndex::open(folder.string());
    } catch (const FileError& e) {
        entry.problem = problemOf(e, folder);
        return entry;
    }
    // Problems of the pipeline's makeup come before those of its files: they say what the model is.
    std::string fileProblem;
    try {
        entry.family = familyName(index->family());
    } catch (const FileError& e) {
        fileProblem = problemOf(e, folder);
    }
    const struct {
        const char* component;
        const char* base;
    } weights[] = {{"unet", "diffusion_pytorch_model"},
                   {"vae", "diffusion_pytorch_model"},
                   {"text_encoder", "model"},
                   {"text_encoder_2", "model"}};
    for (const auto& w : weights) {
        if (!index->has(w.component)) continue;
        try {
            PrecisionCount precision;
            for (const auto& file : weightsFiles(folder / w.component, w.base)) {
                entry.bytes += fileBytes(file);
                if (std::strcmp(w.component, "unet") != 0) continue;
                const auto st = SafetensorsFile::open(file.string());
                for (const auto& e : st->entries())
                    precision.add(e);
            }
            if (std::strcmp(w.component, "unet") == 0) entry.precision = precision.precision();
        } catch (const FileError& e) {
            if (fileProblem.empty()) fileProblem = problemOf(e, folder);
        }
    }

    const bool sdxl = index->has("text_encoder_2");
    if (sdxl && !index->has("text_encoder")) {
        entry.problem = "an SDXL refiner (one OpenCLIP text encoder); DAAM Studio opens base models only";
        return entry;
    }
    // The components StableDiffusionPipeline::loadFolder requires.
    std::vector<const char*> required = {"tokenizer", "text_encoder", "unet", "vae", "scheduler"};
    if (sdxl) required.push_back("tokenizer_2");
    for (const char* component : required) {
        if (!index->has(component)) {
            entry.problem = std::string("the pipeline has no '") + component + "' component";
            return entry;
        }
    }
    // A diffusers UNet with more than 4 input channels (inpainting, instruct-pix2pix) loads but cannot denoise
    // from noise alone.
    try {
        const std::string configPath = (folder / "unet" / "config.json").string();
        const auto config = readJsonFile(configPath);
        const auto channels = jsonValue<int64_t>(config, "in_channels", 4, configPath);
        if (channels != 4) {
            entry.problem = "an inpainting or image-editing model (its UNet reads " + std::to_string(channels) +
                            " channels); DAAM Studio opens text-to-image models (4 channels)";
            return entry;
        }
    } catch (const FileError& e) {
        if (fileProblem.empty()) fileProblem = problemOf(e, folder);
    }
    entry.problem = fileProblem;
    return entry;
}

bool isDirectory(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(path, ec);
}

bool hasModelIndex(const fs::path& folder) {
    std::error_code ec;
    return fs::is_regular_file(folder / "model_index.json", ec);
}

// A hub cache holds models--org--name folders (and datasets--, spaces--, .locks beside them).
bool isHubCache(const fs::path& folder) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (startsWith(it->path().filename().string(), "models--") && isDirectory(it->path())) return true;
    return false;
}

std::string canonicalOf(const fs::path& path) {
    std::error_code ec;
    const auto canonical = fs::canonical(path, ec);
    return ec ? fs::absolute(path, ec).lexically_normal().string() : canonical.string();
}

class Scan {
public:
    explicit Scan(const std::function<bool()>& cancelled) : cancelled_(cancelled) {}

    bool stopped() const { return stopped_; }
    std::vector<CatalogEntry>& entries() { return entries_; }

    void scan(const fs::path& folder) {
        if (!isDirectory(folder)) return;
        struct stat st {};
        // A folder already walked as part of another (or named twice) holds nothing new.
        if (::stat(folder.c_str(), &st) != 0 || !visited_.insert({st.st_dev, st.st_ino}).second) return;
        seen_ = 0;
        walk(folder, 0);
    }

private:
    bool poll() {
        if (!stopped_ && cancelled_ && cancelled_()) stopped_ = true;
        return !stopped_;
    }

    // Adds what `describe` says of `at`, once per canonical path: by its own path where the scan meets it so, else
    // by the first link to it met. The describe functions report FileErrors as problems; an unforeseen exception
    // (a filesystem error, memory for a huge header) becomes one too, so that one odd file does not end the scan.
    template <class Describe>
    void add(const fs::path& at, Kind kind, const std::string& name, const std::string& shownPath,
             Describe&& describe) {
        const std::string key = canonicalOf(at);
        std::error_code ec;
        const bool direct = fs::absolute(at, ec).lexically_normal().string() == key;
        const auto known = listed_.find(key);
        if (known != listed_.end() && (known->second.second || !direct)) return;
        std::optional<CatalogEntry> entry;
        try {
            entry = describe();
        } catch (const std::exception& e) {
            entry = CatalogEntry{shownPath, kind, name, {}, {}, 0, e.what()};
        }
        if (!entry) return;
        if (known != listed_.end()) {
            entries_[known->second.first] = std::move(*entry);
            known->second.second = true;
            return;
        }
        listed_[key] = {entries_.size(), direct};
        entries_.push_back(std::move(*entry));
    }

    void scanHub(const fs::path& cache) {
        // Ids resolve only in the default cache; elsewhere the entry names its snapshot folder.
        const std::string defaultCache = hubCacheDir();
        const bool isDefault = !defaultCache.empty() && canonicalOf(defaultCache) == canonicalOf(cache);
        for (const auto& model : listHubModels(cache.string())) {
            if (!poll()) return;
            const std::string shown = isDefault ? model.repoId : model.snapshotDir;
            add(model.snapshotDir, Kind::HubRepo, model.repoId, shown, [&] {
                return std::optional<CatalogEntry>(
                    describeFolder(model.snapshotDir, Kind::HubRepo, model.repoId, shown));
            });
        }
    }

    void walk(const fs::path& folder, int depth) {
        if (hasModelIndex(folder)) {
            const std::string name = folder.filename().string();
            add(folder, Kind::Folder, name, folder.string(), [&] {
                return std::optional<CatalogEntry>(describeFolder(folder, Kind::Folder, name, folder.string()));
            });
            return;
        }
        // A hub cache is listed by repo id, not walked into: its snapshots lie deeper than kCatalogMaxDepth, and
        // the folders beside them (datasets--*, spaces--*) hold no pipelines. Also when met on the way
        // (~/.cache/huggingface/hub below a folder the user named).
        if (isHubCache(folder)) return scanHub(folder);
        std::error_code ec;
        for (fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
             !ec && it != end; it.increment(ec)) {
            if (!poll() || ++seen_ > kCatalogMaxEntries) return;
            const fs::path path = it->path();
            const std::string name = path.filename().string();
            if (name.empty() || name[0] == '.') continue;
            struct stat st {};
            if (::stat(path.c_str(), &st) != 0) continue; // a dangling link, a file gone since the listing
            if (S_ISDIR(st.st_mode)) {
                // Following links to folders is what users expect of a models folder; the (device, inode) pairs
                // seen keep a link to a parent from walking in circles.
                if (depth < kCatalogMaxDepth && visited_.insert({st.st_dev, st.st_ino}).second) walk(path, depth + 1);
                if (stopped_) return;
            } else if (S_ISREG(st.st_mode)) {
                const std::string ext = asciiLower(path.extension().string());
                const std::string stem = path.stem().string();
                if (ext == ".safetensors")
                    add(path, Kind::Checkpoint, stem, path.string(),
                        [&] { return describeSafetensors(path, path.string(), false); });
                else if (isPickleExtension(ext))
                    add(path, Kind::Checkpoint, stem, path.string(),
                        [&] { return describePickle(path, path.string(), false); });
            }
        }
    }

    const std::function<bool()>& cancelled_;
    bool stopped_ = false;
    size_t seen_ = 0;
    std::set<std::pair<dev_t, ino_t>> visited_;
    std::map<std::string, std::pair<size_t, bool>> listed_; // canonical path -> index in entries_, listed directly
    std::vector<CatalogEntry> entries_;
};

std::string homeFolder() {
    if (const char* home = std::getenv("HOME"); home && *home) return home;
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
    return {};
}

} // namespace catalog
} // namespace

std::vector<std::string> defaultModelFolders() {
    std::vector<std::string> folders;
    if (std::string hub = hubCacheDir(); !hub.empty()) folders.push_back(std::move(hub));
    const std::string home = catalog::homeFolder();
    if (home.empty()) return folders;
    // Where AUTOMATIC1111's web UI and ComfyUI keep models when cloned into the home folder, as their
    // instructions do; other places are for the user to add.
    for (const char* relative :
         {"stable-diffusion-webui/models/Stable-diffusion", "ComfyUI/models/checkpoints", "ComfyUI/models/diffusers"}) {
        const fs::path folder = fs::path(home) / relative;
        if (catalog::isDirectory(folder)) folders.push_back(folder.string());
    }
    return folders;
}

std::vector<CatalogEntry> scanModelFolders(const std::vector<std::string>& folders,
                                           const std::function<bool()>& cancelled) {
    catalog::Scan scan(cancelled);
    for (const auto& folder : folders) {
        if (folder.empty()) continue;
        scan.scan(fs::path(folder).lexically_normal());
        if (scan.stopped()) return {};
    }
    auto entries = std::move(scan.entries());
    std::sort(entries.begin(), entries.end(), [](const CatalogEntry& a, const CatalogEntry& b) {
        if (a.kind != b.kind) return a.kind < b.kind;
        const std::string an = asciiLower(a.name), bn = asciiLower(b.name);
        if (an != bn) return an < bn;
        return a.path < b.path;
    });
    return entries;
}

CatalogEntry describeModel(const std::string& path) {
    using catalog::Kind;
    try {
        const fs::path p(path);
        std::error_code ec;
        if (fs::is_directory(p, ec)) return catalog::describeFolder(p, Kind::Folder, p.filename().string(), path);
        if (fs::is_regular_file(p, ec)) {
            const std::string ext = asciiLower(p.extension().string());
            if (catalog::isPickleExtension(ext)) return *catalog::describePickle(p, path, true);
            return *catalog::describeSafetensors(p, path, true);
        }
        if (looksLikeRepoId(path)) {
            CatalogEntry entry;
            entry.path = entry.name = path;
            entry.kind = Kind::HubRepo;
            try {
                return catalog::describeFolder(resolveHubModel(path), Kind::HubRepo, path, path);
            } catch (const FileError& e) {
                entry.problem = e.what();
            }
            return entry;
        }
        CatalogEntry entry;
        entry.path = path;
        entry.name = p.filename().string();
        entry.problem = "no such model: not a diffusers folder, a checkpoint file or a Hugging Face repo id";
        return entry;
    } catch (const std::exception& e) {
        // describeFolder and describeSafetensors report FileErrors as problems; this is for the unforeseen
        // (an allocation failure on a huge header, a filesystem error).
        CatalogEntry entry;
        entry.path = path;
        entry.name = fs::path(path).filename().string();
        entry.problem = e.what();
        return entry;
    }
}

CatalogEntry builtInCatalogEntry(const std::string& dir, const std::string& name) {
    CatalogEntry entry = describeModel(dir);
    entry.kind = CatalogEntry::Kind::BuiltIn;
    entry.name = name;
    entry.family.clear();
    return entry;
}

} // namespace daam
