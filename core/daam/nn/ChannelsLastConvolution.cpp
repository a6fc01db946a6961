// SPDX-License-Identifier: GPL-3.0-or-later
// ChannelsLastConvolution: see ChannelsLastConvolution.h.
#include "daam/nn/ChannelsLastConvolution.h"

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

} // namespace

// The primitive for one input size.
struct ChannelsLastRun {
    std::vector<int64_t> inputSizes, outputSizes;
    memory::desc src, dst, scratchpad;
    dnnl::convolution_forward convolution;
};

struct ChannelsLastConvolution::State {
    std::vector<int64_t> weightSizes;
    torch::Tensor bias; // the module's
    ConvolutionGeometry geometry;
    memory::desc weightDesc;
    torch::Tensor weight; // reordered
    onednn::RunsBySize<ChannelsLastRun> runs;

    std::optional<ConvolutionDesc> describe(c10::IntArrayRef inputSizes, const memory::desc& weights) const {
        if (inputSizes.size() != 4 || inputSizes[1] != weightSizes[1]) return std::nullopt;
        const auto& g = geometry;
        const int64_t n = inputSizes[0], o = weightSizes[0];
        int64_t out[2];
        for (int i = 0; i < 2; ++i)
            out[i] =
                (inputSizes[2 + i] + 2 * g.padding[i] - g.dilation[i] * (weightSizes[2 + i] - 1) - 1) / g.stride[i] + 1;
        if (n <= 0 || out[0] <= 0 || out[1] <= 0) return std::nullopt;
        const auto bf16 = memory::data_type::bf16;
        const memory::desc src(onednn::dimsOf(inputSizes), bf16, memory::format_tag::nhwc);
        const memory::desc dst({n, o, out[0], out[1]}, bf16, memory::format_tag::nhwc);
        // oneDNN counts dilation from 0 (no dilation), LibTorch from 1.
        const memory::dims strides{g.stride[0], g.stride[1]}, pad{g.padding[0], g.padding[1]},
            dilation{g.dilation[0] - 1, g.dilation[1] - 1};
        dnnl::primitive_attr attr;
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        try {
            using Convolution = dnnl::convolution_forward;
            const auto forward = dnnl::prop_kind::forward_inference;
            const auto direct = dnnl::algorithm::convolution_direct;
            if (bias.defined()) {
                const memory::desc b({o}, bf16, memory::format_tag::x);
                return ConvolutionDesc(
                    Convolution::desc(forward, direct, src, weights, b, dst, strides, dilation, pad, pad), attr,
                    onednn::cpuEngine());
            }
            return ConvolutionDesc(Convolution::desc(forward, direct, src, weights, dst, strides, dilation, pad, pad),
                                   attr, onednn::cpuEngine());
        } catch (const dnnl::error&) {
            return std::nullopt; // no bf16 kernel on this CPU
        }
    }

    memory::desc anyWeights() const {
        return memory::desc(onednn::dimsOf(weightSizes), memory::data_type::bf16, memory::format_tag::any);
    }

    void addRun(c10::IntArrayRef inputSizes, const ConvolutionDesc& desc) {
        ChannelsLastRun run;
        run.inputSizes = inputSizes.vec();
        const memory::dims outDims = desc.dst_desc().dims();
        run.outputSizes.assign(outDims.begin(), outDims.end());
        run.src = desc.src_desc();
        run.dst = desc.dst_desc();
        run.scratchpad = desc.scratchpad_desc();
        run.convolution = dnnl::convolution_forward(desc);
        runs.add(std::move(run));
    }
};

bool ChannelsLastConvolution::compiledIn() {
    return true;
}

