// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/nn/FusedAttention.h"

#include "daam/nn/VectorMath.h"
#include "daam/util/CpuPeak.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#define DAAM_HAVE_BF16_KERNEL 1
#endif

namespace daam {

namespace {

using namespace vec;

constexpr int kKeyBlock = 64; // keys per block: 4 vectors of scores per row

// One batch entry, prepared once: kᵀ padded to whole key blocks [D][NkPad], v padded [NkPad][NV*16].
struct Prepared {
    const float* kt;
    const float* v;
    int64_t nk;    // real keys
    int64_t nkPad; // multiple of kKeyBlock
};

// R query rows against all keys; the output rows are written normalized. Scores stay in registers.
template <int R, int NV>
__attribute__((target_clones("avx512f", "avx2", "default"))) void
attendRows(const float* q, int64_t qStride, int d, const Prepared& kv, float* out, int64_t outStride, int dv) {
    v16 acc[R][NV];
    float m[R], l[R];
    for (int r = 0; r < R; ++r) {
        for (int j = 0; j < NV; ++j)
            acc[r][j] = splat(0);
        m[r] = -FLT_MAX;
        l[r] = 0;
    }
    alignas(64) float p[R][kKeyBlock];
    for (int64_t j0 = 0; j0 < kv.nkPad; j0 += kKeyBlock) {
        v16 s[R][4];
        for (int r = 0; r < R; ++r)
            for (int t = 0; t < 4; ++t)
                s[r][t] = splat(0);
        for (int dd = 0; dd < d; ++dd) {
            const float* krow = kv.kt + dd * kv.nkPad + j0;
            const v16 k0 = load(krow), k1 = load(krow + 16), k2 = load(krow + 32), k3 = load(krow + 48);
            for (int r = 0; r < R; ++r) {
                const v16 qb = splat(q[r * qStride + dd]);
                s[r][0] += qb * k0;
                s[r][1] += qb * k1;
                s[r][2] += qb * k2;
                s[r][3] += qb * k3;
            }
        }
        const int64_t valid = std::min<int64_t>(kKeyBlock, kv.nk - j0);
        for (int r = 0; r < R; ++r) {
            if (valid < kKeyBlock) // padded keys take no part in the max or the sum
                for (int t = 0; t < 4; ++t)
                    for (int i = 0; i < kLanes; ++i)
                        if (t * kLanes + i >= valid) s[r][t][i] = -FLT_MAX;
            const v16 m01 = s[r][0] > s[r][1] ? s[r][0] : s[r][1], m23 = s[r][2] > s[r][3] ? s[r][2] : s[r][3];
            const float blockMax = hmax(m01 > m23 ? m01 : m23);
            const float mNew = std::max(m[r], blockMax);
            const float correction = std::exp(m[r] - mNew);
            const v16 mv = splat(mNew);
            v16 sum = splat(0);
            for (int t = 0; t < 4; ++t) {
                v16 e = vec::exp(s[r][t] - mv);
                if (valid < kKeyBlock)
                    for (int i = 0; i < kLanes; ++i)
                        if (t * kLanes + i >= valid) e[i] = 0;
                sum += e;
                store(&p[r][t * kLanes], e);
            }
            l[r] = l[r] * correction + hsum(sum);
            m[r] = mNew;
            const v16 cv = splat(correction);
            for (int j = 0; j < NV; ++j)
                acc[r][j] *= cv;
        }
        const int64_t keys = valid;
        for (int64_t c = 0; c < keys; ++c) {
            const float* vrow = kv.v + (j0 + c) * (NV * kLanes);
            v16 vv[NV];
            for (int j = 0; j < NV; ++j)
                vv[j] = load(vrow + j * kLanes);
            for (int r = 0; r < R; ++r) {
                const v16 pc = splat(p[r][c]);
                for (int j = 0; j < NV; ++j)
                    acc[r][j] += pc * vv[j];
            }
        }
    }
    for (int r = 0; r < R; ++r) {
        alignas(64) float row[NV * kLanes];
        const v16 inv = splat(1.0f / l[r]);
        for (int j = 0; j < NV; ++j)
            store(row + j * kLanes, acc[r][j] * inv);
        std::memcpy(out + r * outStride, row, sizeof(float) * dv);
    }
}

// Runs fn(b, row, rows) over the query rows of every batch entry in groups of R, spread over LibTorch's
// threads. rows is std::integral_constant<int, R>, or <int, 1> for each row left over at the end of an entry,
// so that fn can instantiate its kernel for the group size.
template <int R, typename F> void forEachRowGroup(int64_t batch, int64_t nq, F&& fn) {
    const int64_t groups = (nq + R - 1) / R;
    at::parallel_for(0, batch * groups, 1, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / groups, row = (task % groups) * R;
            if (row + R <= nq) {
                fn(b, row, std::integral_constant<int, R>{});
            } else {
                for (int64_t r = row; r < nq; ++r)
                    fn(b, r, std::integral_constant<int, 1>{});
            }
        }
    });
}

