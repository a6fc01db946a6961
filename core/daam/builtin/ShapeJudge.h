// SPDX-License-Identifier: GPL-3.0-or-later
// Judging a generated image of the shape world without annotators: find each named object by its
// colour, take the largest connected region of that colour, and tell its shape from its geometry (how
// convex it is and how much of its bounding box it fills).
#pragma once

#include "daam/builtin/ShapeWorld.h"

#include <torch/types.h>

#include <vector>

namespace daam::builtin {

// uint8 [H, W]: pixels of image [H, W, 3] (uint8) nearer to `colour` than to any other colour of the
// world or to the background, within a distance that tolerates a generator's noise.
torch::Tensor colourMask(const torch::Tensor& image, Colour colour);

// The 4-connected regions of a binary mask [H, W] (uint8 0/1), largest first, each as a mask.
std::vector<torch::Tensor> regions(const torch::Tensor& mask);
// The largest of them; all zeros when the mask is empty.
torch::Tensor largestRegion(const torch::Tensor& mask);

struct ShapeFeatures {
    int64_t area = 0;    // pixels
    double fill = 0;     // area / bounding-box area
    double solidity = 0; // area / the pixels of its convex hull (1 for convex shapes, ~0.6 for stars)
    double hullFill = 0; // the convex hull's pixels / bounding-box area
};
ShapeFeatures shapeFeatures(const torch::Tensor& region);
constexpr double kStarSolidity = 0.8;

// The shape a region [H, W] looks like; false when it is too small to judge (under `minArea` pixels).
bool classifyShape(const torch::Tensor& region, Shape& shape, int64_t minArea = 12);

struct ObjectJudgement {
    bool found = false;      // a region of the object's colour exists
    bool rightShape = false; // and it has the named shape: the object is present
    Shape seenShape = Shape::Circle;
    // How many regions of the object's colour have the named shape: a model that draws "a red circle" as
    // two red circles has 2 here.
    int matchingRegions = 0;
    // uint8 [H, W]: where the object really is: the largest region of its colour with the named shape
    // (two objects may share a colour), else the largest region of its colour.
    torch::Tensor region;
};
ObjectJudgement judgeObject(const torch::Tensor& image, Colour colour, Shape shape);

} // namespace daam::builtin
