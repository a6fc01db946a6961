#include "daam/util/Runtime.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <malloc.h>
#include <sched.h>
#include <thread>

namespace daam {

namespace {
int usableCores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? static_cast<int>(n) : 1;
}
} // namespace

RuntimeReport initRuntime() {
    RuntimeReport report;
    int threads = usableCores();
    if (const char* env = std::getenv("DAAM_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) threads = n;
    }
    at::set_num_threads(threads);
    report.threads = at::get_num_threads();

    // glibc caps M_MMAP_THRESHOLD at 32 MiB on 64-bit; above it blocks are mmapped and returned on free.
    // Raising both thresholds keeps large activations in the heap, and a huge trim threshold stops
    // free() from giving the top of the heap back, so later steps reuse already-faulted pages.
    const int mmapOk = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    const int trimOk = mallopt(M_TRIM_THRESHOLD, 1 << 30);
    report.mallocTuned = mmapOk == 1 && trimOk == 1;
    return report;
}

} // namespace daam