// Query rows per tile and keys per chunk: a tile's rows all take one chunk of keys before the next, so that the
// chunk (kᵀ and v) is read from the L1 cache instead of the L2 for every group of rows (at 64x64, one head's keys
// and values are 0.7 MB in bf16).
constexpr int64_t kTileRows = 32;
constexpr int64_t kKeyChunk = 128;

// Runs fn(b, row0, rows) over tiles of up to kTileRows query rows of every batch entry, spread over LibTorch's
// threads.
template <int R, typename F> void forEachRowTile(int64_t batch, int64_t nq, F&& fn) {
    static_assert(kTileRows % R == 0 && kKeyChunk % kKeyBlock == 0);
    const int64_t tiles = (nq + kTileRows - 1) / kTileRows;
    at::parallel_for(0, batch * tiles, 1, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / tiles, row0 = (task % tiles) * kTileRows;
            fn(b, row0, std::min(kTileRows, nq - row0));
        }
    });
}

#if DAAM_HAVE_BF16_KERNEL
// The bfloat16 kernel: the same walk over 64-key blocks, with both products as AVX512-BF16 dot products
// (vdpbf16ps: pairs of bf16 multiplied and summed into float32 lanes), which run at twice the float32 FMA
// rate. Scores, the running max and sum and the output stay float32; the probabilities are rounded to bf16
// before p·v, as LibTorch's bf16 softmax rounds them. A pair of adjacent elements along the summed axis sits
// in one 32-bit lane, so kᵀ is stored as [D/2][keys][2] (pairs along D) and v as [keys/2][Dv][2] (pairs of
// keys), and one query pair or one probability pair is broadcast to all lanes.
#define DAAM_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16")))
// GCC 12's own intrinsics (max, roundscale, scalef, reduce) pass _mm512_undefined_ps() through and trip these.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#define DAAM_AVX512_TARGET __attribute__((target("avx512f")))

// 2^x for x <= kMaxLead (scores in log2 units minus their running max): x = n + r with |r| <= 1/2, 2^r by the Taylor
// series of exp(r ln2) to r^Degree, 2^n by vscalefps. The kernels take scores in log2 units (the softmax scale times
// log2 e folded into one multiply) so that the exponent needs no conversion. bf16 takes Degree 4 (relative error
// below 5e-5, under a tenth of bf16's rounding, which the probabilities get next), float32 Degree 7 (truncation below
// 6e-9). The exp is most of the kernels' work besides the dot products at SD's head size of 40.
template <int Degree> DAAM_AVX512_TARGET DAAM_VECTOR_INLINE __m512 vexp2(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-126.0f));
    const __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 r = _mm512_sub_ps(x, n);
    constexpr double ln2 = 0.69314718055994531;
    double coefficient = 1; // ln2^k / k!
    for (int k = 1; k <= Degree; ++k)
        coefficient *= ln2 / k;
    __m512 p = _mm512_set1_ps(float(coefficient));
    for (int k = Degree; k >= 1; --k) {
        coefficient *= k / ln2;
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(float(coefficient)));
    }
    return _mm512_scalef_ps(p, n);
}

