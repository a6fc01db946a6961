// SPDX-License-Identifier: GPL-3.0-or-later
// Fused bf16 CPU kernels: see Bf16Kernels.h.
#include "daam/nn/Bf16Kernels.h"

#include "daam/nn/ChannelsLast.h"
#include "daam/nn/VectorMath.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

namespace daam {
namespace {

using namespace vec;

// Each kernel compiled for AVX-512, AVX2 and plain x86-64, chosen at run time; other CPUs get one plain build.
#if defined(__x86_64__)
#define DAAM_KERNEL_TARGETS __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define DAAM_KERNEL_TARGETS
#endif

const uint16_t* bf16Data(const torch::Tensor& t) {
    return reinterpret_cast<const uint16_t*>(t.data_ptr<at::BFloat16>());
}
uint16_t* bf16Data(torch::Tensor& t) {
    return reinterpret_cast<uint16_t*>(t.data_ptr<at::BFloat16>());
}

bool bf16OnCpu(const torch::Tensor& t, torch::MemoryFormat format = torch::MemoryFormat::Contiguous) {
    return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kBFloat16 && t.is_contiguous(format) &&
           !(torch::GradMode::is_enabled() && t.requires_grad());
}

// An optional per-channel parameter as float32 values (empty where undefined).
std::vector<float> floatValues(const torch::Tensor& t) {
    if (!t.defined()) return {};
    const auto f = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
}

// The mean and 1/sqrt(variance + eps) of n bf16 values: two passes, four vector accumulators each.
DAAM_VECTOR_INLINE void moments(const uint16_t* x, int64_t n, float eps, float& mean, float& rstd) {
    v16 a0{}, a1{}, a2{}, a3{};
    int64_t i = 0;
    for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
        a0 += loadBf16(x + i);
        a1 += loadBf16(x + i + kLanes);
        a2 += loadBf16(x + i + 2 * kLanes);
        a3 += loadBf16(x + i + 3 * kLanes);
    }
    for (; i + kLanes <= n; i += kLanes)
        a0 += loadBf16(x + i);
    double sum = hsum((a0 + a1) + (a2 + a3));
    for (; i < n; ++i)
        sum += bf16ToFloat(x[i]);
    mean = static_cast<float>(sum / double(n));
    const v16 m = splat(mean);
    a0 = a1 = a2 = a3 = v16{};
    i = 0;
    for (; i + 4 * kLanes <= n; i += 4 * kLanes) {
        const v16 d0 = loadBf16(x + i) - m, d1 = loadBf16(x + i + kLanes) - m, d2 = loadBf16(x + i + 2 * kLanes) - m,
                  d3 = loadBf16(x + i + 3 * kLanes) - m;
        a0 += d0 * d0;
        a1 += d1 * d1;
        a2 += d2 * d2;
        a3 += d3 * d3;
    }
    for (; i + kLanes <= n; i += kLanes) {
        const v16 d = loadBf16(x + i) - m;
        a0 += d * d;
    }
    double squares = hsum((a0 + a1) + (a2 + a3));
    for (; i < n; ++i) {
        const double d = bf16ToFloat(x[i]) - mean;
        squares += d * d;
    }
    rstd = static_cast<float>(1.0 / std::sqrt(squares / double(n) + eps));
}

// One group of `channels` maps of `pixels` values each.
DAAM_KERNEL_TARGETS void groupNormGroup(const uint16_t* x, uint16_t* y, int64_t channels, int64_t pixels,
                                        const float* weight, const float* bias, float eps, bool silu) {
    float mean, rstd;
    moments(x, channels * pixels, eps, mean, rstd);
    for (int64_t c = 0; c < channels; ++c) {
        const float scale = rstd * (weight ? weight[c] : 1.0f);
        const float shift = (bias ? bias[c] : 0.0f) - mean * scale;
        const uint16_t* in = x + c * pixels;
        uint16_t* out = y + c * pixels;
        const v16 s = splat(scale), t = splat(shift);
        int64_t i = 0;
        if (silu) {
            for (; i + kLanes <= pixels; i += kLanes)
                storeBf16(out + i, vec::silu(loadBf16(in + i) * s + t));
        } else {
            for (; i + kLanes <= pixels; i += kLanes)
                storeBf16(out + i, loadBf16(in + i) * s + t);
        }
        for (; i < pixels; ++i) {
            const float v = bf16ToFloat(in[i]) * scale + shift;
            out[i] = floatToBf16(silu ? vec::silu(v) : v);
        }
    }
}

// Channels-last maps: per-channel sums over a range of pixels of [pixels, C] rows, of the values or of their squared
// distances from their group's mean (`center`, one per channel) where center is given.
DAAM_KERNEL_TARGETS void channelSums(const uint16_t* x, int64_t pixels, int64_t channels, const float* center,
                                     float* sums) {
    for (int64_t c = 0; c < channels; ++c)
        sums[c] = 0;
    for (int64_t p = 0; p < pixels; ++p) {
        const uint16_t* row = x + p * channels;
        int64_t c = 0;
        for (; c + kLanes <= channels; c += kLanes) {
            v16 v = loadBf16(row + c);
            if (center) {
                v -= load(center + c);
                v *= v;
            }
            store(sums + c, load(sums + c) + v);
        }
        for (; c < channels; ++c) {
            float v = bf16ToFloat(row[c]);
            if (center) {
                v -= center[c];
                v *= v;
            }
            sums[c] += v;
        }
    }
}

// y = x * scale + shift per channel (then SiLU where `silu`) over [pixels, C] rows.
DAAM_KERNEL_TARGETS void scaleShiftRows(const uint16_t* x, uint16_t* y, int64_t pixels, int64_t channels,
                                        const float* scale, const float* shift, bool silu) {
    for (int64_t p = 0; p < pixels; ++p) {
        const uint16_t* in = x + p * channels;
        uint16_t* out = y + p * channels;
        int64_t c = 0;
        for (; c + kLanes <= channels; c += kLanes) {
            const v16 v = loadBf16(in + c) * load(scale + c) + load(shift + c);
            storeBf16(out + c, silu ? vec::silu(v) : v);
        }
        for (; c < channels; ++c) {
            const float v = bf16ToFloat(in[c]) * scale[c] + shift[c];
            out[c] = floatToBf16(silu ? vec::silu(v) : v);
        }
    }
}

DAAM_KERNEL_TARGETS void layerNormRow(const uint16_t* x, uint16_t* y, int64_t n, const float* weight, const float* bias,
                                      float eps) {
    float mean, rstd;
    moments(x, n, eps, mean, rstd);
    const v16 m = splat(mean), r = splat(rstd);
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        v16 v = (loadBf16(x + i) - m) * r;
        if (weight) v *= load(weight + i);
        if (bias) v += load(bias + i);
        storeBf16(y + i, v);
    }
    for (; i < n; ++i) {
        float v = (bf16ToFloat(x[i]) - mean) * rstd;
        if (weight) v *= weight[i];
        if (bias) v += bias[i];
        y[i] = floatToBf16(v);
    }
}

