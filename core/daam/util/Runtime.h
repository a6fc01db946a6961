// SPDX-License-Identifier: GPL-3.0-or-later
// Process-wide set-up that every front end calls once at start-up, before any model work.
#pragma once

#include <cstddef>
#include <string>

namespace daam {

struct RuntimeReport {
    int threads = 0;          // LibTorch intra-op threads set
    bool mallocTuned = false; // mallopt thresholds raised
    std::string blasCore;     // the OpenBLAS kernels in use ("SkylakeX", "Haswell", ...); empty for another BLAS
};

// Sets LibTorch's intra-op thread count to the number of cores this process may run on (Debian's
// LibTorch defaults to 1 here), and keeps glibc from handing freed activation buffers back to the OS
// between UNet calls (page faults are expensive; see README "Performance").
// OpenBLAS gets one thread of its own (its spinning pool would compete with LibTorch's). DAAM_THREADS
// overrides the thread count. Safe to call more than once.
RuntimeReport initRuntime();

// OpenBLAS chooses its kernels once, while it loads, by the CPU's model number, and a release older than the
// CPU falls back to its SSE3 kernels ("Prescott"): Debian 12's OpenBLAS 0.3.21 does so on this machine's
// Xeon (family 6, model 207), where the built-in model's training step then took 1.7x as long and the plain
// attention matmuls 1.7-3.8x (bench_attention). Only OPENBLAS_CORETYPE, set before the library loads,
// changes the choice, so a front end's main() calls this first: where blasCoreToForce() names better
// kernels and the user set no OPENBLAS_CORETYPE, it sets it and executes the program again (same process,
// same arguments). It returns when nothing changes, the BLAS is not OpenBLAS, or the execution failed.
void loadFasterBlasKernels(char** argv);

// The OpenBLAS kernels (as OPENBLAS_CORETYPE names them) to force when OpenBLAS chose `chosen` on a CPU with
// these instruction sets; empty where its own choice stands.
std::string blasCoreToForce(const std::string& chosen, bool avx512, bool avx2);

// The OpenBLAS kernels in use ("SkylakeX", "Haswell", ...); empty where the BLAS is not OpenBLAS.
std::string blasKernelsInUse();

// Hands memory freed so far back to the OS (malloc_trim). initRuntime() keeps freed memory for reuse,
// which is right between UNet calls but wrong after loading a model: the modules' initial random
// parameters, replaced by views of the weight files, would otherwise stay resident (4.3 GB for SD 1.5).
void releaseFreedMemory();

// While alive, and where initRuntime() keeps every block in the heap, a LibTorch block of at least `threshold`
// bytes is mapped on its own, on transparent huge pages where the kernel offers them, and unmapped when freed;
// any other block that large which the heap's free memory cannot serve is mapped by glibc. The heap does not grow
// for them. For one-off work whose large maps change size from one layer to the next, which a kept heap serves by
// growing past its holes. Two SD 1.5 VAE decodes at 512x512 (bench_vae_decode, AMD EPYC, 2 threads):
// - fp32: the kept heap added 3.48 GB and took 8.54 s per decode; this, 1.18 GB and 7.88 s;
// - bf16: the kept heap added 1.25 GB and took 3.69 s per decode; this, 0.66 GB and 3.72 s.
// glibc's own mappings fault their 4 KiB pages in one by one: with those the decodes took 23.99 s and 6.30 s.
// Scopes may nest, and overlap across threads: the smallest threshold of those alive applies.
class LargeBlocksFromTheOs {
public:
    explicit LargeBlocksFromTheOs(std::size_t threshold = std::size_t(32) << 20);
    ~LargeBlocksFromTheOs();
    LargeBlocksFromTheOs(const LargeBlocksFromTheOs&) = delete;
    LargeBlocksFromTheOs& operator=(const LargeBlocksFromTheOs&) = delete;

private:
    std::size_t threshold_;
    bool active_ = false;
};

// How many threads an at::parallel_for in daam_core's own code runs on, at LibTorch's current thread count
// (the kernels in FusedAttention.cpp split their work this way). It is 1 whatever the thread count when
// daam_core is built without OpenMP, which is the mistake this exists to catch.
int parallelForThreads();

// Makes the calling thread, and the threads it starts from now on (its OpenMP team among them: libgomp starts a
// team per thread that opens a parallel region), yield the CPU to the process's other threads when they want it
// (Linux: `steps` more niceness for this thread alone). For a front end's long computations, so that on a machine
// with few cores the thread that draws the window is never kept waiting by them; alone on the CPU they run as
// fast as before. Returns the niceness now in effect; -1 where nothing changed.
int yieldToOtherThreads(int steps = 5);

} // namespace daam
