// SPDX-License-Identifier: GPL-3.0-or-later
// A bfloat16 convolution run by oneDNN directly on channels-last (NHWC) activations, from a copy of the weight
// reordered once into the layout oneDNN's kernel reads.
//
// Why: LibTorch 1.13's mkldnn_convolution takes a weight packed once, but turns a channels-last input into NCHW,
// and oneDNN then reorders NCHW to its blocked layout and back on every call. Run on NHWC itself, SD 1.5's bf16 3×3
// convolutions took 0.82-0.95 of the time (bench_conv_layouts, Zen 5), so a bf16 UNet keeps its activations
// channels-last from its first convolution to its last (DenseLayers.h).
//
// oneDNN's weight layout may depend on the input's size: a call whose size needs another layout reorders the weight
// again. make() returns nullptr where oneDNN has no bf16 kernel (no AVX-512 BF16), and in builds without oneDNN's
// headers (DAAM_HAVE_ONEDNN unset, as against PyTorch's own LibTorch).
#pragma once

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <memory>

namespace daam {

struct ConvolutionGeometry {
    std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
    int64_t groups = 1; // only 1 is run
};

class ChannelsLastConvolution {
public:
    static bool compiledIn();

    // For bf16 inputs of `inputSizes` [N, C, H, W]: `weight` [O, C, kH, kW] of any floating dtype (converted to bf16
    // once), `bias` [O] bf16 or undefined (shared, not copied); nullptr for grouped convolutions.
    static std::unique_ptr<ChannelsLastConvolution> make(const torch::Tensor& weight, const torch::Tensor& bias,
                                                         const ConvolutionGeometry& geometry,
                                                         c10::IntArrayRef inputSizes);
    ~ChannelsLastConvolution();

    // Whether forward() can take inputs of this size with the weight as reordered now.
    bool fits(c10::IntArrayRef inputSizes);
    // x: bf16 [N, C, H, W] with fits(x.sizes()), in any layout (copied to channels-last unless it is); returns a
    // channels-last [N, O, H', W'].
    torch::Tensor forward(const torch::Tensor& x);

private:
    struct State;
    explicit ChannelsLastConvolution(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

} // namespace daam
