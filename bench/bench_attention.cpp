// SPDX-License-Identifier: GPL-3.0-or-later
// Attention at Stable Diffusion 1.5 shapes (batch 2 x 8 heads; 64x64, 32x32 and 16x16 latents; self-
// attention over the image tokens and cross-attention over 77 text tokens): the plain computation
// (bmm, softmax, bmm, as diffusers' AttnProcessor) against the fused kernel, in one run, in float32 and (where
// the CPU has AVX512-BF16, so that the bf16 kernel exists) in bfloat16; in float32 also the portable kernel,
// which CPUs without AVX-512 take.
#include "daam/nn/FusedAttention.h"
#include "daam/util/Runtime.h"

#include "BestTime.h"

#include <torch/torch.h>

#include <cstdio>

using daam::bench::bestTime;

int main(int, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    torch::NoGradGuard noGrad;
    std::printf("threads: %d, BLAS kernels %s\n%-34s %5s %10s %10s %8s %9s  %10s %8s\n", runtime.threads,
                runtime.blasCore.c_str(), "shape [B, Nq, Nk, D]", "type", "plain s", "fused s", "speed-up", "GFLOP/s",
                "portable s", "/ fused");
    struct Shape {
        const char* what;
        int64_t b, nq, nk, d;
    };
    const Shape shapes[] = {{"self 64x64 (320 ch)", 16, 4096, 4096, 40},
                            {"self 32x32 (640 ch)", 16, 1024, 1024, 80},
                            {"self 16x16 (1280 ch)", 16, 256, 256, 160},
                            {"cross 64x64", 16, 4096, 77, 40},
                            {"cross 32x32", 16, 1024, 77, 80}};
    for (const auto type : {torch::kFloat32, torch::kBFloat16}) {
        for (const auto& s : shapes) {
            auto q = torch::randn({s.b, s.nq, s.d}).to(type), k = torch::randn({s.b, s.nk, s.d}).to(type),
                 v = torch::randn({s.b, s.nk, s.d}).to(type);
            if (!daam::fusedAttentionSupports(q, k, v)) {
                std::printf("%-34s %5s: no fused kernel on this CPU\n", s.what,
                            type == torch::kFloat32 ? "fp32" : "bf16");
                continue;
            }
            const double scale = 1.0 / std::sqrt(double(s.d));
            const int reps = s.nq * s.nk > 1'000'000 ? 2 : 10;
            const double plain = bestTime([&] { daam::plainAttention(q, k, v, scale); }, reps);
            const double fused = bestTime([&] { daam::fusedAttention(q, k, v, scale); }, reps);
            // The portable float32 kernel (CPUs without AVX-512 take it): its time beside, for the ratio.
            const double portable =
                type == torch::kFloat32
                    ? bestTime([&] { daam::fusedAttention(q, k, v, scale, daam::FusedAttentionKernel::Portable); },
                               reps)
                    : 0.0;
            const double flop = 4.0 * s.b * s.nq * s.nk * s.d;
            char shape[64];
            std::snprintf(shape, sizeof(shape), "%s [%lld,%lld,%lld,%lld]", s.what, (long long)s.b, (long long)s.nq,
                          (long long)s.nk, (long long)s.d);
            std::printf("%-34s %5s %10.3f %10.3f %7.2fx %9.1f", shape, type == torch::kFloat32 ? "fp32" : "bf16", plain,
                        fused, plain / fused, flop / fused / 1e9);
            if (portable > 0) std::printf("  %10.3f %7.2fx", portable, portable / fused);
            std::printf("\n");
        }
    }
    return 0;
}
