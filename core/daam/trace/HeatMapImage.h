// SPDX-License-Identifier: GPL-3.0-or-later
// Heat maps as pictures: colour-mapped maps, and the overlay of a map on its image the way the DAAM
// paper's figures draw it (castorini/daam plot_overlay_heat_map: the colour-mapped heat under the image,
// whose opacity is 1 - heat, so hot regions show the colour and cold ones the picture).
#pragma once

#include "daam/io/PngImage.h"
#include "daam/trace/ColorMap.h"

#include <torch/types.h>

namespace daam {

// values [H, W] in [0, 1] (clamped) -> uint8 [H, W, 3].
torch::Tensor applyColorMap(const torch::Tensor& values, ColorMapName map = ColorMapName::Jet);

// image uint8 [H, W, 3], heat [H, W] in [0, 1] -> uint8 [H, W, 3]: image (1 - a h) + colour(h) a h,
// with a the overlay's opacity (1 reproduces the paper's figures).
torch::Tensor overlayHeatMap(const torch::Tensor& image, const torch::Tensor& heat,
                             ColorMapName map = ColorMapName::Jet, double opacity = 1.0);

// Conversions between PngImage (8-bit RGB/RGBA/grey) and uint8 [H, W, C] tensors.
torch::Tensor imageToTensor(const PngImage& image);
PngImage tensorToImage(const torch::Tensor& pixels);

} // namespace daam
