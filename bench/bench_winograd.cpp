// SPDX-License-Identifier: GPL-3.0-or-later
// Stable Diffusion 1.5's stride-1 3×3 convolutions at 512x512 (batch 2, a guided call), float32: oneDNN's direct
// kernel from a packed weight (daam::Conv2d's path below kWinogradMinPixels) against its Winograd kernel
// (WinogradConvolution, the path above), in one run. Prints each shape's times, their ratio, the relative
// difference of the results and the extra weight memory, then per latent size the seconds per UNet call over all of
// its convolutions and the memory Winograd would add there: the figures behind kWinogradMinPixels.
#include "daam/nn/DenseLayers.h"
#include "daam/nn/WinogradConvolution.h"
#include "daam/util/Runtime.h"

#include "BestTime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <map>

using daam::bench::bestTime;

int main(int, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    torch::NoGradGuard noGrad;
    if (!daam::WinogradConvolution::compiledIn()) {
        std::printf("built without oneDNN's Winograd kernels (DAAM_ONEDNN_WINOGRAD=OFF)\n");
        return 1;
    }
    struct Shape {
        int64_t in, out, side;
        int count; // in one UNet call
    };
    // down, mid and up blocks in order of size; the count sums every block at that size.
    const Shape shapes[] = {
        {4, 320, 64, 1},     {320, 320, 64, 7},   {960, 320, 64, 1},  {640, 320, 64, 2},   {640, 640, 64, 1},
        {320, 4, 64, 1},     {320, 640, 32, 1},   {640, 640, 32, 6},  {1920, 640, 32, 1},  {1280, 640, 32, 1},
        {960, 640, 32, 1},   {1280, 1280, 32, 1}, {640, 1280, 16, 1}, {1280, 1280, 16, 7}, {2560, 1280, 16, 2},
        {1920, 1280, 16, 1}, {1280, 1280, 8, 11}, {2560, 1280, 8, 3},
    };
    std::printf("threads: %d, BLAS kernels %s; SD 1.5 at 512x512, batch 2, float32\n", runtime.threads,
                runtime.blasCore.c_str());
    std::printf("%-24s %5s %10s %10s %8s %10s %12s %12s\n", "in -> out @ side", "count", "direct s", "winograd s",
                "ratio", "rel diff", "+weight MB", "transform s");
    struct Level {
        double direct = 0, winograd = 0, extraBytes = 0, transform = 0;
    };
    std::map<int64_t, Level, std::greater<>> levels;
    for (const auto& s : shapes) {
        const auto weight = torch::randn({s.out, s.in, 3, 3}) / std::sqrt(9.0 * s.in);
        const auto bias = torch::randn({s.out});
        const auto x = torch::randn({2, s.in, s.side, s.side});
        const auto packed = at::mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), {1, 1}, {1, 1}, {1, 1}, 1);
        torch::Tensor direct, winograd;
        const double directS = bestTime(
            [&] {
                direct = at::mkldnn_convolution(x, packed, bias, {1, 1}, {1, 1}, {1, 1}, 1);
            },
            4);
        const auto t0 = std::chrono::steady_clock::now();
        const auto conv = daam::WinogradConvolution::make(weight, bias, {1, 1}, x.sizes());
        const double transformS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        char name[48];
        std::snprintf(name, sizeof(name), "%lld -> %lld @ %lld", (long long)s.in, (long long)s.out, (long long)s.side);
        auto& level = levels[s.side];
        level.direct += s.count * directS;
        if (!conv) {
            std::printf("%-24s %5d %10.4f %10s\n", name, s.count, directS, "none");
            level.winograd += s.count * directS;
            continue;
        }
        const double winogradS = bestTime([&] { winograd = conv->forward(x); }, 4);
        const double diff = ((winograd - direct).norm() / direct.norm()).item<double>();
        const double extra = double(conv->weightBytes()) - double(weight.nbytes());
        std::printf("%-24s %5d %10.4f %10.4f %7.2fx %10.2e %12.1f %12.4f\n", name, s.count, directS, winogradS,
                    directS / winogradS, diff, extra / 1e6, transformS);
        level.winograd += s.count * winogradS;
        level.extraBytes += s.count * extra;
        level.transform += s.count * transformS;
    }
    std::printf("\nper UNet call, by latent size (kWinogradMinPixels = %lld px; the weights are transformed once, in "
                "the first call):\n%-8s %10s %10s %10s %12s %14s\n",
                (long long)daam::kWinogradMinPixels, "side", "direct s", "winograd s", "saved s", "+weight GB",
                "first call +s");
    for (const auto& [side, level] : levels)
        std::printf("%-8lld %10.3f %10.3f %10.3f %12.3f %14.3f\n", (long long)side, level.direct, level.winograd,
                    level.direct - level.winograd, level.extraBytes / 1e9, level.transform);
    return 0;
}
