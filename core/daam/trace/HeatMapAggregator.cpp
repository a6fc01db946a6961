// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/HeatMapAggregator.h"

#include "daam/util/Error.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace daam {

namespace {

torch::Tensor bicubic(const torch::Tensor& maps, int height, int width) {
    namespace F = torch::nn::functional;
    return F::interpolate(maps, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{height, width})
                                    .mode(torch::kBicubic)
                                    .align_corners(false));
}

// PyTorch's bicubic upsampling (align_corners=false, A = -0.75, indices past a border read the border) as four taps
// per output index: output o of a side `out` long is the sum over k of weight[4o + k] x input[index[4o + k]].
struct BicubicTaps {
    std::vector<int64_t> index;
    std::vector<float> weight;
};

BicubicTaps bicubicTaps(int64_t in, int64_t out) {
    constexpr float A = -0.75f;
    auto near = [](float x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };      // |x| <= 1
    auto far = [](float x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; }; // 1 < |x| < 2
    BicubicTaps taps;
    const float scale = float(in) / float(out);
    for (int64_t o = 0; o < out; ++o) {
        // In float32 from a float32 source position, as PyTorch computes them, for the same weights.
        const float source = scale * (float(o) + 0.5f) - 0.5f;
        const float base = std::floor(source);
        const float t = source - base;
        const float weights[4] = {far(t + 1), near(t), near(1 - t), far(2 - t)};
        for (int k = 0; k < 4; ++k) {
            taps.index.push_back(std::clamp<int64_t>(int64_t(base) - 1 + k, 0, in - 1));
            taps.weight.push_back(weights[k]);
        }
    }
    return taps;
}

// out[e] = sum over k of weight[k] x rows[k][e], e < length: one output row of a separable pass, for every map at
// once (the maps are the fastest-moving dimension, so the loop is over contiguous floats).
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void
combineRows(float* out, const float* const rows[4], const float weight[4], int64_t length) {
    const float w0 = weight[0], w1 = weight[1], w2 = weight[2], w3 = weight[3];
    const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3];
    for (int64_t e = 0; e < length; ++e)
        out[e] = w0 * r0[e] + w1 * r1[e] + w2 * r2[e] + w3 * r3[e];
}

// sums[j] += max(values[i * stride + j], 0) over i < count, j < stride: the clamp, then the sum over maps.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void
addClamped(float* sums, const float* values, int64_t count, int64_t stride) {
    for (int64_t i = 0; i < count; ++i)
        for (int64_t j = 0; j < stride; ++j)
            sums[j] += std::max(values[i * stride + j], 0.0f);
}

// Maps [n, r, h, w] each upsampled as bicubic() does, clamped at 0 and summed over n: [r, height, width]. The
// upsampling is separable: along the height, then along the width, four taps each, with every map in the innermost
// loop, and never holds every upsampled map at once; the sums agree with PyTorch's kernel to float rounding. On an
// SDXL-sized trace every token over steps 10-40 took 39.5 ms with PyTorch's kernel, 6.2 ms with this
// (bench_heatmap_query).
torch::Tensor upsampleClampSum(const torch::Tensor& maps, int height, int width) {
    const int64_t n = maps.size(0), r = maps.size(1), h = maps.size(2), w = maps.size(3), m = n * r;
    const auto input = maps.to(torch::kFloat32).permute({2, 3, 0, 1}).contiguous(); // [h, w, n, r]
    const auto down = bicubicTaps(h, height), across = bicubicTaps(w, width);
    auto sums = torch::zeros({height, width, r}, torch::kFloat32);
    const float* in = input.data_ptr<float>();
    float* out = sums.data_ptr<float>();
    at::parallel_for(0, height, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> tall(static_cast<size_t>(w * m)); // output row y along the height, every map
        std::vector<float> row(static_cast<size_t>(m));      // one output pixel's maps, before the clamp
        for (int64_t y = begin; y < end; ++y) {
            const float* sources[4];
            for (int k = 0; k < 4; ++k)
                sources[k] = in + down.index[size_t(4 * y + k)] * w * m;
            combineRows(tall.data(), sources, &down.weight[size_t(4 * y)], w * m);
            for (int64_t x = 0; x < width; ++x) {
                for (int k = 0; k < 4; ++k)
                    sources[k] = tall.data() + across.index[size_t(4 * x + k)] * m;
                combineRows(row.data(), sources, &across.weight[size_t(4 * x)], m);
                addClamped(out + (y * width + x) * r, row.data(), n, r);
            }
        }
    });
    return sums.permute({2, 0, 1}).contiguous();
}

