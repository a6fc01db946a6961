// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/util/Runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <malloc.h>
#include <mutex>
#include <sched.h>
#include <set>
#include <string>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace daam {

namespace {

// Whether initRuntime() took large blocks off mmap (M_MMAP_MAX = 0).
std::atomic<bool> heapOnly{false};

constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;

// LibTorch's CPU allocator once a LargeBlocksFromTheOs has been alive. Within one, a block of at least the threshold
// gets a mapping of its own that starts on a 2 MiB boundary and asks for transparent huge pages (MADV_HUGEPAGE), so
// that the kernel can back it with 2 MiB pages: one page fault per 2 MiB instead of 512. glibc's own mapped blocks
// fault each 4 KiB page in, which made two SD 1.5 VAE decodes at 512x512 take 1.7x (bf16) and 3.0x (fp32) as long
// as with huge pages (bench_vae_decode). Kernels that offer huge pages only where asked (THP "madvise") are common.
// Smaller blocks, and every block outside a scope, come from the allocator it took over from.
// It stays in place after the last scope ends: oneDNN frees its buffers through whichever allocator is in place then
// (raw_deallocate), so the one that mapped a block must be there to unmap it.
// The methods carry no `override`: later LibTorch releases made allocate non-const and added copy_data.
class MappedBlocks final : public c10::Allocator {
public:
    c10::DataPtr allocate(size_t bytes) const { return allocateBlock(bytes); }
    c10::DataPtr allocate(size_t bytes) { return allocateBlock(bytes); }
    c10::DeleterFnPtr raw_deleter() const { return &deleteAny; }
    void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

    static MappedBlocks& instance();

    // Takes over LibTorch's CPU allocator, once.
    void install() {
        if (c10::GetCPUAllocator() == this) return;
        below_ = c10::GetCPUAllocator();
        c10::SetCPUAllocator(this);
    }

    std::atomic<std::size_t> threshold{SIZE_MAX};

private:
    c10::DataPtr allocateBlock(size_t bytes) const {
        if (bytes < threshold.load()) return below_.load()->allocate(bytes);
        // Whole small pages: a last part short of 2 MiB stays on them rather than rounding the block up. One huge
        // page more is mapped, so that a 2 MiB boundary falls within the first one; the rest goes back.
        static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        const std::size_t length = (bytes + page - 1) / page * page;
        void* raw = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) return below_.load()->allocate(bytes); // which reports the failure as LibTorch does
        const auto begin = reinterpret_cast<std::uintptr_t>(raw);
        const std::uintptr_t start = (begin + kHugePage - 1) & ~(kHugePage - 1);
        if (start > begin) ::munmap(raw, start - begin);
        ::munmap(reinterpret_cast<void*>(start + length), begin + kHugePage - start);
        void* block = reinterpret_cast<void*>(start);
        ::madvise(block, length, MADV_HUGEPAGE); // where the kernel offers no huge pages, 4 KiB ones
        {
            const std::lock_guard<std::mutex> lock(mappedMutex());
            mapped()[block] = length;
        }
        return {block, block, &deleteAny, c10::Device(c10::DeviceType::CPU)};
    }

    // The deleter of its own mappings, and of every block oneDNN frees as raw memory while it is in place (the
    // allocator below made those, with its raw deleter).
    static void deleteAny(void* block) {
        std::size_t length = 0;
        {
            const std::lock_guard<std::mutex> lock(mappedMutex());
            const auto found = mapped().find(block);
            if (found != mapped().end()) {
                length = found->second;
                mapped().erase(found);
            }
        }
        if (length > 0)
            ::munmap(block, length);
        else
            instance().below_.load()->raw_deleter()(block);
    }

    // Never destroyed, as the allocator itself: tensors may be freed while the process exits.
    static std::mutex& mappedMutex() {
        static auto* mutex = new std::mutex;
        return *mutex;
    }
    static std::unordered_map<void*, std::size_t>& mapped() { // block → length
        static auto* blocks = new std::unordered_map<void*, std::size_t>;
        return *blocks;
    }

    std::atomic<c10::Allocator*> below_{nullptr}; // set before the allocator is put in place
};

MappedBlocks& MappedBlocks::instance() {
    static auto* allocator = new MappedBlocks;
    return *allocator;
}

std::mutex scopesMutex;
std::multiset<std::size_t> scopeThresholds; // of the LargeBlocksFromTheOs alive

