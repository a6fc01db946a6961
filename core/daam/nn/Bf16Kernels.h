// SPDX-License-Identifier: GPL-3.0-or-later
// Fused CPU kernels for the bfloat16 work between the matrix products of a UNet: GroupNorm (with the SiLU that
// follows it in every resnet block), LayerNorm, and GEGLU's gated GELU. Each reads bf16 once or twice and writes
// bf16 once, computing in float32.
//
// Why: LibTorch 1.13 runs these in bf16 as separate passes, some of them unvectorized. At SD 1.5's 64x64 level
// (2 threads, Zen 5) a resnet's GroupNorm, normalized in float32 and converted back, then SiLU took 1.1 + 2.4 ms, a
// transformer's LayerNorm 1.4 ms, and GEGLU's copy, gelu and product 8 ms: about 0.15 s of every bf16 guided step
// (bench_normalization, bench_geglu give the figures with these kernels).
//
// Inference only (no autograd): callers take them without gradients, on contiguous bf16 CPU tensors (the
// *Supports functions), and LibTorch's operators otherwise.
#pragma once

#include <torch/types.h>

namespace daam {

// x [N, C, ...] contiguous (or [N, C, H, W] channels-last) bf16 on the CPU, C a multiple of groups, no gradient
// wanted. The result has x's memory format.
bool bf16GroupNormSupports(const torch::Tensor& x, int64_t groups);
// group_norm (statistics in float32, two passes over each group), then SiLU where `silu`; weight and bias [C] of any
// floating type, or undefined.
torch::Tensor bf16GroupNorm(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                            const torch::Tensor& bias, double eps, bool silu);

// x [..., D] contiguous bf16 on the CPU, normalized over its last dimension, no gradient wanted.
bool bf16LayerNormSupports(const torch::Tensor& x, int64_t normalizedSize);
torch::Tensor bf16LayerNorm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias, double eps);

// projected [..., 2n] contiguous bf16 on the CPU, no gradient wanted.
bool bf16GegluSupports(const torch::Tensor& projected);
// [..., n]: the first half times gelu (exact erf) of the second, as diffusers' GEGLU; rounded to bf16 once.
torch::Tensor bf16Geglu(const torch::Tensor& projected);

} // namespace daam
