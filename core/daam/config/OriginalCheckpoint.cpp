// SPDX-License-Identifier: GPL-3.0-or-later
// Reading single-file checkpoints: family detection, configuration from the YAML or the tensors, and the name
// rules between the original layout and diffusers'.
#include "daam/config/OriginalCheckpoint.h"

#include "daam/config/AutoencoderKLConfig.h"
#include "daam/config/UNet2DConditionConfig.h"
#include "daam/util/Error.h"
#include "daam/util/Yaml.h"

#include <torch/types.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace daam {

namespace {

using Transform = NameRule::Transform;
using Suffixes = std::vector<std::pair<std::string, std::string>>;

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// LDM's ResBlock: in_layers = (GroupNorm, SiLU, conv), emb_layers = (SiLU, Linear), out_layers = (GroupNorm,
// SiLU, Dropout, conv).
const Suffixes kUNetResnet = {{"norm1.", "in_layers.0."},          {"conv1.", "in_layers.2."},
                              {"time_emb_proj.", "emb_layers.1."}, {"norm2.", "out_layers.0."},
                              {"conv2.", "out_layers.3."},         {"conv_shortcut.", "skip_connection."}};
const Suffixes kVaeResnet = {{"conv_shortcut.", "nin_shortcut."}};
const Suffixes kOpenClipLayer = {{"layer_norm1.", "ln_1."},
                                 {"layer_norm2.", "ln_2."},
                                 {"mlp.fc1.", "mlp.c_fc."},
                                 {"mlp.fc2.", "mlp.c_proj."},
                                 {"self_attn.out_proj.", "attn.out_proj."}};

std::string renameStart(const std::string& rest, const Suffixes* suffixes, bool toTheirs) {
    if (!suffixes) return rest;
    for (const auto& [ours, theirs] : *suffixes) {
        const std::string& from = toTheirs ? ours : theirs;
        const std::string& to = toTheirs ? theirs : ours;
        if (startsWith(rest, from)) return to + rest.substr(from.size());
    }
    return rest;
}

void addPrefix(NameMap& map, std::string ours, std::string theirs, const Suffixes* suffixes = nullptr) {
    NameRule r;
    r.ours = std::move(ours);
    r.theirs = std::move(theirs);
    r.suffixes = suffixes;
    map.add(std::move(r));
}

void addExact(NameMap& map, std::string ours, std::string theirs, Transform transform, int part = 0, int parts = 1) {
    NameRule r;
    r.ours = std::move(ours);
    r.theirs = std::move(theirs);
    r.prefix = false;
    r.transform = transform;
    r.part = part;
    r.parts = parts;
    map.add(std::move(r));
}

std::string str(int64_t v) {
    return std::to_string(v);
}

} // namespace

std::optional<std::pair<std::string, const NameRule*>> NameMap::theirs(const std::string& ours) const {
    const NameRule* best = nullptr;
    for (const auto& r : rules_) {
        const bool match = r.prefix ? startsWith(ours, r.ours) : ours == r.ours;
        if (match && (!best || r.ours.size() > best->ours.size() || (!r.prefix && best->prefix))) best = &r;
    }
    if (!best) return std::nullopt;
    if (!best->prefix) return std::make_pair(best->theirs, best);
    return std::make_pair(best->theirs + renameStart(ours.substr(best->ours.size()), best->suffixes, true), best);
}

std::vector<std::pair<std::string, const NameRule*>> NameMap::ours(const std::string& theirs) const {
    std::vector<std::pair<std::string, const NameRule*>> out;
    for (const auto& r : rules_)
        if (!r.prefix && r.theirs == theirs) out.emplace_back(r.ours, &r);
    if (!out.empty()) return out;
    const NameRule* best = nullptr;
    for (const auto& r : rules_)
        if (r.prefix && startsWith(theirs, r.theirs) && (!best || r.theirs.size() > best->theirs.size())) best = &r;
    if (best)
        out.emplace_back(best->ours + renameStart(theirs.substr(best->theirs.size()), best->suffixes, false), best);
    return out;
}

NameMap unetNameMap(const UNet2DConditionConfig& c) {
    NameMap map;
    const int64_t levels = static_cast<int64_t>(c.blockOutChannels.size());
    const int64_t n = c.layersPerBlock;
    addPrefix(map, "conv_in.", "input_blocks.0.0.");
    addPrefix(map, "time_embedding.linear_1.", "time_embed.0.");
    addPrefix(map, "time_embedding.linear_2.", "time_embed.2.");
    addPrefix(map, "add_embedding.linear_1.", "label_emb.0.0.");
    addPrefix(map, "add_embedding.linear_2.", "label_emb.0.2.");
    addPrefix(map, "conv_norm_out.", "out.0.");
    addPrefix(map, "conv_out.", "out.2.");
    // input_blocks: 0 is conv_in; then per level n (ResBlock[, SpatialTransformer]) and, except at the last
    // level, a Downsample.
    for (int64_t i = 0; i < levels; ++i) {
        const bool attention = c.downBlockTypes.at(size_t(i)) == "CrossAttnDownBlock2D";
        for (int64_t j = 0; j < n; ++j) {
            const std::string block = "input_blocks." + str(1 + i * (n + 1) + j) + ".";
            const std::string ours = "down_blocks." + str(i) + ".";
            addPrefix(map, ours + "resnets." + str(j) + ".", block + "0.", &kUNetResnet);
            if (attention) addPrefix(map, ours + "attentions." + str(j) + ".", block + "1.");
        }
        if (i + 1 < levels)
            addPrefix(map, "down_blocks." + str(i) + ".downsamplers.0.conv.",
                      "input_blocks." + str(1 + i * (n + 1) + n) + ".0.op.");
    }
    if (c.midBlockType == "UNetMidBlock2DCrossAttn") {
        addPrefix(map, "mid_block.resnets.0.", "middle_block.0.", &kUNetResnet);
        addPrefix(map, "mid_block.attentions.0.", "middle_block.1.");
        addPrefix(map, "mid_block.resnets.1.", "middle_block.2.", &kUNetResnet);
    } else if (!c.midBlockType.empty()) {
        addPrefix(map, "mid_block.resnets.0.", "middle_block.0.", &kUNetResnet);
        addPrefix(map, "mid_block.resnets.1.", "middle_block.1.", &kUNetResnet);
    }
    // output_blocks: per level n + 1 (ResBlock[, SpatialTransformer][, Upsample]).
    for (int64_t i = 0; i < levels; ++i) {
        const bool attention = c.upBlockTypes.at(size_t(i)) == "CrossAttnUpBlock2D";
        for (int64_t j = 0; j <= n; ++j) {
            const std::string block = "output_blocks." + str(i * (n + 1) + j) + ".";
            const std::string ours = "up_blocks." + str(i) + ".";
            addPrefix(map, ours + "resnets." + str(j) + ".", block + "0.", &kUNetResnet);
            if (attention) addPrefix(map, ours + "attentions." + str(j) + ".", block + "1.");
        }
        if (i + 1 < levels)
            addPrefix(map, "up_blocks." + str(i) + ".upsamplers.0.conv.",
                      "output_blocks." + str(i * (n + 1) + n) + (attention ? ".2.conv." : ".1.conv."));
    }
    return map;
}

