// SPDX-License-Identifier: GPL-3.0-or-later
// A float32 3×3 convolution (stride 1, no dilation, one group, zero padding) run by oneDNN's Winograd kernels
// (F(4×4, 3×3), and F(2×2, 3×3) for small inputs) from a copy of the weight transformed once.
//
// Why: on 2 threads of this AMD EPYC, SD 1.5's 3×3 convolutions run at 230-240 GFLOP/s direct, the CPU's fp32
// peak, and at 650-760 GFLOP/s-equivalent this way (64×64 and 32×32 inputs; 357 at 8×8), 1.5e-6 relative to the
// direct result. The transformed weight is four times the plain one (F(2×2, 3×3): 1.8 times), so Conv2d keeps it
// only where the input is large (DenseLayers.h).
//
// oneDNN's transformed layout depends on the input's size: a call whose size needs another layout transforms the
// weight again. The kernels exist for AVX-512 CPUs only; make() says so by returning nullptr elsewhere, and in
// builds without oneDNN's headers (DAAM_HAVE_ONEDNN unset, as against PyTorch's own LibTorch).
#pragma once

#include <torch/types.h>

#include <array>
#include <cstdint>
#include <memory>

namespace daam {

class WinogradConvolution {
public:
    // Whether this build can run oneDNN's Winograd kernels at all.
    static bool compiledIn();

    // For inputs of `inputSizes` [N, C, H, W]: nullptr where oneDNN has no Winograd kernel for them on this CPU, or
    // the weight is not a contiguous-able float32 [O, C, 3, 3].
    static std::unique_ptr<WinogradConvolution> make(const torch::Tensor& weight, const torch::Tensor& bias,
                                                     std::array<int64_t, 2> padding, c10::IntArrayRef inputSizes);
    ~WinogradConvolution();

    // Whether forward() can take inputs of this size with the weight as transformed now.
    bool fits(c10::IntArrayRef inputSizes);
    // x: float32 [N, C, H, W] with fits(x.sizes()); returns a contiguous [N, O, H', W'].
    torch::Tensor forward(const torch::Tensor& x);
    // The transformed weight's size.
    std::size_t weightBytes() const;

private:
    struct State;
    explicit WinogradConvolution(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

} // namespace daam
