// SPDX-License-Identifier: GPL-3.0-or-later
// DAAM's aggregation, as castorini/daam computes it, plus the queries an interactive app needs.
//
// Reference (compute_global_heat_map): for every kept (layer, head), the map summed over UNet calls is
// upsampled bicubically (align_corners=false) to the grid (X x X) and clamped at 0; the mean over all
// kept (layer, head) pairs is the global map per token row. The kept layers are those of the down and up
// blocks (daam does not hook the mid block) whose factor floor(sqrt((X*X) // (h*w))) is not 8 (the 8x8
// maps at X = 64).
//
// Queries narrow the calls (a timestep range), the layers and the heads. Over all calls the answer is
// exact for any layer/head selection (per-head totals are kept). Over a sub-range the calls are summed
// with per-layer prefix sums and, unless the trace kept per-head maps, heads are summed before the
// clamp (documented difference: bicubic overshoot below 0 is clamped per layer instead of per head).
#pragma once

#include "daam/trace/AttentionTrace.h"

#include <torch/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace daam {

struct HeatMapQuery {
    int callBegin = 0; // UNet calls [callBegin, callEnd); callEnd < 0 means all
    int callEnd = -1;
    std::vector<int> layers; // indices into the layer table; empty = the reference default
    std::vector<int> heads;  // head indices in every layer; empty = all (a head beyond a layer's count is skipped)
    // The heads of single layers, in place of `heads` there (key: layer index; an empty list: all its heads).
    std::map<int, std::vector<int>> layerHeads;
    // The head list that applies to layer `l`.
    const std::vector<int>& headsOf(int l) const {
        const auto it = layerHeads.find(l);
        return it == layerHeads.end() ? heads : it->second;
    }
};

enum class HeatMapNormalization {
    MinMax,   // (x - min) / (max - min + 1e-8), as daam's expand_as
    Absolute, // unchanged
    // Per pixel, each word's share of the words' attention: the cross-attention softmax restricted to the
    // chosen words (softmax over words of the log maps), so the start and end tokens, which hold most of
    // the mass, no longer dilute it. Needs every word's map at once (expandWordsToImage).
    WordShare,
};

class HeatMapAggregator {
public:
    // `gridHeight` x `gridWidth` is DAAM's map grid (X x X for square images, X from referenceSide()).
    HeatMapAggregator(std::shared_ptr<const AttentionTrace> trace, int gridHeight, int gridWidth);

    // daam's X: 64 when the UNet's default image side (sample_size x VAE factor) is 512 or 1024, else 96.
    static int referenceSide(int defaultImageSide);

    const AttentionTrace& trace() const { return *trace_; }
    int gridHeight() const { return gridHeight_; }
    int gridWidth() const { return gridWidth_; }
    // Layers the reference keeps (down and up blocks, factor != 8), in table order.
    const std::vector<int>& defaultLayers() const { return defaultLayers_; }
    // Whether `query` is answered exactly as the reference would (see the header comment).
    bool isExact(const HeatMapQuery& query) const;

    // [rows.size(), gridHeight, gridWidth] float32: the global map of each token row.
    torch::Tensor tokenMaps(const HeatMapQuery& query, const std::vector<int>& rows) const;
    // Every token row: [tokens, gridHeight, gridWidth].
    torch::Tensor globalMaps(const HeatMapQuery& query) const;
    // A word's map: the mean of its token rows' maps, [gridHeight, gridWidth].
    torch::Tensor wordMap(const HeatMapQuery& query, const std::vector<int>& rows) const;

    // The map of a word that attended to exactly `region` (a [H, W] mask of any size, nonzero inside) and
    // nowhere else: in each of the query's layers its cells hold the region's share of their area, brought
    // to the grid and averaged over (layer, head) pairs as tokenMaps does. The query's calls do not matter.
    // It is the best map the query's layers can give at their resolutions (eval-shapes --ceiling).
    torch::Tensor regionMap(const HeatMapQuery& query, const torch::Tensor& region) const;

private:
    const CrossAttentionLayer& layerAt(int layer) const; // throws for an index outside the layer table
    // [rows, gridHeight, gridWidth]: layer `l`'s maps over all calls, each head upsampled and clamped, summed over
    // its heads. Rows are computed on first use and kept (for SDXL at 1024x1024, at most 55 MB).
    torch::Tensor allCallsAllHeads(int l, const std::vector<int64_t>& rows) const;

    std::shared_ptr<const AttentionTrace> trace_;
    int gridHeight_ = 0;
    int gridWidth_ = 0;
    std::vector<int> defaultLayers_;
    struct RowCache {
        torch::Tensor maps; // [tokens, gridHeight, gridWidth]
        std::vector<bool> rowDone;
    };
    mutable std::mutex cacheMutex_;               // queries may come from several threads at once
    mutable std::vector<RowCache> allCallsCache_; // per layer
};

// A map [h, w] brought to the image size [H, W] bicubically (align_corners=false), then normalized.
torch::Tensor expandToImage(const torch::Tensor& map, int height, int width,
                            HeatMapNormalization normalization = HeatMapNormalization::MinMax);
// Several words' maps [N, h, w] brought to [N, H, W]: MinMax and Absolute per map as expandToImage;
// WordShare across the maps (values clamped at 0 first; they sum to 1 at every pixel with any mass).
torch::Tensor expandWordsToImage(const torch::Tensor& maps, int height, int width,
                                 HeatMapNormalization normalization = HeatMapNormalization::MinMax);

// The reverse query: at pixel (y, x) of maps [N, H, W], every map's value, largest first.
struct RankedValue {
    int index = 0; // into the maps' first dimension
    float value = 0;
};
std::vector<RankedValue> rankAtPixel(const torch::Tensor& maps, int y, int x);

// uint8 [H, W]: 1 where the map is > tau.
torch::Tensor thresholdMask(const torch::Tensor& map, double tau = 0.4);

} // namespace daam