NameMap vaeNameMap(const AutoencoderKLConfig& c) {
    NameMap map;
    const int64_t levels = static_cast<int64_t>(c.blockOutChannels.size());
    const int64_t n = c.layersPerBlock;
    for (const std::string part : {"encoder.", "decoder."}) {
        addPrefix(map, part + "conv_in.", part + "conv_in.");
        addPrefix(map, part + "conv_norm_out.", part + "norm_out.");
        addPrefix(map, part + "conv_out.", part + "conv_out.");
        addPrefix(map, part + "mid_block.resnets.0.", part + "mid.block_1.", &kVaeResnet);
        addPrefix(map, part + "mid_block.resnets.1.", part + "mid.block_2.", &kVaeResnet);
        const std::string ours = part + "mid_block.attentions.0.", theirs = part + "mid.attn_1.";
        addPrefix(map, ours + "group_norm.", theirs + "norm.");
        // LDM's AttnBlock uses 1x1 convolutions where diffusers' Attention has linear layers.
        for (const auto& [to, from] : {std::pair<std::string, std::string>{"to_q", "q"},
                                       {"to_k", "k"},
                                       {"to_v", "v"},
                                       {"to_out.0", "proj_out"}}) {
            addExact(map, ours + to + ".weight", theirs + from + ".weight", Transform::Unsqueeze);
            addExact(map, ours + to + ".bias", theirs + from + ".bias", Transform::None);
        }
    }
    for (int64_t i = 0; i < levels; ++i) {
        for (int64_t j = 0; j < n; ++j)
            addPrefix(map, "encoder.down_blocks." + str(i) + ".resnets." + str(j) + ".",
                      "encoder.down." + str(i) + ".block." + str(j) + ".", &kVaeResnet);
        if (i + 1 < levels)
            addPrefix(map, "encoder.down_blocks." + str(i) + ".downsamplers.0.conv.",
                      "encoder.down." + str(i) + ".downsample.conv.");
        // The decoder's up blocks run from the lowest resolution; LDM numbers its levels from the highest.
        const int64_t level = levels - 1 - i;
        for (int64_t j = 0; j <= n; ++j)
            addPrefix(map, "decoder.up_blocks." + str(i) + ".resnets." + str(j) + ".",
                      "decoder.up." + str(level) + ".block." + str(j) + ".", &kVaeResnet);
        if (i + 1 < levels)
            addPrefix(map, "decoder.up_blocks." + str(i) + ".upsamplers.0.conv.",
                      "decoder.up." + str(level) + ".upsample.conv.");
    }
    addPrefix(map, "quant_conv.", "quant_conv.");
    addPrefix(map, "post_quant_conv.", "post_quant_conv.");
    return map;
}

NameMap clipNameMap(int64_t layers, bool openClip, bool withProjection) {
    NameMap map;
    if (!openClip) {
        addPrefix(map, "text_model.", "text_model.");
        if (withProjection) addPrefix(map, "text_projection.", "text_projection.");
        return map;
    }
    addExact(map, "text_model.embeddings.token_embedding.weight", "token_embedding.weight", Transform::None);
    addExact(map, "text_model.embeddings.position_embedding.weight", "positional_embedding", Transform::None);
    for (int64_t k = 0; k < layers; ++k) {
        const std::string ours = "text_model.encoder.layers." + str(k) + ".";
        const std::string theirs = "transformer.resblocks." + str(k) + ".";
        // nn.MultiheadAttention keeps q, k and v in one matrix, in that order.
        int part = 0;
        for (const char* proj : {"q_proj", "k_proj", "v_proj"}) {
            addExact(map, ours + "self_attn." + proj + ".weight", theirs + "attn.in_proj_weight", Transform::Rows, part,
                     3);
            addExact(map, ours + "self_attn." + proj + ".bias", theirs + "attn.in_proj_bias", Transform::Rows, part, 3);
            ++part;
        }
        addPrefix(map, ours, theirs, &kOpenClipLayer);
    }
    addPrefix(map, "text_model.final_layer_norm.", "ln_final.");
    // OpenCLIP computes pooled @ text_projection; a linear layer's weight is that matrix transposed.
    if (withProjection) addExact(map, "text_projection.weight", "text_projection", Transform::Transpose);
    return map;
}

std::vector<OriginalTensor> originalTensorsOf(const std::vector<std::string>& ourNames, const NameMap& map,
                                              const std::string& prefix) {
    std::vector<OriginalTensor> out;
    std::map<std::string, size_t> fused; // their name -> index in out
    for (const auto& name : ourNames) {
        const auto theirs = map.theirs(name);
        if (!theirs) continue;
        const auto& [theirName, rule] = *theirs;
        if (rule->transform != Transform::Rows) {
            out.push_back({prefix + theirName, rule->transform, {name}});
            continue;
        }
        auto [it, inserted] = fused.emplace(theirName, out.size());
        if (inserted)
            out.push_back({prefix + theirName, Transform::Rows, std::vector<std::string>(size_t(rule->parts))});
        out[it->second].parts.at(size_t(rule->part)) = name;
    }
    return out;
}

