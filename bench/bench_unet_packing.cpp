// SPDX-License-Identifier: GPL-3.0-or-later
// Three ways a bfloat16 UNet runs its convolutions (DenseLayers.h), taking turns in one process so that all see the
// same machine: as the loader makes it (weights reordered once for oneDNN, activations channels-last from the first
// convolution on, ChannelsLastConvolution), the same packed weights through LibTorch's mkldnn_convolution on NCHW
// activations, and plain bf16 weights, which oneDNN reorders on every call. Seconds per guided call at 512x512
// (batch 2, 64x64 latents), and how far each output is from the plain one.
// Usage: bench_unet_packing UNET_DIR [calls per model, default 4]   (UNET_DIR: e.g. the unet/ of `daam-cli bench
// --sd15-shapes`)
#include "daam/nn/DenseLayers.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/util/CpuPeak.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Calls `f` on every daam::Conv2d of `unet` that the loader packed; returns how many.
template <class F> int forPackedConvolutions(daam::UNet2DConditionModel& unet, F f) {
    int n = 0;
    for (const auto& module : unet->modules()) {
        auto* conv = dynamic_cast<daam::Conv2dImpl*>(module.get());
        if (!conv || !conv->packed()) continue;
        f(*conv);
        ++n;
    }
    return n;
}

} // namespace

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s UNET_DIR [calls]\n", argv[0]);
        return 2;
    }
    if (!daam::cpuHasAvx512Bf16()) {
        std::fprintf(stderr, "this CPU has no AVX-512 BF16: bfloat16 convolutions are not packed\n");
        return 1;
    }
    const int calls = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
    const auto runtime = daam::initRuntime();
    torch::NoGradGuard noGrad;
    daam::LoadOptions options;
    options.dtype = torch::kBFloat16;
    struct Way {
        const char* name;
        daam::UNet2DConditionModel unet;
        std::vector<double> seconds;
        torch::Tensor out;
    };
    std::vector<Way> ways;
    ways.push_back({"channels-last", daam::loadUNet(argv[1], options), {}, {}});
    ways.push_back({"packed NCHW", daam::loadUNet(argv[1], options), {}, {}});
    ways.push_back({"plain", daam::loadUNet(argv[1], options), {}, {}});
    const int convolutions =
        forPackedConvolutions(ways[1].unet, [](daam::Conv2dImpl& conv) { conv.allowChannelsLast(false); });
    // A new plain bfloat16 weight: the packed copy no longer matches it and goes at the first call.
    forPackedConvolutions(ways[2].unet,
                          [](daam::Conv2dImpl& conv) { conv.weight.set_data(conv.weight.to(torch::kBFloat16)); });
    daam::releaseFreedMemory();
    const auto& config = ways[0].unet->config();
    torch::manual_seed(0);
    const auto sample = torch::randn({2, config.inChannels, 64, 64}).to(torch::kBFloat16);
    const auto text = torch::randn({2, 77, config.crossAttentionDim.front()}).to(torch::kBFloat16);
    const auto timestep = torch::tensor(981);

    std::printf("%d convolutions packed; bf16 on %d threads, BLAS kernels %s\n", convolutions, runtime.threads,
                runtime.blasCore.c_str());
    auto time = [&](Way& way) {
        const auto start = std::chrono::steady_clock::now();
        way.out = way.unet->forward(sample, timestep, text).to(torch::kFloat32);
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    // A first call each: the plain model drops its packed copies, the channels-last one makes its primitives, all
    // fault their buffers in.
    for (auto& way : ways)
        time(way);
    const auto& plain = ways.back().out;
    for (auto& way : ways)
        std::printf("%-14s output: max abs difference from plain %.3g (plain's largest %.3g)\n", way.name,
                    (way.out - plain).abs().max().item<double>(), plain.abs().max().item<double>());
    for (int i = 0; i < calls; ++i) {
        std::printf("call %d:", i + 1);
        for (auto& way : ways) {
            way.seconds.push_back(time(way));
            std::printf(" %s %.3f s", way.name, way.seconds.back());
        }
        std::printf("\n");
    }
    const double base = median(ways.back().seconds);
    std::printf("median per guided call:");
    for (auto& way : ways)
        std::printf(" %s %.3f s (%.3f of plain)", way.name, median(way.seconds), median(way.seconds) / base);
    std::printf("\n");
    return 0;
}
