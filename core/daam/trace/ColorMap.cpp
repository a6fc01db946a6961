// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/ColorMap.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

namespace daam {

namespace {

// kViridis, kInferno, kMagma, kPlasma, kCividis, kTurbo: matplotlib's tables, written by tools/gen_colormaps.py.
#include "daam/trace/ColorMapTables.inc"

constexpr ColorMapName kAllMaps[] = {ColorMapName::Jet,     ColorMapName::Viridis, ColorMapName::Inferno,
                                     ColorMapName::Gray,    ColorMapName::Magma,   ColorMapName::Plasma,
                                     ColorMapName::Cividis, ColorMapName::Turbo};
constexpr int kMapCount = int(std::size(kAllMaps));

// matplotlib's table of a listed map; null for jet and gray, which are defined by breakpoints.
const double (*listedTable(ColorMapName map))[3] {
    switch (map) {
    case ColorMapName::Viridis:
        return kViridis;
    case ColorMapName::Inferno:
        return kInferno;
    case ColorMapName::Magma:
        return kMagma;
    case ColorMapName::Plasma:
        return kPlasma;
    case ColorMapName::Cividis:
        return kCividis;
    case ColorMapName::Turbo:
        return kTurbo;
    case ColorMapName::Jet:
    case ColorMapName::Gray:
        break;
    }
    return nullptr;
}

// matplotlib's Colormap.__call__(x, bytes=True) for a float x in [0, 1] and N = 256: xa *= N, then
// xa == N becomes N - 1 and astype(int) truncates; the table becomes bytes as (lut * 255).astype(uint8),
// which truncates too. Both products are IEEE doubles, as numpy's float64 are, so the bytes agree exactly.
Rgb8 listedColour(const double (*table)[3], double x) {
    const int i = std::min(static_cast<int>(x * 256), 255);
    return {static_cast<uint8_t>(table[i][0] * 255), static_cast<uint8_t>(table[i][1] * 255),
            static_cast<uint8_t>(table[i][2] * 255)};
}

// matplotlib's jet, channel by channel: (x, value) breakpoints.
float ramp(float x, const std::vector<std::array<float, 2>>& points) {
    if (x <= points.front()[0]) return points.front()[1];
    for (size_t i = 1; i < points.size(); ++i)
        if (x <= points[i][0]) {
            const float t = (x - points[i - 1][0]) / (points[i][0] - points[i - 1][0]);
            return points[i - 1][1] + t * (points[i][1] - points[i - 1][1]);
        }
    return points.back()[1];
}

// Jet (matplotlib's segment data, each channel a ramp with plateaus) and gray, in single precision as they
// always were, so that figures made before the listed maps came keep every byte.
Rgb8 rampColour(ColorMapName map, float x) {
    std::array<float, 3> rgb{x, x, x};
    if (map == ColorMapName::Jet) {
        static const std::vector<std::array<float, 2>> red = {{0, 0}, {0.35f, 0}, {0.66f, 1}, {0.89f, 1}, {1, 0.5f}};
        static const std::vector<std::array<float, 2>> green = {{0, 0},     {0.125f, 0}, {0.375f, 1},
                                                                {0.64f, 1}, {0.91f, 0},  {1, 0}};
        static const std::vector<std::array<float, 2>> blue = {{0, 0.5f}, {0.11f, 1}, {0.34f, 1}, {0.65f, 0}, {1, 0}};
        rgb = {ramp(x, red), ramp(x, green), ramp(x, blue)};
    }
    return {static_cast<uint8_t>(std::lround(rgb[0] * 255)), static_cast<uint8_t>(std::lround(rgb[1] * 255)),
            static_cast<uint8_t>(std::lround(rgb[2] * 255))};
}

} // namespace

const char* colorMapId(ColorMapName map) {
    switch (map) {
    case ColorMapName::Jet:
        return "jet";
    case ColorMapName::Viridis:
        return "viridis";
    case ColorMapName::Inferno:
        return "inferno";
    case ColorMapName::Gray:
        return "gray";
    case ColorMapName::Magma:
        return "magma";
    case ColorMapName::Plasma:
        return "plasma";
    case ColorMapName::Cividis:
        return "cividis";
    case ColorMapName::Turbo:
        return "turbo";
    }
    return "jet";
}

bool parseColorMap(const std::string& id, ColorMapName& out) {
    for (auto m : kAllMaps)
        if (id == colorMapId(m)) {
            out = m;
            return true;
        }
    return false;
}

Rgb8 colorAt(ColorMapName map, double x) {
    // std::clamp passes NaN through, and NaN * 256 has no int; matplotlib would give its transparent "bad"
    // colour, which an Rgb8 cannot hold, so NaN takes the low end.
    x = std::isnan(x) ? 0.0 : std::clamp(x, 0.0, 1.0);
    if (const auto* table = listedTable(map)) return listedColour(table, x);
    return rampColour(map, static_cast<float>(x));
}

const std::array<Rgb8, 256>& colorTable(ColorMapName map) {
    static const auto tables = [] {
        std::array<std::array<Rgb8, 256>, kMapCount> t{};
        for (int m = 0; m < kMapCount; ++m)
            for (int i = 0; i < 256; ++i)
                t[m][i] = colorAt(static_cast<ColorMapName>(m), i / 255.0);
        return t;
    }();
    return tables[static_cast<int>(map)];
}

} // namespace daam
