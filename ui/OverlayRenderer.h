// SPDX-License-Identifier: GPL-3.0-or-later
// Drawing heat maps over the image, torch-free so that views, exports and tests share one renderer.
// A single word is drawn the way the DAAM paper's figures are (castorini/daam plot_overlay_heat_map:
// image (1 - a h) + colour(h) a h with the chosen colour map); several words each get their own hue and
// are blended by their heat, because one colour map cannot tell words apart.
#pragma once

#include "ExplorationTypes.h"

#include <QColor>
#include <QImage>

namespace daam::ui {

struct OverlayStyle {
    daam::ColorMapName colorMap = daam::ColorMapName::Jet;
    double opacity = 0.6;
    MaskMode maskMode = MaskMode::None;
    double threshold = 0.4;
    bool operator==(const OverlayStyle& o) const {
        return colorMap == o.colorMap && opacity == o.opacity && maskMode == o.maskMode && threshold == o.threshold;
    }
    bool operator!=(const OverlayStyle& o) const { return !(*this == o); }
};

// The hue of the `position`-th of `count` selected words.
QColor wordColor(int position, int count);

// `image` (any format) with `maps` (each at the image's size) drawn over it; RGB888.
QImage renderOverlay(const QImage& image, const std::vector<const HeatMap*>& maps, const OverlayStyle& style);

// The colour-mapped map alone, RGB888 (figure panels).
QImage renderHeat(const HeatMap& map, daam::ColorMapName colorMap);

// 255 where map > tau, else 0; Grayscale8.
QImage renderMask(const HeatMap& map, double tau);

} // namespace daam::ui
