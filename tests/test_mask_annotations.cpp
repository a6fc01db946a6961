// SPDX-License-Identifier: GPL-3.0-or-later
// Annotation masks: polygons and COCO RLE (numbers and pycocotools' compressed strings, encoded by hand from its
// rleToString), PNG folders and COCO JSON looked up by the keys of a batch item, and their errors.
#include "daam/io/PngImage.h"
#include "daam/trace/HeatMapImage.h"
#include "daam/trace/MaskAnnotations.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "TestSupport.h"

#include "TestMain.h"

namespace fs = std::filesystem;

namespace {

void maWrite(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

void maWriteMask(const fs::path& path, const torch::Tensor& mask) {
    daam::writePng(path.string(), daam::tensorToImage(mask * 255));
}

} // namespace

class TestMaskAnnotations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void polygonsCoverPixelCentres() {
        const auto square = daam::rasterizePolygon({1, 1, 3, 1, 3, 3, 1, 3}, 4, 4);
        auto expected = torch::zeros({4, 4}, torch::kUInt8);
        expected.slice(0, 1, 3).slice(1, 1, 3).fill_(1);
        QVERIFY(torch::equal(square, expected));
        // A triangle over the top-left half of a 4x4 image: centres with x + y < 4 minus the diagonal's.
        const auto triangle = daam::rasterizePolygon({0, 0, 4, 0, 0, 4}, 4, 4);
        QCOMPARE(triangle.sum().item<int>(), 6); // the centres with x + y < 4: (0.5, 0.5) ... (2.5, 0.5), six
        // Outside the image is clipped; a polygon wholly outside covers nothing.
        QCOMPARE(daam::rasterizePolygon({-5, -5, 10, -5, 10, 10, -5, 10}, 3, 5).sum().item<int>(), 15);
        QCOMPARE(daam::rasterizePolygon({10, 10, 12, 10, 12, 12}, 4, 4).sum().item<int>(), 0);
    }

