// SPDX-License-Identifier: GPL-3.0-or-later
// The fused CPU attention kernel against the plain computation, over the head sizes and sequence
// lengths Stable Diffusion uses (including key counts that are not whole 64-key blocks, like 77).
#include "daam/nn/Attention.h"
#include "daam/nn/FusedAttention.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

class TestFusedAttention : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The attention module takes the fused kernel only without gradients: same numbers either way, and
    // training (which needs the backward of the plain path) still gets gradients.
    void attentionModuleFusesOnlyWithoutGrad() {
        torch::manual_seed(4);
        daam::AttentionOptions o;
        o.queryDim = 16;
        o.heads = 2;
        o.dimHead = 8;
        daam::Attention attention(o);
        const auto x = torch::randn({1, 1024, 16});
        torch::Tensor fused;
        {
            torch::NoGradGuard noGrad;
            fused = attention->forward(x);
        }
        const auto input = x.clone().requires_grad_(true);
        const auto plain = attention->forward(input);
        DAAM_COMPARE_TENSORS("fused vs plain", fused, plain.detach(), 1e-5);
        plain.pow(2).sum().backward();
        QVERIFY(input.grad().defined());
        QVERIFY(input.grad().abs().sum().item<double>() > 0);
        QVERIFY(attention->named_parameters()["to_q.weight"].grad().defined());
    }

    void matchesPlainAttention_data() {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("nq");
        QTest::addColumn<int>("nk");
        QTest::addColumn<int>("d");
        const int shapes[][4] = {{2, 64, 64, 4},       {3, 77, 77, 8},    {2, 130, 77, 40},  {4, 256, 256, 40},
                                 {2, 100, 300, 64},    {2, 64, 129, 80},  {1, 33, 64, 160},  {2, 5, 1, 16},
                                 {16, 1024, 1024, 40}, {2, 384, 384, 32}, {1, 17, 250, 100}, {2, 40, 70, 15}};
        for (const auto& s : shapes)
            QTest::newRow(qPrintable(QStringLiteral("b%1 q%2 k%3 d%4").arg(s[0]).arg(s[1]).arg(s[2]).arg(s[3])))
                << s[0] << s[1] << s[2] << s[3];
    }
    void matchesPlainAttention() {
        QFETCH(int, batch);
        QFETCH(int, nq);
        QFETCH(int, nk);
        QFETCH(int, d);
        torch::manual_seed(nq * 31 + nk + d);
        // Scores spread like real attention logits (std ~3), so the softmax is far from uniform.
        auto q = torch::randn({batch, nq, d}) * 2, k = torch::randn({batch, nk, d}) * 2,
             v = torch::randn({batch, nk, d});
        const double scale = 1.0 / std::sqrt(double(d));
        const auto plain =
            daam::plainAttention(q.to(torch::kFloat64), k.to(torch::kFloat64), v.to(torch::kFloat64), scale);
        DAAM_COMPARE_TENSORS("fused vs plain (float64)", daam::fusedAttention(q, k, v, scale), plain, 2e-6);
        // The portable kernel too, which CPUs without AVX-512 take.
        DAAM_COMPARE_TENSORS("portable fused vs plain (float64)",
                             daam::fusedAttention(q, k, v, scale, daam::FusedAttentionKernel::Portable), plain, 2e-6);
    }

    // bfloat16 on a CPU with AVX512-BF16: inputs rounded to bf16 once, so the kernel, LibTorch's bf16 path and
    // a float64 reference all see the same numbers. The kernel keeps scores in float32, so it must come within
    // the output's own bf16 rounding (about 2e-3) of the reference; LibTorch's bf16 path, which rounds the
    // scores too, is printed beside it (measured 0.8e-2 to 1.6e-2).
    void bf16MatchesReference_data() { matchesPlainAttention_data(); }
    void bf16MatchesReference() {
        QFETCH(int, batch);
        QFETCH(int, nq);
        QFETCH(int, nk);
        QFETCH(int, d);
        torch::manual_seed(nq * 17 + nk + d);
        const auto q = (torch::randn({batch, nq, d}) * 2).to(torch::kBFloat16),
                   k = (torch::randn({batch, nk, d}) * 2).to(torch::kBFloat16),
                   v = torch::randn({batch, nk, d}).to(torch::kBFloat16);
        if (!daam::fusedAttentionSupports(q, k, v))
            QSKIP("no bf16 kernel for this head size, or no AVX512-BF16 on this CPU: the plain path");
        const double scale = 1.0 / std::sqrt(double(d));
        const auto fused = daam::fusedAttention(q, k, v, scale);
        QCOMPARE(fused.scalar_type(), torch::kBFloat16);
        QCOMPARE(fused.sizes().vec(), (std::vector<int64_t>{batch, nq, d}));
        const auto reference =
            daam::plainAttention(q.to(torch::kFloat64), k.to(torch::kFloat64), v.to(torch::kFloat64), scale);
        const double fusedError = daam::test::relativeError(fused.to(torch::kFloat64), reference);
        const double libtorchError =
            daam::test::relativeError(daam::plainAttention(q, k, v, scale).to(torch::kFloat64), reference);
        qInfo("relative error: fused %.2e, LibTorch bf16 %.2e", fusedError, libtorchError);
        QVERIFY2(fusedError <= 3e-3, qPrintable(QString::number(fusedError)));
    }

    // The attention module sends long bf16 self-attention to the kernel (without gradients) and gets what the
    // plain bf16 path gets, to bf16 rounding.
    void attentionModuleFusesBf16() {
        torch::manual_seed(5);
        daam::AttentionOptions o;
        o.queryDim = 32;
        o.heads = 2;
        o.dimHead = 16;
        daam::Attention attention(o);
        attention->to(torch::kBFloat16);
        const auto x = torch::randn({2, 1024, 32}).to(torch::kBFloat16);
        if (!daam::fusedAttentionSupports(x, x, x)) QSKIP("no AVX512-BF16 on this CPU: bf16 takes the plain path");
        torch::Tensor fused;
        {
            torch::NoGradGuard noGrad;
            fused = attention->forward(x);
        }
        const auto plain = attention->forward(x).detach();
        QCOMPARE(fused.scalar_type(), torch::kBFloat16);
        DAAM_COMPARE_TENSORS("fused vs plain (bf16)", fused.to(torch::kFloat32), plain.to(torch::kFloat32), 1e-2);
        QVERIFY(!torch::equal(fused, plain)); // different paths, so not bit-identical
    }

    // The kernels move a row's running max only where a key block's scores lead it by more than a margin. Scores
    // that climb key after key (up to 175 over a row: the max moves every block or every few blocks, and within a
    // block the scores lead the max they start from), that fall (the max never moves after the first block) and
    // that climb within the margin must all give the float64 result.
    void runningMaxMovesOrNotAcrossKeyBlocks_data() {
        QTest::addColumn<double>("slope");
        QTest::newRow("climbing steeply") << 0.25;
        QTest::newRow("falling steeply") << -0.25;
        QTest::newRow("climbing within the margin") << 0.02;
    }
    void runningMaxMovesOrNotAcrossKeyBlocks() {
        QFETCH(double, slope);
        const int64_t nk = 700, d = 40;
        torch::manual_seed(11);
        // Scores of query row i against key j: (i + 1) * slope * j / 8 plus noise (q·k with the scale of 1/sqrt(d)).
        const auto q = torch::cat({torch::arange(1, 9).to(torch::kFloat32).unsqueeze(1) * std::sqrt(double(d)),
                                   torch::randn({8, d - 1})},
                                  1)
                           .unsqueeze(0);
        const auto k =
            torch::cat(
                {(torch::arange(nk).to(torch::kFloat32) * slope / 8).unsqueeze(1), torch::randn({nk, d - 1}) * 0.5}, 1)
                .unsqueeze(0);
        const auto v = torch::randn({1, nk, d});
        const double scale = 1.0 / std::sqrt(double(d));
        const auto reference =
            daam::plainAttention(q.to(torch::kFloat64), k.to(torch::kFloat64), v.to(torch::kFloat64), scale);
        // Scores in the hundreds carry float32's rounding of their size: the bar is LibTorch's own float32 error.
        const double plainError = daam::test::relativeError(daam::plainAttention(q, k, v, scale), reference);
        const double bar = std::max(2e-6, 2 * plainError);
        for (const auto kernel : {daam::FusedAttentionKernel::Fastest, daam::FusedAttentionKernel::Portable}) {
            const double error = daam::test::relativeError(daam::fusedAttention(q, k, v, scale, kernel), reference);
            qInfo("float32 relative error: fused %.2e, LibTorch %.2e", error, plainError);
            QVERIFY2(error <= bar, qPrintable(QString::number(error)));
        }
        const auto qb = q.to(torch::kBFloat16), kb = k.to(torch::kBFloat16), vb = v.to(torch::kBFloat16);
        if (!daam::fusedAttentionSupports(qb, kb, vb)) return; // no AVX512-BF16 here
        const auto bf16Reference =
            daam::plainAttention(qb.to(torch::kFloat64), kb.to(torch::kFloat64), vb.to(torch::kFloat64), scale);
        const double error =
            daam::test::relativeError(daam::fusedAttention(qb, kb, vb, scale).to(torch::kFloat64), bf16Reference);
        QVERIFY2(error <= 3e-3, qPrintable(QString::number(error)));
    }

    void fallsBackForOtherTypes() {
        auto q = torch::randn({2, 10, 300}), k = torch::randn({2, 12, 300}), v = torch::randn({2, 12, 300});
        DAAM_COMPARE_TENSORS("d = 300 (plain path)", daam::fusedAttention(q, k, v, 0.05),
                             daam::plainAttention(q, k, v, 0.05), 1e-6);
        auto qd = q.to(torch::kFloat64), kd = k.to(torch::kFloat64), vd = v.to(torch::kFloat64);
        QCOMPARE(daam::fusedAttention(qd, kd, vd, 0.05).scalar_type(), torch::kFloat64);
        QVERIFY(!daam::fusedAttentionSupports(qd, kd, vd));
        // Mixed types (an upcast query and key with a bf16 value, as with upcast_attention) take the plain path.
        const auto q40 = torch::randn({2, 10, 40}), v40 = torch::randn({2, 12, 40}).to(torch::kBFloat16);
        QVERIFY(!daam::fusedAttentionSupports(q40, torch::randn({2, 12, 40}), v40));
        QVERIFY(daam::fusedAttentionSupports(q40, torch::randn({2, 12, 40}), v40.to(torch::kFloat32)));
    }
};

DAAM_TEST_APPLESS_MAIN(TestFusedAttention)
#include "test_fused_attention.moc"
