// SPDX-License-Identifier: GPL-3.0-or-later
// What DAAM captures during a generation: for every UNet call and every cross-attention layer, the
// conditional half's attention probabilities of the prompt's real tokens (start token, the prompt's
// tokens, one end token; never padding), at the layer's native resolution and summed over heads.
// Alongside, per layer, the per-head sums over all calls (float32): castorini/daam upsamples and clamps
// each (layer, head) map before averaging, so reproducing its default exactly needs per-head totals.
// Optionally every call's per-head maps are kept too (exact answers for any time range, 8-20x memory).
//
// On a GPU the reduction runs where the probabilities are: the per-head totals stay on the device, and each
// call's maps go into one pinned host buffer by copies that do not wait for the device. The first read after
// add() waits for them once. A blocking copy per layer (16 per SD 1.5 UNet call) stalled the device each time.
#pragma once

#include "daam/config/CrossAttentionLayer.h"

#include <c10/core/Stream.h>
#include <c10/util/Optional.h>
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
    // key columns are kept), on any device, in any floating dtype. Calls arrive in order; the first add() of
    // a new call index opens it. A layer reported twice in one call adds up (never for SD UNets).
    void add(int call, int layer, const torch::Tensor& probs);

    const CrossAttentionLayerTable& layers() const { return layers_; }
    int tokens() const { return tokens_; }
    int calls() const { return calls_; }
    const AttentionTraceOptions& options() const { return options_; }

    // [calls, tokens, h, w] in the storage dtype, heads summed; zeros at calls the layer did not report.
    torch::Tensor layerMaps(int layer) const;
    // [heads, tokens, h, w] float32 on the CPU: every call summed, per head.
    const torch::Tensor& headTotals(int layer) const;
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
    // [layer][call] -> [tokens, h, w] and [heads, tokens, h, w] on the CPU. A call's maps of every layer are views
    // of one buffer, so that on a GPU each call pins host memory once.
    std::vector<std::vector<torch::Tensor>> perCall_;
    std::vector<std::vector<torch::Tensor>> perCallHeads_;
    std::vector<int> lastCall_;             // [layer] -> the last call it reported at, -1 before any
    std::vector<torch::Tensor> headTotals_; // [layer] -> [heads, tokens, h, w] float32, where add() runs
    void openCall(torch::Device device);    // a zeroed buffer for the next call's maps (pinned for a GPU)
    // Copies into the host buffers may still run on this stream: readers wait for it once, and take the per-head
    // totals to the host. Guarded by settleMutex_ (a pointer, like derivedMutex_, so that a trace can be copied).
    mutable c10::optional<c10::Stream> pendingCopies_;
    mutable std::vector<torch::Tensor> hostHeadTotals_; // headTotals_ on the CPU, when they are on a device
    mutable std::shared_ptr<std::mutex> settleMutex_ = std::make_shared<std::mutex>();
    void settle() const;
    void forgetDerived(); // after a change: what pixelMeans() and callPrefixSums() kept no longer holds
    mutable std::shared_ptr<std::mutex> derivedMutex_ = std::make_shared<std::mutex>();
    mutable torch::Tensor pixelMeans_; // pixelMeans(); undefined until asked for, and after a change
    mutable std::shared_ptr<const CallPrefixSums> callPrefixSums_; // likewise
};

} // namespace daam
