// SPDX-License-Identifier: GPL-3.0-or-later
// SD 1.5's 3×3 bfloat16 convolutions at 512x512 (batch 2) from a weight packed once, in three activation layouts:
// NCHW through LibTorch's mkldnn_convolution (oneDNN reorders the input to its blocked layout and the output back on
// every call), channels-last (NHWC) given to oneDNN as it is (ChannelsLastConvolution's way), and oneDNN's own blocked
// layout kept between layers (no reorder at all). Milliseconds per convolution, the best of several runs, and the
// ratios: what a UNet kept channels-last or blocked from end to end saves on its convolutions.
// Usage: bench_conv_layouts   (needs oneDNN's headers, DAAM_HAVE_ONEDNN, and a CPU with AVX-512 BF16)
#include "daam/nn/ChannelsLastConvolution.h"
#include "daam/util/CpuPeak.h"
#include "daam/util/Runtime.h"

#include "BestTime.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "daam/nn/OneDnn.h" // oneDNN's headers, with DAAM_HAVE_ONEDNN

#include <cstdio>

#ifdef DAAM_HAVE_ONEDNN
namespace {

using daam::onednn::bufferFor;
using dnnl::memory;

// One oneDNN direct convolution whose source and destination are in `layout` (here any: oneDNN's choice, its blocked
// layout), with the weight reordered into the primitive's layout once.
struct OneDnnConvolution {
    const dnnl::engine& engine = daam::onednn::cpuEngine();
    dnnl::convolution_forward primitive;
    memory::desc src, dst;
    torch::Tensor weights, bias, scratchpad;
    memory::desc weightsDesc, scratchpadDesc;

    OneDnnConvolution(const torch::Tensor& weight, const torch::Tensor& biasIn, int64_t n, int64_t h, int64_t w,
                      memory::format_tag layout) {
        const int64_t o = weight.size(0), c = weight.size(1);
        const auto bf16 = memory::data_type::bf16;
        const memory::desc srcAny({n, c, h, w}, bf16, layout), dstAny({n, o, h, w}, bf16, layout),
            weightsAny({o, c, 3, 3}, bf16, memory::format_tag::any), biasDesc({o}, bf16, memory::format_tag::x);
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        const auto desc = dnnl::convolution_forward::primitive_desc(
            dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                            srcAny, weightsAny, biasDesc, dstAny, {1, 1}, {1, 1}, {1, 1}),
            attr, engine);
        primitive = dnnl::convolution_forward(desc);
        src = desc.src_desc();
        dst = desc.dst_desc();
        weightsDesc = desc.weights_desc();
        scratchpadDesc = desc.scratchpad_desc();
        weights = daam::onednn::reordered(weight.contiguous(),
                                          memory::desc({o, c, 3, 3}, bf16, memory::format_tag::oihw), weightsDesc);
        scratchpad = bufferFor(scratchpadDesc);
        bias = biasIn.contiguous();
    }

    void run(void* srcData, void* dstData) {
        at::internal::lazy_init_num_threads();
        dnnl::stream stream(engine);
        primitive.execute(stream, {{DNNL_ARG_SRC, memory(src, engine, srcData)},
                                   {DNNL_ARG_WEIGHTS, memory(weightsDesc, engine, weights.data_ptr())},
                                   {DNNL_ARG_BIAS,
                                    memory(memory::desc({bias.size(0)}, memory::data_type::bf16, memory::format_tag::x),
                                           engine, bias.data_ptr())},
                                   {DNNL_ARG_DST, memory(dst, engine, dstData)},
                                   {DNNL_ARG_SCRATCHPAD, memory(scratchpadDesc, engine, scratchpad.data_ptr())}});
        stream.wait();
    }
};

} // namespace
#endif

int main(int, char** argv) {
    daam::loadFasterBlasKernels(argv);
#ifndef DAAM_HAVE_ONEDNN
    std::fprintf(stderr, "built without oneDNN's headers\n");
    return 1;
#else
    if (!daam::cpuHasAvx512Bf16()) {
        std::fprintf(stderr, "this CPU has no AVX-512 BF16\n");
        return 1;
    }
    const auto runtime = daam::initRuntime();
    torch::NoGradGuard noGrad;
    torch::manual_seed(0);
    std::printf("bf16 3x3 convolutions, batch 2, %d threads; ms per convolution (best of 10)\n", runtime.threads);
    std::printf("%-14s %8s %8s %8s %12s %12s\n", "shape", "NCHW", "NHWC", "blocked", "NHWC/NCHW", "blocked/NCHW");
    struct Shape {
        int64_t channels, side;
    };
    for (const Shape s : {Shape{320, 64}, Shape{640, 32}, Shape{1280, 16}, Shape{1280, 8}}) {
        const auto x = torch::randn({2, s.channels, s.side, s.side}).to(torch::kBFloat16);
        const auto weight = (torch::randn({s.channels, s.channels, 3, 3}) * 0.02).to(torch::kBFloat16);
        const auto bias = torch::randn({s.channels}).to(torch::kBFloat16);
        const auto packed = at::mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), {1, 1}, {1, 1}, {1, 1}, 1);
        torch::Tensor reference;
        const double nchw = daam::bench::bestTime(
            [&] {
                reference = at::mkldnn_convolution(x, packed, bias, {1, 1}, {1, 1}, {1, 1}, 1);
            },
            10);

        daam::ConvolutionGeometry geometry;
        geometry.padding = {1, 1};
        const auto nhwcConv = daam::ChannelsLastConvolution::make(weight, bias, geometry, x.sizes());
        if (!nhwcConv) {
            std::fprintf(stderr, "no channels-last bf16 convolution here\n");
            return 1;
        }
        const auto xNhwc = x.contiguous(c10::MemoryFormat::ChannelsLast);
        torch::Tensor yNhwc;
        const double nhwc = daam::bench::bestTime([&] { yNhwc = nhwcConv->forward(xNhwc); }, 10);
        const double error = (yNhwc.to(torch::kFloat32) - reference.to(torch::kFloat32)).abs().max().item<double>();

        OneDnnConvolution blockedConv(weight, bias, 2, s.side, s.side, memory::format_tag::any);
        auto xBlocked = bufferFor(blockedConv.src), yBlocked = bufferFor(blockedConv.dst);
        const double blocked =
            daam::bench::bestTime([&] { blockedConv.run(xBlocked.data_ptr(), yBlocked.data_ptr()); }, 10);
        char shape[32];
        std::snprintf(shape, sizeof shape, "%lldx%lld^2", (long long)s.channels, (long long)s.side);
        std::printf("%-14s %8.2f %8.2f %8.2f %12.3f %12.3f   (NHWC max abs difference %.3g)\n", shape, nchw * 1e3,
                    nhwc * 1e3, blocked * 1e3, nhwc / nchw, blocked / nchw, error);
    }
    return 0;
#endif
}
