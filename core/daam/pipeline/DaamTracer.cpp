// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/pipeline/DaamTracer.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

DaamTracer::DaamTracer(const CrossAttentionLayerTable& layers, int64_t latentHeight, int64_t latentWidth, int tokens,
                       AttentionTraceOptions options, int negativeTokens) {
    auto table = withLatentSize(layers, static_cast<int>(latentHeight), static_cast<int>(latentWidth));
    for (size_t i = 0; i < table.size(); ++i)
        layerIndex_[table[i].path] = static_cast<int>(i);
    if (negativeTokens > 0) negativeTrace_ = std::make_shared<AttentionTrace>(table, negativeTokens, options);
    trace_ = std::make_shared<AttentionTrace>(std::move(table), tokens, options);
}

void DaamTracer::onCrossAttention(const CrossAttentionLayer& layer, int64_t step, const torch::Tensor& condProbs,
                                  const torch::Tensor& uncondProbs) {
    auto it = layerIndex_.find(layer.path);
    if (it == layerIndex_.end()) throw Error("DAAM tracer: unknown cross-attention layer " + layer.path);
    trace_->add(static_cast<int>(step), it->second, condProbs);
    // Without guidance there is no unconditional half: the negative trace stays empty.
    if (negativeTrace_ && uncondProbs.defined()) negativeTrace_->add(static_cast<int>(step), it->second, uncondProbs);
}

} // namespace daam
