// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/ShapeWorld.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

namespace daam::builtin {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Whether the point (x, y) lies inside the polygon (even-odd rule).
bool insidePolygon(const std::vector<std::array<double, 2>>& poly, double x, double y) {
    bool inside = false;
    for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        const auto& a = poly[i];
        const auto& b = poly[j];
        if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) inside = !inside;
    }
    return inside;
}

std::vector<std::array<double, 2>> outline(const SceneObject& o) {
    std::vector<std::array<double, 2>> poly;
    if (o.shape == Shape::Triangle) {
        for (int k = 0; k < 3; ++k) {
            const double a = -kPi / 2 + k * 2 * kPi / 3;
            poly.push_back({o.cx + o.radius * std::cos(a), o.cy + o.radius * std::sin(a)});
        }
    } else if (o.shape == Shape::Star) {
        for (int k = 0; k < 10; ++k) {
            const double a = -kPi / 2 + k * kPi / 5;
            const double r = k % 2 == 0 ? o.radius : o.radius * 0.45;
            poly.push_back({o.cx + r * std::cos(a), o.cy + r * std::sin(a)});
        }
    }
    return poly;
}

bool inside(const SceneObject& o, const std::vector<std::array<double, 2>>& poly, double x, double y) {
    const double dx = x - o.cx, dy = y - o.cy;
    switch (o.shape) {
    case Shape::Circle:
        return dx * dx + dy * dy <= o.radius * o.radius;
    case Shape::Square: {
        const double half = o.radius / std::sqrt(2.0); // the circumradius of the square
        return std::abs(dx) <= half && std::abs(dy) <= half;
    }
    default:
        return insidePolygon(poly, x, y);
    }
}

std::string article(const std::string& next) {
    return std::string("aeiou").find(next[0]) != std::string::npos ? "an" : "a";
}

} // namespace

uint64_t splitMix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

const char* shapeName(Shape shape) {
    static const char* names[] = {"circle", "square", "triangle", "star"};
    return names[static_cast<int>(shape)];
}

const char* colourName(Colour colour) {
    static const char* names[] = {"red", "green", "blue", "yellow", "purple", "orange"};
    return names[static_cast<int>(colour)];
}

void colourRgb(Colour colour, uint8_t rgb[3]) {
    static const uint8_t table[kColourCount][3] = {{220, 30, 30},  {30, 170, 40},  {30, 70, 220},
                                                   {235, 205, 20}, {140, 40, 180}, {245, 130, 20}};
    for (int c = 0; c < 3; ++c)
        rgb[c] = table[static_cast<int>(colour)][c];
}

void backgroundRgb(uint8_t rgb[3]) {
    rgb[0] = 236;
    rgb[1] = 234;
    rgb[2] = 228;
}

torch::Tensor drawObject(torch::Tensor& image, const SceneObject& object) {
    const int side = static_cast<int>(image.size(0));
    auto mask = torch::zeros({side, side}, torch::kUInt8);
    auto* m = mask.data_ptr<uint8_t>();
    auto* px = image.data_ptr<uint8_t>();
    uint8_t rgb[3];
    colourRgb(object.colour, rgb);
    const auto poly = outline(object);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            if (inside(object, poly, x + 0.5, y + 0.5)) {
                m[y * side + x] = 1;
                for (int c = 0; c < 3; ++c)
                    px[(y * side + x) * 3 + c] = rgb[c];
            }
    return mask;
}

ShapeWorld::ShapeWorld(uint64_t seed, ShapeWorldOptions options) : seed_(seed), options_(options) {}

