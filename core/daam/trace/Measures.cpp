// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/Measures.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

namespace {
void checkShapes(const torch::Tensor& a, const torch::Tensor& b) {
    if (a.sizes() != b.sizes())
        throw Error("masks of different sizes cannot be compared (" + std::to_string(a.size(-1)) + "x" +
                    std::to_string(a.size(0)) + " vs " + std::to_string(b.size(-1)) + "x" + std::to_string(b.size(0)) +
                    ")");
}
} // namespace

double maskIoU(const torch::Tensor& a, const torch::Tensor& b) {
    checkShapes(a, b);
    const auto x = a.ne(0), y = b.ne(0);
    const double inter = (x & y).sum().item<double>();
    const double uni = (x | y).sum().item<double>();
    return uni == 0 ? 1.0 : inter / uni;
}

double maskIoA(const torch::Tensor& a, const torch::Tensor& b) {
    checkShapes(a, b);
    const auto x = a.ne(0), y = b.ne(0);
    const double area = x.sum().item<double>();
    return area == 0 ? 0.0 : (x & y).sum().item<double>() / area;
}

double meanIoU(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    if (a.size() != b.size() || a.empty()) throw Error("mean IoU needs two equally long, non-empty lists of masks");
    double total = 0;
    for (size_t i = 0; i < a.size(); ++i)
        total += maskIoU(a[i], b[i]);
    return total / static_cast<double>(a.size());
}

torch::Tensor readMaskPng(const std::string& path) {
    const auto image = readPng(path);
    auto pixels = torch::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                                   {image.height, image.width, image.channels}, torch::kUInt8);
    const bool alpha = image.channels == 2 || image.channels == 4;
    auto mask = alpha ? pixels.select(2, image.channels - 1).ne(0) : pixels.ne(0).any(2);
    return mask.to(torch::kUInt8).clone();
}

} // namespace daam
