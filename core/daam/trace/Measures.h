// SPDX-License-Identifier: GPL-3.0-or-later
// Comparing binary maps (DAAM masks, reference segmentations): intersection over union, and
// intersection over the first map's area (IoA), as in the paper's analyses of how words interact.
#pragma once

#include "daam/io/PngImage.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace daam {

// a, b: masks of one shape (any dtype; non-zero = inside). IoU of two empty masks is defined as 1.
double maskIoU(const torch::Tensor& a, const torch::Tensor& b);
// |a ∩ b| / |a|; 0 when a is empty.
double maskIoA(const torch::Tensor& a, const torch::Tensor& b);
// Mean of the IoUs of the pairs (a[i], b[i]).
double meanIoU(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b);

// A reference mask from a PNG: the alpha channel when there is one, else any non-zero colour.
// uint8 [H, W] of 0/1. Throws FileError when unreadable.
torch::Tensor readMaskPng(const std::string& path);

} // namespace daam