namespace {

using nlohmann::json;

// What the tensors say, read before any configuration: sizes by name, with the file named in errors.
class Tensors {
public:
    explicit Tensors(const WeightSet& set) : set_(set) {}
    bool has(const std::string& name) const { return set_.contains(name); }
    bool hasPrefix(const std::string& prefix) const {
        for (const auto& name : names())
            if (startsWith(name, prefix)) return true;
        return false;
    }
    int64_t dim(const std::string& name, size_t d) const {
        if (!set_.contains(name)) throw FileError(set_.source(), "has no tensor '" + name + "'");
        const auto& shape = set_.entry(name).shape;
        if (d >= shape.size())
            throw FileError(set_.source(), "tensor '" + name + "' has " + std::to_string(shape.size()) +
                                               " dimensions, not " + std::to_string(d + 1) + " or more");
        return shape[d];
    }
    size_t rank(const std::string& name) const { return set_.entry(name).shape.size(); }
    int64_t count(const std::string& prefix) const { return set_.indexedCount(prefix); }
    const std::vector<std::string>& names() const {
        if (names_.empty()) names_ = set_.names();
        return names_;
    }
    const std::string& path() const { return set_.source(); }

private:
    const WeightSet& set_;
    mutable std::vector<std::string> names_;
};

// The UNet as its tensors describe it (LDM's openaimodel.UNetModel under model.diffusion_model.).
struct UNetShape {
    int64_t modelChannels = 0, inChannels = 0, outChannels = 0, resBlocks = 0, contextDim = 0, admInChannels = 0;
    std::vector<int64_t> channels; // per level
    std::vector<bool> attention;   // per level
    std::vector<int64_t> depth;    // per level (1 where no attention)
    bool linearProjection = false;
    bool midAttention = false;
    int64_t midDepth = 0;
};

UNetShape readUNetShape(const Tensors& t) {
    const std::string p = original::kUNet;
    UNetShape s;
    s.modelChannels = t.dim(p + "input_blocks.0.0.weight", 0);
    s.inChannels = t.dim(p + "input_blocks.0.0.weight", 1);
    s.outChannels = t.dim(p + "out.2.weight", 0);
    int64_t level = 0, inLevel = 0;
    for (int64_t k = 1;; ++k) {
        const std::string block = p + "input_blocks." + str(k) + ".";
        if (t.has(block + "0.op.weight")) {
            if (inLevel == 0)
                throw FileError(t.path(), "input_blocks." + str(k) + " downsamples a level with no blocks");
            if (level == 0) s.resBlocks = inLevel;
            if (inLevel != s.resBlocks)
                throw FileError(t.path(), "the UNet's levels hold different numbers of blocks (" + str(s.resBlocks) +
                                              " and " + str(inLevel) + "); DAAM Studio reads the same number in each");
            ++level;
            inLevel = 0;
            continue;
        }
        if (!t.has(block + "0.in_layers.2.weight")) break;
        const int64_t out = t.dim(block + "0.in_layers.2.weight", 0);
        const bool attention = t.has(block + "1.proj_in.weight");
        if (inLevel == 0) {
            s.channels.push_back(out);
            s.attention.push_back(attention);
            s.depth.push_back(attention ? t.count(block + "1.transformer_blocks.") : 1);
        } else if (out != s.channels.back() || attention != s.attention.back()) {
            throw FileError(t.path(), "input_blocks." + str(k) + " differs from the other blocks of its level");
        }
        if (attention) {
            s.linearProjection = t.rank(block + "1.proj_in.weight") == 2;
            s.contextDim = t.dim(block + "1.transformer_blocks.0.attn2.to_k.weight", 1);
        }
        ++inLevel;
    }
    if (s.channels.empty())
        throw FileError(t.path(), "the UNet has no blocks (model.diffusion_model.input_blocks.1.*)");
    if (level == 0) s.resBlocks = inLevel;
    if (inLevel != s.resBlocks)
        throw FileError(t.path(),
                        "the UNet's last level holds " + str(inLevel) + " blocks, the others " + str(s.resBlocks));
    s.midAttention = t.has(p + "middle_block.1.proj_in.weight");
    if (s.midAttention) {
        s.midDepth = t.count(p + "middle_block.1.transformer_blocks.");
        s.contextDim = t.dim(p + "middle_block.1.transformer_blocks.0.attn2.to_k.weight", 1);
        s.linearProjection = t.rank(p + "middle_block.1.proj_in.weight") == 2;
    }
    if (t.has(p + "label_emb.0.0.weight")) s.admInChannels = t.dim(p + "label_emb.0.0.weight", 1);
    return s;
}

struct VaeShape {
    int64_t inChannels = 0, outChannels = 0, latentChannels = 0, resBlocks = 0;
    std::vector<int64_t> channels;
    bool midAttention = false;
};

VaeShape readVaeShape(const Tensors& t) {
    const std::string p = original::kVae;
    VaeShape s;
    s.inChannels = t.dim(p + "encoder.conv_in.weight", 1);
    s.outChannels = t.dim(p + "decoder.conv_out.weight", 0);
    s.latentChannels = t.dim(p + "post_quant_conv.weight", 0);
    const int64_t levels = t.count(p + "encoder.down.");
    s.resBlocks = t.count(p + "encoder.down.0.block.");
    for (int64_t i = 0; i < levels; ++i)
        s.channels.push_back(t.dim(p + "encoder.down." + str(i) + ".block.0.conv2.weight", 0));
    if (s.channels.empty())
        throw FileError(t.path(), "the VAE's encoder has no levels (first_stage_model.encoder.down.*)");
    s.midAttention = t.has(p + "encoder.mid.attn_1.q.weight");
    return s;
}

struct TextShape {
    int64_t vocab = 0, hidden = 0, positions = 0, layers = 0, intermediate = 0, projection = 0;
};

TextShape readTextShape(const Tensors& t, const std::string& prefix, bool openClip) {
    TextShape s;
    if (openClip) {
        s.vocab = t.dim(prefix + "token_embedding.weight", 0);
        s.hidden = t.dim(prefix + "token_embedding.weight", 1);
        s.positions = t.dim(prefix + "positional_embedding", 0);
        s.layers = t.count(prefix + "transformer.resblocks.");
        s.intermediate = t.dim(prefix + "transformer.resblocks.0.mlp.c_fc.weight", 0);
        if (t.has(prefix + "text_projection")) s.projection = t.dim(prefix + "text_projection", 1);
    } else {
        const std::string e = prefix + "text_model.embeddings.";
        s.vocab = t.dim(e + "token_embedding.weight", 0);
        s.hidden = t.dim(e + "token_embedding.weight", 1);
        s.positions = t.dim(e + "position_embedding.weight", 0);
        s.layers = t.count(prefix + "text_model.encoder.layers.");
        s.intermediate = t.dim(prefix + "text_model.encoder.layers.0.mlp.fc1.weight", 0);
        if (t.has(prefix + "text_projection.weight")) s.projection = t.dim(prefix + "text_projection.weight", 0);
    }
    return s;
}

// --- the YAML ---------------------------------------------------------------------------------------------------

const json* at(const json& j, std::initializer_list<const char*> path) {
    const json* node = &j;
    for (const char* key : path) {
        if (!node->is_object() || !node->contains(key)) return nullptr;
        node = &(*node)[key];
    }
    return node;
}

class Yaml {
public:
    Yaml() = default;
    Yaml(json root, std::string path) : root_(std::move(root)), path_(std::move(path)) {}
    bool present() const { return !path_.empty(); }
    const std::string& path() const { return path_; }
    const json* find(std::initializer_list<const char*> keys) const { return present() ? at(root_, keys) : nullptr; }
    const json& root() const { return root_; }

