// SPDX-License-Identifier: GPL-3.0-or-later
// Judging shape-world images by colour and geometry, and the evaluation loop on a tiny random model.
#include "daam/builtin/ShapeEval.h"
#include "daam/builtin/ShapeJudge.h"
#include "daam/pipeline/RandomPipeline.h"
#include "daam/trace/Measures.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

using namespace daam::builtin;

class TestShapeJudge : public QObject {
    Q_OBJECT

    // The scene as a generator might draw it: blurred edges and pixel noise.
    static torch::Tensor roughen(const torch::Tensor& image, uint64_t seed) {
        torch::manual_seed(seed);
        auto x = image.to(torch::kFloat32).permute({2, 0, 1}).unsqueeze(0);
        const auto kernel = torch::full({3, 1, 3, 3}, 1.0f / 9);
        namespace F = torch::nn::functional;
        x = F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kReplicate));
        x = F::conv2d(x, kernel, F::Conv2dFuncOptions().groups(3));
        x = x + torch::randn_like(x) * 12;
        return x[0].permute({1, 2, 0}).round().clamp(0, 255).to(torch::kUInt8);
    }

private Q_SLOTS:
    void findsEveryObjectOfTrueScenes_data() {
        QTest::addColumn<int>("side");
        QTest::addColumn<bool>("rough");
        QTest::addColumn<double>("minAccuracy");
        QTest::addColumn<double>("minIoU");
        // At 64 px the smallest triangles and stars cover 40-70 pixels, and a 3x3 blur takes their corners
        // (about 7 % of them then read as circles); at 128 px every shape survives the same blur.
        QTest::newRow("64 px exact") << 64 << false << 0.99 << 0.99;
        QTest::newRow("64 px rough") << 64 << true << 0.90 << 0.80;
        QTest::newRow("128 px rough") << 128 << true << 0.98 << 0.90;
    }
    void findsEveryObjectOfTrueScenes() {
        QFETCH(int, side);
        QFETCH(bool, rough);
        QFETCH(double, minAccuracy);
        QFETCH(double, minIoU);
        ShapeWorldOptions options;
        options.side = side;
        const ShapeWorld world(21, options);
        int objects = 0, right = 0;
        double iou = 0;
        for (uint64_t i = 0; i < 150; ++i) {
            const auto s = world.scene(i);
            const auto image = rough ? roughen(s.image, i) : s.image;
            for (size_t k = 0; k < s.objects.size(); ++k) {
                const auto j = judgeObject(image, s.objects[k].colour, s.objects[k].shape);
                ++objects;
                right += j.rightShape ? 1 : 0;
                iou += daam::maskIoU(j.region, s.masks[k]);
            }
        }
        const double accuracy = double(right) / objects, meanIoU = iou / objects;
        qInfo("%d px %s: %d objects, shape accuracy %.3f, region mIoU %.3f", side, rough ? "rough" : "exact", objects,
              accuracy, meanIoU);
        QVERIFY(accuracy >= minAccuracy);
        QVERIFY(meanIoU >= minIoU);
    }

    void absentObjectsAreNotFound() {
        const auto s = ShapeWorld(2).scene(0);
        for (int c = 0; c < kColourCount; ++c) {
            bool named = false;
            for (const auto& o : s.objects)
                named |= static_cast<int>(o.colour) == c;
            if (!named) QVERIFY(!judgeObject(s.image, static_cast<Colour>(c), Shape::Circle).found);
        }
    }

    // A second object of the named colour and shape is counted: "a red circle" drawn twice is not drawn once.
    void countsRegionsOfTheNamedColourAndShape() {
        ShapeWorldOptions options;
        options.side = 64;
        const auto s = ShapeWorld(21, options).scene(0);
        const auto& object = s.objects.front();
        QCOMPARE(judgeObject(s.image, object.colour, object.shape).matchingRegions, 1);
        // The same object drawn once, then twice, on an empty canvas.
        auto image = torch::empty_like(s.image);
        uint8_t background[3];
        backgroundRgb(background);
        for (int c = 0; c < 3; ++c)
            image.select(2, c).fill_(background[c]);
        SceneObject left = object, right = object;
        left.radius = right.radius = 9;
        left.cx = 14, right.cx = 48, left.cy = right.cy = 32;
        drawObject(image, left);
        QCOMPARE(judgeObject(image, object.colour, object.shape).matchingRegions, 1);
        drawObject(image, right);
        const auto twice = judgeObject(image, object.colour, object.shape);
        QVERIFY(twice.rightShape);
        QCOMPARE(twice.matchingRegions, 2);
        QCOMPARE(judgeObject(image, object.colour, object.shape == Shape::Circle ? Shape::Square : Shape::Circle)
                     .matchingRegions,
                 0);
    }

    void largestRegionKeepsOneComponent() {
        auto mask = torch::zeros({10, 10}, torch::kUInt8);
        mask.index_put_({torch::indexing::Slice(0, 2), torch::indexing::Slice(0, 2)}, 1); // 4 px
        mask.index_put_({torch::indexing::Slice(5, 9), torch::indexing::Slice(5, 9)}, 1); // 16 px
        const auto region = largestRegion(mask);
        QCOMPARE(region.sum().item<int64_t>(), int64_t(16));
        QCOMPARE(region[6][6].item<int>(), 1);
        QCOMPARE(largestRegion(torch::zeros({4, 4}, torch::kUInt8)).sum().item<int64_t>(), int64_t(0));
    }

    void nounMIoUByShapeAveragesEachShape() {
        ShapeEvalReport report;
        const std::pair<const char*, double> scored[] = {{"circle", 0.5}, {"star", 0.2}, {"circle", 0.8}};
        for (const auto& [noun, iou] : scored) {
            report.scored.push_back({0, noun, "red", 8.0});
            report.nounIoU.push_back(iou);
            report.nounPrecision.push_back(iou);
            report.nounRecall.push_back(1.0);
        }
        const auto byShape = report.nounMIoUByShape();
        QCOMPARE(byShape.size(), size_t(kShapeCount));
        QCOMPARE(byShape[int(Shape::Circle)].objects, 2);
        QCOMPARE(byShape[int(Shape::Circle)].mIoU, 0.65);
        QCOMPARE(byShape[int(Shape::Star)].objects, 1);
        QCOMPARE(byShape[int(Shape::Star)].mIoU, 0.2);
        QCOMPARE(byShape[int(Shape::Square)].objects, 0);
        QCOMPARE(byShape[int(Shape::Square)].mIoU, 0.0);
        const auto json = report.toJson()["noun_miou_by_shape"];
        QCOMPARE(json["circle"]["objects"].get<int>(), 2);
        QCOMPARE(json["star"]["miou"].get<double>(), 0.2);
        QCOMPARE(json["triangle"]["objects"].get<int>(), 0);
    }

    void nounMIoUBySharingGroupsByWhatElseIsNamed() {
        ShapeEvalReport report;
        auto add = [&](int named, bool sameShape, bool sameColour, double iou) {
            ScoredObject object{0, "star", "red", 8.0};
            object.objectsNamed = named;
            object.sharesShape = sameShape;
            object.sharesColour = sameColour;
            report.scored.push_back(object);
            report.nounIoU.push_back(iou);
            report.nounPrecision.push_back(iou);
            report.nounRecall.push_back(1.0);
        };
        add(1, false, false, 0.9);
        add(2, false, false, 0.7);
        add(3, false, false, 0.5);
        add(2, true, false, 0.4);
        add(3, true, true, 0.2);
        add(3, false, true, 0.3);
        const auto sharing = report.nounMIoUBySharing();
        QCOMPARE(sharing.alone.objects, 1);
        QCOMPARE(sharing.alone.mIoU, 0.9);
        QCOMPARE(sharing.distinct.objects, 2);
        QCOMPARE(sharing.distinct.mIoU, 0.6);
        // An object that shares both its shape and its colour counts in both groups.
        QCOMPARE(sharing.sharedShape.objects, 2);
        QCOMPARE(sharing.sharedShape.mIoU, 0.3);
        QCOMPARE(sharing.sharedColour.objects, 2);
        QCOMPARE(sharing.sharedColour.mIoU, 0.25);
        const auto json = report.toJson();
        QCOMPARE(json["noun_miou_by_sharing"]["distinct"]["objects"].get<int>(), 2);
        QCOMPARE(json["noun_miou_by_sharing"]["shared_colour"]["miou"].get<double>(), 0.25);
        QCOMPARE(json["objects"][4]["shares_shape"].get<bool>(), true);
        QCOMPARE(json["objects"][4]["objects_named"].get<int>(), 3);
        QCOMPARE(json["objects"][5]["shares_shape"].get<bool>(), false);
    }

    // The loop itself on a tiny random model: it counts every named object of the held-out captions.
    void evaluationCountsHeldOutObjects() {
        const auto dir = daam::test::makeTempDir("shape-eval") + "/tiny";
        daam::writeRandomPipeline(dir, daam::tinyRandomSpec());
        auto pipeline = daam::StableDiffusionPipeline::load(dir);
        ShapeEvalOptions options;
        options.count = 3;
        options.steps = 2;
        int calls = 0;
        const auto report = evaluateShapes(*pipeline, options, [&](int done, int total) {
            ++calls;
            QCOMPARE(total, 3);
            QCOMPARE(done, calls);
        });
        QCOMPARE(report.captions, 3);
        int expected = 0;
        ShapeWorldOptions worldOptions;
        worldOptions.side = pipeline->defaultImageSize();
        const ShapeWorld world(0, worldOptions);
        for (uint64_t i = 0, held = 0; held < 3; ++i) {
            const auto s = world.scene(i);
            if (!isHeldOut(s.caption)) continue;
            ++held;
            expected += static_cast<int>(s.objects.size());
        }
        QCOMPARE(report.objects[1] + report.objects[2] + report.objects[3], expected);
        QCOMPARE(report.nounIoU.size(), size_t(report.present[1] + report.present[2] + report.present[3]));
        const auto json = report.toJson();
        QCOMPARE(json["captions"].get<int>(), 3);
        QVERIFY(json.contains("noun_miou") && json["fidelity"].contains("1_object"));
        int drawnOnce = 0;
        for (int n = 1; n <= 3; ++n) {
            QVERIFY(report.drawnOnce[n] >= 0 && report.drawnOnce[n] <= report.objects[n]);
            drawnOnce += report.drawnOnce[n];
        }
        QCOMPARE(json["drawn_once_share"].get<double>(), double(drawnOnce) / expected);
    }
};

DAAM_TEST_APPLESS_MAIN(TestShapeJudge)
#include "test_shape_judge.moc"
