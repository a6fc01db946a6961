// SPDX-License-Identifier: GPL-3.0-or-later
// What DAAM captures during a generation: for every UNet call and every cross-attention layer, the
// conditional half's attention probabilities of the prompt's real tokens (start token, the prompt's
// tokens, one end token; never padding), at the layer's native resolution and summed over heads.
// Alongside, per layer, the per-head sums over all calls (float32): castorini/daam upsamples and clamps
// each (layer, head) map before averaging, so reproducing its default exactly needs per-head totals.
// Optionally every call's per-head maps are kept too (exact answers for any time range, 8-20x memory).
#pragma once

#include "daam/config/CrossAttentionLayer.h"

#include <torch/types.h>

#include <memory>
#include <mutex>
#include <vector>

namespace daam {

struct AttentionTraceOptions {
    torch::ScalarType storage = torch::kFloat16; // per-call maps; float16 keeps relative error < 1e-3
    bool keepHeads = false;                      // also keep every call's per-head maps
};

class AttentionTrace {
public:
    AttentionTrace(CrossAttentionLayerTable layers, int tokens, AttentionTraceOptions options = {});

    // One layer's probabilities at one UNet call: [heads, h*w, K] with K >= tokens (the first `tokens`
    // key columns are kept). Calls arrive in order; the first add() of a new call index opens it.
    void add(int call, int layer, const torch::Tensor& probs);

    const CrossAttentionLayerTable& layers() const { return layers_; }
    int tokens() const { return tokens_; }
    int calls() const { return calls_; }
    const AttentionTraceOptions& options() const { return options_; }

    // [calls, tokens, h, w] in the storage dtype, heads summed. Undefined if the layer never reported.
    torch::Tensor layerMaps(int layer) const;
    // [heads, tokens, h, w] float32: every call summed, per head.
    const torch::Tensor& headTotals(int layer) const { return headTotals_.at(layer); }
    bool hasHeadMaps() const { return options_.keepHeads; }
    // [calls, heads, tokens, h, w] in the storage dtype (keepHeads only).
    torch::Tensor layerHeadMaps(int layer) const;

    // Replaces the contents wholesale (session loading); shapes are checked by the caller.
    void restore(int calls, std::vector<torch::Tensor> layerMaps, std::vector<torch::Tensor> headTotals,
                 std::vector<torch::Tensor> headMaps);

    // [layers, calls, tokens] float64: each layer's heads-summed map of each token averaged over its pixels, per
    // call (the attention mass the token gets). Computed on first use and kept until the trace changes (a whole
    // SDXL-sized trace: 27 ms, bench_heatmap_query), so that a thread that must not wait (the GUI's) finds it
    // computed where the trace was made or loaded. Safe to call from several threads; not while add() or restore()
    // runs.
    const torch::Tensor& pixelMeans() const;

    // Every layer's heads-summed maps summed over the calls before each call, grouped by map resolution so that a
    // time-range query subtracts once per resolution: groups[g] is [calls + 1, layers of that resolution, tokens, h,
    // w] float32 and slotOf[l] says where layer l lies. Like pixelMeans(), computed on first use and kept until the
    // trace changes (an SDXL-sized trace: 0.4 s and 0.4 GB), so that the thread that made or read the trace pays for
    // it; the value handed out stays valid after a change.
    struct CallPrefixSums {
        struct Slot {
            int group = 0;
            int64_t index = 0;
        };
        std::vector<torch::Tensor> groups;
        std::vector<Slot> slotOf;
    };
    std::shared_ptr<const CallPrefixSums> callPrefixSums() const;

    // Bytes held by the trace's tensors.
    size_t bytes() const;
    // Bytes each further call adds (the rest, per-head totals, is fixed).
    size_t bytesPerCall() const;

private:
    CrossAttentionLayerTable layers_;
    int tokens_ = 0;
    int calls_ = 0;
    AttentionTraceOptions options_;
    std::vector<std::vector<torch::Tensor>> perCall_;      // [layer][call] -> [tokens, h, w]
    std::vector<std::vector<torch::Tensor>> perCallHeads_; // [layer][call] -> [heads, tokens, h, w]
    std::vector<torch::Tensor> headTotals_;                // [layer] -> [heads, tokens, h, w] float32
    void forgetDerived(); // after a change: what pixelMeans() and callPrefixSums() kept no longer holds
    mutable std::shared_ptr<std::mutex> derivedMutex_ = std::make_shared<std::mutex>();
    mutable torch::Tensor pixelMeans_; // pixelMeans(); undefined until asked for, and after a change
    mutable std::shared_ptr<const CallPrefixSums> callPrefixSums_; // likewise
};

} // namespace daam
