// Process-wide set-up that every front end calls once at start-up, before any model work.
#pragma once

namespace daam {

struct RuntimeReport {
    int threads = 0;          // LibTorch intra-op threads set
    bool mallocTuned = false; // mallopt thresholds raised
};

// Sets LibTorch's intra-op thread count to the number of cores this process may run on (Debian's
// LibTorch defaults to 1 here), and keeps glibc from handing freed activation buffers back to the OS
// between UNet calls (page faults are expensive; see README "Performance").
// OpenBLAS gets one thread of its own (its spinning pool would compete with LibTorch's). DAAM_THREADS
// overrides the thread count. Safe to call more than once.
RuntimeReport initRuntime();

// Hands memory freed so far back to the OS (malloc_trim). initRuntime() keeps freed memory for reuse,
// which is right between UNet calls but wrong after loading a model: the modules' initial random
// parameters, replaced by views of the weight files, would otherwise stay resident (4.3 GB for SD 1.5).
void releaseFreedMemory();

// How many threads an at::parallel_for in daam_core's own code runs on, at LibTorch's current thread count
// (the kernels in FusedAttention.cpp split their work this way). It is 1 whatever the thread count when
// daam_core is built without OpenMP, which is the mistake this exists to catch.
int parallelForThreads();

} // namespace daam
