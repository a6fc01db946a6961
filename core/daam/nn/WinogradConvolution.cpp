// SPDX-License-Identifier: GPL-3.0-or-later
// WinogradConvolution: see WinogradConvolution.h.
#include "daam/nn/WinogradConvolution.h"

#include "daam/nn/OneDnn.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <optional>
#include <stdexcept>
#include <vector>

namespace daam {

#ifdef DAAM_HAVE_ONEDNN

namespace {

using dnnl::memory;
using ConvolutionDesc = dnnl::convolution_forward::primitive_desc;
using onednn::bufferFor;
using onednn::cpuEngine;
using onednn::dimsOf;

} // namespace

// The primitives for one input size: the convolution and the reorders between LibTorch's NCHW and the blocked
// layout the Winograd kernels read and write.
struct WinogradRun {
    std::vector<int64_t> inputSizes, outputSizes;
    memory::desc plainSrc, blockedSrc, blockedDst, plainDst, scratchpad;
    dnnl::convolution_forward convolution;
    dnnl::reorder toBlocked, fromBlocked;
};

struct WinogradConvolution::State {
    torch::Tensor weight, bias; // the plain ones, shared with the module
    std::array<int64_t, 2> padding{};
    memory::desc transformedDesc;
    torch::Tensor transformed;
    onednn::RunsBySize<WinogradRun> runs;

    std::optional<ConvolutionDesc> describe(c10::IntArrayRef inputSizes, const memory::desc& weights) const {
        if (inputSizes.size() != 4 || inputSizes[1] != weight.size(1)) return std::nullopt;
        const int64_t n = inputSizes[0], h = inputSizes[2], w = inputSizes[3], o = weight.size(0);
        const int64_t outH = h + 2 * padding[0] - 2, outW = w + 2 * padding[1] - 2;
        if (n <= 0 || outH <= 0 || outW <= 0) return std::nullopt;
        const memory::desc src(dimsOf(inputSizes), memory::data_type::f32, memory::format_tag::any);
        const memory::desc dst({n, o, outH, outW}, memory::data_type::f32, memory::format_tag::any);
        const memory::dims strides{1, 1}, pad{padding[0], padding[1]};
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        try {
            using Convolution = dnnl::convolution_forward;
            const auto forward = dnnl::prop_kind::forward_inference;
            const auto winograd = dnnl::algorithm::convolution_winograd;
            if (bias.defined()) {
                const memory::desc b({o}, memory::data_type::f32, memory::format_tag::x);
                return ConvolutionDesc(Convolution::desc(forward, winograd, src, weights, b, dst, strides, pad, pad),
                                       attr, cpuEngine());
            }
            return ConvolutionDesc(Convolution::desc(forward, winograd, src, weights, dst, strides, pad, pad), attr,
                                   cpuEngine());
        } catch (const dnnl::error&) {
            return std::nullopt; // no Winograd kernel for this size on this CPU
        }
    }

    void addRun(c10::IntArrayRef inputSizes, const ConvolutionDesc& desc) {
        WinogradRun run;
        run.inputSizes = inputSizes.vec();
        const memory::dims outDims = desc.dst_desc().dims();
        run.outputSizes.assign(outDims.begin(), outDims.end());
        run.plainSrc = memory::desc(dimsOf(inputSizes), memory::data_type::f32, memory::format_tag::nchw);
        run.blockedSrc = desc.src_desc();
        run.blockedDst = desc.dst_desc();
        run.plainDst = memory::desc(outDims, memory::data_type::f32, memory::format_tag::nchw);
        run.scratchpad = desc.scratchpad_desc();
        run.convolution = dnnl::convolution_forward(desc);
        run.toBlocked =
            dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), run.plainSrc, cpuEngine(), run.blockedSrc));
        run.fromBlocked =
            dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), run.blockedDst, cpuEngine(), run.plainDst));
        runs.add(std::move(run));
    }
};

bool WinogradConvolution::compiledIn() {
    return true;
}

