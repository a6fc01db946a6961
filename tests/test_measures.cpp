// SPDX-License-Identifier: GPL-3.0-or-later
// Mask measures (IoU, IoA, mean IoU), reference masks from PNG, colour maps and the paper's overlay.
#include "daam/trace/HeatMapImage.h"
#include "daam/trace/Measures.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cmath>

#include "TestSupport.h"

#include "TestMain.h"

class TestMeasures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void iouAndIoa() {
        auto a = torch::zeros({4, 4}, torch::kUInt8), b = torch::zeros({4, 4}, torch::kUInt8);
        a.slice(1, 0, 2).fill_(1); // 8 pixels
        b.slice(1, 1, 4).fill_(1); // 12 pixels, 4 shared
        QCOMPARE(daam::maskIoU(a, b), 4.0 / 16.0);
        QCOMPARE(daam::maskIoA(a, b), 4.0 / 8.0);
        QCOMPARE(daam::maskIoA(b, a), 4.0 / 12.0);
        QCOMPARE(daam::maskIoU(a, a), 1.0);
        QCOMPARE(daam::meanIoU({a, a}, {b, a}), (0.25 + 1.0) / 2);
        auto empty = torch::zeros({4, 4}, torch::kUInt8);
        QCOMPARE(daam::maskIoU(empty, empty), 1.0);
        QCOMPARE(daam::maskIoA(empty, a), 0.0);
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::maskIoU(a, torch::zeros({4, 5})), "masks of different sizes",
                                  "(4x4 vs 5x4)");
    }

    void referenceMasksFromPng() {
        const auto dir = daam::test::makeTempDir("mask");
        daam::PngImage rgba{3, 2, 4, std::vector<uint8_t>(3 * 2 * 4, 200)};
        rgba.pixels[3] = 0; // first pixel transparent, though its colour is not black
        daam::writePng(dir + "/alpha.png", rgba);
        auto m = daam::readMaskPng(dir + "/alpha.png");
        QCOMPARE(m.sizes(), (c10::IntArrayRef{2, 3}));
        QCOMPARE(m.sum().item<int64_t>(), int64_t(5));
        QCOMPARE(m[0][0].item<int>(), 0);
        daam::PngImage rgb{2, 2, 3, {0, 0, 0, 0, 9, 0, 0, 0, 0, 1, 1, 1}};
        daam::writePng(dir + "/rgb.png", rgb);
        QCOMPARE(daam::readMaskPng(dir + "/rgb.png").sum().item<int64_t>(), int64_t(2));
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::readMaskPng(dir + "/absent.png"), dir + "/absent.png",
                                  "cannot open");
    }

    void jetMatchesItsDefinition() {
        // matplotlib: jet(0) = (0, 0, 0.5), jet(0.5) = (0.4839, 1, 0.4839), jet(1) = (0.5, 0, 0).
        auto c0 = daam::colorAt(daam::ColorMapName::Jet, 0), c5 = daam::colorAt(daam::ColorMapName::Jet, 0.5),
             c1 = daam::colorAt(daam::ColorMapName::Jet, 1);
        QCOMPARE((std::array<int, 3>{c0.r, c0.g, c0.b}), (std::array<int, 3>{0, 0, 128}));
        QCOMPARE((std::array<int, 3>{c5.r, c5.g, c5.b}), (std::array<int, 3>{123, 255, 123}));
        QCOMPARE((std::array<int, 3>{c1.r, c1.g, c1.b}), (std::array<int, 3>{128, 0, 0}));
        daam::ColorMapName parsed;
        QVERIFY(daam::parseColorMap("viridis", parsed) && parsed == daam::ColorMapName::Viridis);
        QVERIFY(!daam::parseColorMap("rainbow", parsed));
        // Perceptual maps get lighter monotonically.
        int last = -1;
        for (int i = 0; i < 256; i += 15) {
            const auto c = daam::colorTable(daam::ColorMapName::Inferno)[i];
            const int lum = 2 * c.r + 5 * c.g + c.b;
            QVERIFY(lum >= last);
            last = lum;
        }
    }

    void renderersIndexTheTableAsMatplotlib() {
        // cmap(x) takes entry min(int(x * 256), 255): 0.5 is entry 128, just below 1/256 is still entry 0.
        QCOMPARE(daam::colorIndex(0.5), 128);
        QCOMPARE(daam::colorIndex(1.0), 255);
        QCOMPARE(daam::colorIndex(0.9999), 255);
        QCOMPARE(daam::colorIndex(1.0 / 256 - 1e-6), 0);
        QCOMPARE(daam::colorIndex(1.0 / 256), 1);
        QCOMPARE(daam::colorIndex(-3.0), 0);
        QCOMPARE(daam::colorIndex(std::nan("")), 0);
        QCOMPARE(daam::colorIndex(7.0), 255);
        // The tensor renderer takes the same entries, bin edges and out-of-range values included.
        const std::vector<float> xs = {0.0f,         0.001f,   1.0f / 256, 0.25f, 0.4999f, 0.5f,         0.75f,
                                       255.0f / 256, 0.99999f, 1.0f,       -1.0f, 2.0f,    std::nanf("")};
        const auto colours = daam::applyColorMap(torch::tensor(xs).reshape({1, -1}), daam::ColorMapName::Viridis);
        for (size_t i = 0; i < xs.size(); ++i) {
            const auto want = daam::colorTable(daam::ColorMapName::Viridis)[daam::colorIndex(xs[i])];
            QCOMPARE(colours[0][int64_t(i)][0].item<int>(), int(want.r));
            QCOMPARE(colours[0][int64_t(i)][1].item<int>(), int(want.g));
            QCOMPARE(colours[0][int64_t(i)][2].item<int>(), int(want.b));
        }
    }

    void overlayShowsImageWhereColdAndColourWhereHot() {
        auto image = torch::full({2, 2, 3}, 100, torch::kUInt8);
        auto heat = torch::tensor({{0.0f, 1.0f}, {0.5f, 0.0f}});
        auto out = daam::overlayHeatMap(image, heat);
        QCOMPARE(out[0][0][0].item<int>(), 100);
        QCOMPARE(out[0][1][0].item<int>(), 128); // jet(1) = (128, 0, 0)
        QCOMPARE(out[0][1][2].item<int>(), 0);
        QCOMPARE(out[1][0][1].item<int>(), (100 + 255 + 1) / 2); // half image, half jet(0.5) green
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::overlayHeatMap(image, torch::zeros({3, 2})),
                                  "the heat map and the image differ in size");
    }
};

DAAM_TEST_APPLESS_MAIN(TestMeasures)
#include "test_measures.moc"
