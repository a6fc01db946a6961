// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/AttentionTrace.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

#include <map>
#include <utility>

namespace daam {

AttentionTrace::AttentionTrace(CrossAttentionLayerTable layers, int tokens, AttentionTraceOptions options)
    : layers_(std::move(layers)), tokens_(tokens), options_(options), perCall_(layers_.size()),
      perCallHeads_(layers_.size()) {
    if (tokens_ <= 0) throw Error("an attention trace needs at least one token");
    for (const auto& l : layers_)
        headTotals_.push_back(torch::zeros({l.heads, tokens_, l.height, l.width}, torch::kFloat32));
}

void AttentionTrace::add(int call, int layer, const torch::Tensor& probs) {
    if (layer < 0 || layer >= static_cast<int>(layers_.size()))
        throw Error("attention trace: layer " + std::to_string(layer) + " is not in the layer table");
    const auto& info = layers_[layer];
    if (probs.dim() != 3 || probs.size(0) != info.heads || probs.size(1) != int64_t(info.height) * info.width ||
        probs.size(2) < tokens_)
        throw Error("attention trace: layer " + info.path + " reported probabilities of an unexpected shape");
    if (call < calls_ - 1) throw Error("attention trace: calls must arrive in order");
    calls_ = std::max(calls_, call + 1);
    forgetDerived();

    torch::NoGradGuard noGrad;
    // [heads, h*w, K] -> [heads, tokens, h, w] in float32 on the CPU.
    auto maps = probs.narrow(2, 0, tokens_).to(torch::kCPU, torch::kFloat32);
    maps = maps.permute({0, 2, 1}).reshape({info.heads, tokens_, info.height, info.width});
    headTotals_[layer].add_(maps);

    auto& calls = perCall_[layer];
    const auto summed = maps.sum(0).to(options_.storage);
    if (static_cast<int>(calls.size()) == call + 1) {
        calls.back().add_(summed); // a layer reporting twice in one call (never for SD UNets) adds up
    } else {
        while (static_cast<int>(calls.size()) < call)
            calls.push_back(torch::zeros({tokens_, info.height, info.width}, options_.storage));
        calls.push_back(summed.contiguous());
    }
    if (options_.keepHeads) {
        auto& heads = perCallHeads_[layer];
        while (static_cast<int>(heads.size()) < call)
            heads.push_back(torch::zeros({info.heads, tokens_, info.height, info.width}, options_.storage));
        if (static_cast<int>(heads.size()) == call + 1)
            heads.back().add_(maps.to(options_.storage));
        else
            heads.push_back(maps.to(options_.storage).contiguous());
    }
}

torch::Tensor AttentionTrace::layerMaps(int layer) const {
    const auto& info = layers_.at(layer);
    std::vector<torch::Tensor> calls = perCall_.at(layer);
    while (static_cast<int>(calls.size()) < calls_)
        calls.push_back(torch::zeros({tokens_, info.height, info.width}, options_.storage));
    if (calls.empty()) return torch::zeros({0, tokens_, info.height, info.width}, options_.storage);
    return torch::stack(calls);
}

torch::Tensor AttentionTrace::layerHeadMaps(int layer) const {
    if (!options_.keepHeads) throw Error("this trace was captured without per-head maps");
    const auto& info = layers_.at(layer);
    std::vector<torch::Tensor> calls = perCallHeads_.at(layer);
    while (static_cast<int>(calls.size()) < calls_)
        calls.push_back(torch::zeros({info.heads, tokens_, info.height, info.width}, options_.storage));
    if (calls.empty()) return torch::zeros({0, info.heads, tokens_, info.height, info.width}, options_.storage);
    return torch::stack(calls);
}

void AttentionTrace::restore(int calls, std::vector<torch::Tensor> layerMaps, std::vector<torch::Tensor> headTotals,
                             std::vector<torch::Tensor> headMaps) {
    calls_ = calls;
    forgetDerived();
    for (size_t l = 0; l < layers_.size(); ++l) {
        perCall_[l].clear();
        for (int c = 0; c < calls; ++c)
            perCall_[l].push_back(layerMaps[l][c].to(options_.storage));
        headTotals_[l] = headTotals[l].to(torch::kFloat32);
        perCallHeads_[l].clear();
        if (options_.keepHeads)
            for (int c = 0; c < calls; ++c)
                perCallHeads_[l].push_back(headMaps[l][c].to(options_.storage));
    }
}

void AttentionTrace::forgetDerived() {
    std::lock_guard<std::mutex> lock(*derivedMutex_);
    pixelMeans_ = torch::Tensor();
    callPrefixSums_.reset();
}

const torch::Tensor& AttentionTrace::pixelMeans() const {
    std::lock_guard<std::mutex> lock(*derivedMutex_);
    if (!pixelMeans_.defined() && !layers_.empty()) {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> mass;
        for (size_t l = 0; l < layers_.size(); ++l)
            mass.push_back(layerMaps(int(l)).to(torch::kFloat32).mean({2, 3}).to(torch::kFloat64));
        pixelMeans_ = torch::stack(mass);
    }
    return pixelMeans_;
}

std::shared_ptr<const AttentionTrace::CallPrefixSums> AttentionTrace::callPrefixSums() const {
    std::lock_guard<std::mutex> lock(*derivedMutex_);
    if (callPrefixSums_) return callPrefixSums_;
    torch::NoGradGuard noGrad;
    auto sums = std::make_shared<CallPrefixSums>();
    std::map<std::pair<int, int>, int64_t> layersOfSize;
    for (const auto& layer : layers_)
        sums->slotOf.push_back({0, layersOfSize[{layer.height, layer.width}]++});
    std::map<std::pair<int, int>, int> groupOf;
    for (const auto& [size, count] : layersOfSize) {
        groupOf[size] = static_cast<int>(sums->groups.size());
        sums->groups.push_back(torch::zeros({calls_ + 1, count, tokens_, size.first, size.second}, torch::kFloat32));
    }
    for (size_t l = 0; l < layers_.size(); ++l) {
        auto& slot = sums->slotOf[l];
        slot.group = groupOf.at({layers_[l].height, layers_[l].width});
        auto out = sums->groups[size_t(slot.group)].narrow(0, 1, calls_).select(1, slot.index);
        torch::cumsum_out(out, layerMaps(static_cast<int>(l)).to(torch::kFloat32), 0);
    }
    callPrefixSums_ = std::move(sums);
    return callPrefixSums_;
}

size_t AttentionTrace::bytesPerCall() const {
    const size_t element = torch::elementSize(options_.storage);
    size_t total = 0;
    for (const auto& l : layers_)
        total += size_t(tokens_) * l.height * l.width * element * (options_.keepHeads ? 1 + l.heads : 1);
    return total;
}

size_t AttentionTrace::bytes() const {
    size_t total = 0;
    auto add = [&](const torch::Tensor& t) { total += t.defined() ? t.numel() * t.element_size() : 0; };
    for (const auto& layer : perCall_)
        for (const auto& t : layer)
            add(t);
    for (const auto& layer : perCallHeads_)
        for (const auto& t : layer)
            add(t);
    for (const auto& t : headTotals_)
        add(t);
    return total;
}

} // namespace daam
