#include "daam/nn/FusedAttention.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

// The helpers below are always inlined into the target_clones kernel, so they take its instruction
// set; the psABI note GCC emits for vector arguments does not apply to inlined calls.
#pragma GCC diagnostic ignored "-Wpsabi"
#define DAAM_INLINE inline __attribute__((always_inline))

namespace daam {

namespace {

// 16 floats: one AVX-512 register where the CPU has it; the compiler splits it elsewhere.
typedef float v16 __attribute__((vector_size(64)));
typedef int32_t vi16 __attribute__((vector_size(64)));

constexpr int kLanes = 16;
constexpr int kKeyBlock = 64; // keys per block: 4 vectors of scores per row

DAAM_INLINE v16 load(const float* p) {
    v16 v;
    std::memcpy(&v, p, sizeof(v));
    return v;
}
DAAM_INLINE void store(float* p, v16 v) {
    std::memcpy(p, &v, sizeof(v));
}
DAAM_INLINE v16 splat(float x) {
    return v16{} + x;
}

// Horizontal reductions in four shuffle steps (halves, quarters, ...) instead of 15 scalar operations.
DAAM_INLINE v16 swapHalves(v16 v, int step) {
    vi16 mask;
    for (int i = 0; i < kLanes; ++i)
        mask[i] = i ^ step;
    return __builtin_shuffle(v, mask);
}
DAAM_INLINE float hmax(v16 v) {
    for (int step = 8; step >= 1; step /= 2) {
        const v16 w = swapHalves(v, step);
        v = v > w ? v : w;
    }
    return v[0];
}
DAAM_INLINE float hsum(v16 v) {
    for (int step = 8; step >= 1; step /= 2)
        v += swapHalves(v, step);
    return v[0];
}

// exp for the softmax: x = n ln2 + r with |r| <= ln2/2, exp(r) by its Taylor series to r^7 (truncation
// below 6e-9 relative), 2^n through the exponent bits. Inputs are clamped to the float range.
DAAM_INLINE v16 vexp(v16 x) {
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
    v16 scale;
    std::memcpy(&scale, &bits, sizeof(scale));
    return p * scale;
}

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
                v16 e = vexp(s[r][t] - mv);
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

template <int NV>
void attendAll(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, float scale,
               torch::Tensor& out) {
    // Rows per group: as many as keep the scores (R x 4 vectors) and accumulators (R x NV) in 32 registers.
    constexpr int R = NV <= 3 ? 4 : (NV <= 5 ? 2 : 1);
    const int64_t batch = q.size(0), nq = q.size(1), nk = k.size(1);
    const int d = static_cast<int>(q.size(2)), dv = static_cast<int>(v.size(2));
    const int64_t nkPad = (nk + kKeyBlock - 1) / kKeyBlock * kKeyBlock;

    // kᵀ (scaled: folding the scale into the keys saves a multiply per score) and v, padded.
    auto kt = torch::zeros({batch, d, nkPad}, torch::kFloat32);
    kt.narrow(2, 0, nk).copy_(k.transpose(1, 2) * scale);
    auto vp = torch::zeros({batch, nkPad, NV * kLanes}, torch::kFloat32);
    vp.narrow(2, 0, dv).narrow(1, 0, nk).copy_(v);

    const float* qd = q.data_ptr<float>();
    const float* ktd = kt.data_ptr<float>();
    const float* vpd = vp.data_ptr<float>();
    float* od = out.data_ptr<float>();
    const int64_t groups = (nq + R - 1) / R;
    at::parallel_for(0, batch * groups, 1, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t b = task / groups, row = (task % groups) * R;
            const Prepared kv{ktd + b * d * nkPad, vpd + b * nkPad * NV * kLanes, nk, nkPad};
            const float* qrow = qd + (b * nq + row) * d;
            float* orow = od + (b * nq + row) * dv;
            if (row + R <= nq) {
                attendRows<R, NV>(qrow, d, d, kv, orow, dv, dv);
            } else {
                for (int64_t r = row; r < nq; ++r)
                    attendRows<1, NV>(qd + (b * nq + r) * d, d, d, kv, od + (b * nq + r) * dv, dv, dv);
            }
        }
    });
}

} // namespace

torch::Tensor plainAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale) {
    auto scores = torch::bmm(q, k.transpose(1, 2)).mul_(scale); // not baddbmm(empty, beta 0): see Attention.cpp
    return torch::bmm(scores.softmax(-1), v);
}

torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale) {
    TORCH_CHECK(q.dim() == 3 && k.dim() == 3 && v.dim() == 3, "fusedAttention expects [B, N, D] tensors");
    const bool fusable = q.device().is_cpu() && q.scalar_type() == torch::kFloat32 &&
                         k.scalar_type() == torch::kFloat32 && v.scalar_type() == torch::kFloat32 && q.size(2) <= 256 &&
                         v.size(2) <= 256 && k.size(1) > 0;
    if (!fusable) return plainAttention(q, k, v, scale);
    auto qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
    auto out = torch::empty({q.size(0), q.size(1), v.size(2)}, q.options());
    const int nv = static_cast<int>((v.size(2) + kLanes - 1) / kLanes);
    const float s = static_cast<float>(scale);
    switch (nv) {
    case 1:
        attendAll<1>(qc, kc, vc, s, out);
        break;
    case 2:
        attendAll<2>(qc, kc, vc, s, out);
        break;
    case 3:
        attendAll<3>(qc, kc, vc, s, out);
        break;
    case 4:
        attendAll<4>(qc, kc, vc, s, out);
        break;
    case 5:
        attendAll<5>(qc, kc, vc, s, out);
        break;
    case 8:
        attendAll<8>(qc, kc, vc, s, out);
        break;
    case 10:
        attendAll<10>(qc, kc, vc, s, out);
        break;
    default:
        return plainAttention(q, k, v, scale);
    }
    return out;
}

} // namespace daam