DAAM_KERNEL_TARGETS void gegluRow(const uint16_t* x, uint16_t* y, int64_t n) {
    const uint16_t* gate = x + n;
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        storeBf16(y + i, loadBf16(x + i) * vec::gelu(loadBf16(gate + i)));
    for (; i < n; ++i) {
        const float g = bf16ToFloat(gate[i]);
        y[i] = floatToBf16(bf16ToFloat(x[i]) * 0.5f * g * (1.0f + std::erf(g * 0.70710678118654752f)));
    }
}

// Rows per task for a row length, so that a task has some thousands of values.
int64_t rowGrain(int64_t n) {
    return std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1));
}

// GroupNorm over channels-last [N, C, H, W] (memory [N, H, W, C]): per-channel sums over chunks of pixels in
// parallel, then the group statistics, then one pass that scales and shifts every channel.
void groupNormChannelsLast(const uint16_t* in, uint16_t* out, int64_t batch, int64_t channels, int64_t pixels,
                           int64_t groups, const std::vector<float>& weight, const std::vector<float>& bias, double eps,
                           bool silu) {
    const int64_t perGroup = channels / groups;
    const int64_t chunk = std::max<int64_t>(1, 32768 / channels), chunks = (pixels + chunk - 1) / chunk;
    std::vector<float> partial(chunks * channels), center(channels), scale(channels), shift(channels);
    for (int64_t n = 0; n < batch; ++n) {
        const uint16_t* x = in + n * pixels * channels;
        uint16_t* y = out + n * pixels * channels;
        // Group sums, by chunks of pixels; the second time around, of squared distances from the group means.
        auto groupTotals = [&](const float* around) {
            at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
                for (int64_t k = begin; k < end; ++k)
                    channelSums(x + k * chunk * channels, std::min(chunk, pixels - k * chunk), channels, around,
                                partial.data() + k * channels);
            });
            std::vector<double> totals(groups, 0.0);
            for (int64_t k = 0; k < chunks; ++k)
                for (int64_t c = 0; c < channels; ++c)
                    totals[c / perGroup] += partial[k * channels + c];
            return totals;
        };
        const double count = double(perGroup) * double(pixels);
        const auto sums = groupTotals(nullptr);
        for (int64_t c = 0; c < channels; ++c)
            center[c] = static_cast<float>(sums[c / perGroup] / count);
        const auto squares = groupTotals(center.data());
        for (int64_t c = 0; c < channels; ++c) {
            const double rstd = 1.0 / std::sqrt(squares[c / perGroup] / count + eps);
            scale[c] = static_cast<float>(rstd * (weight.empty() ? 1.0f : weight[c]));
            shift[c] = (bias.empty() ? 0.0f : bias[c]) - center[c] * scale[c];
        }
        at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
            for (int64_t k = begin; k < end; ++k)
                scaleShiftRows(x + k * chunk * channels, y + k * chunk * channels, std::min(chunk, pixels - k * chunk),
                               channels, scale.data(), shift.data(), silu);
        });
    }
}

} // namespace

