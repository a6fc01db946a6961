// SPDX-License-Identifier: GPL-3.0-or-later
// Two VAE decodes of a 512x512 image (64x64 latents) with a Stable Diffusion 1.5 VAE, as two generations do:
// seconds per decode, and the peak resident memory they add to the loaded weights, with every block served
// from the kept heap (initRuntime's malloc tuning) against large blocks mapped and returned
// (LargeBlocksFromTheOs, as the pipeline decodes). What the heap keeps stays resident, so each way is
// measured in a child process of its own.
// Usage: bench_vae_decode VAE_DIR [fp32|bf16]   (VAE_DIR: e.g. the vae/ of `daam-cli bench --sd15-shapes`)
#include "daam/nn/AutoencoderKL.h"
#include "daam/util/ProcessMemory.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr int kDecodes = 2;

struct Measure {
    double seconds = 0, residentBefore = 0, peak = 0;
};

Measure decodeOnce(const std::string& dir, torch::ScalarType dtype, bool largeBlocksMapped) {
    daam::initRuntime();
    torch::NoGradGuard noGrad;
    daam::LoadOptions options;
    options.dtype = dtype;
    auto vae = daam::loadAutoencoderKL(dir, options);
    daam::releaseFreedMemory();
    const auto z = torch::randn({1, 4, 64, 64}).to(dtype);
    // The weights are mapped from the file: touch them all (a sum reads every page) before the baseline.
    for (const auto& p : vae->parameters())
        p.sum();
    Measure m;
    m.residentBefore = double(daam::procStatusBytes("VmRSS"));
    if (!daam::resetPeakResident()) std::fprintf(stderr, "cannot reset VmHWM; the peak includes loading\n");
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kDecodes; ++i) {
        std::optional<daam::LargeBlocksFromTheOs> largeBlocks;
        if (largeBlocksMapped) largeBlocks.emplace();
        vae->decode(z);
    }
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / kDecodes;
    m.peak = double(daam::procStatusBytes("VmHWM"));
    return m;
}

// Runs decodeOnce in a child process (no LibTorch work happens in the parent, so its thread pool is not forked).
std::optional<Measure> inChild(const std::string& dir, torch::ScalarType dtype, bool largeBlocksMapped) {
    int fds[2];
    if (pipe(fds) != 0) return std::nullopt;
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        int status = 1;
        try {
            const Measure m = decodeOnce(dir, dtype, largeBlocksMapped);
            status = write(fds[1], &m, sizeof(m)) == sizeof(m) ? 0 : 1;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
        }
        _exit(status);
    }
    close(fds[1]);
    Measure m;
    const bool got = pid > 0 && read(fds[0], &m, sizeof(m)) == sizeof(m);
    close(fds[0]);
    if (pid > 0) waitpid(pid, nullptr, 0);
    return got ? std::optional<Measure>(m) : std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s VAE_DIR [fp32|bf16]\n", argv[0]);
        return 2;
    }
    const std::string type = argc > 2 ? argv[2] : "fp32";
    const auto dtype = type == "bf16" ? torch::kBFloat16 : torch::kFloat32;
    const auto heap = inChild(argv[1], dtype, false);
    const auto mapped = inChild(argv[1], dtype, true);
    if (!heap || !mapped) {
        std::fprintf(stderr, "a decode failed\n");
        return 1;
    }
    std::printf("512x512 VAE decode x%d, %s    %8s %14s %14s\n", kDecodes, type.c_str(), "s each", "resident GB",
                "decodes add GB");
    for (const auto& [what, m] :
         {std::pair{"all blocks in the kept heap", *heap}, std::pair{"large blocks mapped", *mapped}})
        std::printf("%-31s %8.2f %14.2f %14.2f\n", what, m.seconds, m.residentBefore / 1e9,
                    (m.peak - m.residentBefore) / 1e9);
    std::printf("memory added: mapped/heap = %.2f; time: mapped/heap = %.2f\n",
                (mapped->peak - mapped->residentBefore) / (heap->peak - heap->residentBefore),
                mapped->seconds / heap->seconds);
    return 0;
}
