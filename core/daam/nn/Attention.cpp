// SPDX-License-Identifier: GPL-3.0-or-later
// Attention: see Attention.h.
#include "daam/nn/Attention.h"

#include "daam/nn/ChannelsLast.h"
#include "daam/nn/FusedAttention.h"

#include <torch/nn/modules/dropout.h>
#include <torch/torch.h>

namespace daam {
namespace {

// From this many keys on, scores no longer fit in cache and the fused kernel wins (bench_attention);
// cross-attention (77 keys) keeps the BLAS path, whose probabilities the DAAM observer reads.
constexpr int64_t kFusedMinKeys = 1024;

// [B, N, heads*d] → [B*heads, N, d]
torch::Tensor headToBatch(const torch::Tensor& x, int64_t heads) {
    const auto b = x.size(0), n = x.size(1), d = x.size(2) / heads;
    return x.reshape({b, n, heads, d}).permute({0, 2, 1, 3}).reshape({b * heads, n, d});
}

// [B*heads, N, d] → [B, N, heads*d]
torch::Tensor batchToHead(const torch::Tensor& x, int64_t heads) {
    const auto b = x.size(0) / heads, n = x.size(1), d = x.size(2);
    return x.reshape({b, heads, n, d}).permute({0, 2, 1, 3}).reshape({b, n, heads * d});
}

} // namespace

AttentionImpl::AttentionImpl(const AttentionOptions& o) : options_(o) {
    const int64_t inner = o.heads * o.dimHead;
    const int64_t kvDim = o.crossAttentionDim > 0 ? o.crossAttentionDim : o.queryDim;
    scale_ = 1.0 / std::sqrt(double(o.dimHead));
    if (o.groupNormGroups > 0)
        group_norm = register_module(
            "group_norm", GroupNorm(torch::nn::GroupNormOptions(o.groupNormGroups, o.queryDim).eps(o.groupNormEps)));
    to_q = register_module("to_q", Linear(torch::nn::LinearOptions(o.queryDim, inner).bias(o.bias)));
    to_k = register_module("to_k", Linear(torch::nn::LinearOptions(kvDim, inner).bias(o.bias)));
    to_v = register_module("to_v", Linear(torch::nn::LinearOptions(kvDim, inner).bias(o.bias)));
    out_proj = Linear(torch::nn::LinearOptions(inner, o.queryDim).bias(true));
    to_out = register_module("to_out", torch::nn::ModuleList(out_proj, torch::nn::Dropout(0.0)));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& context,
                                     const AttentionCall* call, const CrossAttentionLayer* layer, int64_t height,
                                     int64_t width) {
    const auto& kv = context.defined() ? context : hidden;
    const int64_t h = options_.heads;
    auto q = headToBatch(to_q->forward(hidden), h); // [B*h, N, d]
    auto k = headToBatch(to_k->forward(kv), h);     // [B*h, T, d]
    auto v = headToBatch(to_v->forward(kv), h);     // [B*h, T, d]
    const auto outDtype = q.scalar_type();
    if (options_.upcast) {
        q = q.to(torch::kFloat32);
        k = k.to(torch::kFloat32);
    }
    const auto kt = k.transpose(1, 2);
    const int64_t bh = q.size(0), n = q.size(1), t = k.size(1);

    auto attend = [&](const torch::Tensor& qc) {
        // Not diffusers' baddbmm over an uninitialised tensor with beta = 0: LibTorch 1.13 let NaN from that
        // tensor through for some shapes (one key; seen in a fresh build's test_fused_attention).
        auto scores = torch::bmm(qc, kt).mul_(scale_);
        return scores.softmax(-1).to(v.scalar_type()); // [B*h, n, T]
    };

    torch::Tensor out;
    if (call && call->observer && layer) {
        auto probs = attend(q);
        CrossAttentionLayer info = *layer;
        info.height = static_cast<int>(height);
        info.width = static_cast<int>(width);
        auto cond = probs.narrow(0, call->condBegin * h, call->condCount * h);
        torch::Tensor uncond;
        if (call->observer->wantsUnconditional()) {
            std::vector<torch::Tensor> rest;
            if (call->condBegin > 0) rest.push_back(probs.narrow(0, 0, call->condBegin * h));
            const int64_t end = (call->condBegin + call->condCount) * h;
            if (end < bh) rest.push_back(probs.narrow(0, end, bh - end));
            if (!rest.empty()) uncond = rest.size() == 1 ? rest[0] : torch::cat(rest, 0);
        }
        call->observer->onCrossAttention(info, call->step, cond, uncond);
        out = torch::bmm(probs, v);
    } else if (t >= kFusedMinKeys && !torch::GradMode::is_enabled() && fusedAttentionSupports(q, k, v)) {
        // Long self-attention on the CPU: the fused kernel never writes the [n, t] scores (FusedAttention.h).
        // It has no backward, so training takes the plain path.
        out = fusedAttention(q, k, v, scale_);
    } else if (bh * n * t <= options_.maxScoreElements) {
        out = torch::bmm(attend(q), v);
    } else {
        // Rows of the softmax are independent, so query chunks give the same result with bounded memory
        // (SD 1.5 at 512² would otherwise hold 8 heads × 4096² scores, 0.5 GB per image, per layer).
        const int64_t chunk = std::max<int64_t>(1, options_.maxScoreElements / (bh * t));
        std::vector<torch::Tensor> parts;
        for (int64_t s = 0; s < n; s += chunk)
            parts.push_back(torch::bmm(attend(q.narrow(1, s, std::min(chunk, n - s))), v));
        out = torch::cat(parts, 1);
    }
    out = batchToHead(out.to(outDtype), h);
    return out_proj->forward(out);
}

torch::Tensor AttentionImpl::forwardSpatial(const torch::Tensor& x) {
    const auto b = x.size(0), c = x.size(1), hh = x.size(2), ww = x.size(3);
    auto hidden = group_norm ? group_norm->forward(x) : x;
    if (isChannelsLast(x)) {
        // Channels-last maps are [B, HW, C] rows already, and the result goes back as channels-last maps.
        hidden = forward(hidden.permute({0, 2, 3, 1}).reshape({b, hh * ww, c}));
        return hidden.reshape({b, hh, ww, c}).permute({0, 3, 1, 2}) + x;
    }
    hidden = hidden.reshape({b, c, hh * ww}).transpose(1, 2); // [B, HW, C]
    hidden = forward(hidden);
    hidden = hidden.transpose(1, 2).reshape({b, c, hh, ww});
    return hidden + x;
}

} // namespace daam
