// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli eval-shapes: how faithful a model of the shape world is, and how well DAAM's maps find the
// objects. Held-out captions (never trained on) are generated with capture on; each named object is
// looked for by colour and judged by shape (ShapeJudge), and the τ-thresholded maps of its noun and of its
// colour word are scored against where the object really is (IoU), as the paper scores nouns.
#pragma once

#include "daam/pipeline/StableDiffusionPipeline.h"

#include <nlohmann/json.hpp>

#include <functional>

namespace daam::builtin {

struct ShapeEvalOptions {
    int count = 200;   // held-out captions to generate
    uint64_t seed = 0; // world seed (the caption set) and generation seeds (seed + caption index)
    int steps = 20;
    double guidance = 7.5;
    double tau = 0.4;
    std::string scheduler; // empty: the model's
    std::string saveDir;   // when set, every judged image is written there as NNNN.png (scene index)
    std::string layers;    // the maps' layers as a LayerSelection spec; empty: the reference default
    int callBegin = 0;     // the maps' UNet calls [callBegin, callEnd); callEnd < 0: to the last
    int callEnd = -1;
    // Score, for every word, the map of a word that attended to exactly its object and nowhere else
    // (HeatMapAggregator::regionMap) instead of the word's DAAM map: the most the chosen layers' resolutions
    // allow, to set the measured maps against.
    bool ceiling = false;
};

// One present object whose noun was scored: what it is and how large (its figures are at the same index
// of the report's noun lists).
struct ScoredObject {
    uint64_t scene = 0; // the scene index (the name of its --save image)
    std::string noun, colour;
    double radius = 0; // circumradius in pixels
    // What else the caption names: how many objects in all, and whether another of them has this one's shape
    // (the same noun twice) or its colour.
    int objectsNamed = 1;
    bool sharesShape = false, sharesColour = false;
};

struct ShapeEvalReport {
    int captions = 0;
    int objects[4] = {0, 0, 0, 0}; // named objects, by the caption's object count (index 1..3)
    int present[4] = {0, 0, 0, 0}; // of which found with the right colour and shape
    // Of the named objects, those whose colour and shape the image shows exactly as often as the caption
    // names them (one red circle for "a red circle", not two).
    int drawnOnce[4] = {0, 0, 0, 0};
    std::vector<double> nounIoU, colourIoU; // one per present object
    // The noun masks' precision (IoA: share of the mask on the object) and recall (share of the object
    // under the mask), one per present object: they tell a mask that spills over from one that misses.
    std::vector<double> nounPrecision, nounRecall;
    std::vector<ScoredObject> scored; // one per noun IoU, in the same order

    double fidelity(int objectsInCaption) const;
    // drawnOnce over objects, by caption size (1..3) and, for 0, over all captions.
    double drawnOnceShare(int objectsInCaption) const;
    double nounMIoU() const;
    double colourMIoU() const;
    double nounPrecisionMean() const;
    double nounRecallMean() const;
    // A group of scored objects: how many, and their noun mIoU.
    struct GroupScore {
        int objects = 0;
        double mIoU = 0;
    };
    // The noun mIoU of each shape's objects (index: Shape): the maps' shapes tell a round blob from a map
    // that follows a star's points, and a blob fits a circle far better than a star.
    std::vector<GroupScore> nounMIoUByShape() const;
    // The noun mIoU of objects by what else their caption names, for the paper's entanglement analyses: a
    // map that also lights the other star of "a red star and a blue star", or the other red object of "a red
    // star and a red circle", loses precision that a caption of distinct objects does not show.
    struct SharingScores {
        GroupScore alone;        // one-object captions
        GroupScore distinct;     // every other object named differs in both shape and colour
        GroupScore sharedShape;  // another object named has the same shape
        GroupScore sharedColour; // another has the same colour (an object may be counted here and above)
    };
    SharingScores nounMIoUBySharing() const;
    nlohmann::json toJson() const;
};

ShapeEvalReport evaluateShapes(StableDiffusionPipeline& pipeline, const ShapeEvalOptions& options,
                               const std::function<void(int done, int total)>& progress = {});

// The ceiling the autoencoder sets: the same held-out scenes, drawn exactly, passed through the model's
// VAE (encode, decode) and judged as generations are. No maps: the IoU lists stay empty.
ShapeEvalReport evaluateReconstructions(StableDiffusionPipeline& pipeline, const ShapeEvalOptions& options,
                                        const std::function<void(int done, int total)>& progress = {});

} // namespace daam::builtin