struct PreparedBf16 {
    const uint32_t* kPairs; // [dPairs][nkPad] pairs of bf16 along D
    const uint16_t* vPairs; // [nkPad/2][NV*16][2] pairs of keys
    int64_t nk, nkPad;
    int dPairs;
};

// The max of all 16 lanes, in every lane.
DAAM_AVX512_TARGET DAAM_VECTOR_INLINE __m512 allLanesMax(__m512 x) {
    x = _mm512_max_ps(x, _mm512_shuffle_f32x4(x, x, 0x4E)); // swap 256-bit halves
    x = _mm512_max_ps(x, _mm512_shuffle_f32x4(x, x, 0xB1)); // swap 128-bit quarters
    x = _mm512_max_ps(x, _mm512_permute_ps(x, 0x4E));       // swap pairs within 128 bits
    return _mm512_max_ps(x, _mm512_permute_ps(x, 0xB1));    // swap neighbours
}

// The AVX-512 kernels' running state of R query rows, empty: output accumulators, the max (in every lane) and
// the sum (spread over lanes until the end).
template <int R, int NV>
DAAM_AVX512_TARGET DAAM_VECTOR_INLINE void startRows(__m512 (&acc)[R][NV], __m512 (&m)[R], __m512 (&l)[R]) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
        for (int j = 0; j < NV; ++j)
            acc[r][j] = _mm512_setzero_ps();
        m[r] = _mm512_set1_ps(-FLT_MAX);
        l[r] = _mm512_setzero_ps();
    }
}

// The lanes of the real keys in each 16-key vector of a block of which `valid` keys are real.
DAAM_AVX512_TARGET DAAM_VECTOR_INLINE void realKeys(int64_t valid, __mmask16 (&keep)[4]) {
#pragma GCC unroll 4
    for (int t = 0; t < 4; ++t) {
        const int64_t n = std::clamp<int64_t>(valid - t * kLanes, 0, kLanes);
        keep[t] = static_cast<__mmask16>((1u << n) - 1u);
    }
}

// How far (in log2 units) a score may lead the running max before the max moves. Moving it costs an exp and a
// rescale of every accumulator, and after the first blocks a row's max rarely moves: letting scores lead it a little
// skips nearly every move. Probabilities then reach 2^8 before normalization, far inside float32 and bf16's range.
constexpr float kMaxLead = 8.0f;

// One row's online-softmax step over a key block (scores `s` in log2 units, padded keys already at -FLT_MAX): the
// running max and sum move on, the accumulators are rescaled where the max moved, and `e` gets the block's
// unnormalized probabilities (0 for padded keys).
template <int Degree, int NV>
DAAM_AVX512_TARGET DAAM_VECTOR_INLINE void softmaxStep(const __m512 (&s)[4], const __mmask16 (&keep)[4], __m512& m,
                                                       __m512& l, __m512 (&acc)[NV], __m512 (&e)[4]) {
    const __m512 blockMax = _mm512_max_ps(_mm512_max_ps(s[0], s[1]), _mm512_max_ps(s[2], s[3]));
    if (_mm512_cmp_ps_mask(blockMax, _mm512_add_ps(m, _mm512_set1_ps(kMaxLead)), _CMP_GT_OQ)) {
        const __m512 mNew = _mm512_max_ps(m, allLanesMax(blockMax));
        const __m512 correction = vexp2<Degree>(_mm512_sub_ps(m, mNew));
        m = mNew;
        l = _mm512_mul_ps(l, correction);
#pragma GCC unroll 16
        for (int j = 0; j < NV; ++j)
            acc[j] = _mm512_mul_ps(acc[j], correction);
    }
#pragma GCC unroll 4
    for (int t = 0; t < 4; ++t)
        e[t] = _mm512_maskz_mov_ps(keep[t], vexp2<Degree>(_mm512_sub_ps(s[t], m)));
    l = _mm512_add_ps(l, _mm512_add_ps(_mm512_add_ps(e[0], e[1]), _mm512_add_ps(e[2], e[3])));
}

