// SPDX-License-Identifier: GPL-3.0-or-later
// The arithmetic peak of this CPU, measured: how many GFLOP/s independent fused multiply-adds reach on a given
// number of threads, with nothing read from memory. Benchmarks print their throughput as a share of it, so a
// target in seconds can be told apart from one the CPU cannot reach (on this project's 2-core AMD EPYC, a guided
// SD 1.5 step of 1.6 TFLOP takes at least 7.1 s in float32).
#pragma once

namespace daam {

struct CpuPeak {
    double fp32Gflops = 0; // AVX-512 or AVX2 FMA; 0 where neither is available (or not on x86-64)
    double bf16Gflops = 0; // AVX512-BF16 dot products (2 products per float32 lane); 0 without them
};

// Runs each kernel on `threads` OpenMP threads for about `seconds` and keeps the best of three rounds.
CpuPeak measureCpuPeak(int threads, double seconds = 0.2);

// Whether this CPU multiplies bfloat16 itself: AVX-512 (F, BW, DQ, VL) with its BF16 dot products. Where it does
// not, oneDNN emulates bf16 and the fused bf16 attention kernel is absent.
bool cpuHasAvx512Bf16();

} // namespace daam
