// SPDX-License-Identifier: GPL-3.0-or-later
// The models on this computer, for the app's model picker: diffusers folders, single-file checkpoints and the
// Hugging Face cache's pipelines, found by scanning folders and described from their headers and configs alone.
//
// Torch-free and cheap: a file is described by its safetensors header (SafetensorsFile maps it, and only the
// header's pages are read), a folder by its JSON configs and the headers of its UNet's weights. The description
// foresees the common reasons a model cannot be opened; an entry without a problem may still fail to load (a YAML
// beside a checkpoint that contradicts it, a tensor of the wrong shape): loading is the final word.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace daam {

struct CatalogEntry {
    enum class Kind { BuiltIn, Folder, Checkpoint, HubRepo };

    // What StableDiffusionPipeline::load takes: a folder, a .safetensors file, or for a HubRepo the repo id when
    // it is in the default cache (hubCacheDir(): load resolves ids there) and its snapshot folder otherwise.
    std::string path;
    Kind kind = Kind::Folder;
    std::string name;      // the folder's name, the file's name without extension, or the repo id
    std::string family;    // "SD 1.x", "SD 2.x", "SDXL", or "" when unknown
    std::string precision; // "F32", "F16", "BF16" (the dtype of at least 90% of the UNet's weights), or "mixed"
    uint64_t bytes = 0;    // weights on disk: the file, or every weights file the pipeline reads from a folder
    // Why it cannot be opened (a pickle, an SDXL refiner, an inpainting model, no VAE, a damaged file...); such
    // entries are listed anyway, so that users see why their model is not usable. Empty: no problem foreseen.
    std::string problem;
};

// How far scanModelFolders looks below each folder it is given: three levels of subfolders (A1111 users sort
// their checkpoints into folders, e.g. Stable-diffusion/SDXL/anime/), and at most this many directory entries,
// so that a home folder added by mistake costs a few seconds, not minutes.
constexpr int kCatalogMaxDepth = 3;
constexpr size_t kCatalogMaxEntries = 5000;

// The folders the app scans when the user has named none: the Hugging Face cache (hubCacheDir(), whether or not
// it exists), then those of these that exist: ~/stable-diffusion-webui/models/Stable-diffusion (AUTOMATIC1111),
// ~/ComfyUI/models/checkpoints and ~/ComfyUI/models/diffusers (ComfyUI).
std::vector<std::string> defaultModelFolders();

// Every model in `folders`. A folder holding models--*/ folders is a hub cache: its pipelines (listHubModels) are
// listed, as HubRepo entries. Any other folder is walked (kCatalogMaxDepth, kCatalogMaxEntries; hidden files and
// folders skipped; symbolic links followed, each folder visited once): a folder with model_index.json is a
// Folder entry (not looked into further); a .safetensors file with the original layout's UNet
// (model.diffusion_model.*) is a Checkpoint entry; a PyTorch pickle (.ckpt, .pt, .pth, .bin) that names such
// tensors near its start is a Checkpoint entry with a problem, since DAAM Studio never unpickles. Other files
// (LoRAs, VAEs, embeddings, diffusers components) are left out silently; a damaged .safetensors file is listed
// with its problem. Missing folders are skipped. Sorted by kind, then name (ignoring case), then path; each model
// once (by its canonical path), as first found. `cancelled` is polled between directory entries: when it returns
// true, the scan stops and returns nothing.
std::vector<CatalogEntry> scanModelFolders(const std::vector<std::string>& folders,
                                           const std::function<bool()>& cancelled = {});

// One model as the user named it (a recent choice, a folder or file picked by hand): a diffusers folder, a
// checkpoint file, or a repo id in the default hub cache. Never throws: anything that is not a model it can open
// is described with a problem (a LoRA, a folder without model_index.json, a repo that is not downloaded...).
CatalogEntry describeModel(const std::string& path);

// A built-in shape-world model in `dir` (builtin::builtInModels()), as a BuiltIn entry named `name`. Its family is
// left empty: it is none of the Stable Diffusion releases, though it runs as SD 1.x does.
CatalogEntry builtInCatalogEntry(const std::string& dir, const std::string& name);

} // namespace daam
