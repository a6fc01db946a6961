// SPDX-License-Identifier: GPL-3.0-or-later
// daam::Linear and daam::Conv2d: LibTorch's result on every path (float32 inference through oneDNN, packed
// convolution weights, oneDNN's Winograd kernels for large 3×3 inputs, grad mode, bf16 Linear as a convolution), a
// packed or transformed weight that no longer matches its parameter dropped, bfloat16 convolutions packed from a
// weight in another dtype, and the UNet loader packing in float32 and bfloat16.
#include "daam/nn/ChannelsLastConvolution.h"
#include "daam/nn/DenseLayers.h"
#include "daam/nn/ResnetBlock2D.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/util/CpuPeak.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <torch/torch.h>

namespace {

double maxRelative(const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).abs().max() / b.abs().max()).item<double>();
}

// A packed daam::Conv2d and LibTorch's own with the same parameters.
std::pair<daam::Conv2d, torch::nn::Conv2d> convolutionPair(const torch::nn::Conv2dOptions& options) {
    daam::Conv2d ours(options);
    torch::nn::Conv2d stock(options);
    torch::NoGradGuard noGrad;
    stock->weight.copy_(ours->weight);
    if (options.bias()) stock->bias.copy_(ours->bias);
    if (!ours->packForInference()) throw std::runtime_error("not packed");
    return {ours, stock};
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

    void bf16LinearMatchesFloat32() {
        torch::manual_seed(9);
        daam::Linear ours(torch::nn::LinearOptions(64, 48));
        ours->to(torch::kBFloat16);
        torch::NoGradGuard noGrad;
        const auto w = ours->weight.to(torch::kFloat32), b = ours->bias.to(torch::kFloat32);
        // 2048 rows take the 1×1 convolution on a CPU with AVX512-BF16; 200 rows and a strided input LibTorch's own.
        for (const auto& x : {torch::randn({2, 1024, 64}), torch::randn({2, 100, 64}), torch::randn({64, 1500}).t()}) {
            const auto in = x.to(torch::kBFloat16);
            const auto expected = torch::nn::functional::linear(in.to(torch::kFloat32), w, b);
            const auto got = ours->forward(in);
            QCOMPARE(got.scalar_type(), torch::kBFloat16);
            QCOMPARE(got.sizes(), expected.sizes());
            QVERIFY(got.is_contiguous());
            const double error = maxRelative(got.to(torch::kFloat32), expected);
            QVERIFY2(error < 1e-2, qPrintable(QString::number(error)));
        }
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

    void largeInputsRunWinograd() {
        torch::manual_seed(8);
        torch::NoGradGuard noGrad;
        QVERIFY(64 * 72 >= daam::kWinogradMinPixels);
        const std::vector<torch::nn::Conv2dOptions> shapes = {
            torch::nn::Conv2dOptions(16, 32, 3).padding(1),
            torch::nn::Conv2dOptions(32, 16, 3).padding(1).bias(false),
            torch::nn::Conv2dOptions(16, 16, 3).padding(0),
        };
        for (const auto& options : shapes) {
            auto [ours, stock] = convolutionPair(options);
            const auto x = torch::randn({2, options.in_channels(), 64, 72});
            const auto expected = stock->forward(x);
            const auto got = ours->forward(x);
            QCOMPARE(ours->winograd(), daam::test::winogradExpected());
            QCOMPARE(ours->packed(), !daam::test::winogradExpected()); // the transformed copy replaces the packed one
            QCOMPARE(got.sizes(), expected.sizes());
            QVERIFY(got.is_contiguous());
            QVERIFY2(maxRelative(got, expected) < 1e-5, qPrintable(QString::number(maxRelative(got, expected))));
        }
    }

    void smallInputsStayDirect() {
        torch::manual_seed(9);
        torch::NoGradGuard noGrad;
        auto [ours, stock] = convolutionPair(torch::nn::Conv2dOptions(16, 16, 3).padding(1));
        const auto x = torch::randn({2, 16, 32, 32});
        QVERIFY(maxRelative(ours->forward(x), stock->forward(x)) < 1e-5);
        QVERIFY(!ours->winograd());
        QVERIFY(ours->packed());
        // Strided, 1×1 and grouped convolutions have no Winograd form, whatever their input; one of few input
        // channels (a UNet's conv_in) is faster direct.
        for (const auto& options :
             {torch::nn::Conv2dOptions(16, 16, 3).padding(1).stride(2), torch::nn::Conv2dOptions(16, 32, 1),
              torch::nn::Conv2dOptions(16, 16, 3).padding(1).groups(2),
              torch::nn::Conv2dOptions(4, 32, 3).padding(1)}) {
            auto [other, otherStock] = convolutionPair(options);
            const auto large = torch::randn({1, options.in_channels(), 64, 64});
            QVERIFY(maxRelative(other->forward(large), otherStock->forward(large)) < 1e-5);
            QVERIFY(!other->winograd());
        }
    }

    void winogradFollowsTheInputSize() {
        if (!daam::test::winogradExpected()) QSKIP("no Winograd kernels in this build or on this CPU");
        torch::manual_seed(10);
        torch::NoGradGuard noGrad;
        auto [ours, stock] = convolutionPair(torch::nn::Conv2dOptions(32, 32, 3).padding(1));
        // Once Winograd, always: other batches and sizes, smaller ones too, whether the transformed layout fits
        // them or has to be made again; then the first size again.
        for (const auto& sizes : std::vector<std::vector<int64_t>>{
                 {2, 32, 64, 64}, {1, 32, 64, 64}, {2, 32, 96, 96}, {2, 32, 24, 40}, {3, 32, 8, 8}, {2, 32, 64, 64}}) {
            const auto x = torch::randn(sizes);
            const auto got = ours->forward(x), expected = stock->forward(x);
            QVERIFY(ours->winograd());
            QVERIFY2(maxRelative(got, expected) < 1e-5, qPrintable(QString::number(maxRelative(got, expected))));
        }
        // A weight changed in place, or replaced, leaves the transformed copy behind.
        ours->weight.mul_(2);
        const auto x = torch::randn({2, 32, 64, 64});
        QVERIFY(maxRelative(ours->forward(x), torch::conv2d(x, ours->weight, ours->bias, 1, 1)) < 1e-5);
        QVERIFY(!ours->winograd());
        QVERIFY(!ours->packed());
        QVERIFY(ours->packForInference());
        ours->forward(x);
        QVERIFY(ours->winograd());
        ours->weight.set_data(torch::randn({32, 32, 3, 3}));
        QVERIFY(maxRelative(ours->forward(x), torch::conv2d(x, ours->weight, ours->bias, 1, 1)) < 1e-5);
        QVERIFY(!ours->winograd());
    }

    void packingFollowsTheType() {
        daam::Conv2d conv(torch::nn::Conv2dOptions(4, 4, 3).padding(1));
        QVERIFY(!conv->packForInference(torch::kFloat16));
        QCOMPARE(conv->packForInference(torch::kBFloat16), daam::cpuHasAvx512Bf16()); // from a float32 weight
        conv->to(torch::kBFloat16);
        QVERIFY(!conv->packForInference());
        QCOMPARE(conv->packForInference(torch::kBFloat16), daam::cpuHasAvx512Bf16());
        daam::Conv2d same(torch::nn::Conv2dOptions(4, 4, 3).padding(torch::kSame));
        QVERIFY(!same->packForInference());
        QVERIFY(!same->packForInference(torch::kBFloat16));
    }

    // A bfloat16 model's convolution packed from the weight in its file's dtype (float32 here): on channels-last
    // activations (where oneDNN's headers are built in) within bf16's rounding of the plain bfloat16 convolution, and
    // on NCHW ones (allowChannelsLast(false)) its result to the bit, as again once the weight changes and the packed
    // copy goes.
    void bf16PackedFromAFloat32Weight() {
        if (!daam::cpuHasAvx512Bf16()) QSKIP("this CPU has no AVX-512 BF16: bfloat16 convolutions are not packed");
        torch::manual_seed(8);
        torch::NoGradGuard noGrad;
        for (const auto& options :
             {torch::nn::Conv2dOptions(16, 32, 3).padding(1), torch::nn::Conv2dOptions(16, 16, 3).stride(2).padding(1),
              torch::nn::Conv2dOptions(16, 8, 1)}) {
            daam::Conv2d conv(options);
            conv->bias.set_data(conv->bias.to(torch::kBFloat16));
            QVERIFY(conv->packForInference(torch::kBFloat16));
            QCOMPARE(conv->weight.scalar_type(), torch::kFloat32);
            const auto x = torch::randn({2, 16, 12, 10}).to(torch::kBFloat16);
            const auto plain = [&] {
                return torch::conv2d(x, conv->weight.to(torch::kBFloat16), conv->bias, *options.stride(),
                                     c10::get<torch::ExpandingArray<2>>(options.padding()));
            };
            auto got = conv->forward(x);
            QCOMPARE(got.scalar_type(), torch::kBFloat16);
            QCOMPARE(conv->channelsLast(), daam::ChannelsLastConvolution::compiledIn());
            if (conv->channelsLast()) QVERIFY(got.is_contiguous(c10::MemoryFormat::ChannelsLast));
            // oneDNN's kernel on channels-last activations sums in another order than on NCHW ones.
            QVERIFY2(maxRelative(got.to(torch::kFloat32), plain().to(torch::kFloat32)) < 1e-2,
                     qPrintable(QString::number(maxRelative(got.to(torch::kFloat32), plain().to(torch::kFloat32)))));
            conv->allowChannelsLast(false);
            QVERIFY(!conv->channelsLast() && conv->packed());
            QVERIFY(torch::equal(conv->forward(x), plain())); // LibTorch's mkldnn_convolution from the packed copy
            QVERIFY(!conv->channelsLast());
            conv->weight.mul_(2);
            got = conv->forward(x);
            QVERIFY(!conv->packed());
            QVERIFY(torch::equal(got, plain()));
        }
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

    // In bfloat16 the packed convolutions' weights stay in the file's dtype (float32 here): only the packed copy is
    // bfloat16.
    void unetLoaderPacksFloat32AndBf16() {
        const auto dir = daam::test::referencePath("pipelines/sd1-tiny/unet");
        auto fp32 = daam::loadUNet(dir);
        auto* conv = dynamic_cast<daam::Conv2dImpl*>(fp32->named_modules()["conv_in"].get());
        QVERIFY(conv && conv->packed());
        daam::LoadOptions bf16;
        bf16.dtype = torch::kBFloat16;
        auto inBf16 = daam::loadUNet(dir, bf16);
        auto* convBf16 = dynamic_cast<daam::Conv2dImpl*>(inBf16->named_modules()["conv_in"].get());
        QVERIFY(convBf16);
        QCOMPARE(convBf16->packed(), daam::cpuHasAvx512Bf16());
        QCOMPARE(convBf16->weight.scalar_type(), daam::cpuHasAvx512Bf16() ? torch::kFloat32 : torch::kBFloat16);
        QCOMPARE(convBf16->bias.scalar_type(), torch::kBFloat16);
        auto* linear = dynamic_cast<torch::nn::LinearImpl*>(inBf16->named_modules()["time_embedding.linear_1"].get());
        QVERIFY(linear);
        QCOMPARE(linear->weight.scalar_type(), torch::kBFloat16);
    }
};

DAAM_TEST_GUILESS_MAIN(TestDenseLayers)
#include "test_dense_layers.moc"
