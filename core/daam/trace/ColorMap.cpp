// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/ColorMap.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace daam {

namespace {

struct Knot {
    float x, r, g, b;
};

// Piecewise-linear definitions. Jet: matplotlib's segment data (each channel a ramp with plateaus).
// Viridis and inferno: a few anchors of the published perceptually uniform maps, interpolated linearly
// in sRGB (close enough for display; not a lookup table of the originals).
const std::vector<Knot>& knots(ColorMapName map) {
    static const std::vector<Knot> viridis = {{0.00f, 0.267f, 0.005f, 0.329f},
                                              {0.25f, 0.229f, 0.322f, 0.546f},
                                              {0.50f, 0.128f, 0.567f, 0.551f},
                                              {0.75f, 0.369f, 0.789f, 0.383f},
                                              {1.00f, 0.993f, 0.906f, 0.144f}};
    static const std::vector<Knot> inferno = {{0.00f, 0.001f, 0.000f, 0.014f},
                                              {0.25f, 0.341f, 0.062f, 0.429f},
                                              {0.50f, 0.735f, 0.216f, 0.330f},
                                              {0.75f, 0.978f, 0.557f, 0.035f},
                                              {1.00f, 0.988f, 0.998f, 0.645f}};
    static const std::vector<Knot> gray = {{0.0f, 0, 0, 0}, {1.0f, 1, 1, 1}};
    switch (map) {
    case ColorMapName::Viridis:
        return viridis;
    case ColorMapName::Inferno:
        return inferno;
    case ColorMapName::Gray:
        return gray;
    case ColorMapName::Jet:
        break;
    }
    static const std::vector<Knot> none;
    return none;
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

Rgb8 colour(ColorMapName map, float x) {
    std::array<float, 3> rgb{};
    if (map == ColorMapName::Jet) {
        static const std::vector<std::array<float, 2>> red = {{0, 0}, {0.35f, 0}, {0.66f, 1}, {0.89f, 1}, {1, 0.5f}};
        static const std::vector<std::array<float, 2>> green = {{0, 0},     {0.125f, 0}, {0.375f, 1},
                                                                {0.64f, 1}, {0.91f, 0},  {1, 0}};
        static const std::vector<std::array<float, 2>> blue = {{0, 0.5f}, {0.11f, 1}, {0.34f, 1}, {0.65f, 0}, {1, 0}};
        rgb = {ramp(x, red), ramp(x, green), ramp(x, blue)};
    } else {
        const auto& k = knots(map);
        size_t i = 1;
        while (i + 1 < k.size() && x > k[i].x)
            ++i;
        const float t = std::clamp((x - k[i - 1].x) / (k[i].x - k[i - 1].x), 0.0f, 1.0f);
        rgb = {k[i - 1].r + t * (k[i].r - k[i - 1].r), k[i - 1].g + t * (k[i].g - k[i - 1].g),
               k[i - 1].b + t * (k[i].b - k[i - 1].b)};
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
    }
    return "jet";
}

bool parseColorMap(const std::string& id, ColorMapName& out) {
    for (auto m : {ColorMapName::Jet, ColorMapName::Viridis, ColorMapName::Inferno, ColorMapName::Gray})
        if (id == colorMapId(m)) {
            out = m;
            return true;
        }
    return false;
}

Rgb8 colorAt(ColorMapName map, double x) {
    return colour(map, static_cast<float>(std::clamp(x, 0.0, 1.0)));
}

const std::array<Rgb8, 256>& colorTable(ColorMapName map) {
    static const auto tables = [] {
        std::array<std::array<Rgb8, 256>, 4> t{};
        for (int m = 0; m < 4; ++m)
            for (int i = 0; i < 256; ++i)
                t[m][i] = colour(static_cast<ColorMapName>(m), i / 255.0f);
        return t;
    }();
    return tables[static_cast<int>(map)];
}

} // namespace daam
