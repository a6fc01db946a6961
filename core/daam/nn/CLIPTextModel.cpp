// SPDX-License-Identifier: GPL-3.0-or-later
// CLIP text encoder forward pass, matching transformers 4.30's modeling_clip (eval mode, no attention mask).
#include "daam/nn/CLIPTextModel.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace daam {

namespace nn = torch::nn;

CLIPAttentionImpl::CLIPAttentionImpl(const CLIPTextConfig& c)
    : heads_(c.numAttentionHeads), scale_(1.0 / std::sqrt(double(c.hiddenSize / c.numAttentionHeads))) {
    const int64_t d = c.hiddenSize;
    q_proj_ = register_module("q_proj", Linear(d, d));
    k_proj_ = register_module("k_proj", Linear(d, d));
    v_proj_ = register_module("v_proj", Linear(d, d));
    out_proj_ = register_module("out_proj", Linear(d, d));
}

torch::Tensor CLIPAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
    const int64_t b = x.size(0), t = x.size(1), d = x.size(2), hd = d / heads_;
    // [B, T, D] -> [B, H, T, hd]; transformers scales q before the product, so do we (same rounding).
    auto split = [&](const torch::Tensor& y) { return y.view({b, t, heads_, hd}).transpose(1, 2); };
    auto q = split(q_proj_(x) * scale_);
    auto k = split(k_proj_(x));
    auto v = split(v_proj_(x));
    auto weights = torch::matmul(q, k.transpose(-1, -2)) + mask; // [B, H, T, T]
    auto probs = torch::softmax(weights, -1);
    auto out = torch::matmul(probs, v).transpose(1, 2).reshape({b, t, d}); // [B, T, D]
    return out_proj_(out);
}

CLIPMLPImpl::CLIPMLPImpl(const CLIPTextConfig& c) : quickGelu_(c.hiddenAct == "quick_gelu") {
    fc1_ = register_module("fc1", Linear(c.hiddenSize, c.intermediateSize));
    fc2_ = register_module("fc2", Linear(c.intermediateSize, c.hiddenSize));
}

torch::Tensor CLIPMLPImpl::forward(const torch::Tensor& x) {
    auto h = fc1_(x);                                                // [B, T, I]
    h = quickGelu_ ? h * torch::sigmoid(1.702 * h) : torch::gelu(h); // gelu: exact erf form
    return fc2_(h);
}

CLIPEncoderLayerImpl::CLIPEncoderLayerImpl(const CLIPTextConfig& c) {
    const auto ln = nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps);
    self_attn_ = register_module("self_attn", CLIPAttention(c));
    layer_norm1_ = register_module("layer_norm1", LayerNorm(ln));
    mlp_ = register_module("mlp", CLIPMLP(c));
    layer_norm2_ = register_module("layer_norm2", LayerNorm(ln));
}

torch::Tensor CLIPEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
    auto h = x + self_attn_(layer_norm1_(x), mask);
    return h + mlp_(layer_norm2_(h));
}

CLIPTextTransformerImpl::CLIPTextTransformerImpl(const CLIPTextConfig& c) : config_(c) {
    // transformers nests the embeddings one level down: text_model.embeddings.token_embedding.
    auto embeddings = register_module("embeddings", std::make_shared<nn::Module>());
    token_embedding_ = embeddings->register_module("token_embedding", nn::Embedding(c.vocabSize, c.hiddenSize));
    position_embedding_ =
        embeddings->register_module("position_embedding", nn::Embedding(c.maxPositionEmbeddings, c.hiddenSize));
    auto encoder = register_module("encoder", std::make_shared<nn::Module>());
    layers_ = encoder->register_module("layers", nn::ModuleList());
    for (int64_t i = 0; i < c.numHiddenLayers; ++i)
        layers_->push_back(CLIPEncoderLayer(c));
    final_layer_norm_ =
        register_module("final_layer_norm", LayerNorm(nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps)));
}