// The query's heads that layer `l` has (all of them when the query names none for it).
std::vector<int64_t> keptHeads(const HeatMapQuery& query, int l, const CrossAttentionLayer& layer) {
    const auto& chosen = query.headsOf(l);
    std::vector<int64_t> heads;
    for (int h : chosen) // a head named twice counts once ("--heads 0,0" is head 0)
        if (h >= 0 && h < layer.heads && std::find(heads.begin(), heads.end(), h) == heads.end()) heads.push_back(h);
    if (chosen.empty())
        for (int h = 0; h < layer.heads; ++h)
            heads.push_back(h);
    return heads;
}

} // namespace

int HeatMapAggregator::referenceSide(int defaultImageSide) {
    return (defaultImageSide == 512 || defaultImageSide == 1024) ? 64 : 96;
}

HeatMapAggregator::HeatMapAggregator(std::shared_ptr<const AttentionTrace> trace, int gridHeight, int gridWidth)
    : trace_(std::move(trace)), gridHeight_(gridHeight), gridWidth_(gridWidth) {
    if (gridHeight_ <= 0 || gridWidth_ <= 0) throw Error("heat map grid must not be empty");
    const auto& layers = trace_->layers();
    for (size_t l = 0; l < layers.size(); ++l) {
        const int64_t cells = int64_t(layers[l].height) * layers[l].width;
        // daam hooks the down and up blocks only (its locator takes the mid block only to save or load heads),
        // computes factor = int(sqrt(latent_hw // (h*w))) and leaves factor 8 out.
        const int64_t factor = static_cast<int64_t>(std::sqrt(double((int64_t(gridHeight_) * gridWidth_) / cells)));
        if (factor != 8 && layers[l].block != UNetBlock::Mid) defaultLayers_.push_back(static_cast<int>(l));
    }
    allCallsCache_.resize(layers.size());
}

const CrossAttentionLayer& HeatMapAggregator::layerAt(int l) const {
    if (l < 0 || l >= static_cast<int>(trace_->layers().size()))
        throw Error("layer " + std::to_string(l) + " is not in the layer table");
    return trace_->layers()[l];
}

bool HeatMapAggregator::isExact(const HeatMapQuery& query) const {
    const bool allCalls = query.callBegin <= 0 && (query.callEnd < 0 || query.callEnd >= trace_->calls());
    return allCalls || trace_->hasHeadMaps();
}

torch::Tensor HeatMapAggregator::allCallsAllHeads(int l, const std::vector<int64_t>& rows) const {
    layerAt(l); // throws for an index outside the table
    std::lock_guard<std::mutex> lock(cacheMutex_);
    auto& cache = allCallsCache_[size_t(l)];
    if (!cache.maps.defined()) {
        cache.maps = torch::zeros({trace_->tokens(), gridHeight_, gridWidth_}, torch::kFloat32);
        cache.rowDone.assign(size_t(trace_->tokens()), false);
    }
    std::vector<int64_t> missing;
    for (int64_t r : rows)
        if (!cache.rowDone[size_t(r)] && std::find(missing.begin(), missing.end(), r) == missing.end())
            missing.push_back(r);
    if (!missing.empty()) {
        auto index = torch::tensor(missing, torch::kInt64);
        const auto perHead = trace_->headTotals(l).index_select(1, index); // [heads, m, h, w]
        cache.maps.index_copy_(0, index, upsampleClampSum(perHead, gridHeight_, gridWidth_));
        for (int64_t r : missing)
            cache.rowDone[size_t(r)] = true;
    }
    return cache.maps.index_select(0, torch::tensor(rows, torch::kInt64));
}

