// SPDX-License-Identifier: GPL-3.0-or-later
#include "OverlayRenderer.h"

#include <algorithm>
#include <cmath>

namespace daam::ui {

namespace {

struct Rgbf {
    float r = 0, g = 0, b = 0;
};

Rgbf toRgbf(const QColor& c) {
    return {float(c.red()), float(c.green()), float(c.blue())};
}

Rgbf mapColor(daam::ColorMapName map, float h) {
    const auto& table = daam::colorTable(map);
    const auto c = table[static_cast<size_t>(daam::colorIndex(h))];
    return {float(c.r), float(c.g), float(c.b)};
}

uchar toByte(float v) {
    return static_cast<uchar>(std::clamp(v, 0.0f, 255.0f) + 0.5f);
}

} // namespace

QColor wordColor(int position, int count) {
    // Evenly spaced hues from red; with few words they stay far apart.
    const int n = std::max(count, 1);
    return QColor::fromHsvF(std::fmod(double(position) / n, 1.0), 0.9, 1.0);
}

QImage renderOverlay(const QImage& image, const std::vector<const HeatMap*>& maps, const OverlayStyle& style) {
    QImage out = image.convertToFormat(QImage::Format_RGB888);
    std::vector<const HeatMap*> usable;
    for (const auto* m : maps)
        if (m && !m->empty() && m->width == out.width() && m->height == out.height()) usable.push_back(m);
    if (usable.empty() || out.isNull()) return out;

    const int w = out.width(), h = out.height();
    const float a = static_cast<float>(std::clamp(style.opacity, 0.0, 1.0));
    const float tau = static_cast<float>(style.threshold);
    const bool single = usable.size() == 1;
    std::vector<Rgbf> hues;
    for (size_t i = 0; i < usable.size(); ++i)
        hues.push_back(single ? mapColor(style.colorMap, 1.0f) : toRgbf(wordColor(int(i), int(usable.size()))));

    if (single && style.maskMode == MaskMode::None) {
        // One word's heat map, the common case, apart from the per-pixel choices below: the colour table is looked
        // up once instead of per pixel (bench_ui_scrub: the overlay at SDXL's size).
        const auto& table = daam::colorTable(style.colorMap);
        const float* values = usable[0]->values.data();
        for (int y = 0; y < h; ++y) {
            uchar* line = out.scanLine(y);
            const float* row = values + size_t(y) * w;
            for (int x = 0; x < w; ++x) {
                const float v = std::clamp(row[x], 0.0f, 1.0f);
                const auto& c = table[static_cast<size_t>(daam::colorIndex(v))];
                const float k = a * v;
                line[3 * x] = toByte(float(line[3 * x]) * (1 - k) + float(c.r) * k);
                line[3 * x + 1] = toByte(float(line[3 * x + 1]) * (1 - k) + float(c.g) * k);
                line[3 * x + 2] = toByte(float(line[3 * x + 2]) * (1 - k) + float(c.b) * k);
            }
        }
        return out;
    }

    auto inside = [&](size_t k, int x, int y) {
        return x >= 0 && y >= 0 && x < w && y < h && usable[k]->at(x, y) > tau;
    };

    for (int y = 0; y < h; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < w; ++x) {
            Rgbf px{float(line[3 * x]), float(line[3 * x + 1]), float(line[3 * x + 2])};
            Rgbf result = px;
            if (style.maskMode == MaskMode::None) { // several words (one is drawn above)
                // Each word's hue weighted by its heat; the strongest heat sets how much colour shows.
                Rgbf c;
                float sum = 0, peak = 0;
                for (size_t k = 0; k < usable.size(); ++k) {
                    const float v = std::clamp(usable[k]->at(x, y), 0.0f, 1.0f);
                    c.r += hues[k].r * v;
                    c.g += hues[k].g * v;
                    c.b += hues[k].b * v;
                    sum += v;
                    peak = std::max(peak, v);
                }
                if (sum > 0) {
                    const float k = a * peak;
                    result = {px.r * (1 - k) + c.r / sum * k, px.g * (1 - k) + c.g / sum * k,
                              px.b * (1 - k) + c.b / sum * k};
                }
            } else if (style.maskMode == MaskMode::Fill) {
                for (size_t k = 0; k < usable.size(); ++k)
                    if (inside(k, x, y))
                        result = {result.r * (1 - a) + hues[k].r * a, result.g * (1 - a) + hues[k].g * a,
                                  result.b * (1 - a) + hues[k].b * a};
            } else if (style.maskMode == MaskMode::Outline) {
                for (size_t k = 0; k < usable.size(); ++k) {
                    if (!inside(k, x, y)) continue;
                    // A boundary pixel has a neighbour outside within 2 pixels: lines stay visible when zoomed out.
                    bool edge = false;
                    for (int d = 1; d <= 2 && !edge; ++d)
                        edge = !inside(k, x - d, y) || !inside(k, x + d, y) || !inside(k, x, y - d) ||
                               !inside(k, x, y + d);
                    if (edge) result = hues[k];
                }
            } else { // Cutout: only what some selected word's mask covers stays visible.
                bool any = false;
                for (size_t k = 0; k < usable.size() && !any; ++k)
                    any = inside(k, x, y);
                if (!any) {
                    const float keep = 0.15f;
                    result = {px.r * keep, px.g * keep, px.b * keep};
                }
            }
            line[3 * x] = toByte(result.r);
            line[3 * x + 1] = toByte(result.g);
            line[3 * x + 2] = toByte(result.b);
        }
    }
    return out;
}

QImage renderHeat(const HeatMap& map, daam::ColorMapName colorMap) {
    QImage out(map.width, map.height, QImage::Format_RGB888);
    for (int y = 0; y < map.height; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < map.width; ++x) {
            const Rgbf c = mapColor(colorMap, map.at(x, y));
            line[3 * x] = toByte(c.r);
            line[3 * x + 1] = toByte(c.g);
            line[3 * x + 2] = toByte(c.b);
        }
    }
    return out;
}

QImage renderMask(const HeatMap& map, double tau) {
    QImage out(map.width, map.height, QImage::Format_Grayscale8);
    for (int y = 0; y < map.height; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < map.width; ++x)
            line[x] = map.at(x, y) > tau ? 255 : 0;
    }
    return out;
}

} // namespace daam::ui