// The running state of R query rows between key chunks: output accumulators, max and sum as startRows makes them.
template <int R, int NV> struct RowsState {
    static constexpr int kRows = R;
    __m512 acc[R][NV], m[R], l[R];
};

// Runs the AVX-512 kernels over every batch entry's query rows, tile by tile, each tile's rows in groups of R (and
// single rows for a tile's last rows) over one key chunk after another: keys(b, row, kBegin, kEnd, state) moves a
// group's state over a chunk, finish(b, row, state) writes the group's rows.
template <int R, int NV, typename Keys, typename Finish>
void attendTiles(int64_t batch, int64_t nq, int64_t nkPad, Keys&& keys, Finish&& finish) {
    forEachRowTile<R>(batch, nq, [&](int64_t b, int64_t row0, int64_t rows) {
        const int64_t groups = rows / R;
        RowsState<R, NV> full[kTileRows / R];
        RowsState<1, NV> rest[R];
        for (int64_t k0 = 0; k0 < nkPad; k0 += kKeyChunk) {
            const int64_t k1 = std::min(nkPad, k0 + kKeyChunk);
            for (int64_t g = 0; g < groups; ++g)
                keys(b, row0 + g * R, k0, k1, full[g]);
            for (int64_t r = groups * R; r < rows; ++r)
                keys(b, row0 + r, k0, k1, rest[r - groups * R]);
        }
        for (int64_t g = 0; g < groups; ++g)
            finish(b, row0 + g * R, full[g]);
        for (int64_t r = groups * R; r < rows; ++r)
            finish(b, row0 + r, rest[r - groups * R]);
    });
}

// A kernel's registers from a group's state, or empty for its first key chunk; and back.
template <int R, int NV>
DAAM_AVX512_TARGET DAAM_VECTOR_INLINE void loadRows(const RowsState<R, NV>& state, bool first, __m512 (&acc)[R][NV],
                                                    __m512 (&m)[R], __m512 (&l)[R]) {
    if (first) {
        startRows<R, NV>(acc, m, l);
        return;
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
        for (int j = 0; j < NV; ++j)
            acc[r][j] = state.acc[r][j];
        m[r] = state.m[r];
        l[r] = state.l[r];
    }
}
template <int R, int NV>
DAAM_AVX512_TARGET DAAM_VECTOR_INLINE void storeRows(const __m512 (&acc)[R][NV], const __m512 (&m)[R],
                                                     const __m512 (&l)[R], RowsState<R, NV>& state) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
        for (int j = 0; j < NV; ++j)
            state.acc[r][j] = acc[r][j];
        state.m[r] = m[r];
        state.l[r] = l[r];
    }
}