std::unique_ptr<ChannelsLastConvolution> ChannelsLastConvolution::make(const torch::Tensor& weight,
                                                                       const torch::Tensor& bias,
                                                                       const ConvolutionGeometry& geometry,
                                                                       c10::IntArrayRef inputSizes) {
    if (!weight.defined() || weight.dim() != 4 || !torch::isFloatingType(weight.scalar_type()) ||
        !weight.device().is_cpu() || geometry.groups != 1)
        return nullptr;
    if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0) ||
                           bias.scalar_type() != torch::kBFloat16 || !bias.device().is_cpu()))
        return nullptr;
    auto state = std::make_unique<State>();
    state->weightSizes = weight.sizes().vec();
    if (bias.defined()) state->bias = bias.detach().contiguous();
    state->geometry = geometry;
    const auto desc = state->describe(inputSizes, state->anyWeights());
    if (!desc) return nullptr;
    torch::NoGradGuard noGrad;
    state->weightDesc = desc->weights_desc();
    state->weight = onednn::reordered(
        weight.detach().to(torch::kBFloat16).contiguous(),
        memory::desc(onednn::dimsOf(weight.sizes()), memory::data_type::bf16, memory::format_tag::oihw),
        state->weightDesc);
    state->addRun(inputSizes, *desc);
    return std::unique_ptr<ChannelsLastConvolution>(new ChannelsLastConvolution(std::move(state)));
}

bool ChannelsLastConvolution::fits(c10::IntArrayRef inputSizes) {
    if (state_->runs.find(inputSizes)) return true;
    const auto desc = state_->describe(inputSizes, state_->anyWeights());
    if (!desc || desc->weights_desc() != state_->weightDesc) return false;
    state_->addRun(inputSizes, *desc);
    return true;
}

torch::Tensor ChannelsLastConvolution::forward(const torch::Tensor& x) {
    RECORD_USER_SCOPE("daam::channels_last_convolution"); // oneDNN's primitive is no aten op (OpProfile.h)
    ChannelsLastRun* run = state_->runs.find(x.sizes());
    if (!run || x.scalar_type() != torch::kBFloat16 || !x.device().is_cpu())
        throw std::invalid_argument("ChannelsLastConvolution::forward: an input it was not made for");
    const torch::Tensor input = x.contiguous(c10::MemoryFormat::ChannelsLast);
    torch::Tensor output = torch::empty(run->outputSizes, x.options().memory_format(c10::MemoryFormat::ChannelsLast));
    const torch::Tensor scratchpad = onednn::bufferFor(run->scratchpad);
    const auto& engine = onednn::cpuEngine();
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(run->src, engine, input.data_ptr())},
        {DNNL_ARG_WEIGHTS, memory(state_->weightDesc, engine, state_->weight.data_ptr())},
        {DNNL_ARG_DST, memory(run->dst, engine, output.data_ptr())},
        {DNNL_ARG_SCRATCHPAD, memory(run->scratchpad, engine, scratchpad.data_ptr())}};
    if (state_->bias.defined())
        args.emplace(DNNL_ARG_BIAS,
                     memory(memory::desc({state_->bias.size(0)}, memory::data_type::bf16, memory::format_tag::x),
                            engine, state_->bias.data_ptr()));
    // oneDNN runs on the calling thread's OpenMP team: size it as LibTorch's own operators do.
    at::internal::lazy_init_num_threads();
    dnnl::stream stream(engine);
    run->convolution.execute(stream, args);
    stream.wait();
    return output;
}

#else // no oneDNN headers in this build

struct ChannelsLastConvolution::State {};

bool ChannelsLastConvolution::compiledIn() {
    return false;
}

std::unique_ptr<ChannelsLastConvolution> ChannelsLastConvolution::make(const torch::Tensor&, const torch::Tensor&,
                                                                       const ConvolutionGeometry&, c10::IntArrayRef) {
    return nullptr;
}

bool ChannelsLastConvolution::fits(c10::IntArrayRef) {
    return false;
}

torch::Tensor ChannelsLastConvolution::forward(const torch::Tensor&) {
    throw std::logic_error("ChannelsLastConvolution::forward: built without oneDNN");
}

#endif

ChannelsLastConvolution::ChannelsLastConvolution(std::unique_ptr<State> state) : state_(std::move(state)) {}
ChannelsLastConvolution::~ChannelsLastConvolution() = default;

} // namespace daam
