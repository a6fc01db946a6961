// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/OriginalCheckpointWriter.h"

#include "daam/config/AutoencoderKLConfig.h"
#include "daam/config/ModelIndex.h"
#include "daam/config/OriginalCheckpoint.h"
#include "daam/config/UNet2DConditionConfig.h"
#include "daam/io/Safetensors.h"
#include "daam/sched/SchedulerConfig.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace daam {
namespace {

using nlohmann::ordered_json;
using Transform = NameRule::Transform;

// Block-style YAML of a JSON tree: mappings indented by two, lists of scalars in flow style, lists of mappings
// as "- " items; strings quoted where YAML would read them as something else.
void emitYaml(std::ostringstream& out, const ordered_json& j, int indent) {
    const std::string pad(size_t(indent), ' ');
    auto scalar = [](const ordered_json& v) { return v.is_string() ? v.dump() : v.dump(); };
    for (auto it = j.begin(); it != j.end(); ++it) {
        const auto& v = it.value();
        out << pad << it.key() << ":";
        if (v.is_object()) {
            out << "\n";
            emitYaml(out, v, indent + 2);
        } else if (v.is_array() && !v.empty() && v.front().is_object()) {
            out << "\n";
            for (const auto& item : v) {
                std::ostringstream inner;
                emitYaml(inner, item, indent + 4);
                std::string text = inner.str();
                // The first key goes on the dash's line.
                text.replace(0, size_t(indent + 4), pad + "  - ");
                out << text;
            }
        } else if (v.is_array()) {
            out << " [";
            for (size_t i = 0; i < v.size(); ++i)
                out << (i ? ", " : "") << scalar(v[i]);
            out << "]\n";
        } else {
            out << " " << scalar(v) << "\n";
        }
    }
}

std::map<std::string, torch::Tensor> readComponent(const std::string& dir, const std::string& base) {
    const fs::path file = fs::path(dir) / (base + ".safetensors");
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw FileError(dir, "no " + file.filename().string() + " (the writer reads unsharded folders)");
    return loadSafetensors(file.string());
}

// Appends one component's tensors under their original names.
void addComponent(std::vector<std::pair<std::string, torch::Tensor>>& out,
                  const std::map<std::string, torch::Tensor>& tensors, const NameMap& map, const std::string& prefix,
                  torch::ScalarType dtype, const std::string& source) {
    std::vector<std::string> names;
    for (const auto& [name, _] : tensors)
        if (name != "text_model.embeddings.position_ids") names.push_back(name);
    const auto originals = originalTensorsOf(names, map, prefix);
    size_t written = 0;
    for (const auto& o : originals) {
        torch::Tensor t;
        if (o.transform == Transform::Rows) {
            std::vector<torch::Tensor> parts;
            for (const auto& p : o.parts) {
                if (p.empty()) throw FileError(source, o.name + ": a part of the fused tensor is missing");
                parts.push_back(tensors.at(p));
            }
            t = torch::cat(parts, 0);
        } else {
            t = tensors.at(o.parts.at(0));
            if (o.transform == Transform::Unsqueeze) t = t.reshape({t.size(0), t.size(1), 1, 1});
            if (o.transform == Transform::Transpose) t = t.t();
        }
        written += o.parts.size();
        if (torch::isFloatingType(t.scalar_type())) t = t.to(dtype);
        out.emplace_back(o.name, t.contiguous());
    }
    if (written != names.size())
        throw FileError(source,
                        std::to_string(names.size() - written) + " tensors have no name in the original layout");
}

std::vector<int64_t> channelMult(const std::vector<int64_t>& channels) {
    std::vector<int64_t> mult;
    for (auto c : channels)
        mult.push_back(c / channels.at(0));
    return mult;
}

} // namespace

