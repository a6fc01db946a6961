// SPDX-License-Identifier: GPL-3.0-or-later
// daam::Linear and daam::Conv2d: LibTorch's result on every path (float32 inference through oneDNN, packed
// convolution weights, grad mode, bf16), a packed weight that no longer matches its parameter dropped, and the
// UNet loader packing in float32 only.
#include "daam/nn/DenseLayers.h"
#include "daam/nn/ResnetBlock2D.h"
#include "daam/nn/UNet2DConditionModel.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <torch/torch.h>

namespace {

double maxRelative(const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).abs().max() / b.abs().max()).item<double>();
}

} // namespace

class TestDenseLayers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void linearMatchesLibTorch() {
        torch::manual_seed(3);
        daam::Linear ours(torch::nn::LinearOptions(40, 24));
        torch::NoGradGuard noGrad;
        // [2, 96, 40]: 192 rows take the oneDNN path; 3 rows the BLAS one; a strided input LibTorch's own.
        for (const auto& x : {torch::randn({2, 96, 40}), torch::randn({3, 40}), torch::randn({40, 96}).t()}) {
            const auto expected = torch::nn::functional::linear(x, ours->weight, ours->bias);
            const auto got = ours->forward(x);
            QCOMPARE(got.sizes(), expected.sizes());
            QVERIFY(got.is_contiguous());
            QVERIFY2(maxRelative(got, expected) < 1e-5, qPrintable(QString::number(maxRelative(got, expected))));
        }
        daam::Linear noBias(torch::nn::LinearOptions(40, 24).bias(false));
        const auto x = torch::randn({128, 40});
        QVERIFY(maxRelative(noBias->forward(x), x.matmul(noBias->weight.t())) < 1e-5);
    }

    void linearKeepsGradients() {
        torch::manual_seed(4);
        daam::Linear ours(torch::nn::LinearOptions(16, 8));
        const auto x = torch::randn({128, 16}, torch::requires_grad());
        ours->forward(x).sum().backward();
        QVERIFY(ours->weight.grad().defined());
        QVERIFY(torch::allclose(x.grad(), ours->weight.sum(0).expand({128, 16})));
    }

    void packedConvolutionMatchesLibTorch() {
        torch::manual_seed(5);
        torch::NoGradGuard noGrad;
        const std::vector<torch::nn::Conv2dOptions> shapes = {
            torch::nn::Conv2dOptions(8, 16, 3).padding(1),
            torch::nn::Conv2dOptions(8, 8, 3).stride(2).padding(0),
            torch::nn::Conv2dOptions(8, 12, 1),
        };
        for (const auto& options : shapes) {
            daam::Conv2d conv(options);
            torch::nn::Conv2d stock(options);
            stock->weight.copy_(conv->weight);
            stock->bias.copy_(conv->bias);
            const auto x = torch::randn({2, 8, 9, 7});
            const auto expected = stock->forward(x);
            QVERIFY(conv->packForInference());
            QVERIFY(conv->packed());
            const auto got = conv->forward(x);
            QCOMPARE(got.sizes(), expected.sizes());
            QVERIFY2(maxRelative(got, expected) < 1e-5, qPrintable(QString::number(maxRelative(got, expected))));
        }
    }

    void changedWeightDropsThePackedCopy() {
        torch::manual_seed(6);
        torch::NoGradGuard noGrad;
        daam::Conv2d conv(torch::nn::Conv2dOptions(4, 4, 3).padding(1));
        const auto x = torch::randn({1, 4, 6, 6});
        QVERIFY(conv->packForInference());
        conv->weight.mul_(2); // in place: the packed copy is stale
        QVERIFY(maxRelative(conv->forward(x), torch::conv2d(x, conv->weight, conv->bias, 1, 1)) < 1e-5);
        QVERIFY(!conv->packed());

        QVERIFY(conv->packForInference());
        conv->weight.set_data(torch::randn({4, 4, 3, 3})); // replaced, as loading weights does
        QVERIFY(maxRelative(conv->forward(x), torch::conv2d(x, conv->weight, conv->bias, 1, 1)) < 1e-5);
        QVERIFY(!conv->packed());
    }

    void onlyFloat32IsPacked() {
        daam::Conv2d conv(torch::nn::Conv2dOptions(4, 4, 3).padding(1));
        conv->to(torch::kBFloat16);
        QVERIFY(!conv->packForInference());
        daam::Conv2d same(torch::nn::Conv2dOptions(4, 4, 3).padding(torch::kSame));
        QVERIFY(!same->packForInference());
    }

    void gradModeTakesTheStockPath() {
        torch::manual_seed(7);
        daam::Conv2d conv(torch::nn::Conv2dOptions(4, 4, 3).padding(1));
        QVERIFY(conv->packForInference());
        const auto x = torch::randn({1, 4, 6, 6}, torch::requires_grad());
        conv->forward(x).sum().backward();
        QVERIFY(conv->weight.grad().defined());
        QVERIFY(x.grad().defined());
    }

    void packsEveryConvolutionByName() {
        daam::ResnetBlock2D block(8, 16, 12, 4, 1e-5, 1.0);
        std::vector<std::string> names;
        daam::packConvolutionsForInference(*block, [&](const std::string& name) { names.push_back(name); });
        QCOMPARE(names, (std::vector<std::string>{"conv1.weight", "conv2.weight", "conv_shortcut.weight"}));
        for (const auto& name : names)
            QVERIFY(block->named_parameters().contains(name));
    }

    void unetLoaderPacksInFloat32Only() {
        const auto dir = daam::test::referencePath("pipelines/sd1-tiny/unet");
        auto fp32 = daam::loadUNet(dir);
        auto* conv = dynamic_cast<daam::Conv2dImpl*>(fp32->named_modules()["conv_in"].get());
        QVERIFY(conv && conv->packed());
        daam::LoadOptions bf16;
        bf16.dtype = torch::kBFloat16;
        auto inBf16 = daam::loadUNet(dir, bf16);
        auto* convBf16 = dynamic_cast<daam::Conv2dImpl*>(inBf16->named_modules()["conv_in"].get());
        QVERIFY(convBf16 && !convBf16->packed());
    }
};

DAAM_TEST_GUILESS_MAIN(TestDenseLayers)
#include "test_dense_layers.moc"
