// SPDX-License-Identifier: GPL-3.0-or-later
// The bf16 UNet on the CPU keeps its activations channels-last between convolutions (ChannelsLastConvolution); the
// layers in between ask this to keep that layout rather than convert.
#pragma once

#include <torch/types.h>

namespace daam {

// Channels-last [N, C, H, W] and not also contiguous (a map of one pixel or one channel is both).
inline bool isChannelsLast(const torch::Tensor& x) {
    return x.dim() == 4 && !x.is_contiguous() && x.is_contiguous(torch::MemoryFormat::ChannelsLast);
}

} // namespace daam
