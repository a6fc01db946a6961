// SPDX-License-Identifier: GPL-3.0-or-later
// Normalizing several words' maps together (the per-pixel word share) and the reverse query at a pixel.
#include "daam/trace/HeatMapAggregator.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

class TestWordShare : public QObject {
    Q_OBJECT

    // Two words on a 4x4 grid: the first strong on the left half, the second on the right.
    static torch::Tensor leftRight() {
        auto maps = torch::full({2, 4, 4}, 0.1f);
        maps.index_put_({0, torch::indexing::Slice(), torch::indexing::Slice(0, 2)}, 0.9f);
        maps.index_put_({1, torch::indexing::Slice(), torch::indexing::Slice(2, 4)}, 0.6f);
        return maps;
    }

private Q_SLOTS:
    void sharesSumToOneAndFollowTheMaps() {
        const auto share = daam::expandWordsToImage(leftRight(), 32, 32, daam::HeatMapNormalization::WordShare);
        QCOMPARE(share.sizes().vec(), (std::vector<int64_t>{2, 32, 32}));
        QVERIFY(torch::allclose(share.sum(0), torch::ones({32, 32}), 1e-5, 1e-5));
        QVERIFY(share.min().item<float>() >= 0);
        // Far from the seam the shares are the ratios of the maps: 0.9 / (0.9 + 0.1) and 0.6 / 0.7.
        QVERIFY(std::abs(share[0][16][1].item<float>() - 0.9f) < 1e-3);
        QVERIFY(std::abs(share[1][16][30].item<float>() - 0.6f / 0.7f) < 1e-3);
    }

    void sharesIgnoreACommonScale() {
        const auto a = daam::expandWordsToImage(leftRight(), 16, 16, daam::HeatMapNormalization::WordShare);
        const auto b = daam::expandWordsToImage(leftRight() * 37, 16, 16, daam::HeatMapNormalization::WordShare);
        QVERIFY(torch::allclose(a, b, 1e-5, 1e-6));
    }

    void perMapModesMatchTheSingleMapExpansion() {
        const auto maps = leftRight();
        const auto all = daam::expandWordsToImage(maps, 20, 12, daam::HeatMapNormalization::MinMax);
        for (int i = 0; i < 2; ++i)
            QVERIFY(torch::equal(all[i], daam::expandToImage(maps[i], 20, 12, daam::HeatMapNormalization::MinMax)));
        DAAM_VERIFY_THROWS_NAMING(daam::Error,
                                  daam::expandToImage(maps[0], 8, 8, daam::HeatMapNormalization::WordShare),
                                  "the word-share normalization needs every word's map");
    }

    void ranksEveryWordAtAPixel() {
        const auto maps = daam::expandWordsToImage(leftRight(), 8, 8, daam::HeatMapNormalization::Absolute);
        const auto left = daam::rankAtPixel(maps, 4, 0), right = daam::rankAtPixel(maps, 4, 7);
        QCOMPARE(left.size(), size_t(2));
        QCOMPARE(left[0].index, 0);
        QCOMPARE(right[0].index, 1);
        QVERIFY(left[0].value >= left[1].value);
        QCOMPARE(left[0].value, maps[0][4][0].item<float>());
        QVERIFY_THROWS_EXCEPTION(daam::Error, daam::rankAtPixel(maps, 8, 0));
    }
};

DAAM_TEST_APPLESS_MAIN(TestWordShare)
#include "test_word_share.moc"
