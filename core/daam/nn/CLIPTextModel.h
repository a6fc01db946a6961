// SPDX-License-Identifier: GPL-3.0-or-later
// The CLIP text encoder of Stable Diffusion (transformers' CLIPTextModel / CLIPTextModelWithProjection):
// a pre-LayerNorm causal transformer over token + position embeddings. Submodule names equal the
// transformers state-dict keys (text_model.encoder.layers.N.self_attn.q_proj, ...), so weights load by name.
// The classes are small and only meaningful together, so they share this file.
#pragma once

#include "daam/config/CLIPTextConfig.h"
#include "daam/io/WeightSet.h"

#include "daam/nn/DenseLayers.h"
#include "daam/nn/Normalization.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

namespace daam {

struct CLIPTextModelOptions {
    CLIPTextConfig config;
};

// self_attn: multi-head attention with a causal mask.
class CLIPAttentionImpl : public torch::nn::Module {
public:
    explicit CLIPAttentionImpl(const CLIPTextConfig& config);
    // x [B, T, D], mask [1, 1, T, T] additive -> [B, T, D]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);

private:
    int64_t heads_;
    double scale_;
    Linear q_proj_{nullptr}, k_proj_{nullptr}, v_proj_{nullptr}, out_proj_{nullptr};
};
TORCH_MODULE(CLIPAttention);

// mlp: fc1 -> activation -> fc2.
class CLIPMLPImpl : public torch::nn::Module {
public:
    explicit CLIPMLPImpl(const CLIPTextConfig& config);
    torch::Tensor forward(const torch::Tensor& x); // [B, T, D] -> [B, T, D]

private:
    bool quickGelu_;
    Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(CLIPMLP);

// One pre-LN block: x + attn(ln1(x)), then x + mlp(ln2(x)).
class CLIPEncoderLayerImpl : public torch::nn::Module {
public:
    explicit CLIPEncoderLayerImpl(const CLIPTextConfig& config);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask);

private:
    CLIPAttention self_attn_{nullptr};
    LayerNorm layer_norm1_{nullptr}, layer_norm2_{nullptr};
    CLIPMLP mlp_{nullptr};
};
TORCH_MODULE(CLIPEncoderLayer);

struct CLIPTextOutput {
    torch::Tensor lastHiddenState;           // [B, T, D], after final_layer_norm
    std::vector<torch::Tensor> hiddenStates; // numHiddenLayers + 1 of [B, T, D]; [0] = embeddings, no final LN
    torch::Tensor pooled;                    // [B, D]: lastHiddenState at argmax(ids) (the first EOS)
    torch::Tensor textEmbeds;                // [B, projectionDim] = text_projection(pooled); undefined without
    // hiddenStates[-2], what SDXL conditions on.
    const torch::Tensor& penultimate() const { return hiddenStates.at(hiddenStates.size() - 2); }
};

// text_model: embeddings, encoder.layers, final_layer_norm.
class CLIPTextTransformerImpl : public torch::nn::Module {
public:
    explicit CLIPTextTransformerImpl(const CLIPTextConfig& config);
    CLIPTextOutput forward(const torch::Tensor& inputIds); // ids [B, T] int64, T <= max_position_embeddings
    torch::Tensor finalLayerNorm(const torch::Tensor& hidden) { return final_layer_norm_(hidden); }

private:
    CLIPTextConfig config_;
    torch::nn::Embedding token_embedding_{nullptr}, position_embedding_{nullptr};
    torch::nn::ModuleList layers_{nullptr};
    LayerNorm final_layer_norm_{nullptr};
};
TORCH_MODULE(CLIPTextTransformer);

// text_model (+ text_projection, no bias, for CLIPTextModelWithProjection).
class CLIPTextModelImpl : public torch::nn::Module {
public:
    explicit CLIPTextModelImpl(const CLIPTextModelOptions& options);
    CLIPTextOutput forward(const torch::Tensor& inputIds);
    torch::Tensor finalLayerNorm(const torch::Tensor& hidden) { return text_model_->finalLayerNorm(hidden); }
    const CLIPTextConfig& config() const { return config_; }

private:
    CLIPTextConfig config_;
    CLIPTextTransformer text_model_{nullptr};
    Linear text_projection_{nullptr};
};
TORCH_MODULE(CLIPTextModel);

// Reads <componentDir>/config.json and <componentDir>/model.safetensors (or its shards). The
// text_model.embeddings.position_ids buffer some transformers versions save is accepted and ignored.
CLIPTextModel loadCLIPTextModel(const std::string& componentDir, const LoadOptions& options = {});
CLIPTextModel loadCLIPTextModel(const CLIPTextConfig& config, const WeightSet& weights, const std::string& configPath,
                                const LoadOptions& options = {});

} // namespace daam