// Applies the smallest threshold of the scopes alive, or the heap-only setting when none is.
void applyScopes() {
    if (scopeThresholds.empty()) {
        mallopt(M_MMAP_MAX, 0);
        MappedBlocks::instance().threshold = SIZE_MAX;
        return;
    }
    const std::size_t threshold = *scopeThresholds.begin();
    // glibc's default limit on mapped blocks; the threshold is set first, so no block below it is mapped.
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(std::min<std::size_t>(threshold, INT_MAX)));
    mallopt(M_MMAP_MAX, 65536);
    MappedBlocks::instance().threshold = threshold;
    MappedBlocks::instance().install();
}

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

    // Debian's LibTorch runs its matmuls in OpenBLAS, whose pthreads build keeps a pool of its own (one
    // thread per core) that spins after each call, fighting LibTorch's OpenMP threads for the same cores.
    // One BLAS thread: the built-in model's training step ran 2.6x faster (0.45 s against 1.19 s), and an
    // SD 1.5-shaped step was no slower (13.5 s against 14.0 s). OPENBLAS_NUM_THREADS still overrides.
    if (!std::getenv("OPENBLAS_NUM_THREADS"))
        if (auto* setBlasThreads = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
            setBlasThreads(1);
    report.blasCore = blasKernelsInUse();

    // Every UNet call allocates the same activations again; glibc serves blocks above the mmap threshold
    // (capped at 32 MiB) with fresh mmaps and unmaps them on free, and trims the heap top back to the OS,
    // so each call would fault its activations in anew (about 5 ms per MB here). Serve everything from
    // the heap (no mmap) and never trim: freed pages stay mapped and later calls reuse them. The cost is
    // that the process keeps its peak heap until exit. DAAM_MALLOC=default keeps glibc's behaviour (for
    // the benchmark's comparison).
    // fp32 means IEEE fp32 on a GPU too: cuDNN's convolutions default to TF32, which moved the reference
    // pipelines' latents by about 1e-3 (relative) where the CPU lands at 1e-6. fp16 and bf16 are the
    // fast choices there.
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);

    const char* malloc = std::getenv("DAAM_MALLOC");
    if (!malloc || std::string(malloc) != "default") {
        const int mmapOk = mallopt(M_MMAP_MAX, 0);
        const int trimOk = mallopt(M_TRIM_THRESHOLD, -1);
        report.mallocTuned = mmapOk == 1 && trimOk == 1;
        heapOnly = mmapOk == 1;
    }
    return report;
}

std::string blasCoreToForce(const std::string& chosen, bool avx512, bool avx2) {
    // Prescott is what OpenBLAS falls back to on a CPU it does not know; a CPU it knows keeps its choice.
    if (strcasecmp(chosen.c_str(), "Prescott") != 0) return {};
    if (avx512) return "SkylakeX"; // the AVX-512 kernels (F, DQ, BW, VL) every later Xeon runs
    if (avx2) return "Haswell";    // AVX2 and FMA
    return {};
}

std::string blasKernelsInUse() {
    auto* corename = reinterpret_cast<char* (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    const char* name = corename ? corename() : nullptr;
    return name ? name : "";
}

void loadFasterBlasKernels(char** argv) {
    if (std::getenv("OPENBLAS_CORETYPE")) return; // the user's choice, or ours after the restart
    const std::string chosen = blasKernelsInUse();
    if (chosen.empty() || !argv || !argv[0]) return;
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const std::string core = blasCoreToForce(chosen, avx512, avx2);
    if (core.empty()) return;
    // The program's own path, not /proc/self/exe: the kernel names the process after the file executed, and
    // it should stay "daam-studio" in a task manager, not "exe".
    char path[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (length <= 0) return;
    path[length] = '\0';
    setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
    execv(path, argv);
    // Only a failed execv returns: go on with the kernels loaded. The variable stays for child processes.
}

void releaseFreedMemory() {
    malloc_trim(0);
}

LargeBlocksFromTheOs::LargeBlocksFromTheOs(std::size_t threshold) : threshold_(threshold) {
    if (!heapOnly) return;
    const std::lock_guard<std::mutex> lock(scopesMutex);
    scopeThresholds.insert(threshold);
    applyScopes();
    active_ = true;
}

LargeBlocksFromTheOs::~LargeBlocksFromTheOs() {
    if (!active_) return;
    const std::lock_guard<std::mutex> lock(scopesMutex);
    scopeThresholds.erase(scopeThresholds.find(threshold_));
    applyScopes();
}

int parallelForThreads() {
    std::mutex mutex;
    std::set<int> threads;
    // One item per thread: parallel_for splits the range statically, one chunk per thread.
    at::parallel_for(0, std::max(at::get_num_threads(), 1), 1, [&](int64_t, int64_t) {
        const std::lock_guard<std::mutex> lock(mutex);
        threads.insert(at::get_thread_num());
    });
    return static_cast<int>(threads.size());
}

int yieldToOtherThreads(int steps) {
#ifdef __linux__
    // On Linux niceness belongs to each thread (PRIO_PROCESS with a thread id), and a new thread inherits its
    // creator's.
    const auto thread = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, thread);
    if (errno != 0) return -1;
    const int wanted = std::min(now + std::max(steps, 0), 19);
    if (setpriority(PRIO_PROCESS, thread, wanted) != 0) return -1;
    return wanted;
#else
    (void)steps;
    return -1;
#endif
}

} // namespace daam
