// SPDX-License-Identifier: GPL-3.0-or-later
// The feed-forward GEGLU at Stable Diffusion 1.5's transformer shapes, float32 and bf16: diffusers' formula
// (gelu on the strided gate half of the projection) against daam::GEGLU, in one run.
#include "daam/nn/FeedForward.h"
#include "daam/util/Runtime.h"

#include "BestTime.h"

#include <torch/torch.h>

#include <cstdio>

using daam::bench::bestTime;

int main(int, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    torch::NoGradGuard noGrad;
    std::printf("threads: %d, BLAS kernels %s\n%-34s %6s %12s %10s %9s\n", runtime.threads, runtime.blasCore.c_str(),
                "GEGLU input [B, N, dim]", "dtype", "diffusers s", "ours s", "speed-up");
    struct Shape {
        int64_t n, dim;
    };
    for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
        for (const auto& s : {Shape{4096, 320}, Shape{1024, 640}, Shape{256, 1280}}) {
            daam::GEGLU geglu(s.dim, 4 * s.dim);
            geglu->to(dtype);
            const auto params = geglu->named_parameters();
            const auto weight = params["proj.weight"], bias = params["proj.bias"];
            const auto x = torch::randn({2, s.n, s.dim}).to(dtype);
            const double diffusers = bestTime(
                [&] {
                    const auto parts = torch::linear(x, weight, bias).chunk(2, -1);
                    return parts[0] * torch::gelu(parts[1]);
                },
                10);
            const double ours = bestTime([&] { geglu->forward(x); }, 10);
            char shape[64];
            std::snprintf(shape, sizeof(shape), "[2, %lld, %lld]", (long long)s.n, (long long)s.dim);
            std::printf("%-34s %6s %12.4f %10.4f %8.2fx\n", shape, dtype == torch::kFloat32 ? "fp32" : "bf16",
                        diffusers, ours, diffusers / ours);
        }
    }
    return 0;
}