Scene ShapeWorld::scene(uint64_t index) const {
    std::mt19937_64 rng(splitMix64(seed_ ^ splitMix64(index)));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const int side = options_.side;
    Scene s;
    s.side = side;
    const int count = 1 + static_cast<int>(rng() % static_cast<uint64_t>(std::max(1, options_.maxObjects)));
    const double minR = side * 0.10, maxR = side * (count == 1 ? 0.30 : 0.22);
    std::vector<std::pair<int, int>> used; // (shape, colour) pairs: no two objects look alike
    for (int attempt = 0; attempt < 200 && static_cast<int>(s.objects.size()) < count; ++attempt) {
        SceneObject o;
        o.shape = static_cast<Shape>(rng() % kShapeCount);
        o.colour = static_cast<Colour>(rng() % kColourCount);
        o.radius = static_cast<float>(minR + unit(rng) * (maxR - minR));
        const double margin = o.radius + 1;
        o.cx = static_cast<float>(margin + unit(rng) * (side - 2 * margin));
        o.cy = static_cast<float>(margin + unit(rng) * (side - 2 * margin));
        bool clash = false;
        for (const auto& other : s.objects) // bounding circles apart by a gap: objects never overlap
            clash |= std::hypot(o.cx - other.cx, o.cy - other.cy) < o.radius + other.radius + side * 0.04;
        for (const auto& [shape, colour] : used)
            clash |= shape == static_cast<int>(o.shape) && colour == static_cast<int>(o.colour);
        if (clash) continue;
        used.emplace_back(static_cast<int>(o.shape), static_cast<int>(o.colour));

        std::string words = std::string(colourName(o.colour)) + " " + shapeName(o.shape);
        const double relSize = (o.radius - minR) / std::max(1e-9, maxR - minR);
        if ((relSize < 0.25 || relSize > 0.75) && unit(rng) < options_.sizeWordChance)
            words = std::string(relSize < 0.25 ? "small " : "large ") + words;
        o.phrase = article(words) + " " + words;
        if (unit(rng) < options_.positionWordChance) {
            const double fx = o.cx / side, fy = o.cy / side;
            if (fx < 0.3)
                o.phrase += " on the left";
            else if (fx > 0.7)
                o.phrase += " on the right";
            else if (fy < 0.3)
                o.phrase += " at the top";
            else if (fy > 0.7)
                o.phrase += " at the bottom";
        }
        s.objects.push_back(o);
    }
    s.image = torch::empty({side, side, 3}, torch::kUInt8);
    uint8_t background[3];
    backgroundRgb(background);
    for (int c = 0; c < 3; ++c)
        s.image.select(2, c).fill_(background[c]);
    std::vector<torch::Tensor> masks;
    for (size_t k = 0; k < s.objects.size(); ++k) {
        masks.push_back(drawObject(s.image, s.objects[k]));
        // "a red circle", "a red circle and a blue star", "a red circle, a blue star and a green square"
        if (k > 0) s.caption += k + 1 == s.objects.size() ? " and " : ", ";
        s.caption += s.objects[k].phrase;
    }
    s.masks = torch::stack(masks);
    return s;
}

bool isHeldOut(const std::string& caption) {
    uint64_t h = 1469598103934665603ULL; // FNV-1a
    for (unsigned char c : caption)
        h = (h ^ c) * 1099511628211ULL;
    return splitMix64(h) % 10 == 0;
}

namespace {

// The index of the first word at or after `from` whose text is `text`; -1 if none.
int findWord(const std::vector<Word>& words, const std::string& text, int from) {
    for (int i = std::max(from, 0); i < static_cast<int>(words.size()); ++i)
        if (words[i].text == text) return i;
    return -1;
}

} // namespace

std::vector<ObjectWords> objectWords(const std::vector<Word>& words, const std::vector<SceneObject>& objects) {
    std::vector<ObjectWords> result;
    int cursor = 0;
    for (const auto& object : objects) {
        ObjectWords w;
        w.colour = findWord(words, colourName(object.colour), cursor);
        w.noun = findWord(words, shapeName(object.shape), std::max(cursor, w.colour + 1));
        if (w.noun >= 0) cursor = w.noun + 1;
        result.push_back(w);
    }
    return result;
}

} // namespace daam::builtin
