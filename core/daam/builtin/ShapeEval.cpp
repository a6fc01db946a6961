// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/builtin/ShapeEval.h"

#include "daam/builtin/ShapeJudge.h"
#include "daam/builtin/ShapeWorld.h"
#include "daam/io/PngImage.h"
#include "daam/pipeline/GenerationSession.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/HeatMapImage.h"
#include "daam/trace/LayerSelection.h"
#include "daam/trace/Measures.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <numeric>

namespace daam::builtin {
namespace {

// How many objects of the scene have this one's colour and shape (two for "a red star and a red star").
int timesNamed(const Scene& scene, const SceneObject& object) {
    int n = 0;
    for (const auto& other : scene.objects)
        n += other.colour == object.colour && other.shape == object.shape ? 1 : 0;
    return n;
}

double mean(const std::vector<double>& v) {
    return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}

void saveJudged(const ShapeEvalOptions& options, uint64_t index, const torch::Tensor& image) {
    if (options.saveDir.empty()) return;
    std::filesystem::create_directories(options.saveDir);
    char name[32];
    std::snprintf(name, sizeof name, "%04llu.png", static_cast<unsigned long long>(index));
    writePng((std::filesystem::path(options.saveDir) / name).string(), tensorToImage(image));
}

// A group's score is summed object by object, then averaged.
void addToScore(ShapeEvalReport::GroupScore& score, double iou) {
    score.objects += 1;
    score.mIoU += iou;
}
void averageScore(ShapeEvalReport::GroupScore& score) {
    if (score.objects > 0) score.mIoU /= score.objects;
}
nlohmann::json scoreJson(const ShapeEvalReport::GroupScore& score) {
    return {{"objects", score.objects}, {"miou", score.mIoU}};
}

} // namespace

double ShapeEvalReport::fidelity(int n) const {
    return objects[n] > 0 ? double(present[n]) / objects[n] : 0.0;
}
double ShapeEvalReport::nounMIoU() const {
    return mean(nounIoU);
}
double ShapeEvalReport::colourMIoU() const {
    return mean(colourIoU);
}
double ShapeEvalReport::nounPrecisionMean() const {
    return mean(nounPrecision);
}
double ShapeEvalReport::nounRecallMean() const {
    return mean(nounRecall);
}

std::vector<ShapeEvalReport::GroupScore> ShapeEvalReport::nounMIoUByShape() const {
    std::vector<GroupScore> byShape(kShapeCount);
    for (size_t i = 0; i < scored.size(); ++i)
        for (int k = 0; k < kShapeCount; ++k)
            if (scored[i].noun == shapeName(static_cast<Shape>(k))) addToScore(byShape[k], nounIoU[i]);
    for (auto& score : byShape)
        averageScore(score);
    return byShape;
}

ShapeEvalReport::SharingScores ShapeEvalReport::nounMIoUBySharing() const {
    SharingScores sharing;
    for (size_t i = 0; i < scored.size(); ++i) {
        const auto& object = scored[i];
        if (object.objectsNamed == 1)
            addToScore(sharing.alone, nounIoU[i]);
        else if (!object.sharesShape && !object.sharesColour)
            addToScore(sharing.distinct, nounIoU[i]);
        if (object.sharesShape) addToScore(sharing.sharedShape, nounIoU[i]);
        if (object.sharesColour) addToScore(sharing.sharedColour, nounIoU[i]);
    }
    for (auto* score : {&sharing.alone, &sharing.distinct, &sharing.sharedShape, &sharing.sharedColour})
        averageScore(*score);
    return sharing;
}

double ShapeEvalReport::drawnOnceShare(int n) const {
    int drawn = 0, named = 0;
    for (int k = 1; k <= 3; ++k)
        if (n == 0 || n == k) {
            drawn += drawnOnce[k];
            named += objects[k];
        }
    return named > 0 ? double(drawn) / named : 0.0;
}

nlohmann::json ShapeEvalReport::toJson() const {
    nlohmann::json j;
    j["captions"] = captions;
    for (int n = 1; n <= 3; ++n)
        j["fidelity"][std::to_string(n) + "_object"] = {{"objects", objects[n]},
                                                        {"present", present[n]},
                                                        {"share", fidelity(n)},
                                                        {"drawn_once", drawnOnce[n]},
                                                        {"drawn_once_share", drawnOnceShare(n)}};
    j["drawn_once_share"] = drawnOnceShare(0);
    j["noun_miou"] = nounMIoU();
    j["colour_miou"] = colourMIoU();
    j["noun_mask_precision"] = nounPrecisionMean();
    j["noun_mask_recall"] = nounRecallMean();
    j["scored_objects"] = nounIoU.size();
    const auto byShape = nounMIoUByShape();
    for (int k = 0; k < kShapeCount; ++k)
        j["noun_miou_by_shape"][shapeName(static_cast<Shape>(k))] = scoreJson(byShape[k]);
    const auto sharing = nounMIoUBySharing();
    const std::pair<const char*, const GroupScore*> groups[] = {{"alone", &sharing.alone},
                                                                {"distinct", &sharing.distinct},
                                                                {"shared_shape", &sharing.sharedShape},
                                                                {"shared_colour", &sharing.sharedColour}};
    for (const auto& [name, score] : groups)
        j["noun_miou_by_sharing"][name] = scoreJson(*score);
    auto& list = j["objects"] = nlohmann::json::array();
    for (size_t i = 0; i < scored.size(); ++i)
        list.push_back({{"scene", scored[i].scene},
                        {"noun", scored[i].noun},
                        {"colour", scored[i].colour},
                        {"radius", scored[i].radius},
                        {"objects_named", scored[i].objectsNamed},
                        {"shares_shape", scored[i].sharesShape},
                        {"shares_colour", scored[i].sharesColour},
                        {"iou", nounIoU[i]},
                        {"precision", nounPrecision[i]},
                        {"recall", nounRecall[i]}});
    return j;
}

ShapeEvalReport evaluateShapes(StableDiffusionPipeline& pipeline, const ShapeEvalOptions& options,
                               const std::function<void(int, int)>& progress) {
    const int side = pipeline.defaultImageSize();
    ShapeWorldOptions worldOptions;
    worldOptions.side = side;
    const ShapeWorld world(options.seed, worldOptions);
    ShapeEvalReport report;
    for (uint64_t index = 0; report.captions < options.count; ++index) {
        const auto scene = world.scene(index);
        if (!isHeldOut(scene.caption)) continue;
        GenerationRequest request;
        request.prompt = scene.caption;
        request.seed = options.seed + index;
        request.steps = options.steps;
        request.guidance = options.guidance;
        request.scheduler = options.scheduler;
        const auto traced = generateTraced(pipeline, request);
        const auto& session = traced.session;
        const auto image = quantizeImage(traced.result.image);
        saveJudged(options, index, image);
        HeatMapAggregator aggregator(session.trace, session.gridSide, session.gridSide);
        HeatMapQuery query;
        query.callBegin = options.callBegin;
        query.callEnd = options.callEnd;
        if (query.callBegin >= (query.callEnd < 0 ? session.trace->calls() : query.callEnd) ||
            query.callEnd > session.trace->calls())
            throw Error("UNet calls [" + std::to_string(options.callBegin) + ", " + std::to_string(options.callEnd) +
                        ") are empty or beyond the trace's " + std::to_string(session.trace->calls()));
        if (!options.layers.empty())
            query.layers = selectLayers(session.trace->layers(), options.layers, aggregator.defaultLayers());
        auto wordMask = [&](int word, const torch::Tensor& region) {
            const auto map = options.ceiling ? aggregator.regionMap(query, region)
                                             : aggregator.wordMap(query, session.words[word].tokens);
            return thresholdMask(expandToImage(map, side, side), options.tau);
        };

        const int n = static_cast<int>(scene.objects.size());
        const auto words = objectWords(session.words, scene.objects);
        for (size_t i = 0; i < scene.objects.size(); ++i) {
            const auto& object = scene.objects[i];
            const int colourWord = words[i].colour, nounWord = words[i].noun;
            report.objects[n] += 1;
            const auto judgement = judgeObject(image, object.colour, object.shape);
            report.drawnOnce[n] += judgement.matchingRegions == timesNamed(scene, object) ? 1 : 0;
            if (!judgement.rightShape) continue;
            report.present[n] += 1;
            if (nounWord >= 0) {
                const auto mask = wordMask(nounWord, judgement.region);
                report.nounIoU.push_back(maskIoU(mask, judgement.region));
                report.nounPrecision.push_back(maskIoA(mask, judgement.region));
                report.nounRecall.push_back(maskIoA(judgement.region, mask));
                ScoredObject scoredObject{index, shapeName(object.shape), colourName(object.colour), object.radius};
                scoredObject.objectsNamed = n;
                for (const auto& other : scene.objects) {
                    if (&other == &object) continue;
                    scoredObject.sharesShape |= other.shape == object.shape;
                    scoredObject.sharesColour |= other.colour == object.colour;
                }
                report.scored.push_back(scoredObject);
            }
            if (colourWord >= 0)
                report.colourIoU.push_back(maskIoU(wordMask(colourWord, judgement.region), judgement.region));
        }
        report.captions += 1;
        if (progress) progress(report.captions, options.count);
    }
    return report;
}

ShapeEvalReport evaluateReconstructions(StableDiffusionPipeline& pipeline, const ShapeEvalOptions& options,
                                        const std::function<void(int, int)>& progress) {
    torch::NoGradGuard noGrad;
    ShapeWorldOptions worldOptions;
    worldOptions.side = pipeline.defaultImageSize();
    const ShapeWorld world(options.seed, worldOptions);
    auto& vae = pipeline.vae();
    ShapeEvalReport report;
    for (uint64_t index = 0; report.captions < options.count; ++index) {
        const auto scene = world.scene(index);
        if (!isHeldOut(scene.caption)) continue;
        const auto x = (scene.image.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32) / 127.5 - 1.0)
                           .to(pipeline.device(), pipeline.dtype());
        const auto decoded = vae->decode(vae->encode(x).mean)[0].to(torch::kCPU, torch::kFloat32);
        const auto image = quantizeImage((decoded / 2 + 0.5).clamp(0, 1));
        saveJudged(options, index, image);
        const int n = static_cast<int>(scene.objects.size());
        for (const auto& object : scene.objects) {
            report.objects[n] += 1;
            const auto judgement = judgeObject(image, object.colour, object.shape);
            report.present[n] += judgement.rightShape ? 1 : 0;
            report.drawnOnce[n] += judgement.matchingRegions == timesNamed(scene, object) ? 1 : 0;
        }
        report.captions += 1;
        if (progress) progress(report.captions, options.count);
    }
    return report;
}

} // namespace daam::builtin
