// SPDX-License-Identifier: GPL-3.0-or-later
// Colour maps for heat maps: jet (as the DAAM paper's figures use) and perceptually uniform ones.
// Torch-free, so that widgets can use the same tables as the core's renderers.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace daam {

enum class ColorMapName { Jet, Viridis, Inferno, Gray };

const char* colorMapId(ColorMapName map); // "jet", "viridis", "inferno", "gray"
bool parseColorMap(const std::string& id, ColorMapName& out);

struct Rgb8 {
    uint8_t r = 0, g = 0, b = 0;
};

// The colour of x in [0, 1] (clamped).
Rgb8 colorAt(ColorMapName map, double x);
// 256 entries: colorAt(map, i / 255).
const std::array<Rgb8, 256>& colorTable(ColorMapName map);

} // namespace daam
