// The fused CPU attention kernel against the plain computation, over the head sizes and sequence
// lengths Stable Diffusion uses (including key counts that are not whole 64-key blocks, like 77).
#include "daam/nn/Attention.h"
#include "daam/nn/FusedAttention.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include <QtTest>

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
        const int shapes[][4] = {{2, 64, 64, 4},       {3, 77, 77, 8},    {2, 130, 77, 40}, {4, 256, 256, 40},
                                 {2, 100, 300, 64},    {2, 64, 129, 80},  {1, 33, 64, 160}, {2, 5, 1, 16},
                                 {16, 1024, 1024, 40}, {2, 384, 384, 32}, {1, 17, 250, 100}};
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
        const auto fused = daam::fusedAttention(q, k, v, scale);
        const auto plain =
            daam::plainAttention(q.to(torch::kFloat64), k.to(torch::kFloat64), v.to(torch::kFloat64), scale);
        DAAM_COMPARE_TENSORS("fused vs plain (float64)", fused, plain, 2e-6);
    }

    void fallsBackForOtherTypes() {
        auto q = torch::randn({2, 10, 300}), k = torch::randn({2, 12, 300}), v = torch::randn({2, 12, 300});
        DAAM_COMPARE_TENSORS("d = 300 (plain path)", daam::fusedAttention(q, k, v, 0.05),
                             daam::plainAttention(q, k, v, 0.05), 1e-6);
        auto qd = q.to(torch::kFloat64), kd = k.to(torch::kFloat64), vd = v.to(torch::kFloat64);
        QCOMPARE(daam::fusedAttention(qd, kd, vd, 0.05).scalar_type(), torch::kFloat64);
    }
};

QTEST_APPLESS_MAIN(TestFusedAttention)
#include "test_fused_attention.moc"
