// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/AttentionTrace.h"

#include "daam/util/Error.h"

#include <c10/core/impl/VirtualGuardImpl.h>
#include <c10/util/accumulate.h>
#include <torch/torch.h>

#include <map>
#include <utility>

namespace daam {

AttentionTrace::AttentionTrace(CrossAttentionLayerTable layers, int tokens, AttentionTraceOptions options)
    : layers_(std::move(layers)), tokens_(tokens), options_(options), perCall_(layers_.size()),
      perCallHeads_(layers_.size()), lastCall_(layers_.size(), -1) {
    if (tokens_ <= 0) throw Error("an attention trace needs at least one token");
    for (const auto& l : layers_)
        headTotals_.push_back(torch::zeros({l.heads, tokens_, l.height, l.width}, torch::kFloat32));
}

void AttentionTrace::openCall(torch::Device device) {
    // Pinned memory lets the device copy into it while the host goes on; it exists only where a GPU does.
    const auto options = torch::TensorOptions().dtype(options_.storage).pinned_memory(!device.is_cpu());
    const auto buffer = torch::zeros({int64_t(bytesPerCall() / torch::elementSize(options_.storage))}, options);
    int64_t offset = 0;
    auto take = [&](c10::IntArrayRef shape) {
        const auto size = c10::multiply_integers(shape);
        auto view = buffer.narrow(0, offset, size).view(shape);
        offset += size;
        return view;
    };
    for (size_t l = 0; l < layers_.size(); ++l) {
        const auto& info = layers_[l];
        perCall_[l].push_back(take({tokens_, info.height, info.width}));
        if (options_.keepHeads) perCallHeads_[l].push_back(take({info.heads, tokens_, info.height, info.width}));
    }
    ++calls_;
}

void AttentionTrace::add(int call, int layer, const torch::Tensor& probs) {
    if (layer < 0 || layer >= static_cast<int>(layers_.size()))
        throw Error("attention trace: layer " + std::to_string(layer) + " is not in the layer table");
    const auto& info = layers_[layer];
    if (probs.dim() != 3 || probs.size(0) != info.heads || probs.size(1) != int64_t(info.height) * info.width ||
        probs.size(2) < tokens_)
        throw Error("attention trace: layer " + info.path + " reported probabilities of an unexpected shape");
    if (call < calls_ - 1) throw Error("attention trace: calls must arrive in order");
    forgetDerived();

    torch::NoGradGuard noGrad;
    const auto device = probs.device();
    if (headTotals_.front().device() != device) {
        settle();
        for (auto& totals : headTotals_)
            totals = totals.to(device);
        hostHeadTotals_.clear();
    }
    while (calls_ <= call)
        openCall(device);

    const int64_t pixels = int64_t(info.height) * info.width;
    // [heads, h*w, tokens]. The CPU's element-wise kernels convert an input of another dtype through a temporary
    // copy per operation; converting once serves both below. A GPU's convert as they read.
    auto kept = probs.narrow(2, 0, tokens_);
    if (device.is_cpu()) kept = kept.to(torch::kFloat32);
    headTotals_[layer].view({info.heads, tokens_, pixels}).transpose(1, 2).add_(kept);
    const auto summed = kept.sum(0, false, torch::kFloat32).t(); // [tokens, h*w]
    const auto heads = kept.transpose(1, 2);                     // [heads, tokens, h*w]

    const bool repeat = lastCall_[layer] == call;
    lastCall_[layer] = call;
    auto store = [&](const torch::Tensor& slot, const torch::Tensor& maps) {
        if (repeat) {
            settle();
            slot.add_(maps.to(torch::kCPU));
        } else {
            // Off the CPU, copy_ converts on the device and then copies without waiting (Copy.cu).
            slot.copy_(maps, !device.is_cpu());
        }
    };
    store(perCall_[layer][call].view({tokens_, pixels}), summed);
    if (options_.keepHeads) store(perCallHeads_[layer][call].view({info.heads, tokens_, pixels}), heads);
    if (!device.is_cpu()) {
        const std::lock_guard<std::mutex> lock(*settleMutex_);
        pendingCopies_ = c10::impl::VirtualGuardImpl(device.type()).getStream(device);
    }
}

void AttentionTrace::settle() const {
    const std::lock_guard<std::mutex> lock(*settleMutex_);
    if (!pendingCopies_) return;
    pendingCopies_->synchronize();
    pendingCopies_.reset();
    hostHeadTotals_.clear();
    for (const auto& totals : headTotals_)
        hostHeadTotals_.push_back(totals.to(torch::kCPU));
}

const torch::Tensor& AttentionTrace::headTotals(int layer) const {
    if (headTotals_.at(layer).is_cpu()) return headTotals_[layer];
    settle();
    return hostHeadTotals_.at(layer);
}

torch::Tensor AttentionTrace::layerMaps(int layer) const {
    settle();
    const auto& info = layers_.at(layer);
    if (perCall_.at(layer).empty()) return torch::zeros({0, tokens_, info.height, info.width}, options_.storage);
    return torch::stack(perCall_[layer]);
}

torch::Tensor AttentionTrace::layerHeadMaps(int layer) const {
    if (!options_.keepHeads) throw Error("this trace was captured without per-head maps");
    settle();
    const auto& info = layers_.at(layer);
    if (perCallHeads_.at(layer).empty())
        return torch::zeros({0, info.heads, tokens_, info.height, info.width}, options_.storage);
    return torch::stack(perCallHeads_[layer]);
}

void AttentionTrace::restore(int calls, std::vector<torch::Tensor> layerMaps, std::vector<torch::Tensor> headTotals,
                             std::vector<torch::Tensor> headMaps) {
    settle(); // copies still running would land in buffers that are about to go
    calls_ = calls;
    forgetDerived();
    hostHeadTotals_.clear();
    for (size_t l = 0; l < layers_.size(); ++l) {
        lastCall_[l] = calls - 1; // a further add() to the last call adds to what was restored
        perCall_[l].clear();
        for (int c = 0; c < calls; ++c)
            perCall_[l].push_back(layerMaps[l][c].to(options_.storage));
        headTotals_[l] = headTotals[l].to(torch::kCPU, torch::kFloat32).contiguous();
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
