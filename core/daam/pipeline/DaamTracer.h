// SPDX-License-Identifier: GPL-3.0-or-later
// The DAAM capture: an observer on the UNet's attention seam that records, for every UNet call and
// every cross-attention layer, the conditional half's probabilities of the prompt's real tokens into an
// AttentionTrace (summed over heads; per head on request).
#pragma once

#include "daam/nn/AttentionObserver.h"
#include "daam/trace/AttentionTrace.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace daam {

class DaamTracer : public AttentionObserver {
public:
    // `tokens`: the prompt's real tokens (start, the prompt's tokens, end), the rows kept per map.
    // `negativeTokens` > 0 also records the unconditional half (the negative prompt's real tokens) into
    // negativeTrace(), so that a negative prompt's words get maps of their own.
    // `layers`: the UNet's table; the trace's table gives each layer its grid at this latent size.
    DaamTracer(const CrossAttentionLayerTable& layers, int64_t latentHeight, int64_t latentWidth, int tokens,
               AttentionTraceOptions options = {}, int negativeTokens = 0);

    void onCrossAttention(const CrossAttentionLayer& layer, int64_t step, const torch::Tensor& condProbs,
                          const torch::Tensor& uncondProbs) override;

    bool wantsUnconditional() const override { return negativeTrace_ != nullptr; }

    std::shared_ptr<AttentionTrace> trace() const { return trace_; }
    std::shared_ptr<AttentionTrace> negativeTrace() const { return negativeTrace_; } // null unless asked for

private:
    std::shared_ptr<AttentionTrace> trace_, negativeTrace_;
    std::unordered_map<std::string, int> layerIndex_;
};

} // namespace daam