// R query rows (bf16 pairs, qStride pairs apart) against the keys from kBegin to kEnd (whole key blocks), moving
// their running state on. The running max and sum live in vector registers (the max in every lane, the sum spread
// over lanes until the end): a scalar exp here was a library call, and around a call every vector register is
// spilled.
template <int R, int NV>
DAAM_BF16_TARGET void attendKeysBf16(const uint32_t* q, int64_t qStride, const PreparedBf16& kv, float scale,
                                     int64_t kBegin, int64_t kEnd, RowsState<R, NV>& state) {
    __m512 acc[R][NV], m[R], l[R];
    loadRows<R, NV>(state, kBegin == 0, acc, m, l);
    alignas(64) uint16_t p[R][kKeyBlock];
    const __m512 scaleV = _mm512_set1_ps(scale * float(M_LOG2E)), lowest = _mm512_set1_ps(-FLT_MAX);
    for (int64_t j0 = kBegin; j0 < kEnd; j0 += kKeyBlock) {
        __m512 s[R][4];
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
            for (int t = 0; t < 4; ++t)
                s[r][t] = _mm512_setzero_ps();
        for (int c = 0; c < kv.dPairs; ++c) {
            const uint32_t* krow = kv.kPairs + c * kv.nkPad + j0;
            const __m512bh k0 = (__m512bh)_mm512_loadu_si512(krow), k1 = (__m512bh)_mm512_loadu_si512(krow + 16),
                           k2 = (__m512bh)_mm512_loadu_si512(krow + 32), k3 = (__m512bh)_mm512_loadu_si512(krow + 48);
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r) {
                const __m512bh qb = (__m512bh)_mm512_set1_epi32(static_cast<int>(q[r * qStride + c]));
                s[r][0] = _mm512_dpbf16_ps(s[r][0], qb, k0);
                s[r][1] = _mm512_dpbf16_ps(s[r][1], qb, k1);
                s[r][2] = _mm512_dpbf16_ps(s[r][2], qb, k2);
                s[r][3] = _mm512_dpbf16_ps(s[r][3], qb, k3);
            }
        }
        const int64_t valid = std::min<int64_t>(kKeyBlock, kv.nk - j0);
        __mmask16 keep[4]; // padded keys take no part
        realKeys(valid, keep);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
            for (int t = 0; t < 4; ++t)
                s[r][t] = _mm512_mask_mul_ps(lowest, keep[t], s[r][t], scaleV);
            __m512 e[4];
            softmaxStep<4, NV>(s[r], keep, m[r], l[r], acc[r], e);
            // cvtne2ps_pbh(a, b) puts b's 16 values first, then a's.
            _mm512_store_si512(&p[r][0], (__m512i)_mm512_cvtne2ps_pbh(e[1], e[0]));
            _mm512_store_si512(&p[r][32], (__m512i)_mm512_cvtne2ps_pbh(e[3], e[2]));
        }
        const int64_t pairs = (valid + 1) / 2; // an odd last key pairs with a padded key of probability 0
        for (int64_t c = 0; c < pairs; ++c) {
            const uint16_t* vrow = kv.vPairs + (j0 / 2 + c) * (NV * kLanes * 2);
            __m512bh vv[NV];
#pragma GCC unroll 16
            for (int j = 0; j < NV; ++j)
                vv[j] = (__m512bh)_mm512_loadu_si512(vrow + j * kLanes * 2);
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r) {
                uint32_t pair;
                std::memcpy(&pair, &p[r][2 * c], sizeof(pair));
                const __m512bh pb = (__m512bh)_mm512_set1_epi32(static_cast<int>(pair));
#pragma GCC unroll 16
                for (int j = 0; j < NV; ++j)
                    acc[r][j] = _mm512_dpbf16_ps(acc[r][j], pb, vv[j]);
            }
        }
    }
    storeRows<R, NV>(acc, m, l, state);
}

// Writes R rows of finished state, normalized, as bf16.
template <int R, int NV>
DAAM_BF16_TARGET void finishRowsBf16(const RowsState<R, NV>& state, uint16_t* out, int64_t outStride, int dv) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        alignas(64) uint16_t row[NV * kLanes];
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(state.l[r]));
#pragma GCC unroll 16
        for (int j = 0; j < NV; ++j)
            _mm256_store_si256(reinterpret_cast<__m256i*>(row + j * kLanes),
                               (__m256i)_mm512_cvtneps_pbh(_mm512_mul_ps(state.acc[r][j], inv)));
        std::memcpy(out + r * outStride, row, sizeof(uint16_t) * dv);
    }
}