torch::Tensor HeatMapAggregator::tokenMaps(const HeatMapQuery& query, const std::vector<int>& rows) const {
    torch::NoGradGuard noGrad;
    const int calls = trace_->calls();
    const int begin = std::clamp(query.callBegin, 0, calls);
    const int end = query.callEnd < 0 ? calls : std::clamp(query.callEnd, begin, calls);
    const bool allCalls = begin == 0 && end == calls;
    const auto& layers = query.layers.empty() ? defaultLayers_ : query.layers;
    for (int r : rows)
        if (r < 0 || r >= trace_->tokens()) throw Error("token row " + std::to_string(r) + " is not in the trace");
    const std::vector<int64_t> rowList(rows.begin(), rows.end());
    auto rowIndex = torch::tensor(rowList, torch::kInt64);

    auto total = torch::zeros({static_cast<int64_t>(rows.size()), gridHeight_, gridWidth_}, torch::kFloat32);
    int64_t keys = 0; // (layer, head) pairs averaged over
    // Maps still to upsample, [n, rows, h, w] each, by resolution: one upsampling per resolution instead of one per
    // layer (SDXL has 70 layers at two resolutions).
    std::map<std::pair<int, int>, std::vector<torch::Tensor>> pending;
    // Sub-range sums come from the trace's prefix sums, made on first need (whole-range queries never need them).
    std::shared_ptr<const AttentionTrace::CallPrefixSums> prefix;
    std::vector<std::vector<int64_t>> summedLayers; // per prefix group: slots of layers summed there
    for (int l : layers) {
        const auto& info = layerAt(l);
        const auto heads = keptHeads(query, l, info);
        if (heads.empty()) continue;
        keys += static_cast<int64_t>(heads.size());
        if (allCalls && static_cast<int>(heads.size()) == info.heads) {
            // The query reads back what an earlier one computed: one bicubic per (head, row) is most of a query.
            total += allCallsAllHeads(l, rowList);
        } else if (allCalls) {
            auto headIndex = torch::tensor(heads, torch::kInt64);
            pending[{info.height, info.width}].push_back(
                trace_->headTotals(l).index_select(0, headIndex).index_select(1, rowIndex));
        } else if (trace_->hasHeadMaps()) {
            auto headIndex = torch::tensor(heads, torch::kInt64);
            auto perHead = trace_->layerHeadMaps(l).narrow(0, begin, end - begin).to(torch::kFloat32).sum(0);
            pending[{info.height, info.width}].push_back(perHead.index_select(0, headIndex).index_select(1, rowIndex));
        } else {
            // Heads summed first: only valid for all heads (a head subset needs per-head maps).
            if (!query.headsOf(l).empty())
                throw Error("a head selection over part of the timesteps needs per-head maps");
            if (!prefix) {
                prefix = trace_->callPrefixSums();
                summedLayers.resize(prefix->groups.size());
            }
            const auto& slot = prefix->slotOf[size_t(l)];
            summedLayers[size_t(slot.group)].push_back(slot.index);
        }
    }
    // The calls' sum of every layer of a resolution at once: one subtraction of the groups' prefix sums.
    for (size_t g = 0; g < summedLayers.size(); ++g) {
        if (summedLayers[g].empty()) continue;
        // Only the query's layers and rows are subtracted: [layers, rows, h, w].
        const auto layerIndex = torch::tensor(summedLayers[g], torch::kInt64);
        const auto& group = prefix->groups[g];
        const auto sums = group[end].index_select(1, rowIndex).index_select(0, layerIndex) -
                          group[begin].index_select(1, rowIndex).index_select(0, layerIndex);
        pending[{int(sums.size(2)), int(sums.size(3))}].push_back(sums);
    }
    // Each map is upsampled and clamped alone, as the reference does per (layer, head), then they are summed.
    for (const auto& [size, maps] : pending)
        total += upsampleClampSum(torch::cat(maps, 0), gridHeight_, gridWidth_);
    if (keys > 0) total /= static_cast<double>(keys);
    return total;
}

