// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/ShapeJudge.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace daam::builtin {
namespace {
// Squared RGB distance beyond which a pixel belongs to no colour (a generator's blur and noise stay within).
constexpr int kMaxDistance2 = 90 * 90;
} // namespace

torch::Tensor colourMask(const torch::Tensor& image, Colour colour) {
    const auto img = image.to(torch::kInt32);
    auto distance2 = [&](const int rgb[3]) {
        auto d = torch::zeros({img.size(0), img.size(1)}, torch::kInt32);
        for (int c = 0; c < 3; ++c)
            d += (img.select(2, c) - rgb[c]).pow(2);
        return d;
    };
    uint8_t own[3];
    colourRgb(colour, own);
    const int ownRgb[3] = {own[0], own[1], own[2]};
    const auto mine = distance2(ownRgb);
    uint8_t background[3];
    backgroundRgb(background);
    const int backgroundInt[3] = {background[0], background[1], background[2]};
    auto mask = mine.lt(kMaxDistance2) & mine.lt(distance2(backgroundInt));
    for (int k = 0; k < kColourCount; ++k) {
        if (k == static_cast<int>(colour)) continue;
        uint8_t other[3];
        colourRgb(static_cast<Colour>(k), other);
        const int otherRgb[3] = {other[0], other[1], other[2]};
        mask &= mine.lt(distance2(otherRgb));
    }
    return mask.to(torch::kUInt8);
}

std::vector<torch::Tensor> regions(const torch::Tensor& mask) {
    const auto m = mask.to(torch::kUInt8).contiguous();
    const int64_t h = m.size(0), w = m.size(1);
    const auto* in = m.data_ptr<uint8_t>();
    std::vector<int> label(static_cast<size_t>(h * w), 0);
    std::vector<int64_t> stack, sizes{0};
    for (int64_t start = 0; start < h * w; ++start) {
        if (!in[start] || label[start]) continue;
        const int id = static_cast<int>(sizes.size());
        int64_t size = 0;
        stack.assign(1, start);
        label[start] = id;
        while (!stack.empty()) {
            const int64_t p = stack.back();
            stack.pop_back();
            ++size;
            const int64_t y = p / w, x = p % w;
            const int64_t next[4] = {y > 0 ? p - w : -1, y + 1 < h ? p + w : -1, x > 0 ? p - 1 : -1,
                                     x + 1 < w ? p + 1 : -1};
            for (int64_t q : next)
                if (q >= 0 && in[q] && !label[q]) {
                    label[q] = id;
                    stack.push_back(q);
                }
        }
        sizes.push_back(size);
    }
    std::vector<int> order(sizes.size() - 1);
    for (size_t k = 0; k < order.size(); ++k)
        order[k] = static_cast<int>(k + 1);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sizes[a] > sizes[b]; });
    const auto labels = torch::from_blob(label.data(), {h, w}, torch::kInt32);
    std::vector<torch::Tensor> out;
    for (int id : order)
        out.push_back(labels.eq(id).to(torch::kUInt8));
    return out;
}

torch::Tensor largestRegion(const torch::Tensor& mask) {
    auto all = regions(mask);
    return all.empty() ? torch::zeros({mask.size(0), mask.size(1)}, torch::kUInt8) : all.front();
}

ShapeFeatures shapeFeatures(const torch::Tensor& region) {
    ShapeFeatures f;
    const auto nz = region.nonzero().to(torch::kInt64).contiguous(); // [n, 2] (y, x)
    f.area = nz.size(0);
    if (f.area == 0) return f;
    const auto* p = nz.data_ptr<int64_t>();
    int64_t y0 = p[0], y1 = p[0], x0 = p[1], x1 = p[1];
    // Per row, the leftmost and rightmost pixel centres: enough points for the convex hull.
    std::map<int64_t, std::pair<int64_t, int64_t>> rows;
    for (int64_t k = 0; k < f.area; ++k) {
        const int64_t y = p[2 * k], x = p[2 * k + 1];
        y0 = std::min(y0, y), y1 = std::max(y1, y), x0 = std::min(x0, x), x1 = std::max(x1, x);
        auto it = rows.find(y);
        if (it == rows.end())
            rows[y] = {x, x};
        else
            it->second = {std::min(it->second.first, x), std::max(it->second.second, x)};
    }
    f.fill = double(f.area) / double((y1 - y0 + 1) * (x1 - x0 + 1));
    std::vector<std::pair<double, double>> pts;
    for (const auto& [y, span] : rows) {
        pts.emplace_back(double(span.first), double(y));
        if (span.second != span.first) pts.emplace_back(double(span.second), double(y));
    }
    std::sort(pts.begin(), pts.end());
    // Andrew's monotone chain.
    auto cross = [](const auto& o, const auto& a, const auto& b) {
        return (a.first - o.first) * (b.second - o.second) - (a.second - o.second) * (b.first - o.first);
    };
    std::vector<std::pair<double, double>> hull(2 * pts.size());
    size_t k = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
        while (k >= 2 && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0)
            --k;
        hull[k++] = pts[i];
    }
    for (size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
        while (k >= t && cross(hull[k - 2], hull[k - 1], pts[i - 1]) <= 0)
            --k;
        hull[k++] = pts[i - 1];
    }
    hull.resize(k > 1 ? k - 1 : k);
    double area2 = 0, perimeter = 0;
    for (size_t i = 0; i < hull.size(); ++i) {
        const auto& a = hull[i];
        const auto& b = hull[(i + 1) % hull.size()];
        area2 += a.first * b.second - b.first * a.second;
        perimeter += std::hypot(b.first - a.first, b.second - a.second);
    }
    // Pixels a convex region of this hull would hold (its area plus the half-pixel rim, as Pick's theorem).
    const double convexPixels = std::abs(area2) / 2 + perimeter / 2 + 1;
    f.solidity = double(f.area) / convexPixels;
    f.hullFill = convexPixels / double((y1 - y0 + 1) * (x1 - x0 + 1));
    return f;
}

bool classifyShape(const torch::Tensor& region, Shape& shape, int64_t minArea) {
    const auto f = shapeFeatures(region);
    if (f.area < minArea) return false;
    // A star is the only concave shape; the convex ones differ in how much of their box their hull fills
    // (triangle 0.5, circle 0.79, square 1). The hull, unlike the pixel count, shrugs off ragged edges.
    if (f.solidity < kStarSolidity)
        shape = Shape::Star;
    else if (f.hullFill < 0.68)
        shape = Shape::Triangle;
    else if (f.hullFill < 0.9)
        shape = Shape::Circle;
    else
        shape = Shape::Square;
    return true;
}

ObjectJudgement judgeObject(const torch::Tensor& image, Colour colour, Shape shape) {
    ObjectJudgement j;
    const auto candidates = regions(colourMask(image, colour));
    j.region = candidates.empty() ? torch::zeros({image.size(0), image.size(1)}, torch::kUInt8) : candidates.front();
    j.found = classifyShape(j.region, j.seenShape);
    for (const auto& region : candidates) {
        Shape seen;
        if (!classifyShape(region, seen)) break; // the rest are smaller still
        if (seen != shape) continue;
        if (!j.rightShape) {
            j.region = region;
            j.seenShape = seen;
            j.rightShape = true;
        }
        j.matchingRegions += 1;
    }
    return j;
}

} // namespace daam::builtin
