// SPDX-License-Identifier: GPL-3.0-or-later
// UNet2DConditionModel: see UNet2DConditionModel.h. Channel bookkeeping follows diffusers 0.21.2's
// constructor (reversed channel lists for the up path, layers_per_block + 1 resnets per up block).
#include "daam/nn/UNet2DConditionModel.h"

#include "daam/util/Error.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <set>

namespace daam {

using namespace torch::nn;

namespace {

std::vector<std::vector<CrossAttentionLayer>> makeInfos(UNetBlock block, int blockIndex, int64_t attentions,
                                                        int64_t transformers, int64_t heads, int64_t downscale,
                                                        CrossAttentionLayerTable& table) {
    std::vector<std::vector<CrossAttentionLayer>> out(static_cast<size_t>(attentions));
    for (int a = 0; a < attentions; ++a)
        for (int t = 0; t < transformers; ++t) {
            CrossAttentionLayer layer;
            layer.block = block;
            layer.blockIndex = blockIndex;
            layer.attentionIndex = a;
            layer.transformerIndex = t;
            layer.heads = static_cast<int>(heads);
            layer.downscale = static_cast<int>(downscale);
            layer.path = layerPath(block, blockIndex, a, t);
            out[size_t(a)].push_back(layer);
            table.push_back(layer);
        }
    return out;
}

} // namespace

UNet2DConditionModelImpl::UNet2DConditionModelImpl(const UNet2DConditionConfig& c, torch::ScalarType dtype,
                                                   InitialParameters initial)
    : config_(c) {
    auto settle = [&](torch::nn::Module& built) {
        if (initial == InitialParameters::Random) {
            built.to(dtype);
            return;
        }
        torch::NoGradGuard noGrad;
        const auto zero = torch::zeros({1}, torch::TensorOptions().dtype(dtype));
        for (auto& p : built.parameters())
            p.set_data(zero.expand(p.sizes()));
    };
    const auto& boc = c.blockOutChannels;
    const int64_t n = int64_t(boc.size());
    const int64_t temb = c.timeEmbedDim();
    conv_in = register_module("conv_in", Conv2d(Conv2dOptions(c.inChannels, boc[0], 3).padding(1)));
    time_embedding = register_module("time_embedding", TimestepEmbedding(boc[0], temb));
    if (c.additionEmbedType == "text_time")
        add_embedding = register_module("add_embedding", TimestepEmbedding(c.projectionClassEmbeddingsInputDim, temb));

    auto base = [&](int64_t i) {
        UNetBlockOptions o;
        o.tembChannels = temb;
        o.groups = c.normNumGroups;
        o.eps = c.normEps;
        o.transformer.heads = c.numAttentionHeads[size_t(i)];
        o.transformer.layers = c.transformerLayersPerBlock[size_t(i)];
        o.transformer.crossAttentionDim = c.crossAttentionDim[size_t(i)];
        o.transformer.linearProjection = c.useLinearProjection;
        o.transformer.upcast = c.upcastAttention;
        o.transformer.onlyCrossAttention = c.onlyCrossAttention[size_t(i)];
        return o;
    };

    auto downBlocks = register_module("down_blocks", ModuleList());
    int64_t outCh = boc[0];
    for (int64_t i = 0; i < n; ++i) {
        UNetBlockOptions o = base(i);
        o.in = outCh;
        outCh = boc[size_t(i)];
        o.out = outCh;
        o.layers = c.layersPerBlock;
        o.crossAttention = c.downBlockTypes[size_t(i)] == "CrossAttnDownBlock2D";
        o.resample = i != n - 1;
        o.downsamplePadding = c.downsamplePadding;
        if (o.crossAttention)
            o.layerInfos = makeInfos(UNetBlock::Down, int(i), o.layers, o.transformer.layers, o.transformer.heads,
                                     int64_t(1) << i, layers_);
        down_.push_back(UNetDownBlock(o));
        settle(*down_.back());
        downBlocks->push_back(down_.back());
    }

    if (!c.midBlockType.empty()) {
        UNetBlockOptions o = base(n - 1);
        o.transformer.onlyCrossAttention = false; // diffusers' mid block does not take the option
        o.in = o.out = boc.back();
        o.layers = c.midBlockType == "UNetMidBlock2DCrossAttn" ? 1 : 0;
        if (o.layers > 0)
            o.layerInfos = makeInfos(UNetBlock::Mid, 0, 1, o.transformer.layers, o.transformer.heads,
                                     int64_t(1) << (n - 1), layers_);
        mid_block = register_module("mid_block", UNetMidBlock2DCrossAttn(o, c.midBlockScaleFactor));
        settle(*mid_block);
    }

    auto upBlocks = register_module("up_blocks", ModuleList());
    outCh = boc[size_t(n - 1)];
    for (int64_t i = 0; i < n; ++i) {
        const int64_t r = n - 1 - i; // index into the (un-reversed) per-block lists
        UNetBlockOptions o = base(r);
        o.prevOut = outCh;
        outCh = boc[size_t(r)];
        o.out = outCh;
        o.in = boc[size_t(std::max<int64_t>(r - 1, 0))];
        o.layers = c.layersPerBlock + 1;
        o.crossAttention = c.upBlockTypes[size_t(i)] == "CrossAttnUpBlock2D";
        o.resample = i != n - 1;
        if (o.crossAttention)
            o.layerInfos = makeInfos(UNetBlock::Up, int(i), o.layers, o.transformer.layers, o.transformer.heads,
                                     int64_t(1) << r, layers_);
        up_.push_back(UNetUpBlock(o));
        settle(*up_.back());
        upBlocks->push_back(up_.back());
    }

    conv_norm_out =
        register_module("conv_norm_out", GroupNorm(GroupNormOptions(c.normNumGroups, boc[0]).eps(c.normEps)));
    conv_out = register_module("conv_out", Conv2d(Conv2dOptions(boc[0], c.outChannels, 3).padding(1)));
    settle(*this); // the small modules outside the blocks
}

torch::Tensor UNet2DConditionModelImpl::forward(const torch::Tensor& sample, const torch::Tensor& timestep,
                                                const torch::Tensor& encoderHiddenStates, const AddedCond* added,
                                                const AttentionCall* call) {
    const int64_t b = sample.size(0);
    auto t = timestep.to(sample.device()).reshape({-1});
    if (t.numel() == 1) t = t.expand({b});
    if (t.numel() != b)
        throw Error("UNet2DConditionModel: timestep has " + std::to_string(t.numel()) + " entries for a batch of " +
                    std::to_string(b));
    const auto& boc = config_.blockOutChannels;
    auto tEmb = timestepProjection(t, boc[0], config_.flipSinToCos, config_.freqShift).to(sample.scalar_type());
    auto emb = time_embedding->forward(tEmb); // [B, temb]
    if (add_embedding) {
        if (!added || !added->textEmbeds.defined() || !added->timeIds.defined())
            throw Error(
                "UNet2DConditionModel: this UNet (addition_embed_type text_time) needs text_embeds and time_ids");
        auto ids = added->timeIds.reshape({-1});
        auto timeEmbeds = timestepProjection(ids, config_.additionTimeEmbedDim, config_.flipSinToCos, config_.freqShift)
                              .reshape({added->textEmbeds.size(0), -1});
        auto addEmbeds = torch::cat({added->textEmbeds, timeEmbeds}, -1).to(emb.scalar_type());
        emb = emb + add_embedding->forward(addEmbeds);
    }

    auto x = conv_in->forward(sample);
    std::vector<torch::Tensor> skips{x};
    for (auto& block : down_)
        x = block->forward(x, emb, encoderHiddenStates, call, skips);
    if (mid_block) x = mid_block->forward(x, emb, encoderHiddenStates, call);
    for (size_t i = 0; i < up_.size(); ++i) {
        // Each up block consumes layers_per_block + 1 skips; upsample to the size of the next one so that
        // latents not divisible by the total downsampling still line up.
        const size_t consumed = size_t(config_.layersPerBlock + 1);
        std::vector<int64_t> size;
        if (i + 1 < up_.size()) {
            const auto& next = skips[skips.size() - consumed - 1];
            size = {next.size(2), next.size(3)};
        }
        x = up_[i]->forward(x, emb, encoderHiddenStates, call, skips, size);
    }
    x = conv_norm_out->forwardSilu(x);
    // A bf16 UNet's activations are channels-last (DenseLayers.h); the schedulers get what diffusers gives them.
    return conv_out->forward(x).contiguous();
}

UNet2DConditionModel loadUNet(const std::string& componentDir, const LoadOptions& options) {
    const std::string configPath = componentDir + "/config.json";
    return loadUNet(UNet2DConditionConfig::fromFile(configPath),
                    WeightSet::open(componentDir, "diffusion_pytorch_model", options.variant), configPath, options);
}

UNet2DConditionModel loadUNet(const UNet2DConditionConfig& config, const WeightSet& weights,
                              const std::string& configPath, const LoadOptions& options) {
    // Every parameter's size follows from the sizes checked here (the rest are multiples of them).
    const ConfigShapeCheck check(weights, configPath);
    const auto& channels = config.blockOutChannels;
    check.dim("conv_in.weight", 0, channels[0], "block_out_channels")
        .dim("conv_in.weight", 1, config.inChannels, "in_channels")
        .dim("conv_out.weight", 0, config.outChannels, "out_channels")
        .count("down_blocks.", int64_t(channels.size()), "down_block_types")
        .count("up_blocks.", int64_t(channels.size()), "up_block_types");
    for (size_t i = 0; i < channels.size(); ++i) {
        const std::string down = "down_blocks." + std::to_string(i) + ".";
        check.dim(down + "resnets.0.conv2.weight", 0, channels[i], "block_out_channels")
            .count(down + "resnets.", config.layersPerBlock, "layers_per_block")
            .count("up_blocks." + std::to_string(i) + ".resnets.", config.layersPerBlock + 1, "layers_per_block");
        if (config.downBlockTypes[i] == "CrossAttnDownBlock2D")
            check
                .count(down + "attentions.0.transformer_blocks.", config.transformerLayersPerBlock[i],
                       "transformer_layers_per_block")
                .dim(down + "attentions.0.transformer_blocks.0.attn2.to_k.weight", 1, config.crossAttentionDim[i],
                     "cross_attention_dim");
    }
    if (config.midBlockType == "UNetMidBlock2DCrossAttn")
        check.count("mid_block.attentions.0.transformer_blocks.", config.transformerLayersPerBlock.back(),
                    "transformer_layers_per_block");
    if (config.additionEmbedType == "text_time")
        check.dim("add_embedding.linear_1.weight", 1, config.projectionClassEmbeddingsInputDim,
                  "projection_class_embeddings_input_dim");

    // Building makes and frees each block's initial parameters (loading replaces every one; a parameter the file
    // may lack keeps its initial value, which then has to be a real one), and packing makes and frees a plain
    // oneDNN copy of each convolution's weight. A kept heap would grow past those holes (SD 1.5 in fp32: 3.5 GB
    // more resident until the next trim, 1.8 GB of it after building alone), so their large blocks come from the
    // OS meanwhile.
    const LargeBlocksFromTheOs largeBlocks(std::size_t(1) << 20);
    UNet2DConditionModel model(config, options.dtype,
                               options.optionalInModule.empty() ? InitialParameters::ToBeLoaded
                                                                : InitialParameters::Random);
    if (!options.optionalInModule.empty()) model->to(options.device); // placeholders would be copied out in full
    // In float32 and bfloat16 the convolutions run from copies of their weights in oneDNN's layout (DenseLayers.h);
    // the file pages the plain weights alias are then given back, so the copies take their place in memory. A
    // bfloat16 model's packed weights stay in the file's dtype meanwhile: a plain bfloat16 copy beside the packed one
    // would hold 1.1 GB more for SD 1.5.
    const bool pack =
        options.device.is_cpu() && (options.dtype == torch::kFloat32 || options.dtype == torch::kBFloat16);
    LoadOptions loading = options;
    if (pack && options.dtype == torch::kBFloat16) {
        const auto packable = packableConvolutionWeights(*model, torch::kBFloat16);
        const std::set<std::string> names(packable.begin(), packable.end());
        loading.keepFileDtype = [names](const std::string& name) { return names.count(name) > 0; };
    }
    loadStateDict(*model, weights, loading);
    model->eval();
    if (pack)
        packConvolutionsForInference(
            *model, [&](const std::string& name) { weights.releasePages(name); }, options.dtype);
    return model;
}

} // namespace daam
