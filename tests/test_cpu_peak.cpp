// SPDX-License-Identifier: GPL-3.0-or-later
// measureCpuPeak: a rate where the CPU has the instructions, none where it lacks them, and more threads no slower.
#include "daam/util/CpuPeak.h"

#include "TestMain.h"

class TestCpuPeak : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void measuresWhatTheCpuHas() {
#if defined(__x86_64__)
        __builtin_cpu_init();
        const auto one = daam::measureCpuPeak(1, 0.05);
        qInfo("one thread: fp32 %.0f GFLOP/s, bf16 %.0f GFLOP/s", one.fp32Gflops, one.bf16Gflops);
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            // One core does at least 8 lanes × 2 FLOP per cycle at 0.5 GHz, and no core 2 × 32 at 10 GHz.
            QVERIFY(one.fp32Gflops > 8);
            QVERIFY(one.fp32Gflops < 640);
        } else {
            QCOMPARE(one.fp32Gflops, 0.0);
        }
        if (__builtin_cpu_supports("avx512bf16"))
            QVERIFY(one.bf16Gflops > one.fp32Gflops); // two products per float32 lane
        else
            QCOMPARE(one.bf16Gflops, 0.0);
#else
        QCOMPARE(daam::measureCpuPeak(1, 0.05).fp32Gflops, 0.0);
#endif
    }
};

DAAM_TEST_GUILESS_MAIN(TestCpuPeak)
#include "test_cpu_peak.moc"