// The float32 kernel of attendRows for AVX-512, shaped as the bf16 one: the running max and sum in vector
// registers and the exp by vscalefps. attendRows keeps them as scalars, with a scalar exp per row and key block
// that is a library call, around which every vector register is spilled (bench_attention: 51 % of the FMA peak).
template <int R, int NV>
DAAM_AVX512_TARGET void attendKeysAvx512(const float* q, int64_t qStride, int d, const Prepared& kv, int64_t kBegin,
                                         int64_t kEnd, RowsState<R, NV>& state) {
    __m512 acc[R][NV], m[R], l[R];
    loadRows<R, NV>(state, kBegin == 0, acc, m, l);
    alignas(64) float p[R][kKeyBlock];
    const __m512 lowest = _mm512_set1_ps(-FLT_MAX);
    for (int64_t j0 = kBegin; j0 < kEnd; j0 += kKeyBlock) {
        __m512 s[R][4];
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
            for (int t = 0; t < 4; ++t)
                s[r][t] = _mm512_setzero_ps();
        for (int dd = 0; dd < d; ++dd) {
            const float* krow = kv.kt + dd * kv.nkPad + j0;
            const __m512 k0 = _mm512_loadu_ps(krow), k1 = _mm512_loadu_ps(krow + 16), k2 = _mm512_loadu_ps(krow + 32),
                         k3 = _mm512_loadu_ps(krow + 48);
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r) {
                const __m512 qb = _mm512_set1_ps(q[r * qStride + dd]);
                s[r][0] = _mm512_fmadd_ps(qb, k0, s[r][0]);
                s[r][1] = _mm512_fmadd_ps(qb, k1, s[r][1]);
                s[r][2] = _mm512_fmadd_ps(qb, k2, s[r][2]);
                s[r][3] = _mm512_fmadd_ps(qb, k3, s[r][3]);
            }
        }
        const int64_t valid = std::min<int64_t>(kKeyBlock, kv.nk - j0);
        __mmask16 keep[4]; // padded keys take no part
        realKeys(valid, keep);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
            for (int t = 0; t < 4; ++t)
                s[r][t] = _mm512_mask_mov_ps(lowest, keep[t], s[r][t]);
            __m512 e[4];
            softmaxStep<7, NV>(s[r], keep, m[r], l[r], acc[r], e);
#pragma GCC unroll 4
            for (int t = 0; t < 4; ++t)
                _mm512_store_ps(&p[r][t * kLanes], e[t]);
        }
        for (int64_t c = 0; c < valid; ++c) {
            const float* vrow = kv.v + (j0 + c) * (NV * kLanes);
            __m512 vv[NV];
#pragma GCC unroll 16
            for (int j = 0; j < NV; ++j)
                vv[j] = _mm512_loadu_ps(vrow + j * kLanes);
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r) {
                const __m512 pc = _mm512_set1_ps(p[r][c]);
#pragma GCC unroll 16
                for (int j = 0; j < NV; ++j)
                    acc[r][j] = _mm512_fmadd_ps(pc, vv[j], acc[r][j]);
            }
        }
    }
    storeRows<R, NV>(acc, m, l, state);
}

// Writes R rows of finished state, normalized.
template <int R, int NV>
DAAM_AVX512_TARGET void finishRowsAvx512(const RowsState<R, NV>& state, float* out, int64_t outStride, int dv) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
        alignas(64) float row[NV * kLanes];
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(state.l[r]));
#pragma GCC unroll 16
        for (int j = 0; j < NV; ++j)
            _mm512_store_ps(row + j * kLanes, _mm512_mul_ps(state.acc[r][j], inv));
        std::memcpy(out + r * outStride, row, sizeof(float) * dv);
    }
}

