// SPDX-License-Identifier: GPL-3.0-or-later
// profileOps: the ops a piece of work runs appear with their call counts, an op's self time leaves out
// the ops it calls, and the self times fit inside the wall time.
#include "daam/util/OpProfile.h"

#include <torch/torch.h>

#include "TestMain.h"

class TestOpProfile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countsAndSelfTimes() {
        torch::NoGradGuard noGrad;
        const auto a = torch::randn({256, 256}), b = torch::randn({256, 256});
        const auto x = torch::randn({2, 8, 32, 32}), w = torch::randn({8, 8, 3, 3});
        const auto profile = daam::profileOps([&] {
            for (int i = 0; i < 3; ++i)
                (void)torch::mm(a, b);
            for (int i = 0; i < 2; ++i)
                (void)torch::conv2d(x, w, {}, 1, 1);
        });
        auto find = [&](const std::string& name) -> const daam::OpTime* {
            for (const auto& op : profile.ops)
                if (op.name == name) return &op;
            return nullptr;
        };
        const auto* mm = find("aten::mm");
        QVERIFY(mm);
        QCOMPARE(mm->calls, 3LL);
        QVERIFY(mm->selfSeconds > 0);
        const auto* conv = find("aten::conv2d");
        QVERIFY(conv);
        QCOMPARE(conv->calls, 2LL);
        // conv2d only dispatches: nearly all of its time belongs to the convolution it calls.
        double inner = 0;
        for (const auto& op : profile.ops)
            if (op.name.find("conv") != std::string::npos && op.name != "aten::conv2d") inner += op.selfSeconds;
        QVERIFY2(conv->selfSeconds < inner,
                 qPrintable(QString::number(conv->selfSeconds) + QStringLiteral(" vs ") + QString::number(inner)));
        QVERIFY(profile.opSeconds() <= profile.wallSeconds * 1.001);
        for (size_t i = 1; i < profile.ops.size(); ++i)
            QVERIFY(profile.ops[i - 1].selfSeconds >= profile.ops[i].selfSeconds);
    }
};

DAAM_TEST_GUILESS_MAIN(TestOpProfile)
#include "test_op_profile.moc"