void writeOriginalCheckpoint(const std::string& folder, const std::string& outFile,
                             const OriginalCheckpointOptions& options) {
    const auto index = ModelIndex::open(folder);
    const auto family = index.family();
    const std::string unetDir = index.componentDir("unet"), vaeDir = index.componentDir("vae");
    const auto unet = UNet2DConditionConfig::fromFile(unetDir + "/config.json");
    const auto vae = AutoencoderKLConfig::fromFile(vaeDir + "/config.json");
    const auto scheduler = SchedulerConfig::load(index.componentDir("scheduler") + "/scheduler_config.json");
    torch::NoGradGuard noGrad;

    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    addComponent(tensors, readComponent(unetDir, "diffusion_pytorch_model"), unetNameMap(unet), original::kUNet,
                 options.dtype, unetDir);
    addComponent(tensors, readComponent(vaeDir, "diffusion_pytorch_model"), vaeNameMap(vae), original::kVae,
                 options.dtype, vaeDir);

    const fs::path out(outFile);
    const std::string stem = out.stem().string();
    struct Text {
        std::string component, tokenizer, prefix, folderName;
        bool openClip;
        int layers;
    };
    std::vector<Text> texts;
    if (family == ModelFamily::SD1) texts.push_back({"text_encoder", "tokenizer", original::kSd1Text, "", false, 0});
    if (family == ModelFamily::SD2) texts.push_back({"text_encoder", "tokenizer", original::kSd2Text, "", true, 0});
    if (family == ModelFamily::SDXL) {
        texts.push_back({"text_encoder", "tokenizer", original::kSdxlText1, "", false, 0});
        texts.push_back({"text_encoder_2", "tokenizer_2", original::kSdxlText2, "", true, 0});
    }
    for (auto& text : texts) {
        const std::string dir = index.componentDir(text.component);
        auto weights = readComponent(dir, "model");
        auto config = readJsonFile(dir + "/config.json");
        int64_t layers = config.value("num_hidden_layers", int64_t(12));
        if (family == ModelFamily::SD2 && options.addUnreadTextLayer) {
            // A layer past the one LDM reads: a scaled copy of the last, so it differs from every other.
            const std::string last = "text_model.encoder.layers." + std::to_string(layers - 1) + ".";
            const std::string extra = "text_model.encoder.layers." + std::to_string(layers) + ".";
            std::vector<std::pair<std::string, torch::Tensor>> added;
            for (const auto& [name, t] : weights)
                if (name.compare(0, last.size(), last) == 0)
                    added.emplace_back(extra + name.substr(last.size()), t * 0.5 + 0.01);
            for (auto& a : added)
                weights.insert(std::move(a));
            ++layers;
            config["num_hidden_layers"] = layers;
        }
        text.layers = int(layers);
        const bool withProjection = weights.count("text_projection.weight") > 0;
        addComponent(tensors, weights, clipNameMap(layers, text.openClip, withProjection), text.prefix, options.dtype,
                     dir);
        if (options.yaml) {
            text.folderName = stem + "." + text.component;
            const fs::path target = out.parent_path() / text.folderName;
            fs::create_directories(target);
            writeJsonFile((target / "config.json").string(), config);
            for (const auto& e : fs::directory_iterator(index.componentDir(text.tokenizer)))
                fs::copy_file(e.path(), target / e.path().filename(), fs::copy_options::overwrite_existing);
        }
    }
    saveSafetensors(outFile, tensors, {{"format", "pt"}});
    if (!options.yaml) return;

    // The YAML, as Stability's v1/v2-inference and sd_xl_base describe their models.
    const bool v = scheduler.predictionType == "v_prediction";
    std::vector<int64_t> attentionResolutions, depth;
    int64_t numHeads = 0, headChannels = 0;
    for (size_t i = 0; i < unet.blockOutChannels.size(); ++i) {
        depth.push_back(unet.transformerLayersPerBlock[i]);
        if (unet.downBlockTypes[i] != "CrossAttnDownBlock2D") continue;
        attentionResolutions.push_back(int64_t(1) << i);
        numHeads = unet.numAttentionHeads[i];
        headChannels = unet.blockOutChannels[i] / unet.numAttentionHeads[i];
    }
    ordered_json unetParams = {{"image_size", 32},
                               {"in_channels", unet.inChannels},
                               {"out_channels", unet.outChannels},
                               {"model_channels", unet.blockOutChannels.at(0)},
                               {"attention_resolutions", attentionResolutions},
                               {"num_res_blocks", unet.layersPerBlock},
                               {"channel_mult", channelMult(unet.blockOutChannels)}};
    if (family == ModelFamily::SD1)
        unetParams["num_heads"] = numHeads;
    else
        unetParams["num_head_channels"] = headChannels;
    unetParams["use_spatial_transformer"] = true;
    unetParams["use_linear_in_transformer"] = unet.useLinearProjection;
    unetParams["transformer_depth"] = depth;
    unetParams["context_dim"] = unet.crossAttentionDim.at(0);
    unetParams["legacy"] = false;
    if (family == ModelFamily::SDXL) {
        unetParams["adm_in_channels"] = unet.projectionClassEmbeddingsInputDim;
        unetParams["num_classes"] = "sequential";
    }
    const ordered_json firstStage = {{"target", "ldm.models.autoencoder.AutoencoderKL"},
                                     {"params",
                                      {{"embed_dim", vae.latentChannels},
                                       {"ddconfig",
                                        {{"double_z", true},
                                         {"z_channels", vae.latentChannels},
                                         {"resolution", 256},
                                         {"in_channels", vae.inChannels},
                                         {"out_ch", vae.outChannels},
                                         {"ch", vae.blockOutChannels.at(0)},
                                         {"ch_mult", channelMult(vae.blockOutChannels)},
                                         {"num_res_blocks", vae.layersPerBlock},
                                         {"attn_resolutions", ordered_json::array()},
                                         {"dropout", 0.0}}}}}};
    ordered_json params;
    ordered_json yaml;
    if (family != ModelFamily::SDXL) {
        params["linear_start"] = scheduler.betaStart;
        params["linear_end"] = scheduler.betaEnd;
        params["timesteps"] = scheduler.numTrainTimesteps;
        params["image_size"] = unet.sampleSize;
        params["channels"] = unet.inChannels;
        params["scale_factor"] = vae.scalingFactor;
        if (v) params["parameterization"] = "v";
        params["unet_config"] = {{"target", "ldm.modules.diffusionmodules.openaimodel.UNetModel"},
                                 {"params", unetParams}};
        params["first_stage_config"] = firstStage;
        const auto& text = texts.at(0);
        params["cond_stage_config"] = {
            {"target", family == ModelFamily::SD1 ? "ldm.modules.encoders.modules.FrozenCLIPEmbedder"
                                                  : "ldm.modules.encoders.modules.FrozenOpenCLIPEmbedder"},
            {"params", {{"version", text.folderName}, {"layer", family == ModelFamily::SD1 ? "last" : "penultimate"}}}};
        yaml["model"] = {{"target", "ldm.models.diffusion.ddpm.LatentDiffusion"}, {"params", params}};
    } else {
        params["scale_factor"] = vae.scalingFactor;
        params["image_size"] = unet.sampleSize; // not in sgm's files; read for the default image size
        params["denoiser_config"] = {
            {"target", "sgm.modules.diffusionmodules.denoiser.DiscreteDenoiser"},
            {"params",
             {{"num_idx", scheduler.numTrainTimesteps},
              {"scaling_config",
               {{"target", v ? "sgm.modules.diffusionmodules.denoiser_scaling.VScaling"
                             : "sgm.modules.diffusionmodules.denoiser_scaling.EpsScaling"}}},
              {"discretization_config",
               {{"target", "sgm.modules.diffusionmodules.discretizer.LegacyDDPMDiscretization"},
                {"params", {{"linear_start", scheduler.betaStart}, {"linear_end", scheduler.betaEnd}}}}}}}};
        params["network_config"] = {{"target", "sgm.modules.diffusionmodules.openaimodel.UNetModel"},
                                    {"params", unetParams}};
        ordered_json models = ordered_json::array();
        models.push_back(
            {{"is_trainable", false},
             {"input_key", "txt"},
             {"target", "sgm.modules.encoders.modules.FrozenCLIPEmbedder"},
             {"params", {{"version", texts[0].folderName}, {"layer", "hidden"}, {"layer_idx", texts[0].layers - 1}}}});
        models.push_back({{"is_trainable", false},
                          {"input_key", "txt"},
                          {"target", "sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder2"},
                          {"params",
                           {{"arch", "ViT-bigG-14"},
                            {"version", texts[1].folderName},
                            {"freeze", true},
                            {"layer", "penultimate"},
                            {"always_return_pooled", true},
                            {"legacy", false}}}});
        for (const char* key : {"original_size_as_tuple", "crop_coords_top_left", "target_size_as_tuple"})
            models.push_back({{"is_trainable", false},
                              {"input_key", key},
                              {"target", "sgm.modules.encoders.modules.ConcatTimestepEmbedderND"},
                              {"params", {{"outdim", unet.additionTimeEmbedDim}}}});
        params["conditioner_config"] = {{"target", "sgm.modules.GeneralConditioner"},
                                        {"params", {{"emb_models", models}}}};
        params["first_stage_config"] = firstStage;
        yaml["model"] = {{"target", "sgm.models.diffusion.DiffusionEngine"}, {"params", params}};
    }
    std::ostringstream text;
    text << "# Written by DAAM Studio from " << fs::path(folder).filename().string() << "\n";
    emitYaml(text, yaml, 0);
    writeFileAtomically((out.parent_path() / (stem + ".yaml")).string(), text.str());
}

} // namespace daam
