// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/HeatMapImage.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

torch::Tensor applyColorMap(const torch::Tensor& values, ColorMapName map) {
    const auto& entries = colorTable(map);
    auto table = torch::empty({256, 3}, torch::kUInt8);
    auto t = table.accessor<uint8_t, 2>();
    for (int i = 0; i < 256; ++i) {
        t[i][0] = entries[i].r;
        t[i][1] = entries[i].g;
        t[i][2] = entries[i].b;
    }
    // colorIndex, on a tensor: x * 256 is exact in float32 as in double, so the entries agree.
    auto index = (values.to(torch::kFloat32).nan_to_num(0.0).clamp(0, 1) * 256).floor().clamp_max(255).to(torch::kLong);
    return table.index_select(0, index.flatten()).reshape({values.size(0), values.size(1), 3});
}

torch::Tensor overlayHeatMap(const torch::Tensor& image, const torch::Tensor& heat, ColorMapName map, double opacity) {
    if (image.dim() != 3 || image.size(2) < 3 || image.size(0) != heat.size(0) || image.size(1) != heat.size(1))
        throw Error("the heat map and the image differ in size");
    auto h = heat.to(torch::kFloat32).clamp(0, 1).unsqueeze(-1) * opacity;
    auto colours = applyColorMap(heat, map).to(torch::kFloat32);
    auto rgb = image.narrow(2, 0, 3).to(torch::kFloat32);
    return (rgb * (1 - h) + colours * h).round().clamp(0, 255).to(torch::kUInt8);
}

torch::Tensor imageToTensor(const PngImage& image) {
    return torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {image.height, image.width, image.channels},
                            torch::kUInt8)
        .clone();
}

PngImage tensorToImage(const torch::Tensor& pixels) {
    auto p = pixels.to(torch::kCPU, torch::kUInt8).contiguous();
    if (p.dim() == 2) p = p.unsqueeze(-1);
    PngImage image;
    image.height = static_cast<int>(p.size(0));
    image.width = static_cast<int>(p.size(1));
    image.channels = static_cast<int>(p.size(2));
    image.pixels.assign(p.data_ptr<uint8_t>(), p.data_ptr<uint8_t>() + p.numel());
    return image;
}

} // namespace daam