bool bf16GroupNormSupports(const torch::Tensor& x, int64_t groups) {
    return x.defined() && (bf16OnCpu(x) || (isChannelsLast(x) && bf16OnCpu(x, torch::MemoryFormat::ChannelsLast))) &&
           x.dim() >= 2 && groups > 0 && x.size(1) % groups == 0 && x.numel() > 0;
}

torch::Tensor bf16GroupNorm(const torch::Tensor& x, int64_t groups, const torch::Tensor& weight,
                            const torch::Tensor& bias, double eps, bool silu) {
    TORCH_CHECK(bf16GroupNormSupports(x, groups),
                "bf16GroupNorm: not a contiguous or channels-last bf16 CPU tensor in groups");
    const int64_t batch = x.size(0), channels = x.size(1), pixels = x.numel() / (batch * channels);
    const int64_t perGroup = channels / groups;
    const auto w = floatValues(weight), b = floatValues(bias);
    TORCH_CHECK((w.empty() || int64_t(w.size()) == channels) && (b.empty() || int64_t(b.size()) == channels),
                "bf16GroupNorm: weight or bias of another size than the channels");
    auto y = torch::empty_like(x); // in x's memory format
    const uint16_t* in = bf16Data(x);
    uint16_t* out = bf16Data(y);
    if (isChannelsLast(x)) {
        groupNormChannelsLast(in, out, batch, channels, pixels, groups, w, b, eps, silu);
        return y;
    }
    at::parallel_for(0, batch * groups, 1, [&](int64_t begin, int64_t end) {
        for (int64_t task = begin; task < end; ++task) {
            const int64_t g = task % groups, offset = (task / groups * channels + g * perGroup) * pixels;
            groupNormGroup(in + offset, out + offset, perGroup, pixels, w.empty() ? nullptr : w.data() + g * perGroup,
                           b.empty() ? nullptr : b.data() + g * perGroup, static_cast<float>(eps), silu);
        }
    });
    return y;
}

bool bf16LayerNormSupports(const torch::Tensor& x, int64_t normalizedSize) {
    return bf16OnCpu(x) && x.dim() >= 1 && x.size(-1) == normalizedSize && x.numel() > 0;
}

torch::Tensor bf16LayerNorm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                            double eps) {
    const int64_t n = x.dim() >= 1 ? x.size(-1) : 0;
    TORCH_CHECK(bf16LayerNormSupports(x, n), "bf16LayerNorm: not a contiguous bf16 CPU tensor");
    const auto w = floatValues(weight), b = floatValues(bias);
    TORCH_CHECK((w.empty() || int64_t(w.size()) == n) && (b.empty() || int64_t(b.size()) == n),
                "bf16LayerNorm: weight or bias of another size than the normalized dimension");
    auto y = torch::empty_like(x);
    const uint16_t* in = bf16Data(x);
    uint16_t* out = bf16Data(y);
    at::parallel_for(0, x.numel() / n, rowGrain(n), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row)
            layerNormRow(in + row * n, out + row * n, n, w.empty() ? nullptr : w.data(), b.empty() ? nullptr : b.data(),
                         static_cast<float>(eps));
    });
    return y;
}

bool bf16GegluSupports(const torch::Tensor& projected) {
    return bf16OnCpu(projected) && projected.dim() >= 1 && projected.size(-1) % 2 == 0 && projected.numel() > 0;
}

torch::Tensor bf16Geglu(const torch::Tensor& projected) {
    TORCH_CHECK(bf16GegluSupports(projected), "bf16Geglu: not a contiguous bf16 CPU tensor of even width");
    const int64_t width = projected.size(-1), n = width / 2;
    auto sizes = projected.sizes().vec();
    sizes.back() = n;
    auto y = torch::empty(sizes, projected.options());
    const uint16_t* in = bf16Data(projected);
    uint16_t* out = bf16Data(y);
    at::parallel_for(0, projected.numel() / width, rowGrain(width), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row)
            gegluRow(in + row * width, out + row * n, n);
    });
    return y;
}

} // namespace daam
