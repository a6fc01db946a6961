// SPDX-License-Identifier: GPL-3.0-or-later
// A bfloat16 UNet as the loader makes it (convolutions packed into oneDNN's layout once, DenseLayers.h) against the
// same UNet with plain bfloat16 convolution weights, which oneDNN reorders on every call: seconds per guided call at
// 512x512 (batch 2, 64x64 latents), the two taking turns in one process so that both see the same machine.
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
    auto packed = daam::loadUNet(argv[1], options);
    auto plain = daam::loadUNet(argv[1], options);
    int convolutions = 0;
    for (const auto& module : plain->modules()) {
        auto* conv = dynamic_cast<daam::Conv2dImpl*>(module.get());
        if (!conv || !conv->packed()) continue;
        // A new plain bfloat16 weight: the packed copy no longer matches it and goes at the first call.
        conv->weight.set_data(conv->weight.to(torch::kBFloat16));
        ++convolutions;
    }
    daam::releaseFreedMemory();
    const auto& config = packed->config();
    torch::manual_seed(0);
    const auto sample = torch::randn({2, config.inChannels, 64, 64}).to(torch::kBFloat16);
    const auto text = torch::randn({2, 77, config.crossAttentionDim.front()}).to(torch::kBFloat16);
    const auto timestep = torch::tensor(981);

    std::printf("%d convolutions packed; bf16 on %d threads, BLAS kernels %s\n", convolutions, runtime.threads,
                runtime.blasCore.c_str());
    auto time = [&](daam::UNet2DConditionModel& unet) {
        const auto start = std::chrono::steady_clock::now();
        const auto out = unet->forward(sample, timestep, text);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return std::make_pair(s, out);
    };
    // A first call each: the plain model drops its packed copies, both fault their buffers in.
    const auto a = time(packed).second, b = time(plain).second;
    std::printf("packed vs plain output: max abs difference %.3g\n",
                (a.to(torch::kFloat32) - b.to(torch::kFloat32)).abs().max().item<double>());
    std::vector<double> packedSeconds, plainSeconds;
    for (int i = 0; i < calls; ++i) {
        packedSeconds.push_back(time(packed).first);
        plainSeconds.push_back(time(plain).first);
        std::printf("call %d: packed %.3f s, plain %.3f s\n", i + 1, packedSeconds.back(), plainSeconds.back());
    }
    const double p = median(packedSeconds), q = median(plainSeconds);
    std::printf("median per guided call: packed %.3f s, plain %.3f s; packed/plain = %.3f (%.3f s less)\n", p, q, p / q,
                q - p);
    return 0;
}
