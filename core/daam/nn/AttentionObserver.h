// SPDX-License-Identifier: GPL-3.0-or-later
// The attention seam: how a caller (the DAAM tracer) sees cross-attention probabilities of a UNet call.
// The observer travels per call inside an AttentionCall passed down forward(); with no call context (a null
// pointer) attention does no extra work beyond that null check.
#pragma once

#include "daam/config/CrossAttentionLayer.h"

#include <torch/types.h>

#include <cstdint>
#include <string>

namespace daam {

class AttentionObserver {
public:
    virtual ~AttentionObserver() = default;
    // `condProbs`: [condRows*heads, h*w, tokens] softmax probabilities of the conditional batch rows (for the
    // usual single conditional row: [heads, h*w, tokens]); row r*heads + h as in diffusers' head_to_batch_dim.
    // `uncondProbs`: the remaining (unconditional) rows, defined only when wantsUnconditional() is true.
    // The tensors are views valid during the call; clone to keep them. `layer` has this call's query grid.
    virtual void onCrossAttention(const CrossAttentionLayer& layer, int64_t step, const torch::Tensor& condProbs,
                                  const torch::Tensor& uncondProbs) = 0;
    virtual bool wantsUnconditional() const { return false; }
};

// Per-UNet-call context.
struct AttentionCall {
    AttentionObserver* observer = nullptr;
    int64_t step = 0;      // UNet call counter, set by the caller
    int64_t condBegin = 0; // the conditional batch rows are [condBegin, condBegin + condCount)
    int64_t condCount = 1;
};

} // namespace daam
