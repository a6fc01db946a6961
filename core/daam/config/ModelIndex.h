// SPDX-License-Identifier: GPL-3.0-or-later
// A diffusers pipeline folder as described by its model_index.json: the pipeline class, its components
// (`"unet": ["diffusers", "UNet2DConditionModel"]`, `"safety_checker": [null, null]`) and the model family
// that decides how prompts are encoded and the UNet is conditioned.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace daam {

enum class ModelFamily { SD1, SD2, SDXL };
const char* toString(ModelFamily family);

struct ComponentSpec {
    std::string library;   // "diffusers", "transformers"; empty for a null entry
    std::string className; // "UNet2DConditionModel"; empty for a null entry
    bool present() const { return !className.empty(); }
};

class ModelIndex {
public:
    // Reads <folder>/model_index.json and checks that every non-null component has its folder.
    // Throws FileError naming model_index.json and the component.
    static ModelIndex open(const std::string& folder);

    const std::string& folder() const { return folder_; }
    const std::string& className() const { return className_; } // "StableDiffusionXLPipeline"
    const std::map<std::string, ComponentSpec>& components() const { return components_; }
    // True when the component is listed with a non-null class.
    bool has(const std::string& name) const;
    // <folder>/<name>; throws FileError when the component is absent or null.
    std::string componentDir(const std::string& name) const;

    // SDXL when text_encoder_2 exists (SDXL conditions on two encoders); otherwise SD2 when the tokenizer pads
    // with "!" or the text encoder's hidden_act is "gelu" (OpenCLIP ViT-H, which SD2 uses, has both; OpenAI's
    // CLIP ViT-L of SD1 pads with <|endoftext|> and uses quick_gelu); otherwise SD1. Reads the configs.
    ModelFamily family() const;
    // StableDiffusionXLPipeline's force_zeros_for_empty_prompt (diffusers' default: true): an empty negative
    // prompt conditions on zeros, not on the encoded "".
    bool forceZerosForEmptyPrompt() const { return forceZerosForEmptyPrompt_; }

private:
    std::string folder_;
    std::string className_;
    std::map<std::string, ComponentSpec> components_;
    bool forceZerosForEmptyPrompt_ = true;
};

} // namespace daam
