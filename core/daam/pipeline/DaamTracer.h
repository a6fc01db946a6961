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

// The trace's layer table for a UNet's cross-attention layers at a latent size: a layer whose queries
// are the latents downscaled d times has ceil(h / d) x ceil(w / d) maps (stride-2 convolutions round up).
CrossAttentionLayerTable crossAttentionTable(const std::vector<AttentionLayerInfo>& layers, int64_t latentHeight,
                                             int64_t latentWidth);

class DaamTracer : public AttentionObserver {
public:
    // `tokens`: the prompt's real tokens (start, the prompt's tokens, end), the rows kept per map.
    DaamTracer(const std::vector<AttentionLayerInfo>& layers, int64_t latentHeight, int64_t latentWidth, int tokens,
               AttentionTraceOptions options = {});

    void onCrossAttention(const AttentionLayerInfo& layer, int64_t step, const torch::Tensor& condProbs,
                          const torch::Tensor& uncondProbs) override;

    std::shared_ptr<AttentionTrace> trace() const { return trace_; }

private:
    std::shared_ptr<AttentionTrace> trace_;
    std::unordered_map<std::string, int> layerIndex_;
};

} // namespace daam
