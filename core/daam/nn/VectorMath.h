// SPDX-License-Identifier: GPL-3.0-or-later
// 16-lane float vectors in GCC's vector extensions, for the CPU kernels written once and compiled per instruction set
// (target_clones): one AVX-512 register where the CPU has it; the compiler splits them elsewhere. Every helper is
// always inlined, so it takes the instruction set of the kernel it is inlined into.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

// The psABI note GCC emits for vector arguments does not apply to inlined calls.
#pragma GCC diagnostic ignored "-Wpsabi"
#define DAAM_VECTOR_INLINE inline __attribute__((always_inline))

namespace daam::vec {

typedef float v16 __attribute__((vector_size(64)));
typedef int32_t vi16 __attribute__((vector_size(64)));
typedef uint32_t vu16 __attribute__((vector_size(64)));
typedef uint16_t vh16 __attribute__((vector_size(32)));

constexpr int kLanes = 16;

DAAM_VECTOR_INLINE v16 load(const float* p) {
    v16 v;
    std::memcpy(&v, p, sizeof(v));
    return v;
}
DAAM_VECTOR_INLINE void store(float* p, v16 v) {
    std::memcpy(p, &v, sizeof(v));
}
DAAM_VECTOR_INLINE v16 splat(float x) {
    return v16{} + x;
}

// bfloat16 is the top half of a float32: widening is a shift, narrowing rounds to nearest even (NaN stays NaN).
DAAM_VECTOR_INLINE v16 loadBf16(const uint16_t* p) {
    vh16 h;
    std::memcpy(&h, p, sizeof(h));
    return (v16)(__builtin_convertvector(h, vu16) << 16);
}
DAAM_VECTOR_INLINE void storeBf16(uint16_t* p, v16 v) {
    const vu16 bits = (vu16)v;
    vu16 rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
    rounded = v != v ? (vu16{} + 0x7FC0u) : rounded;
    const vh16 h = __builtin_convertvector(rounded, vh16);
    std::memcpy(p, &h, sizeof(h));
}
DAAM_VECTOR_INLINE float bf16ToFloat(uint16_t h) {
    const uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
}
DAAM_VECTOR_INLINE uint16_t floatToBf16(float f) {
    if (f != f) return 0x7FC0;
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    return static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

// Horizontal reductions in four shuffle steps (halves, quarters, ...) instead of 15 scalar operations.
DAAM_VECTOR_INLINE v16 swapHalves(v16 v, int step) {
    vi16 mask;
    for (int i = 0; i < kLanes; ++i)
        mask[i] = i ^ step;
    return __builtin_shuffle(v, mask);
}
DAAM_VECTOR_INLINE float hmax(v16 v) {
    for (int step = 8; step >= 1; step /= 2) {
        const v16 w = swapHalves(v, step);
        v = v > w ? v : w;
    }
    return v[0];
}
DAAM_VECTOR_INLINE float hsum(v16 v) {
    for (int step = 8; step >= 1; step /= 2)
        v += swapHalves(v, step);
    return v[0];
}

// exp: x = n ln2 + r with |r| <= ln2/2, exp(r) by its Taylor series to r^7 (truncation below 6e-9 relative), 2^n
// through the exponent bits. Inputs are clamped to the float range.
DAAM_VECTOR_INLINE v16 exp(v16 x) {
    const v16 lo = splat(-87.3f), hi = splat(88.7f);
    x = x < lo ? lo : x;
    x = x > hi ? hi : x;
    const v16 shifter = splat(12582912.0f); // 1.5 * 2^23: adding and subtracting it rounds to an integer
    const v16 n = (x * splat(1.44269504088896341f) + shifter) - shifter;
    const v16 r = (x - n * splat(0.693145751953125f)) - n * splat(1.42860682030941723e-6f);
    v16 p = splat(1.0f / 5040);
    p = p * r + splat(1.0f / 720);
    p = p * r + splat(1.0f / 120);
    p = p * r + splat(1.0f / 24);
    p = p * r + splat(1.0f / 6);
    p = p * r + splat(0.5f);
    p = p * r + splat(1.0f);
    p = p * r + splat(1.0f);
    const vi16 bits = (__builtin_convertvector(n, vi16) + 127) << 23;
    return p * (v16)bits;
}

// x · sigmoid(x), for 16 lanes and for one value (a kernel's last values past whole vectors).
DAAM_VECTOR_INLINE v16 silu(v16 x) {
    return x / (splat(1.0f) + exp(-x));
}
DAAM_VECTOR_INLINE float silu(float x) {
    return x / (1.0f + std::exp(-x));
}

// GELU with the exact erf, as torch.nn.functional.gelu computes it: erf by Abramowitz and Stegun 7.1.26 (absolute
// error below 1.5e-7, far under bf16's rounding).
DAAM_VECTOR_INLINE v16 gelu(v16 x) {
    const v16 z = x * splat(0.70710678118654752f);
    const v16 a = z < splat(0.0f) ? -z : z;
    const v16 t = splat(1.0f) / (splat(1.0f) + splat(0.3275911f) * a);
    v16 p = splat(1.061405429f);
    p = p * t + splat(-1.453152027f);
    p = p * t + splat(1.421413741f);
    p = p * t + splat(-0.284496736f);
    p = p * t + splat(0.254829592f);
    const v16 erfA = splat(1.0f) - p * t * exp(-a * a);
    const v16 erf = z < splat(0.0f) ? -erfA : erfA;
    return splat(0.5f) * x * (splat(1.0f) + erf);
}

} // namespace daam::vec
