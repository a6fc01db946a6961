// Parsing text_encoder/config.json. Defaults are those of transformers 4.30's CLIPTextConfig.
#include "daam/config/CLIPTextConfig.h"

#include "daam/util/JsonConfig.h"

#include <vector>

namespace daam {

namespace {
int64_t positive(const nlohmann::json& j, const char* key, int64_t def, const std::string& path) {
    const int64_t v = jsonValue<int64_t>(j, key, def, path);
    if (v <= 0) throw FileError(path, std::string("key \"") + key + "\" must be positive, got " + std::to_string(v));
    return v;
}
} // namespace

CLIPTextConfig CLIPTextConfig::fromJson(const nlohmann::json& j, const std::string& path) {
    CLIPTextConfig c;
    c.vocabSize = positive(j, "vocab_size", c.vocabSize, path);
    c.hiddenSize = positive(j, "hidden_size", c.hiddenSize, path);
    c.intermediateSize = positive(j, "intermediate_size", c.intermediateSize, path);
    c.projectionDim = positive(j, "projection_dim", c.projectionDim, path);
    c.numHiddenLayers = positive(j, "num_hidden_layers", c.numHiddenLayers, path);
    c.numAttentionHeads = positive(j, "num_attention_heads", c.numAttentionHeads, path);
    c.maxPositionEmbeddings = positive(j, "max_position_embeddings", c.maxPositionEmbeddings, path);
    c.hiddenAct = jsonValue<std::string>(j, "hidden_act", c.hiddenAct, path);
    c.layerNormEps = jsonValue<double>(j, "layer_norm_eps", c.layerNormEps, path);
    if (c.hiddenAct != "quick_gelu" && c.hiddenAct != "gelu")
        throw FileError(path, "key \"hidden_act\" must be \"quick_gelu\" or \"gelu\", got \"" + c.hiddenAct + "\"");
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
