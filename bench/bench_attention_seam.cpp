// SPDX-License-Identifier: GPL-3.0-or-later
// The cost of the observer seam with nothing attached: Stable Diffusion 1.5's cross-attention layers (batch 2,
// 77 text tokens, fp32), run through daam::Attention as the untraced pipeline runs them (an AttentionCall
// with no observer, and the layer's identity), against the same computation written out without any seam
// (diffusers' AttnProcessor: projections, bmm, scale, softmax, bmm, output projection) on the module's own
// weights. Best of several interleaved runs; the ratio is seam / no seam.
#include "daam/nn/Attention.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

namespace {

double secondsOf(const std::function<void()>& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// diffusers' AttnProcessor on the module's weights (looked up once), with no observer check anywhere.
struct Weights {
    torch::Tensor q, k, v, out, outBias;
};

torch::Tensor attentionWithoutSeam(const Weights& w, const torch::Tensor& x, const torch::Tensor& context,
                                   int64_t heads, double scale) {
    const auto headsToBatch = [heads](const torch::Tensor& t) {
        const auto b = t.size(0), n = t.size(1), d = t.size(2) / heads;
        return t.reshape({b, n, heads, d}).permute({0, 2, 1, 3}).reshape({b * heads, n, d});
    };
    const auto q = headsToBatch(torch::linear(x, w.q));
    const auto k = headsToBatch(torch::linear(context, w.k));
    const auto v = headsToBatch(torch::linear(context, w.v));
    auto out = torch::bmm(torch::bmm(q, k.transpose(1, 2)).mul_(scale).softmax(-1), v);
    const auto b = x.size(0), n = x.size(1), d = out.size(2);
    out = out.reshape({b, heads, n, d}).permute({0, 2, 1, 3}).reshape({b, n, heads * d});
    return torch::linear(out, w.out, w.outBias);
}

} // namespace

int main(int, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    std::printf("threads: %d, BLAS kernels %s\n%-28s %12s %12s %8s %10s\n", runtime.threads, runtime.blasCore.c_str(),
                "SD 1.5 cross-attention", "seam s", "no seam s", "ratio", "max diff");
    struct Layer {
        const char* what;
        int64_t side, channels, dimHead;
    };
    const Layer layers[] = {{"64x64, 320 channels", 64, 320, 40},
                            {"32x32, 640 channels", 32, 640, 80},
                            {"16x16, 1280 channels", 16, 1280, 160},
                            {"8x8, 1280 channels", 8, 1280, 160}};
    double seamTotal = 0, plainTotal = 0;
    for (const auto& l : layers) {
        daam::AttentionOptions o;
        o.queryDim = l.channels;
        o.crossAttentionDim = 768;
        o.heads = l.channels / l.dimHead;
        o.dimHead = l.dimHead;
        daam::Attention attention(o);
        auto params = attention->named_parameters();
        const Weights w{params["to_q.weight"], params["to_k.weight"], params["to_v.weight"], params["to_out.0.weight"],
                        params["to_out.0.bias"]};
        const auto x = torch::randn({2, l.side * l.side, l.channels}), context = torch::randn({2, 77, 768});
        const daam::AttentionCall call; // no observer, as in an untraced generation
        daam::CrossAttentionLayer info;
        info.heads = static_cast<int>(o.heads);
        const double scale = 1.0 / std::sqrt(double(l.dimHead));
        const double diff = (attention->forward(x, context, &call, &info, l.side, l.side) -
                             attentionWithoutSeam(w, x, context, o.heads, scale))
                                .abs()
                                .max()
                                .item<double>();
        const int reps = l.side >= 64 ? 7 : 25;
        double seam = 1e30, plain = 1e30;
        for (int r = 0; r < reps; ++r) {
            seam = std::min(seam, secondsOf([&] { attention->forward(x, context, &call, &info, l.side, l.side); }));
            plain = std::min(plain, secondsOf([&] { attentionWithoutSeam(w, x, context, o.heads, scale); }));
        }
        seamTotal += seam;
        plainTotal += plain;
        std::printf("%-28s %12.5f %12.5f %8.3f %10.2e\n", l.what, seam, plain, seam / plain, diff);
    }
    std::printf("all four layers: seam / no seam = %.3f\n", seamTotal / plainTotal);
    return 0;
}
