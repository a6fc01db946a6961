// SPDX-License-Identifier: GPL-3.0-or-later
// Two VAE decodes of a 512x512 image (64x64 latents) with a Stable Diffusion 1.5 VAE, as two generations do, with
// large blocks served three ways: all from the kept heap (initRuntime's malloc tuning), mapped and returned by
// LargeBlocksFromTheOs (on transparent huge pages where the kernel offers them; as the pipeline decodes), and mapped
// and returned by glibc itself (4 KiB pages, as LargeBlocksFromTheOs did before it mapped LibTorch's blocks itself).
// Seconds of the first decode and of the second, and the peak resident memory the decodes add to the loaded weights.
// What the heap keeps stays resident, so each way is measured in a child process of its own.
// Usage: bench_vae_decode VAE_DIR [fp32|bf16]   (VAE_DIR: e.g. the vae/ of `daam-cli bench --sd15-shapes`)
#include "daam/nn/AutoencoderKL.h"
#include "daam/util/ProcessMemory.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

enum class LargeBlocks { KeptHeap, Mapped, MappedByGlibc };

struct Measure {
    double first = 0, second = 0, residentBefore = 0, peak = 0;
};

// glibc maps blocks of 32 MiB and more itself, LargeBlocksFromTheOs's threshold, while alive.
class MappedByGlibc {
public:
    MappedByGlibc() {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_MMAP_MAX, 65536);
    }
    ~MappedByGlibc() { mallopt(M_MMAP_MAX, 0); }
};

Measure decodeTwice(const std::string& dir, torch::ScalarType dtype, LargeBlocks largeBlocks) {
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
    for (double* seconds : {&m.first, &m.second}) {
        const auto start = std::chrono::steady_clock::now();
        std::optional<daam::LargeBlocksFromTheOs> ours;
        std::optional<MappedByGlibc> glibcs;
        if (largeBlocks == LargeBlocks::Mapped) ours.emplace();
        if (largeBlocks == LargeBlocks::MappedByGlibc) glibcs.emplace();
        vae->decode(z);
        *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    m.peak = double(daam::procStatusBytes("VmHWM"));
    return m;
}

// Runs decodeTwice in a child process (no LibTorch work happens in the parent, so its thread pool is not forked).
std::optional<Measure> inChild(const std::string& dir, torch::ScalarType dtype, LargeBlocks largeBlocks) {
    int fds[2];
    if (pipe(fds) != 0) return std::nullopt;
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        int status = 1;
        try {
            const Measure m = decodeTwice(dir, dtype, largeBlocks);
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
    const auto heap = inChild(argv[1], dtype, LargeBlocks::KeptHeap);
    const auto mapped = inChild(argv[1], dtype, LargeBlocks::Mapped);
    const auto byGlibc = inChild(argv[1], dtype, LargeBlocks::MappedByGlibc);
    if (!heap || !mapped || !byGlibc) {
        std::fprintf(stderr, "a decode failed\n");
        return 1;
    }
    std::printf("512x512 VAE decode, %s              %8s %8s %12s %15s\n", type.c_str(), "first s", "next s",
                "resident GB", "decodes add GB");
    for (const auto& [what, m] :
         {std::pair{"all blocks in the kept heap", *heap}, std::pair{"large blocks mapped (huge pages)", *mapped},
          std::pair{"large blocks mapped by glibc", *byGlibc}})
        std::printf("%-36s %8.2f %8.2f %12.2f %15.2f\n", what, m.first, m.second, m.residentBefore / 1e9,
                    (m.peak - m.residentBefore) / 1e9);
    std::printf("next decode: mapped/heap = %.2f, mapped by glibc/heap = %.2f; memory added: mapped/heap = %.2f, "
                "mapped by glibc/heap = %.2f\n",
                mapped->second / heap->second, byGlibc->second / heap->second,
                (mapped->peak - mapped->residentBefore) / (heap->peak - heap->residentBefore),
                (byGlibc->peak - byGlibc->residentBefore) / (heap->peak - heap->residentBefore));
    return 0;
}