template <int NV>
void attendAllBf16(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, float scale,
                   torch::Tensor& out) {
    constexpr int R = NV <= 3 ? 4 : (NV <= 5 ? 2 : 1);
    const int64_t batch = q.size(0), nq = q.size(1), nk = k.size(1);
    const int64_t d = q.size(2), dv = v.size(2);
    const int64_t dPad = (d + 1) / 2 * 2, nkPad = (nk + kKeyBlock - 1) / kKeyBlock * kKeyBlock;
    const int dPairs = static_cast<int>(dPad / 2);

    // q with D padded to pairs; kᵀ as [dPairs][nkPad][2]; v as [nkPad/2][NV*16][2]; padding is zero.
    auto qp = q;
    if (dPad != d) qp = torch::constant_pad_nd(q, {0, dPad - d});
    qp = qp.contiguous();
    auto kp = torch::zeros({batch, nkPad, dPad}, k.options());
    kp.narrow(1, 0, nk).narrow(2, 0, d).copy_(k);
    kp = kp.view({batch, nkPad, dPairs, 2}).permute({0, 2, 1, 3}).contiguous();
    auto vp = torch::zeros({batch, nkPad, NV * kLanes}, v.options());
    vp.narrow(1, 0, nk).narrow(2, 0, dv).copy_(v);
    vp = vp.view({batch, nkPad / 2, 2, NV * kLanes}).permute({0, 1, 3, 2}).contiguous();

    const auto* qd = reinterpret_cast<const uint32_t*>(qp.data_ptr<at::BFloat16>());
    const auto* kd = reinterpret_cast<const uint32_t*>(kp.data_ptr<at::BFloat16>());
    const auto* vd = reinterpret_cast<const uint16_t*>(vp.data_ptr<at::BFloat16>());
    auto* od = reinterpret_cast<uint16_t*>(out.data_ptr<at::BFloat16>());
    const auto batchKeys = [&](int64_t b) {
        return PreparedBf16{kd + b * dPairs * nkPad, vd + b * nkPad * NV * kLanes, nk, nkPad, dPairs};
    };
    attendTiles<R, NV>(
        batch, nq, nkPad,
        [&](int64_t b, int64_t row, int64_t k0, int64_t k1, auto& state) {
            constexpr int rows = std::remove_reference_t<decltype(state)>::kRows;
            attendKeysBf16<rows, NV>(qd + (b * nq + row) * dPairs, dPairs, batchKeys(b), scale, k0, k1, state);
        },
        [&](int64_t b, int64_t row, const auto& state) {
            constexpr int rows = std::remove_reference_t<decltype(state)>::kRows;
            finishRowsBf16<rows, NV>(state, od + (b * nq + row) * dv, dv, static_cast<int>(dv));
        });
}
#pragma GCC diagnostic pop
#endif

template <int NV>
void attendAll(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, float scale, torch::Tensor& out,
               bool portable) {
    // Rows per group: as many as keep the scores (R x 4 vectors) and accumulators (R x NV) in 32 registers.
    constexpr int R = NV <= 3 ? 4 : (NV <= 5 ? 2 : 1);
    const int64_t batch = q.size(0), nq = q.size(1), nk = k.size(1);
    const int d = static_cast<int>(q.size(2)), dv = static_cast<int>(v.size(2));
    const int64_t nkPad = (nk + kKeyBlock - 1) / kKeyBlock * kKeyBlock;

#if DAAM_HAVE_BF16_KERNEL
    static const bool cpuHasAvx512 = __builtin_cpu_supports("avx512f");
    const bool avx512 = cpuHasAvx512 && !portable;
#else
    (void)portable;
    const bool avx512 = false;
#endif
    // kᵀ (scaled: folding the scale into the keys saves a multiply per score; the AVX-512 kernel takes scores in
    // log2 units) and v, padded.
    auto kt = torch::zeros({batch, d, nkPad}, torch::kFloat32);
    kt.narrow(2, 0, nk).copy_(k.transpose(1, 2) * (avx512 ? scale * float(M_LOG2E) : scale));
    auto vp = torch::zeros({batch, nkPad, NV * kLanes}, torch::kFloat32);
    vp.narrow(2, 0, dv).narrow(1, 0, nk).copy_(v);

    const float* qd = q.data_ptr<float>();
    const float* ktd = kt.data_ptr<float>();
    const float* vpd = vp.data_ptr<float>();
    float* od = out.data_ptr<float>();
    const auto batchKeys = [&](int64_t b) {
        return Prepared{ktd + b * d * nkPad, vpd + b * nkPad * NV * kLanes, nk, nkPad};
    };
#if DAAM_HAVE_BF16_KERNEL
    if (avx512) {
        attendTiles<R, NV>(
            batch, nq, nkPad,
            [&](int64_t b, int64_t row, int64_t k0, int64_t k1, auto& state) {
                constexpr int rows = std::remove_reference_t<decltype(state)>::kRows;
                attendKeysAvx512<rows, NV>(qd + (b * nq + row) * d, d, d, batchKeys(b), k0, k1, state);
            },
            [&](int64_t b, int64_t row, const auto& state) {
                constexpr int rows = std::remove_reference_t<decltype(state)>::kRows;
                finishRowsAvx512<rows, NV>(state, od + (b * nq + row) * dv, dv, dv);
            });
        return;
    }
#endif
    forEachRowGroup<R>(batch, nq, [&](int64_t b, int64_t row, auto rows) {
        attendRows<decltype(rows)::value, NV>(qd + (b * nq + row) * d, d, d, batchKeys(b), od + (b * nq + row) * dv, dv,
                                              dv);
    });
}

