// SPDX-License-Identifier: GPL-3.0-or-later
// softmax(q kᵀ · scale) v without materializing the [Nq, Nk] score matrix, for the CPU.
//
// Why: at Stable Diffusion 1.5's 64x64 latents a self-attention layer has 16 (batch x head) score
// matrices of 4096 x 4096 with an inner size of only 40. A BLAS matmul then spends its time writing and
// re-reading 1 GB of scores (measured here: 42 GFLOP/s for the whole layer, about 5 s of every guided
// step). This kernel walks blocks of 64 keys per group of query rows, keeps scores in registers, and
// folds them into the output with an online (running max) softmax, as flash attention does on GPUs; the
// AVX-512 kernels take tiles of query rows over chunks of keys that stay in the L1 cache, and move a row's
// running max only where new scores lead it by more than a margin.
// The probabilities never exist in memory, so DAAM's cross-attention capture uses the explicit path.
#pragma once

#include <torch/types.h>

namespace daam {

// q [B, Nq, D], k [B, Nk, D], v [B, Nk, Dv] -> [B, Nq, Dv]. CPU tensors all of float32, or all of bfloat16
// on a CPU with AVX512-BF16, use a fused kernel (fusedAttentionSupports); anything else is computed the plain
// way. float32 matches the plain computation to float32 rounding (relative error ~1e-6); bfloat16 computes in
// float32 with bf16 products and probabilities, about as close to float32 as LibTorch's bf16 path.
//
// The float32 kernel comes in two builds: one for AVX-512 (taken where the CPU has it) and a portable one
// (compiled for AVX-512, AVX2 and plain x86-64, chosen at run time). `kernel` picks the portable one anyway, so
// that tests and benchmarks reach it on every CPU.
enum class FusedAttentionKernel { Fastest, Portable };
torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                             FusedAttentionKernel kernel = FusedAttentionKernel::Fastest);

// Whether fusedAttention takes a fused kernel for these tensors (dtype, device, head sizes, this CPU).
bool fusedAttentionSupports(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// The plain computation: bmm, scale, softmax, bmm (the reference the kernel is tested against).
torch::Tensor plainAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale);

} // namespace daam
