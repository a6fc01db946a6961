// SPDX-License-Identifier: GPL-3.0-or-later
// The fused bf16 CPU kernels (Bf16Kernels.h): float32 arithmetic on the bf16 input, rounded to bf16 once, so within
// the output's own bf16 rounding (4e-3 relative) of LibTorch's float32 operators, at sizes with and without a
// partial last vector; and the modules that take them.
#include "daam/nn/Bf16Kernels.h"
#include "daam/nn/FeedForward.h"
#include "daam/nn/Normalization.h"
#include "daam/nn/VectorMath.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace {

torch::Tensor asFloat(const torch::Tensor& t) {
    return t.to(torch::kFloat32);
}

} // namespace

class TestBf16Kernels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The vector rounding to bf16 is LibTorch's (nearest, ties to even; NaN stays NaN, infinities stay).
    void vectorRoundingIsLibTorchs() {
        torch::manual_seed(1);
        auto values = torch::randn({4096}) * 100;
        // Ties: values whose low 16 bits are exactly half, with even and odd upper halves.
        auto bits = values.view(torch::kInt32);
        bits.narrow(0, 0, 64).bitwise_and_(~0xFFFF).bitwise_or_(0x8000);
        values[100] = std::numeric_limits<float>::infinity();
        values[101] = -std::numeric_limits<float>::infinity();
        values[102] = std::numeric_limits<float>::quiet_NaN();
        values[103] = 0.0f;
        values[104] = -0.0f;
        values[105] = std::numeric_limits<float>::max();
        const auto expected = values.to(torch::kBFloat16);
        std::vector<uint16_t> ours(values.numel());
        const float* in = values.data_ptr<float>();
        for (int64_t i = 0; i < values.numel(); i += daam::vec::kLanes)
            daam::vec::storeBf16(ours.data() + i, daam::vec::load(in + i));
        const auto* theirs = reinterpret_cast<const uint16_t*>(expected.data_ptr<at::BFloat16>());
        int mismatches = 0;
        for (int64_t i = 0; i < values.numel(); ++i) {
            const bool nan = std::isnan(in[i]);
            if (nan ? (ours[i] & 0x7FFF) <= 0x7F80 : ours[i] != theirs[i]) ++mismatches;
            QCOMPARE(daam::vec::floatToBf16(in[i]) == ours[i], true);
        }
        QCOMPARE(mismatches, 0);
    }

    void groupNormMatchesFloat32_data() {
        QTest::addColumn<QList<qint64>>("shape");
        QTest::addColumn<int>("groups");
        QTest::addColumn<bool>("affine");
        QTest::addColumn<bool>("silu");
        const QList<qint64> unet{2, 64, 16, 16}, odd{3, 6, 5, 7}, flat{2, 32, 17}, vae{1, 128, 48, 40};
        QTest::newRow("unet-like, affine") << unet << 32 << true << false;
        QTest::newRow("unet-like, affine, silu") << unet << 32 << true << true;
        QTest::newRow("35 pixels per map, silu") << odd << 3 << true << true;
        QTest::newRow("vae-like, affine, silu") << vae << 32 << true << true;
        QTest::newRow("1-d maps, no affine") << flat << 8 << false << false;
        QTest::newRow("1-d maps, no affine, silu") << flat << 8 << false << true;
    }
    void groupNormMatchesFloat32() {
        QFETCH(QList<qint64>, shape);
        QFETCH(int, groups);
        QFETCH(bool, affine);
        QFETCH(bool, silu);
        torch::manual_seed(2);
        const std::vector<int64_t> sizes(shape.begin(), shape.end());
        // An offset mean makes the statistics' precision matter.
        const auto x = (torch::randn(sizes) * 3 + 20).to(torch::kBFloat16);
        torch::Tensor weight, bias;
        if (affine) {
            weight = torch::rand({sizes[1]}).add_(0.5).to(torch::kBFloat16);
            bias = torch::rand({sizes[1]}).sub_(0.5).to(torch::kBFloat16);
        }
        torch::NoGradGuard noGrad;
        QVERIFY(daam::bf16GroupNormSupports(x, groups));
        const auto ours = daam::bf16GroupNorm(x, groups, weight, bias, 1e-6, silu);
        QCOMPARE(ours.scalar_type(), torch::kBFloat16);
        QCOMPARE(ours.sizes(), x.sizes());
        auto reference = torch::group_norm(asFloat(x), groups, affine ? asFloat(weight) : torch::Tensor(),
                                           affine ? asFloat(bias) : torch::Tensor(), 1e-6);
        if (silu) reference = torch::silu(reference);
        DAAM_COMPARE_TENSORS("bf16 GroupNorm vs float32", asFloat(ours), reference, 4e-3);
        // Channels-last maps: the same values, and the result stays channels-last.
        if (x.dim() == 4) {
            const auto xc = x.contiguous(torch::MemoryFormat::ChannelsLast);
            QVERIFY(daam::bf16GroupNormSupports(xc, groups));
            const auto oursChannelsLast = daam::bf16GroupNorm(xc, groups, weight, bias, 1e-6, silu);
            QVERIFY(oursChannelsLast.is_contiguous(torch::MemoryFormat::ChannelsLast));
            DAAM_COMPARE_TENSORS("channels-last bf16 GroupNorm vs float32", asFloat(oursChannelsLast), reference, 4e-3);
        }
    }

    void layerNormMatchesFloat32_data() {
        QTest::addColumn<int>("width");
        QTest::addColumn<bool>("affine");
        QTest::newRow("320, affine") << 320 << true;
        QTest::newRow("77 (a partial vector), affine") << 77 << true;
        QTest::newRow("40, no affine") << 40 << false;
    }
    void layerNormMatchesFloat32() {
        QFETCH(int, width);
        QFETCH(bool, affine);
        torch::manual_seed(3);
        const auto x = (torch::randn({3, 33, width}) * 3 + 20).to(torch::kBFloat16);
        torch::Tensor weight, bias;
        if (affine) {
            weight = torch::rand({width}).add_(0.5).to(torch::kBFloat16);
            bias = torch::rand({width}).sub_(0.5).to(torch::kBFloat16);
        }
        torch::NoGradGuard noGrad;
        const auto ours = daam::bf16LayerNorm(x, weight, bias, 1e-5);
        const auto reference = torch::layer_norm(asFloat(x), {width}, affine ? asFloat(weight) : torch::Tensor(),
                                                 affine ? asFloat(bias) : torch::Tensor(), 1e-5);
        DAAM_COMPARE_TENSORS("bf16 LayerNorm vs float32", asFloat(ours), reference, 4e-3);
    }

    // GEGLU: the first half times the exact-erf gelu of the second, over gates from -12 to 12 (both tails of erf).
    void gegluMatchesFloat32_data() {
        QTest::addColumn<int>("half");
        QTest::newRow("1280") << 1280;
        QTest::newRow("77 (a partial vector)") << 77;
        QTest::newRow("8 (no whole vector)") << 8;
    }
    void gegluMatchesFloat32() {
        QFETCH(int, half);
        torch::manual_seed(4);
        auto projected = torch::randn({2, 19, 2 * half});
        projected.narrow(-1, half, half).mul_(4).clamp_(-12, 12);
        const auto pb = projected.to(torch::kBFloat16);
        torch::NoGradGuard noGrad;
        const auto ours = daam::bf16Geglu(pb);
        QCOMPARE(ours.sizes().vec(), (std::vector<int64_t>{2, 19, half}));
        const auto parts = asFloat(pb).chunk(2, -1);
        const auto reference = parts[0] * torch::gelu(parts[1]);
        DAAM_COMPARE_TENSORS("bf16 GEGLU vs float32", asFloat(ours), reference, 4e-3);
        QVERIFY(!daam::bf16GegluSupports(torch::randn({4, 7}).to(torch::kBFloat16))); // odd width
    }

    // The modules: without gradients bf16 takes the kernels; with gradients, or in float32, LibTorch's operators
    // (and autograd works).
    void modulesTakeTheKernelsWithoutGradients() {
        torch::manual_seed(5);
        daam::GroupNorm norm(torch::nn::GroupNormOptions(4, 16));
        daam::GEGLU geglu(16, 24);
        {
            torch::NoGradGuard noGrad;
            norm->weight.uniform_(0.5, 1.5);
            norm->bias.uniform_(-1, 1);
        }
        const auto x = torch::randn({2, 16, 6, 6});
        {
            torch::NoGradGuard noGrad;
            DAAM_COMPARE_TENSORS("float32 forwardSilu", norm->forwardSilu(x), torch::silu(norm->forward(x)), 0);
        }
        norm->to(torch::kBFloat16);
        geglu->to(torch::kBFloat16);
        const auto xb = x.to(torch::kBFloat16);
        {
            torch::NoGradGuard noGrad;
            QVERIFY(torch::equal(norm->forwardSilu(xb),
                                 daam::bf16GroupNorm(xb, 4, norm->weight, norm->bias, norm->options.eps(), true)));
            QVERIFY(torch::equal(norm->forward(xb),
                                 daam::bf16GroupNorm(xb, 4, norm->weight, norm->bias, norm->options.eps(), false)));
            const auto tokens = torch::randn({2, 9, 16}).to(torch::kBFloat16);
            const auto proj = std::dynamic_pointer_cast<daam::LinearImpl>(geglu->named_children()["proj"]);
            QVERIFY(torch::equal(geglu->forward(tokens), daam::bf16Geglu(proj->forward(tokens))));
        }
        const auto input = xb.clone().requires_grad_(true);
        norm->forwardSilu(input).to(torch::kFloat32).sum().backward();
        QVERIFY(input.grad().defined());
        QVERIFY(norm->weight.grad().defined());
    }
};

DAAM_TEST_GUILESS_MAIN(TestBf16Kernels)
#include "test_bf16_kernels.moc"
