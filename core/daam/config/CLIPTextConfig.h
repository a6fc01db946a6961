// SPDX-License-Identifier: GPL-3.0-or-later
// The configuration of a transformers CLIP text encoder (text_encoder/config.json), with transformers'
// CLIPTextConfig defaults for absent keys.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace daam {

// Which hidden state of a CLIP text encoder conditions the UNet. diffusers folders store the encoder cut to the
// layers used; single-file checkpoints store it whole and say in their YAML which state is read.
struct CLIPHiddenState {
    int index = -1;             // into hidden_states: 0 = the embeddings, negative counts from the end (-1: last layer)
    bool finalLayerNorm = true; // LDM's FrozenOpenCLIPEmbedder normalises its "penultimate"; sgm's does not
    bool operator==(const CLIPHiddenState& o) const { return index == o.index && finalLayerNorm == o.finalLayerNorm; }
};

struct CLIPTextConfig {
    int64_t vocabSize = 49408;
    int64_t hiddenSize = 512;
    int64_t intermediateSize = 2048;
    int64_t projectionDim = 512;
    int64_t numHiddenLayers = 12;
    int64_t numAttentionHeads = 8;
    int64_t maxPositionEmbeddings = 77;
    std::string hiddenAct = "quick_gelu"; // "quick_gelu" or "gelu"
    double layerNormEps = 1e-5;
    // architectures == ["CLIPTextModelWithProjection"]: the model has a text_projection (SDXL's TE2).
    bool withProjection = false;

    // `path` is only used in error messages. Throws FileError on wrong types and absurd values.
    static CLIPTextConfig fromJson(const nlohmann::json& j, const std::string& path);
    static CLIPTextConfig load(const std::string& configPath);
};

} // namespace daam