// Calls f(std::integral_constant<int, NV>) for the output widths (in 16-lane vectors) the kernels are built
// for: every head size up to 80, and 128 and 160 (SD 1.x's 16x16 and 8x8 levels). False for any other.
template <typename F> bool withVectorCount(int nv, F&& f) {
    switch (nv) {
    case 1:
        f(std::integral_constant<int, 1>{});
        return true;
    case 2:
        f(std::integral_constant<int, 2>{});
        return true;
    case 3:
        f(std::integral_constant<int, 3>{});
        return true;
    case 4:
        f(std::integral_constant<int, 4>{});
        return true;
    case 5:
        f(std::integral_constant<int, 5>{});
        return true;
    case 8:
        f(std::integral_constant<int, 8>{});
        return true;
    case 10:
        f(std::integral_constant<int, 10>{});
        return true;
    default:
        return false;
    }
}

} // namespace

torch::Tensor plainAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale) {
    auto scores = torch::bmm(q, k.transpose(1, 2)).mul_(scale); // not baddbmm(empty, beta 0): see Attention.cpp
    return torch::bmm(scores.softmax(-1), v);
}

bool fusedAttentionSupports(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
    if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3 || !q.device().is_cpu() || k.size(1) == 0) return false;
    const auto type = q.scalar_type();
    if (k.scalar_type() != type || v.scalar_type() != type || q.size(2) > 256 || v.size(2) > 256) return false;
    const int nv = static_cast<int>((v.size(2) + kLanes - 1) / kLanes);
    if (!withVectorCount(nv, [](auto) {})) return false;
    return type == torch::kFloat32 || (type == torch::kBFloat16 && cpuHasAvx512Bf16());
}

torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale,
                             FusedAttentionKernel kernel) {
    TORCH_CHECK(q.dim() == 3 && k.dim() == 3 && v.dim() == 3, "fusedAttention expects [B, N, D] tensors");
    if (!fusedAttentionSupports(q, k, v)) return plainAttention(q, k, v, scale);
    RECORD_USER_SCOPE("daam::fused_attention"); // no aten op inside: the profiler would not see it (OpProfile.h)
    auto qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    auto out = torch::empty({q.size(0), q.size(1), v.size(2)}, q.options());
    const int nv = static_cast<int>((v.size(2) + kLanes - 1) / kLanes);
    const float s = static_cast<float>(scale);
    if (q.scalar_type() == torch::kFloat32) {
        withVectorCount(nv, [&](auto vectors) {
            attendAll<decltype(vectors)::value>(qc, kc, vc, s, out, kernel == FusedAttentionKernel::Portable);
        });
    } else {
#if DAAM_HAVE_BF16_KERNEL
        withVectorCount(nv, [&](auto vectors) { attendAllBf16<decltype(vectors)::value>(qc, kc, vc, s, out); });
#endif
    }
    return out;
}

} // namespace daam
