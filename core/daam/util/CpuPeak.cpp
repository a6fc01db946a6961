// SPDX-License-Identifier: GPL-3.0-or-later
// measureCpuPeak: see CpuPeak.h. Each kernel keeps 12 independent accumulators, more than the FMA latency times
// the number of FMA units on current x86 cores, so the loop is bound by issue rate alone.
#include "daam/util/CpuPeak.h"

#include <omp.h>

#include <algorithm>
#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace daam {
namespace {

constexpr int kPeakChains = 12;

#if defined(__x86_64__)
// Every lane of every accumulator added, so that the compiler keeps the loop. Stored and added by hand: GCC 12's
// _mm512_reduce_add_ps warns of an uninitialised operand of its own.
__attribute__((target("avx512f"))) float sumOfLanes(const __m512 (&acc)[kPeakChains]) {
    alignas(64) float lanes[16];
    float sum = 0;
    for (int j = 0; j < kPeakChains; ++j) {
        _mm512_store_ps(lanes, acc[j]);
        for (float v : lanes)
            sum += v;
    }
    return sum;
}

__attribute__((target("avx512f"))) float fp32Avx512(long iterations) {
    __m512 acc[kPeakChains];
    for (int j = 0; j < kPeakChains; ++j)
        acc[j] = _mm512_set1_ps(1e-3f * j);
    const __m512 b = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-4f);
    for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
        for (int j = 0; j < kPeakChains; ++j)
            acc[j] = _mm512_fmadd_ps(acc[j], b, c);
    }
    return sumOfLanes(acc);
}

__attribute__((target("avx2,fma"))) float fp32Avx2(long iterations) {
    __m256 acc[kPeakChains];
    for (int j = 0; j < kPeakChains; ++j)
        acc[j] = _mm256_set1_ps(1e-3f * j);
    const __m256 b = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(1e-4f);
    for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
        for (int j = 0; j < kPeakChains; ++j)
            acc[j] = _mm256_fmadd_ps(acc[j], b, c);
    }
    alignas(32) float lanes[8];
    float sum = 0;
    for (int j = 0; j < kPeakChains; ++j) {
        _mm256_store_ps(lanes, acc[j]);
        for (float v : lanes)
            sum += v;
    }
    return sum;
}

__attribute__((target("avx512f,avx512bf16"))) float bf16Avx512(long iterations) {
    __m512 acc[kPeakChains];
    for (int j = 0; j < kPeakChains; ++j)
        acc[j] = _mm512_set1_ps(1e-3f * j);
    const __m512bh one = (__m512bh)_mm512_set1_epi16(0x3f80); // 1.0 in bfloat16
    for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
        for (int j = 0; j < kPeakChains; ++j)
            acc[j] = _mm512_dpbf16_ps(acc[j], one, one);
    }
    return sumOfLanes(acc);
}
#endif

// GFLOP/s of `kernel` on `threads` threads, `flopsPerIteration` per thread and iteration.
template <class Kernel> double peakRate(Kernel kernel, double flopsPerIteration, int threads, double seconds) {
    // Calibrate on one thread: how many iterations take about `seconds`.
    long iterations = 1 << 16;
    for (;;) {
        const auto start = std::chrono::steady_clock::now();
        volatile float sink = kernel(iterations);
        (void)sink;
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (took > seconds / 4 || iterations > (1L << 40)) {
            iterations = static_cast<long>(iterations * seconds / std::max(took, 1e-6));
            break;
        }
        iterations *= 4;
    }
    double best = 0;
    for (int round = 0; round < 3; ++round) {
        const auto start = std::chrono::steady_clock::now();
        float total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
        total += kernel(iterations);
        volatile float sink = total;
        (void)sink;
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, double(threads) * double(iterations) * flopsPerIteration / took / 1e9);
    }
    return best;
}

} // namespace

bool cpuHasAvx512Bf16() {
#if defined(__x86_64__)
    static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                            __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                            __builtin_cpu_supports("avx512bf16");
    return has;
#else
    return false;
#endif
}

CpuPeak measureCpuPeak(int threads, double seconds) {
    CpuPeak peak;
    threads = std::max(1, threads);
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        peak.fp32Gflops = peakRate(fp32Avx512, kPeakChains * 16 * 2, threads, seconds);
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        peak.fp32Gflops = peakRate(fp32Avx2, kPeakChains * 8 * 2, threads, seconds);
    if (__builtin_cpu_supports("avx512bf16"))
        peak.bf16Gflops = peakRate(bf16Avx512, kPeakChains * 32 * 2, threads, seconds);
#else
    (void)seconds;
#endif
    return peak;
}

} // namespace daam
