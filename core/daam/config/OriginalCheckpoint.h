// SPDX-License-Identifier: GPL-3.0-or-later
// Single-file Stable Diffusion checkpoints in the original Stability/LDM layout (what A1111 and ComfyUI keep in
// models/Stable-diffusion/): which family a file is, the configuration of each component (from the LDM/sgm YAML
// beside it, else from the tensors and the family's fixed rules), and its tensors under diffusers' names.
#pragma once

#include "daam/config/CLIPTextConfig.h"
#include "daam/config/ModelIndex.h"
#include "daam/io/WeightSet.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace daam {

struct UNet2DConditionConfig;
struct AutoencoderKLConfig;

// One rule between our (diffusers) tensor names and a checkpoint's: a whole name or a prefix, with how the
// tensor's data differs between the two.
struct NameRule {
    enum class Transform {
        None,
        Rows,      // ours is part `part` of `parts` equal row blocks of theirs (OpenCLIP's fused in_proj)
        Unsqueeze, // theirs has two more trailing dimensions of 1 (a 1x1 convolution for our linear layer)
        Transpose, // theirs is ours transposed (OpenCLIP's text_projection)
    };
    std::string ours;
    std::string theirs;
    bool prefix = true;
    Transform transform = Transform::None;
    int part = 0, parts = 1;
    // Renames of what follows a prefix (a ResNet's "norm1." is LDM's "in_layers.0."); applied to the start of
    // the rest of the name.
    const std::vector<std::pair<std::string, std::string>>* suffixes = nullptr;
};

class NameMap {
public:
    void add(NameRule rule) { rules_.push_back(std::move(rule)); }
    // The checkpoint's name of our tensor `ours`, and the rule that maps it; nullopt when no rule matches.
    std::optional<std::pair<std::string, const NameRule*>> theirs(const std::string& ours) const;
    // Our tensors a checkpoint tensor becomes (several for a fused tensor); empty when no rule matches.
    std::vector<std::pair<std::string, const NameRule*>> ours(const std::string& theirs) const;

private:
    std::vector<NameRule> rules_;
};

NameMap unetNameMap(const UNet2DConditionConfig& config);
NameMap vaeNameMap(const AutoencoderKLConfig& config);
// `openClip`: OpenCLIP's layout (resblocks, fused in_proj; SD 2.x and SDXL's second encoder); otherwise
// transformers' CLIPTextModel layout, as SD 1.x and SDXL's first encoder store it.
NameMap clipNameMap(int64_t layers, bool openClip, bool withProjection);

// The component prefixes of the original layout.
namespace original {
constexpr const char* kUNet = "model.diffusion_model.";
constexpr const char* kVae = "first_stage_model.";
constexpr const char* kSd1Text = "cond_stage_model.transformer.";
constexpr const char* kSd2Text = "cond_stage_model.model.";
constexpr const char* kSdxlText1 = "conditioner.embedders.0.transformer.";
constexpr const char* kSdxlText2 = "conditioner.embedders.1.model.";
} // namespace original

class OriginalCheckpoint {
public:
    struct TextEncoder {
        std::string prefix;      // in the checkpoint, e.g. "cond_stage_model.transformer."
        bool openClip = false;   // OpenCLIP layout (else transformers')
        CLIPTextConfig config;   // as stored in the file: all its layers
        std::string configLabel; // names the config in messages (a config.json, or the file's tensors)
        CLIPHiddenState hidden;  // which hidden state the UNet reads
        // A folder with the tokenizer's files (vocab.json, merges.txt, ...), from the YAML; empty: the standard
        // CLIP tokenizer, padding with `padWithZero` ? "!" (id 0) : the end token.
        std::string tokenizerDir;
        bool padWithZero = false;
        WeightSet weights; // under transformers' names
    };

    // Reads `path` (a .safetensors file) and `<stem>.yaml` beside it when present. Throws FileError naming the
    // file and the problem: pickles, files that are not a Stable Diffusion checkpoint, a missing component, a
    // family we do not know, a YAML that contradicts the tensors.
    static OriginalCheckpoint open(const std::string& path);
    // True for a path the original layout may be in: an existing regular file (not a folder).
    static bool isCheckpointFile(const std::string& path);

    const std::string& path() const { return path_; }
    const std::string& yamlPath() const { return yamlPath_; } // empty when the config was inferred
    ModelFamily family() const { return family_; }
    bool vPrediction() const { return vPrediction_; }

    // diffusers-style configs (config.json of unet and vae, scheduler_config.json), so the readers that check
    // diffusers folders check these too; `configLabel()` names them in messages.
    const nlohmann::json& unetConfig() const { return unetConfig_; }
    const nlohmann::json& vaeConfig() const { return vaeConfig_; }
    const nlohmann::json& schedulerConfig() const { return schedulerConfig_; }
    const std::string& configLabel() const { return configLabel_; }
    const WeightSet& unetWeights() const { return unetWeights_; }
    const WeightSet& vaeWeights() const { return vaeWeights_; }
    const std::vector<TextEncoder>& textEncoders() const { return textEncoders_; }

private:
    std::string path_, yamlPath_, configLabel_;
    ModelFamily family_ = ModelFamily::SD1;
    bool vPrediction_ = false;
    nlohmann::json unetConfig_, vaeConfig_, schedulerConfig_;
    WeightSet unetWeights_, vaeWeights_;
    std::vector<TextEncoder> textEncoders_;
};

// The checkpoint name of each of our tensors, with the data as the checkpoint stores it: the inverse of what
// OriginalCheckpoint reads (fused tensors gathered from their parts). `tensors` are one component's tensors under
// diffusers' names; the result is appended to `out` under `prefix`.
struct OriginalTensor {
    std::string name;
    NameRule::Transform transform = NameRule::Transform::None;
    // For Rows: the names of our parts, in order; otherwise the one name.
    std::vector<std::string> parts;
};
std::vector<OriginalTensor> originalTensorsOf(const std::vector<std::string>& ourNames, const NameMap& map,
                                              const std::string& prefix);

} // namespace daam
