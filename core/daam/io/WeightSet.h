// SPDX-License-Identifier: GPL-3.0-or-later
// The weights of one diffusers component folder (unet/, vae/, text_encoder/...): a single
// `<base>.safetensors`, a variant such as `<base>.fp16.safetensors`, or shards listed in
// `<base>.safetensors.index.json`. Tensors are zero-copy views of the mapped files.
#pragma once

#include "daam/io/SafetensorsFile.h"

#include <torch/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace daam {

class WeightSet {
public:
    // `baseName` is "diffusion_pytorch_model" for diffusers models, "model" for transformers ones.
    // `variant` selects `<base>.<variant>.safetensors` (e.g. "fp16"); empty for the plain file.
    // Throws FileError when no weights file exists or a file or index is damaged.
    static WeightSet open(const std::string& componentDir, const std::string& baseName,
                          const std::string& variant = {});
    // The tensors of one .safetensors file.
    static WeightSet openFile(const std::string& path);

    std::vector<std::string> names() const;
    bool contains(const std::string& name) const;
    const TensorEntry& entry(const std::string& name) const;
    torch::Tensor tensor(const std::string& name) const; // zero-copy CPU view
    // After `name` was copied out: its pages of the mapped file leave resident memory (SafetensorsFile::releasePages).
    void releasePages(const std::string& name) const;
    const std::string& fileOf(const std::string& name) const;
    // How many items `<prefix>0.`, `<prefix>1.`, ... the tensor names number: 1 + the largest N of a tensor
    // named `<prefix>N.<rest>`, 0 when there is none (e.g. prefix "text_model.encoder.layers.").
    int64_t indexedCount(const std::string& prefix) const;
    // What this set was opened from, for messages.
    const std::string& source() const { return source_; }

    // Sets whose names differ from the file's (a single-file checkpoint's tensors under the names of our
    // modules) are built from another set's tensors without copying them: each view still reads the mapped file.
    // `source` stands for the new set in messages. The source set must hold `from` (FileError otherwise).
    static WeightSet renamed(std::string source) {
        WeightSet set;
        set.source_ = std::move(source);
        return set;
    }
    // `name` reads tensor `from` of `base` as it is.
    void addAlias(const std::string& name, const WeightSet& base, const std::string& from);
    // `name` reads part `part` of `parts` equal slices of `from` along dimension 0 (OpenCLIP's fused in_proj
    // holds q, k and v one after another).
    void addRows(const std::string& name, const WeightSet& base, const std::string& from, int64_t part, int64_t parts);
    // `name` reads `from`'s elements in the same order with another shape (a 1x1 convolution's [C, C, 1, 1]
    // weight as a linear layer's [C, C]).
    void addReshaped(const std::string& name, const WeightSet& base, const std::string& from,
                     std::vector<int64_t> shape);
    // `name` reads `from` transposed (2-D only): OpenCLIP's text_projection multiplies from the right.
    void addTransposed(const std::string& name, const WeightSet& base, const std::string& from);

private:
    struct Located {
        std::shared_ptr<const SafetensorsFile> file;
        const TensorEntry* entry = nullptr;
        bool transposed = false;
    };
    const Located& locate(const std::string& from) const;
    const TensorEntry& derivedEntry(TensorEntry entry);

    std::string source_;
    std::map<std::string, Located> tensors_;
    // Entries of views that no file lists (slices, reshapes); shared so that copies of the set keep them.
    std::shared_ptr<std::vector<std::unique_ptr<TensorEntry>>> derived_;
};

struct LoadOptions {
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32; // floating-point weights are converted to this
    // Tensors that may be present in the file without a matching parameter (e.g. position_ids buffers
    // some transformers versions save), and parameters that may be absent from the file.
    std::vector<std::string> optionalInFile;
    std::vector<std::string> optionalInModule;
    // Weights files `<base>.<variant>.safetensors` of a diffusers folder ("fp16"); empty: the plain files, or the
    // only variant when a folder holds nothing else.
    std::string variant;
    // On the CPU, floating-point tensors this names alias the file in the file's dtype instead of being converted,
    // for a module that keeps its own converted copy (bfloat16 convolutions packed for oneDNN, DenseLayers.h).
    std::function<bool(const std::string& name)> keepFileDtype;
};

// Copies (or, when dtype and device already match, aliases) every parameter and buffer of `module` from
// `weights`, matched by their dotted names. Every missing, unexpected and wrongly shaped tensor is listed
// by name in one FileError; a tensor whose dtype is of another kind than its parameter's (integer data for
// a floating-point parameter, or the reverse) is a FileError naming the file, the tensor and both dtypes.
// Nothing is half-loaded silently.
void loadStateDict(torch::nn::Module& module, const WeightSet& weights, const LoadOptions& options = {});

// Takes the pages of `module`'s parameters and buffers that still alias a weight file unchanged out of resident
// memory (releaseCleanFilePages); they read back from the page cache on next use. Returns the bytes given back.
std::size_t releaseCleanWeightPages(const torch::nn::Module& module);

// A model is allocated in full from its config before loadStateDict compares it with the weights, so a
// config that does not describe the weights beside it (ten times the layers, a wider hidden size) would be
// built first. Loaders compare the config's sizes with a few of the weights' tensors before they build the
// model; each mismatch is a FileError naming the config file and the key. Tensors the weights lack are
// left to loadStateDict, which lists them.
class ConfigShapeCheck {
public:
    ConfigShapeCheck(const WeightSet& weights, std::string configPath)
        : weights_(weights), configPath_(std::move(configPath)) {}
    // Dimension `dim` of tensor `name` must be `expected`, a size config key `key` gives.
    const ConfigShapeCheck& dim(const std::string& name, size_t dim, int64_t expected, const std::string& key) const;
    // The weights must number `expected` items `<prefix>N.` (N = 0, 1, ...) when they hold any.
    const ConfigShapeCheck& count(const std::string& prefix, int64_t expected, const std::string& key) const;

private:
    const WeightSet& weights_;
    std::string configPath_;
};

// Writes every parameter and buffer of `module` under its dotted name (the names loadStateDict reads)
// into a .safetensors file, atomically; floating-point tensors are converted to `floatDtype`.
void saveStateDict(const torch::nn::Module& module, const std::string& path,
                   torch::ScalarType floatDtype = torch::kFloat32);

} // namespace daam