    int64_t integer(const json& j, const std::string& key) const {
        if (!j.is_number_integer())
            throw FileError(path_, key + ": expected an integer, found " + excerpt(j.dump(), 40));
        return j.get<int64_t>();
    }
    double number(const json& j, const std::string& key) const {
        if (!j.is_number()) throw FileError(path_, key + ": expected a number, found " + excerpt(j.dump(), 40));
        return j.get<double>();
    }
    std::string text(const json& j, const std::string& key) const {
        if (!j.is_string()) throw FileError(path_, key + ": expected a string, found " + excerpt(j.dump(), 40));
        return j.get<std::string>();
    }
    std::vector<int64_t> integers(const json& j, const std::string& key) const {
        if (j.is_number_integer()) return {j.get<int64_t>()};
        if (!j.is_array()) throw FileError(path_, key + ": expected a list of integers");
        std::vector<int64_t> out;
        for (const auto& e : j)
            out.push_back(integer(e, key));
        return out;
    }

    // The contradiction `key` of the YAML makes with the checkpoint's tensors.
    [[noreturn]] void contradicts(const std::string& key, const std::string& says, const std::string& tensors,
                                  const std::string& file) const {
        throw FileError(path_, key + " is " + says + ", but the tensors of " + fs::path(file).filename().string() +
                                   " have " + tensors + ": the YAML does not belong to this checkpoint");
    }

private:
    json root_;
    std::string path_;
};

std::string listText(const std::vector<int64_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
}

std::string targetOf(const json* config) {
    if (!config || !config->is_object() || !config->contains("target") || !(*config)["target"].is_string()) return {};
    return (*config)["target"].get<std::string>();
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A text encoder's part of the YAML: LDM's cond_stage_config, or one of sgm's conditioner embedders.
struct TextYaml {
    std::string target;
    const json* params = nullptr;
};

bool isPickle(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char head[4] = {};
    in.read(head, 4);
    // torch.save writes a zip archive (PK\3\4) since 1.6, a bare pickle (protocol 2: \x80\x02) before.
    return (in.gcount() >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) ||
           (in.gcount() >= 2 && static_cast<unsigned char>(head[0]) == 0x80 && head[1] >= 2 && head[1] <= 5);
}

} // namespace

bool OriginalCheckpoint::isCheckpointFile(const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

OriginalCheckpoint OriginalCheckpoint::open(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw FileError(path, "no such file");
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin" || isPickle(path))
        throw FileError(path, "is a PyTorch pickle, which can run code when it is loaded; DAAM Studio never "
                              "unpickles. Convert it to .safetensors with a tool you trust (A1111's checkpoint "
                              "merger, or safetensors' convert script) and open that file");

    OriginalCheckpoint c;
    c.path_ = path;
    const WeightSet file = WeightSet::openFile(path);
    const Tensors t(file);
    const std::string name = fs::path(path).filename().string();

    // Which family: the text encoders tell SD 1.x, 2.x and XL apart.
    if (!t.hasPrefix(original::kUNet)) {
        if (t.has("conv_in.weight") || t.hasPrefix("text_model.") || t.hasPrefix("down_blocks."))
            throw FileError(path, "holds one component of a diffusers folder, not a whole checkpoint: open the "
                                  "folder with model_index.json instead");
        throw FileError(path, "is not a Stable Diffusion checkpoint: it has no model.diffusion_model.* tensors "
                              "(the UNet of the original layout)");
    }
    const bool sd1Text = t.has(std::string(original::kSd1Text) + "text_model.embeddings.token_embedding.weight");
    const bool sd1OldText = t.has(std::string(original::kSd1Text) + "embeddings.token_embedding.weight");
    const bool sd2Text = t.has(std::string(original::kSd2Text) + "token_embedding.weight");
    const bool xlText1 = t.has(std::string(original::kSdxlText1) + "text_model.embeddings.token_embedding.weight");
    const bool xlText2 = t.has(std::string(original::kSdxlText2) + "token_embedding.weight");
    if (xlText1 && xlText2) {
        c.family_ = ModelFamily::SDXL;
    } else if (xlText1 || xlText2 || t.hasPrefix("conditioner.")) {
        if (t.has("conditioner.embedders.0.model.token_embedding.weight"))
            throw FileError(path, "is an SDXL refiner (one OpenCLIP text encoder); DAAM Studio opens base models only");
        throw FileError(path, std::string("is an SDXL checkpoint without its ") +
                                  (xlText1 ? "second text encoder (conditioner.embedders.1.model.*)"
                                           : "first text encoder (conditioner.embedders.0.transformer.*)"));
    } else if (sd2Text) {
        c.family_ = ModelFamily::SD2;
    } else if (sd1Text || sd1OldText) {
        c.family_ = ModelFamily::SD1;
    } else if (t.hasPrefix("cond_stage_model.")) {
        throw FileError(path, "has a text encoder of a kind DAAM Studio does not know (cond_stage_model.* is neither "
                              "CLIP's transformers layout nor OpenCLIP's)");
    } else {
        throw FileError(path, "has no text encoder (cond_stage_model.* or conditioner.embedders.*): DAAM Studio needs "
                              "the whole checkpoint");
    }
    if (!t.hasPrefix(original::kVae))
        throw FileError(path, "has no VAE (first_stage_model.* tensors); DAAM Studio needs the whole checkpoint. "
                              "Checkpoints saved without their VAE are not supported");

    // The YAML beside the checkpoint, as A1111 reads it.
    Yaml yaml;
    const fs::path yamlPath = fs::path(path).replace_extension(".yaml");
    if (fs::is_regular_file(yamlPath, ec)) yaml = Yaml(readYamlFile(yamlPath.string()), yamlPath.string());
    c.yamlPath_ = yaml.path();
    c.configLabel_ = yaml.present() ? yaml.path() : path + " (configuration inferred from its tensors)";
    const json* params = yaml.find({"model", "params"});
    if (yaml.present() && (!params || !params->is_object()))
        throw FileError(yaml.path(), "has no model.params: not an LDM or sgm model configuration");

    // --- UNet ---
    const UNetShape u = readUNetShape(t);
    if (u.inChannels != 4)
        throw FileError(path, "is an inpainting or image-editing model (its UNet reads " + str(u.inChannels) +
                                  " channels); DAAM Studio opens text-to-image checkpoints (4 channels)");
    if ((c.family_ == ModelFamily::SDXL) != (u.admInChannels > 0))
        throw FileError(path, c.family_ == ModelFamily::SDXL
                                  ? "has SDXL's text encoders but no label_emb in its UNet"
                                  : "has a UNet with a label_emb (SDXL's) but the text encoder of SD 1.x/2.x");
    if (u.midAttention && u.midDepth != u.depth.back())
        throw FileError(path, "the UNet's middle block has " + str(u.midDepth) +
                                  " transformer layers and its last "
                                  "level " +
                                  str(u.depth.back()) + "; DAAM Studio builds them alike");
    const json* unetYaml = nullptr;
    if (yaml.present()) {
        unetYaml = at(*params, {"unet_config", "params"});
        if (!unetYaml) unetYaml = at(*params, {"network_config", "params"});
        if (!unetYaml || !unetYaml->is_object())
            throw FileError(yaml.path(), "has neither model.params.unet_config.params nor network_config.params");
    }
    // Heads: SD 1.x has 8 per layer; SD 2.x and SDXL heads of 64 channels. The YAML says which.
    int64_t numHeads = c.family_ == ModelFamily::SD1 ? 8 : -1;
    int64_t headChannels = c.family_ == ModelFamily::SD1 ? -1 : 64;
    bool vPrediction = false;
    if (unetYaml) {
        const auto& uy = *unetYaml;
        auto key = [](const char* k) { return std::string("unet_config.params.") + k; };
        if (uy.contains("num_heads")) numHeads = yaml.integer(uy["num_heads"], key("num_heads"));
        if (uy.contains("num_head_channels"))
            headChannels = yaml.integer(uy["num_head_channels"], key("num_head_channels"));
        if (uy.contains("model_channels") &&
            yaml.integer(uy["model_channels"], key("model_channels")) != u.modelChannels)
            yaml.contradicts(key("model_channels"), uy["model_channels"].dump(), str(u.modelChannels) + " channels",
                             path);
        if (uy.contains("channel_mult")) {
            auto mult = yaml.integers(uy["channel_mult"], key("channel_mult"));
            std::vector<int64_t> channels;
            for (auto m : mult)
                channels.push_back(m * u.modelChannels);
            if (channels != u.channels) {
                std::vector<int64_t> have;
                for (auto ch : u.channels)
                    have.push_back(ch / std::max<int64_t>(1, u.modelChannels));
                yaml.contradicts(key("channel_mult"), listText(mult), "levels of " + listText(have), path);
            }
        }
        if (uy.contains("num_res_blocks") && yaml.integer(uy["num_res_blocks"], key("num_res_blocks")) != u.resBlocks)
            yaml.contradicts(key("num_res_blocks"), uy["num_res_blocks"].dump(), str(u.resBlocks) + " per level", path);
        if (uy.contains("context_dim") && yaml.integer(uy["context_dim"], key("context_dim")) != u.contextDim)
            yaml.contradicts(key("context_dim"), uy["context_dim"].dump(), "a context of " + str(u.contextDim), path);
        if (uy.contains("attention_resolutions")) {
            const auto resolutions = yaml.integers(uy["attention_resolutions"], key("attention_resolutions"));
            for (size_t i = 0; i < u.attention.size(); ++i) {
                const bool says = std::count(resolutions.begin(), resolutions.end(), int64_t(1) << i) > 0;
                if (says != u.attention[i])
                    yaml.contradicts(key("attention_resolutions"), listText(resolutions),
                                     std::string("level ") + str(int64_t(i)) + (u.attention[i] ? " with" : " without") +
                                         " attention",
                                     path);
            }
        }
        if (uy.contains("transformer_depth")) {
            auto depth = yaml.integers(uy["transformer_depth"], key("transformer_depth"));
            if (depth.size() == 1) depth.assign(u.depth.size(), depth[0]);
            for (size_t i = 0; i < u.depth.size(); ++i)
                if (u.attention[i] && (i >= depth.size() || depth[i] != u.depth[i]))
                    yaml.contradicts(key("transformer_depth"), uy["transformer_depth"].dump(),
                                     str(u.depth[i]) + " transformer layers at level " + str(int64_t(i)), path);
        }
        if (uy.contains("use_linear_in_transformer") && uy["use_linear_in_transformer"].is_boolean() &&
            uy["use_linear_in_transformer"].get<bool>() != u.linearProjection)
            yaml.contradicts(key("use_linear_in_transformer"), uy["use_linear_in_transformer"].dump(),
                             u.linearProjection ? "linear projections" : "convolution projections", path);
        if (uy.contains("adm_in_channels") &&
            yaml.integer(uy["adm_in_channels"], key("adm_in_channels")) != u.admInChannels)
            yaml.contradicts(key("adm_in_channels"), uy["adm_in_channels"].dump(), str(u.admInChannels), path);
        if (const json* p = at(*params, {"parameterization"}))
            vPrediction = yaml.text(*p, "model.params.parameterization") == "v";
        if (const json* s = at(*params, {"denoiser_config", "params", "scaling_config", "target"}))
            vPrediction = endsWith(yaml.text(*s, "denoiser_config.params.scaling_config.target"), "VScaling");
    } else if (c.family_ == ModelFamily::SD2) {
        // Without a YAML, as ComfyUI decides: the norm1 bias of the last output block's transformer (output_blocks.11
        // in SD 2.x) spreads wider in the 768-v model than in 512-base; a population standard deviation above 0.09
        // means v-prediction.
        const std::string probe = std::string(original::kUNet) + "output_blocks." +
                                  str(int64_t(u.channels.size()) * (u.resBlocks + 1) - 1) +
                                  ".1.transformer_blocks.0.norm1.bias";
        if (file.contains(probe)) {
            const auto bias = file.tensor(probe).to(torch::kFloat64);
            vPrediction = bias.numel() > 1 && bias.std(/*unbiased=*/false).item<double>() > 0.09;
        }
    }
    c.vPrediction_ = vPrediction;
    std::vector<int64_t> heads;
    // Every level gets its heads, with attention or not: the middle block takes the last level's.
    for (size_t i = 0; i < u.channels.size(); ++i) {
        const bool needed = u.attention[i] || (i + 1 == u.channels.size() && u.midAttention);
        if (numHeads > 0) {
            heads.push_back(numHeads);
        } else if (headChannels > 0 && u.channels[i] % headChannels == 0) {
            heads.push_back(u.channels[i] / headChannels);
        } else if (!needed) {
            heads.push_back(1);
        } else {
            throw FileError(c.configLabel_, "heads of " + str(headChannels) + " channels do not divide level " +
                                                str(int64_t(i)) + "'s " + str(u.channels[i]) + " channels");
        }
    }
    int64_t sampleSize =
        c.family_ == ModelFamily::SDXL ? 128 : (c.family_ == ModelFamily::SD2 && vPrediction ? 96 : 64);
    if (yaml.present())
        if (const json* s = at(*params, {"image_size"})) sampleSize = yaml.integer(*s, "model.params.image_size");
    json unet = {{"_class_name", "UNet2DConditionModel"},
                 {"in_channels", u.inChannels},
                 {"out_channels", u.outChannels},
                 {"sample_size", sampleSize},
                 {"block_out_channels", u.channels},
                 {"layers_per_block", u.resBlocks},
                 {"cross_attention_dim", u.contextDim},
                 {"attention_head_dim", heads},
                 {"use_linear_projection", u.linearProjection},
                 {"transformer_layers_per_block", u.depth},
                 {"upcast_attention", c.family_ == ModelFamily::SD2 && vPrediction},
                 {"mid_block_type", u.midAttention ? json("UNetMidBlock2DCrossAttn") : json(nullptr)}};
    std::vector<std::string> down, up;
    for (size_t i = 0; i < u.channels.size(); ++i) {
        down.push_back(u.attention[i] ? "CrossAttnDownBlock2D" : "DownBlock2D");
        up.insert(up.begin(), u.attention[i] ? "CrossAttnUpBlock2D" : "UpBlock2D");
    }
    unet["down_block_types"] = down;
    unet["up_block_types"] = up;

    // --- text encoders ---
    std::vector<TextYaml> textYaml;
    if (yaml.present()) {
        if (const json* cond = at(*params, {"cond_stage_config"})) {
            textYaml.push_back({targetOf(cond), at(*cond, {"params"})});
        } else if (const json* models = at(*params, {"conditioner_config", "params", "emb_models"})) {
            if (!models->is_array()) throw FileError(yaml.path(), "conditioner_config.params.emb_models is not a list");
            for (const auto& m : *models)
                textYaml.push_back({targetOf(&m), at(m, {"params"})});
        }
    }
    auto textFromYaml = [&](size_t index, const char* kind) -> TextYaml {
        std::vector<TextYaml> text;
        for (const auto& ty : textYaml)
            if (ty.target.find("CLIPEmbedder") != std::string::npos ||
                ty.target.find("OpenCLIPEmbedder") != std::string::npos)
                text.push_back(ty);
        if (!yaml.present() || text.empty()) return {};
        if (index >= text.size() || text[index].target.find(kind) == std::string::npos)
            yaml.contradicts("the text encoder " + str(int64_t(index) + 1),
                             index < text.size() ? text[index].target : "absent", std::string("a ") + kind, path);
        return text[index];
    };
    struct Plan {
        std::string prefix;
        bool openClip;
        const char* yamlKind;
    };
    std::vector<Plan> plans;
    if (c.family_ == ModelFamily::SD1) {
        plans.push_back({original::kSd1Text, false, "FrozenCLIPEmbedder"});
    } else if (c.family_ == ModelFamily::SD2) {
        plans.push_back({original::kSd2Text, true, "FrozenOpenCLIPEmbedder"});
    } else {
        plans.push_back({original::kSdxlText1, false, "FrozenCLIPEmbedder"});
        plans.push_back({original::kSdxlText2, true, "FrozenOpenCLIPEmbedder2"});
    }
    for (size_t k = 0; k < plans.size(); ++k) {
        const auto& plan = plans[k];
        TextEncoder te;
        te.prefix = plan.prefix;
        te.openClip = plan.openClip;
        // Old transformers saved CLIPTextModel without its text_model level.
        const bool flat = !plan.openClip && !t.has(plan.prefix + "text_model.embeddings.token_embedding.weight");
        TextShape shape;
        if (flat) {
            // Read the sizes through a view that has the text_model level.
            WeightSet view = WeightSet::renamed(path);
            for (const auto& n : t.names())
                if (startsWith(n, plan.prefix))
                    view.addAlias(plan.prefix + "text_model." + n.substr(plan.prefix.size()), file, n);
            shape = readTextShape(Tensors(view), plan.prefix, false);
        } else {
            shape = readTextShape(t, plan.prefix, plan.openClip);
        }
        const bool withProjection = c.family_ == ModelFamily::SDXL && plan.openClip;
        if (withProjection && shape.projection == 0)
            throw FileError(path,
                            "SDXL's second text encoder has no text_projection (" + plan.prefix + "text_projection)");
        const TextYaml ty = textFromYaml(k, plan.yamlKind);
        // A folder named by the YAML's `version` holds the encoder's config.json and its tokenizer.
        std::string folder;
        if (ty.params && ty.params->contains("version") && (*ty.params)["version"].is_string()) {
            const fs::path candidate = fs::path(yaml.path()).parent_path() / (*ty.params)["version"].get<std::string>();
            if (fs::is_directory(candidate, ec)) folder = candidate.lexically_normal().string();
        }
        if (!folder.empty() && fs::is_regular_file(fs::path(folder) / "config.json", ec)) {
            te.configLabel = (fs::path(folder) / "config.json").string();
            te.config = CLIPTextConfig::load(te.configLabel);
            if (te.config.withProjection != withProjection && withProjection)
                throw FileError(te.configLabel, "describes a CLIPTextModel, but SDXL's second text encoder has a "
                                                "text_projection (architectures: CLIPTextModelWithProjection)");
        } else {
            // The standard encoders: CLIP ViT-L/14 (quick_gelu), OpenCLIP ViT-H/14 and ViT-bigG/14 (gelu), all with
            // 64-channel heads.
            te.configLabel = path + " (text encoder " + str(int64_t(k) + 1) + " inferred from its tensors)";
            json j = {{"vocab_size", shape.vocab},
                      {"hidden_size", shape.hidden},
                      {"intermediate_size", shape.intermediate},
                      {"num_hidden_layers", shape.layers},
                      {"num_attention_heads", std::max<int64_t>(1, shape.hidden / 64)},
                      {"max_position_embeddings", shape.positions},
                      {"hidden_act", plan.openClip ? "gelu" : "quick_gelu"},
                      {"projection_dim", withProjection ? shape.projection : shape.hidden}};
            if (withProjection) j["architectures"] = {"CLIPTextModelWithProjection"};
            if (shape.hidden % 64 != 0)
                throw FileError(path, "text encoder " + str(int64_t(k) + 1) + " is " + str(shape.hidden) +
                                          " wide, not a standard CLIP text encoder; describe it in a YAML with a "
                                          "config.json folder");
            te.config = CLIPTextConfig::fromJson(j, te.configLabel);
        }
        if (!folder.empty() && fs::is_regular_file(fs::path(folder) / "vocab.json", ec)) te.tokenizerDir = folder;
        te.padWithZero = plan.openClip;

        // Which hidden state: the family's default, or what the YAML's `layer` says.
        if (c.family_ == ModelFamily::SD1)
            te.hidden = {-1, true};
        else if (c.family_ == ModelFamily::SD2)
            te.hidden = {-2, true}; // LDM: "penultimate", then ln_final
        else
            te.hidden = {-2, false}; // sgm: hidden_states[-2], no ln_final
        if (ty.params && ty.params->is_object()) {
            const auto& p = *ty.params;
            const std::string where = yaml.path();
            const bool legacy = p.contains("legacy") && p["legacy"].is_boolean() ? p["legacy"].get<bool>() : true;
            // sgm's FrozenOpenCLIPEmbedder2 skips ln_final unless legacy; LDM's and legacy sgm's apply it.
            const bool normalised = !(plan.openClip && c.family_ == ModelFamily::SDXL && !legacy);
            if (p.contains("layer")) {
                const std::string layer = yaml.text(p["layer"], "layer");
                if (layer == "last") {
                    te.hidden = {-1, plan.openClip ? normalised : true};
                } else if (layer == "penultimate") {
                    te.hidden = {-2, normalised};
                } else if (layer == "hidden") {
                    int64_t idx = p.contains("layer_idx") ? yaml.integer(p["layer_idx"], "layer_idx") : -2;
                    te.hidden = {static_cast<int>(idx), false};
                } else {
                    throw FileError(where, "text encoder " + str(int64_t(k) + 1) + ": layer \"" + excerpt(layer, 30) +
                                               "\" is not one DAAM Studio reads (last, penultimate or hidden)");
                }
            }
            const int states = static_cast<int>(te.config.numHiddenLayers) + 1;
            const int idx = te.hidden.index < 0 ? states + te.hidden.index : te.hidden.index;
            if (idx < 0 || idx >= states)
                throw FileError(where, "text encoder " + str(int64_t(k) + 1) + ": layer_idx " + str(te.hidden.index) +
                                           " is outside its " + str(states - 1) + " layers");
        }

        // The tensors under transformers' names.
        const NameMap map = clipNameMap(te.config.numHiddenLayers, plan.openClip, withProjection);
        te.weights = WeightSet::renamed(path + " (" + plan.prefix + "*)");
        for (const auto& n : t.names()) {
            if (!startsWith(n, plan.prefix)) continue;
            std::string theirs = n.substr(plan.prefix.size());
            if (flat) theirs = "text_model." + theirs;
            if (!plan.openClip && theirs == "text_model.embeddings.position_ids") continue;
            for (const auto& [ours, rule] : map.ours(theirs)) {
                switch (rule->transform) {
                case Transform::Rows:
                    te.weights.addRows(ours, file, n, rule->part, rule->parts);
                    break;
                case Transform::Transpose:
                    te.weights.addTransposed(ours, file, n);
                    break;
                default:
                    te.weights.addAlias(ours, file, n);
                }
            }
        }
        c.textEncoders_.push_back(std::move(te));
    }
    if (c.family_ == ModelFamily::SDXL) {
        // text_time: the pooled text embedding and six size numbers, each embedded in addition_time_embed_dim.
        const int64_t pooled = c.textEncoders_[1].config.projectionDim;
        int64_t timeDim = (u.admInChannels - pooled) / 6;
        for (const auto& ty : textYaml)
            if (ty.target.find("ConcatTimestepEmbedderND") != std::string::npos && ty.params &&
                ty.params->contains("outdim"))
                timeDim = yaml.integer((*ty.params)["outdim"], "ConcatTimestepEmbedderND outdim");
        if (timeDim <= 0 || pooled + 6 * timeDim != u.admInChannels)
            throw FileError(c.configLabel_, "the UNet's label_emb reads " + str(u.admInChannels) +
                                                " numbers, not the pooled text (" + str(pooled) +
                                                ") and six sizes of " + str(timeDim));
        unet["addition_embed_type"] = "text_time";
        unet["addition_time_embed_dim"] = timeDim;
        unet["projection_class_embeddings_input_dim"] = u.admInChannels;
    }
    c.unetConfig_ = unet;

    // --- VAE ---
    const VaeShape v = readVaeShape(t);
    double scaling = c.family_ == ModelFamily::SDXL ? 0.13025 : 0.18215;
    if (yaml.present()) {
        if (const json* s = at(*params, {"scale_factor"})) scaling = yaml.number(*s, "model.params.scale_factor");
        if (const json* dd = at(*params, {"first_stage_config", "params", "ddconfig"})) {
            auto key = [](const char* k) { return std::string("first_stage_config.params.ddconfig.") + k; };
            const auto& d = *dd;
            if (d.contains("ch") && d.contains("ch_mult")) {
                const int64_t ch = yaml.integer(d["ch"], key("ch"));
                std::vector<int64_t> channels;
                for (auto m : yaml.integers(d["ch_mult"], key("ch_mult")))
                    channels.push_back(ch * m);
                if (channels != v.channels)
                    yaml.contradicts(key("ch_mult"), listText(channels) + " channels",
                                     "VAE levels of " + listText(v.channels), path);
            }
            if (d.contains("num_res_blocks") && yaml.integer(d["num_res_blocks"], key("num_res_blocks")) != v.resBlocks)
                yaml.contradicts(key("num_res_blocks"), d["num_res_blocks"].dump(),
                                 str(v.resBlocks) + " VAE blocks per level", path);
            if (d.contains("z_channels") && yaml.integer(d["z_channels"], key("z_channels")) != v.latentChannels)
                yaml.contradicts(key("z_channels"), d["z_channels"].dump(), str(v.latentChannels) + " latent channels",
                                 path);
        }
    }
    c.vaeConfig_ = {{"_class_name", "AutoencoderKL"},   {"in_channels", v.inChannels},
                    {"out_channels", v.outChannels},    {"latent_channels", v.latentChannels},
                    {"block_out_channels", v.channels}, {"layers_per_block", v.resBlocks},
                    {"scaling_factor", scaling},        {"mid_block_add_attention", v.midAttention}};

    // UNet and VAE tensors under diffusers' names.
    const auto unetConfig = UNet2DConditionConfig::fromJson(c.unetConfig_, c.configLabel_);
    const auto vaeConfig = AutoencoderKLConfig::fromJson(c.vaeConfig_, c.configLabel_);
    auto rename = [&](const NameMap& map, const std::string& prefix, WeightSet& into) {
        into = WeightSet::renamed(path + " (" + prefix + "*)");
        for (const auto& n : t.names()) {
            if (!startsWith(n, prefix)) continue;
            for (const auto& [ours, rule] : map.ours(n.substr(prefix.size()))) {
                if (rule->transform == Transform::Unsqueeze) {
                    auto shape = file.entry(n).shape;
                    if (shape.size() == 4 && shape[2] == 1 && shape[3] == 1) shape.resize(2);
                    into.addReshaped(ours, file, n, shape);
                } else {
                    into.addAlias(ours, file, n);
                }
            }
        }
    };
    rename(unetNameMap(unetConfig), original::kUNet, c.unetWeights_);
    rename(vaeNameMap(vaeConfig), original::kVae, c.vaeWeights_);

    // --- the noise schedule: LDM's linear_start/linear_end ("scaled_linear" in diffusers' words) ---
    double betaStart = 0.00085, betaEnd = 0.012;
    int64_t trainSteps = 1000;
    if (yaml.present()) {
        const json* disc = at(*params, {"denoiser_config", "params", "discretization_config", "params"});
        const json& source = disc ? *disc : *params;
        if (source.contains("linear_start")) betaStart = yaml.number(source["linear_start"], "linear_start");
        if (source.contains("linear_end")) betaEnd = yaml.number(source["linear_end"], "linear_end");
        if (params->contains("timesteps")) trainSteps = yaml.integer((*params)["timesteps"], "model.params.timesteps");
        if (const json* n = at(*params, {"denoiser_config", "params", "num_idx"}))
            trainSteps = yaml.integer(*n, "num_idx");
    }
    // The schedulers of the family's reference repositories (SD 1.5: PNDM, SD 2.1: DDIM, SDXL base: Euler).
    json sched = {{"beta_start", betaStart},
                  {"beta_end", betaEnd},
                  {"beta_schedule", "scaled_linear"},
                  {"num_train_timesteps", trainSteps},
                  {"prediction_type", vPrediction ? "v_prediction" : "epsilon"},
                  {"clip_sample", false},
                  {"set_alpha_to_one", false},
                  {"skip_prk_steps", true},
                  {"steps_offset", 1},
                  {"timestep_spacing", "leading"}};
    if (c.family_ == ModelFamily::SD1) sched["_class_name"] = "PNDMScheduler";
    if (c.family_ == ModelFamily::SD2) sched["_class_name"] = "DDIMScheduler";
    if (c.family_ == ModelFamily::SDXL) {
        sched["_class_name"] = "EulerDiscreteScheduler";
        sched["interpolation_type"] = "linear";
        sched["use_karras_sigmas"] = false;
    }
    c.schedulerConfig_ = sched;
    return c;
}

} // namespace daam
