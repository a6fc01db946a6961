// initRuntime: the process-wide settings every front end starts with.
#include "daam/util/Runtime.h"

#include <QtTest>

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <cstdlib>

class TestRuntime : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void setsThreadsMallocAndFloat32() {
        qunsetenv("DAAM_MALLOC");
        qputenv("DAAM_THREADS", "1");
        at::globalContext().setAllowTF32CuDNN(true);
        const auto report = daam::initRuntime();
        QCOMPARE(report.threads, 1);
        QCOMPARE(at::get_num_threads(), 1);
        QVERIFY(report.mallocTuned);
        // fp32 on a GPU is IEEE fp32: the CUDA reference check (tests/cuda) lands at 1e-6 only without TF32.
        QVERIFY(!at::globalContext().allowTF32CuDNN());
        QVERIFY(!at::globalContext().allowTF32CuBLAS());

        qputenv("DAAM_THREADS", "2");
        QCOMPARE(daam::initRuntime().threads, 2);
        qunsetenv("DAAM_THREADS");
    }

    // daam_core's own parallel loops (the fused attention kernels) use LibTorch's threads. Built without
    // OpenMP they ran on one thread at any setting, and the kernels measured half their speed.
    void ownParallelLoopsUseTheThreads() {
        at::set_num_threads(2);
        QCOMPARE(daam::parallelForThreads(), 2);
        at::set_num_threads(1);
        QCOMPARE(daam::parallelForThreads(), 1);
    }
};

QTEST_APPLESS_MAIN(TestRuntime)
#include "test_runtime.moc"