    void cocoRunLengths() {
        // counts [3, 2, 5, 1, 1] over 3 x 4, column by column: (0,1), (1,1) and (1,3) are inside.
        const auto mask = daam::decodeCocoRle({3, 2, 5, 1, 1}, 3, 4);
        QCOMPARE(mask.sum().item<int>(), 3);
        QCOMPARE(mask[0][1].item<int>(), 1);
        QCOMPARE(mask[1][1].item<int>(), 1);
        QCOMPARE(mask[1][3].item<int>(), 1);
        // pycocotools' string for the same counts: '3' '2' '5', then 1 - 2 = -1 as 'O' and 1 - 5 = -4 as 'L'.
        QCOMPARE(daam::parseCocoRleString("325OL"), (std::vector<int64_t>{3, 2, 5, 1, 1}));
        // 100 takes two groups: 4 with the continuation bit ('T'), then 3.
        QCOMPARE(daam::parseCocoRleString("T3"), (std::vector<int64_t>{100}));
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::decodeCocoRle({3, 2, 5}, 3, 4), "runs cover 10 of 12 pixels");
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::decodeCocoRle({3, 20}, 3, 4), "runs overrun its size");
        QVERIFY_THROWS_EXCEPTION(daam::Error, daam::decodeCocoRle({3, -2, 11}, 3, 4)); // negative
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::parseCocoRleString("T"), "ends inside a count");
        QVERIFY_THROWS_EXCEPTION(daam::Error, daam::parseCocoRleString("3\x01")); // not the alphabet
    }

    void pngFoldersByItemKeys() {
        const fs::path dir = daam::test::makeTempDir("masks-png");
        fs::create_directories(dir / "00003");
        fs::create_directories(dir / "cat-17");
        auto left = torch::zeros({8, 8}, torch::kUInt8), right = torch::zeros({8, 8}, torch::kUInt8);
        left.slice(1, 0, 4).fill_(1);
        right.slice(1, 6, 8).fill_(1);
        maWriteMask(dir / "00003" / "Circle.png", left);
        maWriteMask(dir / "cat-17" / "cat.png", right);
        maWrite(dir / "00003" / "notes.txt", "not a mask");
        const auto a = daam::MaskAnnotations::open(dir.string());
        QCOMPARE(a.images(), size_t(2));
        const auto byFolder = a.find({"00003", "3"});
        QVERIFY(byFolder);
        QCOMPARE(byFolder->byWord.size(), size_t(1));
        QVERIFY(torch::equal(byFolder->byWord.at("circle"), left));
        const auto byId = a.find({"00005", "5", "cat-17"});
        QVERIFY(byId);
        QCOMPARE(byId->key, std::string("cat-17"));
        QVERIFY(!a.find({"00004", "4"}));

        const fs::path empty = daam::test::makeTempDir("masks-empty");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::MaskAnnotations::open(empty.string()), empty.string(),
                                  "holds no masks");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::MaskAnnotations::open((empty / "absent").string()),
                                  (empty / "absent").string(), "no such file or folder");
        maWrite(dir / "00003" / "broken.png", "not a PNG");
        try {
            daam::MaskAnnotations::open(dir.string()).find({"00003"});
            QFAIL("a broken PNG was read");
        } catch (const daam::FileError& e) {
            QVERIFY2(e.path() == (dir / "00003" / "broken.png").string(), e.what());
        }
    }

    void cocoJson() {
        const fs::path dir = daam::test::makeTempDir("masks-coco");
        maWrite(dir / "a.json", R"({
          "images": [{"id": 7, "file_name": "img7.png", "width": 4, "height": 3},
                     {"id": 8, "width": 4, "height": 3}],
          "categories": [{"id": 1, "name": "Dog"}, {"id": 2, "name": "bench"}],
          "annotations": [
            {"image_id": 7, "category_id": 1, "segmentation": [[0, 0, 2, 0, 2, 3, 0, 3]]},
            {"image_id": 7, "category_id": 1, "segmentation": {"size": [3, 4], "counts": "325OL"}},
            {"image_id": 7, "category_id": 2, "segmentation": {"size": [3, 4], "counts": [9, 3]}}
          ]})");
        const auto a = daam::MaskAnnotations::open((dir / "a.json").string());
        const auto byName = a.find({"00000", "0", "img7"});
        QVERIFY(byName);
        // The dog's polygon (columns 0-1) joined with its RLE ((0,1), (1,1), (1,3)).
        QCOMPARE(byName->byWord.at("dog").sum().item<int>(), 7);
        QCOMPARE(byName->byWord.at("bench").sum().item<int>(), 3); // the last column
        QCOMPARE(byName->byWord.at("bench")[2][3].item<int>(), 1);
        QVERIFY(a.find({"8"})->byWord.empty());

        auto bad = [&](const char* name, const std::string& text, const std::string& expected) {
            maWrite(dir / name, text);
            DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::MaskAnnotations::open((dir / name).string()).find({"1"}),
                                      expected);
        };
        bad("no-images.json", R"({"annotations": [], "categories": []})", "no \"images\" list");
        bad("unknown-image.json",
            R"({"images": [], "categories": [{"id": 1, "name": "a"}],
                "annotations": [{"image_id": 3, "category_id": 1, "segmentation": []}]})",
            "names image 3, which is not listed");
        bad("bad-size.json",
            R"({"images": [{"id": 1, "width": 4, "height": 3}], "categories": [{"id": 1, "name": "a"}],
                "annotations": [{"image_id": 1, "category_id": 1, "segmentation": {"size": [4, 4], "counts": [16]}}]})",
            "the RLE's size is not the image's 3 x 4");
        bad("short-polygon.json",
            R"({"images": [{"id": 1, "width": 4, "height": 3}], "categories": [{"id": 1, "name": "a"}],
                "annotations": [{"image_id": 1, "category_id": 1, "segmentation": [[0, 0, 1, 1]]}]})",
            "at least three x, y pairs");
        bad("malformed.json", "{\"images\": [", "malformed JSON");
    }
};

DAAM_TEST_APPLESS_MAIN(TestMaskAnnotations)
#include "test_mask_annotations.moc"
