// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing text_encoder/config.json. Defaults are those of transformers 4.30's CLIPTextConfig.
#include "daam/config/CLIPTextConfig.h"

#include "daam/config/ConfigLimits.h"
#include "daam/util/JsonConfig.h"

#include <vector>

namespace daam {

CLIPTextConfig CLIPTextConfig::fromJson(const nlohmann::json& j, const std::string& path) {
    CLIPTextConfig c;
    c.vocabSize = configSize(j, "vocab_size", c.vocabSize, path, limits::kVocab);
    c.hiddenSize = configSize(j, "hidden_size", c.hiddenSize, path, limits::kWidth);
    c.intermediateSize = configSize(j, "intermediate_size", c.intermediateSize, path, limits::kFeedForward);
    c.projectionDim = configSize(j, "projection_dim", c.projectionDim, path, limits::kWidth);
    c.numHiddenLayers = configSize(j, "num_hidden_layers", c.numHiddenLayers, path, limits::kLayers);
    c.numAttentionHeads = configSize(j, "num_attention_heads", c.numAttentionHeads, path, limits::kHeads);
    c.maxPositionEmbeddings =
        configSize(j, "max_position_embeddings", c.maxPositionEmbeddings, path, limits::kPositions);
    c.hiddenAct = jsonValue<std::string>(j, "hidden_act", c.hiddenAct, path);
    c.layerNormEps = jsonValue<double>(j, "layer_norm_eps", c.layerNormEps, path);
    if (c.hiddenAct != "quick_gelu" && c.hiddenAct != "gelu")
        throw FileError(path, "key \"hidden_act\" must be \"quick_gelu\" or \"gelu\", got \"" +
                                  excerpt(c.hiddenAct, 40) + "\"");
    if (c.hiddenSize % c.numAttentionHeads != 0)
        throw FileError(path, "key \"hidden_size\" (" + std::to_string(c.hiddenSize) +
                                  ") must be divisible by \"num_attention_heads\" (" +
                                  std::to_string(c.numAttentionHeads) + ")");
    if (!(c.layerNormEps > 0)) throw FileError(path, "key \"layer_norm_eps\" must be positive");
    const auto archs = jsonValue<std::vector<std::string>>(j, "architectures", {}, path);
    for (const auto& a : archs)
        if (a == "CLIPTextModelWithProjection") c.withProjection = true;
    return c;
}

CLIPTextConfig CLIPTextConfig::load(const std::string& configPath) {
    return fromJson(readJsonFile(configPath), configPath);
}

} // namespace daam