std::unique_ptr<WinogradConvolution> WinogradConvolution::make(const torch::Tensor& weight, const torch::Tensor& bias,
                                                               std::array<int64_t, 2> padding,
                                                               c10::IntArrayRef inputSizes) {
    if (!weight.defined() || weight.dim() != 4 || weight.size(2) != 3 || weight.size(3) != 3 ||
        weight.scalar_type() != torch::kFloat32 || !weight.device().is_cpu() || padding[0] < 0 || padding[1] < 0)
        return nullptr;
    if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0) || bias.scalar_type() != torch::kFloat32 ||
                           !bias.device().is_cpu()))
        return nullptr;
    auto state = std::make_unique<State>();
    state->weight = weight.detach().contiguous();
    if (bias.defined()) state->bias = bias.detach().contiguous();
    state->padding = padding;
    const memory::desc anyWeights(dimsOf(weight.sizes()), memory::data_type::f32, memory::format_tag::any);
    const auto desc = state->describe(inputSizes, anyWeights);
    if (!desc) return nullptr;

    state->transformedDesc = desc->weights_desc();
    state->transformed = onednn::reordered(
        state->weight, memory::desc(dimsOf(weight.sizes()), memory::data_type::f32, memory::format_tag::oihw),
        state->transformedDesc);
    state->addRun(inputSizes, *desc);
    return std::unique_ptr<WinogradConvolution>(new WinogradConvolution(std::move(state)));
}

bool WinogradConvolution::fits(c10::IntArrayRef inputSizes) {
    if (state_->runs.find(inputSizes)) return true;
    const memory::desc anyWeights(dimsOf(state_->weight.sizes()), memory::data_type::f32, memory::format_tag::any);
    const auto desc = state_->describe(inputSizes, anyWeights);
    if (!desc || desc->weights_desc() != state_->transformedDesc) return false;
    state_->addRun(inputSizes, *desc);
    return true;
}

torch::Tensor WinogradConvolution::forward(const torch::Tensor& x) {
    RECORD_USER_SCOPE("daam::winograd_convolution"); // oneDNN's primitive is no aten op (OpProfile.h)
    WinogradRun* run = state_->runs.find(x.sizes());
    if (!run || x.scalar_type() != torch::kFloat32 || !x.device().is_cpu())
        throw std::invalid_argument("WinogradConvolution::forward: an input it was not made for");
    const torch::Tensor input = x.contiguous();
    torch::Tensor output = torch::empty(run->outputSizes, x.options().memory_format(c10::MemoryFormat::Contiguous));
    const torch::Tensor blockedSrc = bufferFor(run->blockedSrc), blockedDst = bufferFor(run->blockedDst),
                        scratchpad = bufferFor(run->scratchpad);

    const auto& engine = cpuEngine();
    memory plainSrcMemory(run->plainSrc, engine, input.data_ptr());
    memory blockedSrcMemory(run->blockedSrc, engine, blockedSrc.data_ptr());
    memory blockedDstMemory(run->blockedDst, engine, blockedDst.data_ptr());
    memory plainDstMemory(run->plainDst, engine, output.data_ptr());
    memory weights(state_->transformedDesc, engine, state_->transformed.data_ptr());
    memory scratch(run->scratchpad, engine, scratchpad.data_ptr());

    // oneDNN runs on the calling thread's OpenMP team: size it as LibTorch's own operators do.
    at::internal::lazy_init_num_threads();
    dnnl::stream stream(engine);
    run->toBlocked.execute(stream, plainSrcMemory, blockedSrcMemory);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, blockedSrcMemory},
                                         {DNNL_ARG_WEIGHTS, weights},
                                         {DNNL_ARG_DST, blockedDstMemory},
                                         {DNNL_ARG_SCRATCHPAD, scratch}};
    if (state_->bias.defined())
        args.emplace(DNNL_ARG_BIAS,
                     memory(memory::desc({state_->bias.size(0)}, memory::data_type::f32, memory::format_tag::x), engine,
                            state_->bias.data_ptr()));
    run->convolution.execute(stream, args);
    run->fromBlocked.execute(stream, blockedDstMemory, plainDstMemory);
    stream.wait();
    return output;
}

std::size_t WinogradConvolution::weightBytes() const {
    return state_->transformedDesc.get_size();
}

#else // no oneDNN headers in this build

struct WinogradConvolution::State {};

bool WinogradConvolution::compiledIn() {
    return false;
}

std::unique_ptr<WinogradConvolution> WinogradConvolution::make(const torch::Tensor&, const torch::Tensor&,
                                                               std::array<int64_t, 2>, c10::IntArrayRef) {
    return nullptr;
}

bool WinogradConvolution::fits(c10::IntArrayRef) {
    return false;
}

torch::Tensor WinogradConvolution::forward(const torch::Tensor&) {
    throw std::logic_error("WinogradConvolution::forward: built without oneDNN");
}

std::size_t WinogradConvolution::weightBytes() const {
    return 0;
}

#endif

WinogradConvolution::WinogradConvolution(std::unique_ptr<State> state) : state_(std::move(state)) {}
WinogradConvolution::~WinogradConvolution() = default;

} // namespace daam
