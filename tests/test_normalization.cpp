// SPDX-License-Identifier: GPL-3.0-or-later
// daam::GroupNorm and daam::LayerNorm: the stock module's result in float32, and for bf16 CPU input the
// float32 result rounded to bf16 (closer to exact than LibTorch's bf16 kernel), in the input's dtype.
#include "daam/nn/Normalization.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <torch/torch.h>

class TestNormalization : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void groupNorm() {
        torch::manual_seed(1);
        daam::GroupNorm ours(torch::nn::GroupNormOptions(4, 16).eps(1e-6));
        torch::nn::GroupNorm stock(torch::nn::GroupNormOptions(4, 16).eps(1e-6));
        torch::NoGradGuard noGrad;
        ours->weight.uniform_(0.5, 1.5);
        ours->bias.uniform_(-1, 1);
        stock->weight.copy_(ours->weight);
        stock->bias.copy_(ours->bias);
        // An offset mean makes the statistics' precision matter.
        const auto x = torch::randn({2, 16, 8, 8}) * 3 + 20;
        const auto exact = stock->forward(x);
        QVERIFY(torch::equal(ours->forward(x), exact));

        ours->to(torch::kBFloat16);
        stock->to(torch::kBFloat16);
        const auto xb = x.to(torch::kBFloat16);
        const auto ourBf16 = ours->forward(xb);
        QCOMPARE(ourBf16.scalar_type(), torch::kBFloat16);
        // The reference is float32 arithmetic on the bf16 input and weights.
        const auto reference = torch::group_norm(xb.to(torch::kFloat32), 4, ours->weight.to(torch::kFloat32),
                                                 ours->bias.to(torch::kFloat32), 1e-6);
        const double ourErr = daam::test::relativeError(ourBf16.to(torch::kFloat32), reference);
        const double stockErr = daam::test::relativeError(stock->forward(xb).to(torch::kFloat32), reference);
        qInfo("GroupNorm bf16 vs float32: ours %.2e, LibTorch's %.2e", ourErr, stockErr);
        QVERIFY(ourErr < 4e-3); // bf16 rounding of the output alone
        QVERIFY(ourErr <= stockErr);
    }

    void layerNorm() {
        torch::manual_seed(2);
        daam::LayerNorm ours(torch::nn::LayerNormOptions({32}));
        torch::nn::LayerNorm stock(torch::nn::LayerNormOptions({32}));
        torch::NoGradGuard noGrad;
        ours->weight.uniform_(0.5, 1.5);
        ours->bias.uniform_(-1, 1);
        stock->weight.copy_(ours->weight);
        stock->bias.copy_(ours->bias);
        const auto x = torch::randn({2, 10, 32}) * 3 + 20;
        QVERIFY(torch::equal(ours->forward(x), stock->forward(x)));

        ours->to(torch::kBFloat16);
        stock->to(torch::kBFloat16);
        const auto xb = x.to(torch::kBFloat16);
        const auto ourBf16 = ours->forward(xb);
        QCOMPARE(ourBf16.scalar_type(), torch::kBFloat16);
        const auto reference = torch::layer_norm(xb.to(torch::kFloat32), {32}, ours->weight.to(torch::kFloat32),
                                                 ours->bias.to(torch::kFloat32), 1e-5);
        const double ourErr = daam::test::relativeError(ourBf16.to(torch::kFloat32), reference);
        const double stockErr = daam::test::relativeError(stock->forward(xb).to(torch::kFloat32), reference);
        qInfo("LayerNorm bf16 vs float32: ours %.2e, LibTorch's %.2e", ourErr, stockErr);
        QVERIFY(ourErr < 4e-3);
        QVERIFY(ourErr <= stockErr);

        // Without affine parameters too.
        daam::LayerNorm plain(torch::nn::LayerNormOptions({32}).elementwise_affine(false));
        QVERIFY(plain->forward(xb).isfinite().all().item<bool>());
    }
};

DAAM_TEST_GUILESS_MAIN(TestNormalization)
#include "test_normalization.moc"
