// SPDX-License-Identifier: GPL-3.0-or-later
// Colour maps for heat maps: jet (as the DAAM paper's figures use), matplotlib's perceptually uniform maps
// (viridis, inferno, magma, plasma, cividis) and Google's turbo, exactly as matplotlib draws them, and gray.
// Torch-free, so that widgets can use the same tables as the core's renderers.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace daam {

// The values are stored in the GUI's settings (display/colorMap), so new maps are appended, never inserted.
enum class ColorMapName { Jet, Viridis, Inferno, Gray, Magma, Plasma, Cividis, Turbo };

// "jet", "viridis", "inferno", "gray", "magma", "plasma", "cividis", "turbo".
const char* colorMapId(ColorMapName map);
bool parseColorMap(const std::string& id, ColorMapName& out);

struct Rgb8 {
    uint8_t r = 0, g = 0, b = 0;
};

// The colour of x in [0, 1] (clamped; NaN counts as 0). The listed maps (viridis, inferno, magma, plasma,
// cividis, turbo) give what matplotlib's cmap(x, bytes=True) gives: entry min(int(x * 256), 255) of the
// 256-entry table, each channel truncated to a byte as uint8(value * 255). Jet and gray interpolate their
// definitions and round to the nearest byte.
Rgb8 colorAt(ColorMapName map, double x);
// 256 entries: colorAt(map, i / 255). For the listed maps, entry i is exactly table entry i of matplotlib
// (i / 255 * 256 truncates to i for every i); matplotlib samples jet at i / 255 too.
const std::array<Rgb8, 256>& colorTable(ColorMapName map);
// The entry of colorTable that matplotlib's cmap(x) takes, as every renderer here indexes it: x clamped to
// [0, 1] (NaN as 0), then min(int(x * 256), 255).
inline int colorIndex(double x) {
    if (!(x > 0)) return 0; // NaN too
    return x >= 1 ? 255 : static_cast<int>(x * 256);
}

} // namespace daam
