// SPDX-License-Identifier: GPL-3.0-or-later
// profileOps: the ops a piece of work runs appear with their call counts, an op's self time leaves out
// the ops it calls, and the self times fit inside the wall time; scopes of our own show as ops, and stages
// sum their own ops.
#include "daam/util/OpProfile.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <chrono>
#include <thread>

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

    void stagesSumTheirOwnOps() {
        torch::NoGradGuard noGrad;
        const auto a = torch::randn({256, 256}), b = torch::randn({256, 256});
        const auto x = torch::randn({2, 8, 32, 32}), w = torch::randn({8, 8, 3, 3});
        const auto profile = daam::profileOps([&] {
            for (int i = 0; i < 2; ++i) {
                RECORD_USER_SCOPE("stage: products");
                (void)torch::mm(a, b);
                {
                    RECORD_USER_SCOPE("daam::our_kernel"); // no aten op inside
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
                {
                    RECORD_USER_SCOPE("stage: nested"); // part of the outer stage
                    (void)torch::mm(a, b);
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
            }
            RECORD_USER_SCOPE("stage: convolutions");
            (void)torch::conv2d(x, w, {}, 1, 1);
        });
        auto find = [](const std::vector<daam::OpTime>& ops, const std::string& name) -> const daam::OpTime* {
            for (const auto& op : ops)
                if (op.name == name) return &op;
            return nullptr;
        };
        QCOMPARE(profile.stages.size(), size_t(2));
        const auto& products = profile.stages[0]; // the larger: 60 ms of sleeping alone
        QCOMPARE(QString::fromStdString(products.name), QStringLiteral("products"));
        QCOMPARE(products.calls, 2LL);
        QVERIFY(products.seconds >= 0.06);
        QVERIFY(find(products.ops, "aten::mm"));
        QCOMPARE(find(products.ops, "aten::mm")->calls, 4LL);
        QVERIFY(!find(products.ops, "aten::conv2d"));
        const auto* kernel = find(products.ops, "daam::our_kernel");
        QVERIFY(kernel);
        QCOMPARE(kernel->calls, 2LL);
        QVERIFY(kernel->selfSeconds >= 0.04);
        QVERIFY(products.outsideOps >= 0.02); // the nested stage's sleeping
        QVERIFY(products.outsideOps < 0.04);  // not the kernel's
        const auto& convolutions = profile.stages[1];
        QCOMPARE(QString::fromStdString(convolutions.name), QStringLiteral("convolutions"));
        QVERIFY(find(convolutions.ops, "aten::conv2d"));
        QVERIFY(!find(convolutions.ops, "aten::mm"));
        // Stages are not ops; the ops of every stage are in the whole profile's list too.
        QVERIFY(!find(profile.ops, "stage: products"));
        QCOMPARE(find(profile.ops, "aten::mm")->calls, 4LL);
        QVERIFY(find(profile.ops, "daam::our_kernel"));
    }
};

DAAM_TEST_GUILESS_MAIN(TestOpProfile)
#include "test_op_profile.moc"
