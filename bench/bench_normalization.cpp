// SPDX-License-Identifier: GPL-3.0-or-later
// GroupNorm and LayerNorm on bf16 CPU tensors at Stable Diffusion 1.5's shapes: LibTorch's own kernels
// against daam::GroupNorm / daam::LayerNorm (float32 inside), in one run.
#include "daam/nn/Normalization.h"
#include "daam/util/Runtime.h"

#include "BestTime.h"

#include <torch/torch.h>

#include <cstdio>

namespace {

void row(const char* what, double stock, double ours) {
    std::printf("%-44s %10.4f %10.4f %8.2fx\n", what, stock, ours, stock / ours);
}
} // namespace

using daam::bench::bestTime;

int main(int, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    torch::NoGradGuard noGrad;
    std::printf("threads: %d, BLAS kernels %s, dtype bf16\n%-44s %10s %10s %9s\n", runtime.threads,
                runtime.blasCore.c_str(), "shape", "stock s", "ours s", "speed-up");
    struct Maps {
        const char* what;
        int64_t b, c, h, w;
    };
    for (const auto& s : {Maps{"GroupNorm UNet [2, 320, 64, 64]", 2, 320, 64, 64},
                          Maps{"GroupNorm UNet [2, 1280, 16, 16]", 2, 1280, 16, 16},
                          Maps{"GroupNorm VAE [1, 128, 512, 512]", 1, 128, 512, 512}}) {
        daam::GroupNorm ours(torch::nn::GroupNormOptions(32, s.c));
        torch::nn::GroupNorm stock(torch::nn::GroupNormOptions(32, s.c));
        ours->to(torch::kBFloat16);
        stock->to(torch::kBFloat16);
        const auto x = torch::randn({s.b, s.c, s.h, s.w}).to(torch::kBFloat16);
        const int reps = s.h >= 256 ? 3 : 10;
        row(s.what, bestTime([&] { stock->forward(x); }, reps), bestTime([&] { ours->forward(x); }, reps));
    }
    struct Rows {
        const char* what;
        int64_t b, n, d;
    };
    for (const auto& s : {Rows{"LayerNorm transformer [2, 4096, 320]", 2, 4096, 320},
                          Rows{"LayerNorm transformer [2, 256, 1280]", 2, 256, 1280},
                          Rows{"LayerNorm CLIP [2, 77, 768]", 2, 77, 768}}) {
        daam::LayerNorm ours(torch::nn::LayerNormOptions({s.d}));
        torch::nn::LayerNorm stock(torch::nn::LayerNormOptions({s.d}));
        ours->to(torch::kBFloat16);
        stock->to(torch::kBFloat16);
        const auto x = torch::randn({s.b, s.n, s.d}).to(torch::kBFloat16);
        row(s.what, bestTime([&] { stock->forward(x); }, 10), bestTime([&] { ours->forward(x); }, 10));
    }
    return 0;
}