torch::Tensor HeatMapAggregator::regionMap(const HeatMapQuery& query, const torch::Tensor& region) const {
    torch::NoGradGuard noGrad;
    if (region.dim() != 2 || region.numel() == 0) throw Error("a region must be a non-empty [H, W] mask");
    const auto inside = (region != 0).to(torch::kFloat32).reshape({1, 1, region.size(0), region.size(1)});
    auto total = torch::zeros({gridHeight_, gridWidth_}, torch::kFloat32);
    int64_t keys = 0;
    for (int l : query.layers.empty() ? defaultLayers_ : query.layers) {
        const auto& info = layerAt(l);
        const auto heads = static_cast<int64_t>(keptHeads(query, l, info).size());
        if (heads == 0) continue;
        namespace F = torch::nn::functional;
        const auto cells = F::adaptive_avg_pool2d(inside, F::AdaptiveAvgPool2dFuncOptions({info.height, info.width}));
        total += bicubic(cells, gridHeight_, gridWidth_).clamp_min_(0)[0][0] * double(heads);
        keys += heads;
    }
    if (keys > 0) total /= static_cast<double>(keys);
    return total;
}

torch::Tensor HeatMapAggregator::globalMaps(const HeatMapQuery& query) const {
    std::vector<int> rows(trace_->tokens());
    for (int i = 0; i < trace_->tokens(); ++i)
        rows[i] = i;
    return tokenMaps(query, rows);
}

torch::Tensor HeatMapAggregator::wordMap(const HeatMapQuery& query, const std::vector<int>& rows) const {
    if (rows.empty()) throw Error("a word needs at least one token");
    return tokenMaps(query, rows).mean(0);
}

torch::Tensor expandToImage(const torch::Tensor& map, int height, int width, HeatMapNormalization normalization) {
    torch::NoGradGuard noGrad;
    if (normalization == HeatMapNormalization::WordShare)
        throw Error("the word-share normalization needs every word's map (expandWordsToImage)");
    auto up = bicubic(map.to(torch::kFloat32).reshape({1, 1, map.size(-2), map.size(-1)}), height, width)[0][0];
    if (normalization == HeatMapNormalization::MinMax) {
        const auto lo = up.min(), hi = up.max();
        up = (up - lo) / (hi - lo + 1e-8);
    }
    return up;
}

torch::Tensor expandWordsToImage(const torch::Tensor& maps, int height, int width, HeatMapNormalization normalization) {
    torch::NoGradGuard noGrad;
    if (maps.dim() != 3) throw Error("expandWordsToImage: maps must be [N, h, w]");
    if (normalization != HeatMapNormalization::WordShare) {
        std::vector<torch::Tensor> out;
        for (int64_t i = 0; i < maps.size(0); ++i)
            out.push_back(expandToImage(maps[i], height, width, normalization));
        return out.empty() ? torch::zeros({0, height, width}) : torch::stack(out);
    }
    auto up = bicubic(maps.to(torch::kFloat32).unsqueeze(0), height, width)[0].clamp_min(0);
    return up / (up.sum(0, true) + 1e-12);
}

std::vector<RankedValue> rankAtPixel(const torch::Tensor& maps, int y, int x) {
    if (maps.dim() != 3 || y < 0 || x < 0 || y >= maps.size(1) || x >= maps.size(2))
        throw Error("rankAtPixel: pixel outside the maps");
    const auto column = maps.index({torch::indexing::Slice(), y, x}).to(torch::kFloat32).contiguous();
    std::vector<RankedValue> ranked;
    for (int64_t i = 0; i < column.size(0); ++i)
        ranked.push_back({static_cast<int>(i), column.data_ptr<float>()[i]});
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.value > b.value; });
    return ranked;
}

torch::Tensor thresholdMask(const torch::Tensor& map, double tau) {
    return map.gt(tau).to(torch::kUInt8);
}

} // namespace daam