CLIPTextOutput CLIPTextTransformerImpl::forward(const torch::Tensor& inputIds) {
    if (inputIds.dim() != 2)
        throw Error("CLIP text encoder: input ids must be [batch, length], got " + std::to_string(inputIds.dim()) +
                    " dimensions");
    const int64_t t = inputIds.size(1);
    if (t > config_.maxPositionEmbeddings)
        throw Error("CLIP text encoder: " + std::to_string(t) + " tokens exceed max_position_embeddings " +
                    std::to_string(config_.maxPositionEmbeddings));
    const auto ids = inputIds.to(token_embedding_->weight.device(), torch::kLong);
    if (ids.numel() > 0) {
        // An id past the embedding would end in LibTorch's index error, deep in the forward pass.
        const int64_t lowest = ids.min().item<int64_t>(), highest = ids.max().item<int64_t>();
        if (lowest < 0 || highest >= config_.vocabSize)
            throw Error("CLIP text encoder: token id " + std::to_string(lowest < 0 ? lowest : highest) +
                        " is outside its vocabulary of " + std::to_string(config_.vocabSize) +
                        " ids (vocab_size in its config.json); the tokenizer does not belong to this text encoder");
    }
    const auto opts = token_embedding_->weight.options();

    CLIPTextOutput out;
    auto positions = torch::arange(t, ids.options());
    auto h = token_embedding_(ids) + position_embedding_(positions).unsqueeze(0); // [B, T, D]
    // Causal mask like transformers: finfo.min (not -inf) above the diagonal, added to the scores.
    const auto dtype = opts.dtype().toScalarType();
    const double lowest = dtype == torch::kBFloat16  ? double(std::numeric_limits<c10::BFloat16>::lowest())
                          : dtype == torch::kFloat16 ? double(std::numeric_limits<c10::Half>::lowest())
                                                     : double(std::numeric_limits<float>::lowest());
    auto mask = torch::full({t, t}, lowest, opts).triu(1).view({1, 1, t, t});
    out.hiddenStates.reserve(layers_->size() + 1);
    out.hiddenStates.push_back(h);
    for (const auto& layer : *layers_) {
        h = layer->as<CLIPEncoderLayer>()->forward(h, mask);
        out.hiddenStates.push_back(h);
    }
    out.lastHiddenState = final_layer_norm_(h);
    // The EOS token has the largest id in CLIP's vocabulary, so argmax finds the first EOS (transformers 4.30).
    auto eos = ids.argmax(-1);                                                                // [B]
    out.pooled = out.lastHiddenState.index({torch::arange(ids.size(0), ids.options()), eos}); // [B, D]
    return out;
}

CLIPTextModelImpl::CLIPTextModelImpl(const CLIPTextModelOptions& options) : config_(options.config) {
    text_model_ = register_module("text_model", CLIPTextTransformer(config_));
    if (config_.withProjection)
        text_projection_ = register_module(
            "text_projection", Linear(nn::LinearOptions(config_.hiddenSize, config_.projectionDim).bias(false)));
}

CLIPTextOutput CLIPTextModelImpl::forward(const torch::Tensor& inputIds) {
    auto out = text_model_(inputIds);
    if (text_projection_) out.textEmbeds = text_projection_(out.pooled); // [B, P]
    return out;
}

CLIPTextModel loadCLIPTextModel(const std::string& componentDir, const LoadOptions& options) {
    const std::string configPath = componentDir + "/config.json";
    return loadCLIPTextModel(CLIPTextConfig::load(configPath), WeightSet::open(componentDir, "model", options.variant),
                             configPath, options);
}

CLIPTextModel loadCLIPTextModel(const CLIPTextConfig& config, const WeightSet& weights, const std::string& configPath,
                                const LoadOptions& options) {
    const std::string embeddings = "text_model.embeddings.";
    const ConfigShapeCheck check(weights, configPath);
    check.dim(embeddings + "token_embedding.weight", 1, config.hiddenSize, "hidden_size")
        .dim(embeddings + "token_embedding.weight", 0, config.vocabSize, "vocab_size")
        .dim(embeddings + "position_embedding.weight", 0, config.maxPositionEmbeddings, "max_position_embeddings")
        .count("text_model.encoder.layers.", config.numHiddenLayers, "num_hidden_layers")
        .dim("text_model.encoder.layers.0.mlp.fc1.weight", 0, config.intermediateSize, "intermediate_size");
    if (config.withProjection) check.dim("text_projection.weight", 0, config.projectionDim, "projection_dim");
    CLIPTextModel model(CLIPTextModelOptions{config});
    LoadOptions opts = options;
    opts.optionalInFile.push_back("text_model.embeddings.position_ids");
    loadStateDict(*model, weights, opts);
    model->eval();
    return model;
}

} // namespace daam
