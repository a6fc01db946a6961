// SPDX-License-Identifier: GPL-3.0-or-later
// initRuntime: the process-wide settings every front end starts with.
#include "daam/util/ProcessMemory.h"
#include "daam/util/Runtime.h"

#include "TestMain.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <QProcess>
#include <QRegularExpression>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace {

struct Residency {
    long long whileHeld, afterFree; // resident memory above the start, in bytes
};

// A 64 MiB block allocated, touched and freed: how much of it was resident while held, and after.
Residency residencyOf64MiB() {
    const long long before = daam::procStatusBytes("VmRSS");
    const std::size_t size = std::size_t(64) << 20;
    auto* block = static_cast<char*>(std::malloc(size));
    std::memset(block, 1, size);
    asm volatile("" : : "r"(block) : "memory"); // the compiler may drop a malloc/free pair nobody reads
    const long long whileHeld = daam::procStatusBytes("VmRSS") - before;
    std::free(block);
    return {whileHeld, daam::procStatusBytes("VmRSS") - before};
}

// Whether the kernel backs memory with transparent huge pages where a program asks (MADV_HUGEPAGE).
bool hugePagesOffered() {
    std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    std::getline(setting, line);
    return line.find("[always]") != std::string::npos || line.find("[madvise]") != std::string::npos;
}

// The AnonHugePages of the mapping that holds `address`, in bytes (/proc/self/smaps); -1 if none holds it.
long long anonHugePagesAt(std::uintptr_t address) {
    std::ifstream smaps("/proc/self/smaps");
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        std::uintptr_t begin = 0, end = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &begin, &end) == 2 && line.find(':') > line.find('-')) {
            inside = address >= begin && address < end;
            continue;
        }
        long long kb = 0;
        if (inside && std::sscanf(line.c_str(), "AnonHugePages: %lld kB", &kb) == 1) return kb * 1024;
    }
    return -1;
}

} // namespace

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

    // initRuntime keeps freed blocks resident for reuse; inside LargeBlocksFromTheOs a large block is mapped
    // on its own and goes back to the OS when freed; afterwards blocks are kept again.
    void largeBlocksGoBackToTheOsOnlyInsideTheScope() {
        qunsetenv("DAAM_MALLOC");
        QVERIFY(daam::initRuntime().mallocTuned);
        daam::releaseFreedMemory();
        const long long mib = 1 << 20;
        {
            const daam::LargeBlocksFromTheOs largeBlocks;
            const auto inside = residencyOf64MiB();
            QVERIFY(inside.whileHeld > 56 * mib);
            QVERIFY2(inside.afterFree < 8 * mib, "freed inside the scope, the block stayed resident");
        }
        daam::releaseFreedMemory();
        const auto outside = residencyOf64MiB();
        QVERIFY(outside.whileHeld > 56 * mib);
        QVERIFY2(outside.afterFree > 56 * mib, "freed outside the scope, the block left the process");
        daam::releaseFreedMemory();
    }

    // Inside the scope LibTorch's large blocks are mapped on 2 MiB boundaries, on transparent huge pages where the
    // kernel offers them, and unmapped when freed; outside it they stay in the kept heap.
    void largeTensorsGetMappingsOfTheirOwnInsideTheScope() {
        qunsetenv("DAAM_MALLOC");
        QVERIFY(daam::initRuntime().mallocTuned);
        daam::releaseFreedMemory();
        const long long mib = 1 << 20;
        {
            const daam::LargeBlocksFromTheOs largeBlocks;
            const long long before = daam::procStatusBytes("VmRSS");
            auto block = torch::ones({64 * mib / 4});
            const auto address = reinterpret_cast<std::uintptr_t>(block.data_ptr());
            QCOMPARE(address % (2 * mib), std::uintptr_t(0));
            QVERIFY(daam::procStatusBytes("VmRSS") - before > 56 * mib);
            if (hugePagesOffered()) {
                const long long huge = anonHugePagesAt(address);
                QVERIFY2(huge > 0, "the kernel offers huge pages where asked, but the block has none");
            }
            block = torch::Tensor();
            QVERIFY2(daam::procStatusBytes("VmRSS") - before < 8 * mib, "freed inside the scope, the block stayed");
        }
        daam::releaseFreedMemory();
        const long long before = daam::procStatusBytes("VmRSS");
        auto block = torch::ones({64 * mib / 4});
        block = torch::Tensor();
        QVERIFY2(daam::procStatusBytes("VmRSS") - before > 56 * mib, "freed outside the scope, the block left");
        daam::releaseFreedMemory();
    }

    // oneDNN allocates its buffers through LibTorch's CPU allocator and frees them through whichever allocator is in
    // place then (raw_deallocate): buffers made inside the scope and freed after it, and the other way round, go
    // back to the allocator that made them. Convolutions in and out of scopes, nested ones included, give the same
    // result as outside any.
    void oneDnnBuffersCrossScopes() {
        QVERIFY(daam::initRuntime().mallocTuned);
        torch::manual_seed(2);
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 64, 96, 96});
        const auto weight = torch::randn({64, 64, 3, 3}) * 0.05;
        const auto expected = torch::conv2d(x, weight, {}, 1, 1);
        torch::Tensor inside;
        {
            const daam::LargeBlocksFromTheOs largeBlocks(std::size_t(1) << 20);
            {
                const daam::LargeBlocksFromTheOs nested;
                inside = torch::conv2d(x, weight, {}, 1, 1);
            }
            QVERIFY(torch::equal(torch::conv2d(x, weight, {}, 1, 1), expected));
        }
        QVERIFY(torch::equal(inside, expected));
        inside = torch::Tensor(); // a mapped block freed outside the scope
        QVERIFY(torch::equal(torch::conv2d(x, weight, {}, 1, 1), expected));
        daam::releaseFreedMemory();
    }

    // daam_core's own parallel loops (the fused attention kernels) use LibTorch's threads. Built without
    // OpenMP they ran on one thread at any setting, and the kernels measured half their speed.
    void ownParallelLoopsUseTheThreads() {
        at::set_num_threads(2);
        QCOMPARE(daam::parallelForThreads(), 2);
        at::set_num_threads(1);
        QCOMPARE(daam::parallelForThreads(), 1);
    }

    void yieldingReachesTheThreadsTeam() {
        // A thread that yields, and the OpenMP team it then starts inside LibTorch, run nicer; the thread that
        // started it does not.
        auto niceness = [] { return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))); };
        // The process's threads at niceness `n` (field 19 of /proc/self/task/<tid>/stat).
        auto threadsAt = [](int n) {
            int count = 0;
            for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
                std::ifstream stat(task.path() / "stat");
                std::string line;
                std::getline(stat, line);
                std::istringstream fields(line.substr(line.rfind(')') + 2)); // after the name, which may hold spaces
                std::string field;
                for (int i = 3; i <= 19 && fields >> field; ++i) {
                }
                count += field == std::to_string(n) ? 1 : 0;
            }
            return count;
        };
        const int mine = niceness();
        if (mine > 16) QSKIP("this process already runs at the lowest priorities");
        at::set_num_threads(2);
        int before = 0, returned = 0, team = 0;
        std::thread worker([&] {
            before = niceness();
            returned = daam::yieldToOtherThreads(3);
            // Large enough for LibTorch to split it over its threads: the team is made now, by this thread.
            const auto x = torch::rand({1 << 24});
            QVERIFY(x.exp().sum().item<double>() > 0);
            team = threadsAt(mine + 3);
        });
        worker.join();
        QCOMPARE(before, mine);
        QCOMPARE(returned, mine + 3);
        QVERIFY2(team >= 2, qPrintable(QString::number(team))); // this thread and the team it started
        QCOMPARE(niceness(), mine);
    }

    // OpenBLAS's fallback for a CPU model it does not know is replaced by the kernels the CPU runs; its
    // choice for a CPU it knows stands.
    void blasKernelsForTheCpu() {
        QCOMPARE(daam::blasCoreToForce("Prescott", true, true), std::string("SkylakeX"));
        QCOMPARE(daam::blasCoreToForce("PRESCOTT", false, true), std::string("Haswell"));
        QCOMPARE(daam::blasCoreToForce("Prescott", false, false), std::string());
        QCOMPARE(daam::blasCoreToForce("Haswell", true, true), std::string());
        QCOMPARE(daam::blasCoreToForce("Cooperlake", true, true), std::string());
        QCOMPARE(daam::blasCoreToForce("Zen", false, true), std::string());
    }

    // daam-cli, started as a user starts it, computes on OpenBLAS kernels for this CPU: on this machine's Xeon
    // (family 6, model 207) Debian's OpenBLAS loads its SSE3 kernels first and the program restarts on
    // SkylakeX's. A user's OPENBLAS_CORETYPE is left alone. OPENBLAS_VERBOSE=2 makes OpenBLAS print
    // "Core: NAME" each time it loads.
    void aFrontEndComputesOnTheCpusBlasKernels() {
        auto coresLoaded = [](const QString& coreType) {
            QProcess cli;
            auto env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("OPENBLAS_CORETYPE"));
            if (!coreType.isEmpty()) env.insert(QStringLiteral("OPENBLAS_CORETYPE"), coreType);
            env.insert(QStringLiteral("OPENBLAS_VERBOSE"), QStringLiteral("2"));
            cli.setProcessEnvironment(env);
            cli.start(QStringLiteral(DAAM_CLI_PATH), {QStringLiteral("--help")});
            if (!cli.waitForFinished(60000) || cli.exitCode() != 0) return QStringList{QStringLiteral("failed")};
            QStringList cores;
            const QRegularExpression core(QStringLiteral("Core: (\\S+)"));
            for (auto it = core.globalMatch(QString::fromLocal8Bit(cli.readAllStandardError())); it.hasNext();)
                cores << it.next().captured(1);
            return cores;
        };
        const QStringList cores = coresLoaded({});
        if (cores.isEmpty()) QSKIP("daam-cli's BLAS is not OpenBLAS");
        QVERIFY2(cores != QStringList{QStringLiteral("failed")}, "daam-cli --help failed");
        QVERIFY2(cores.size() <= 2, qPrintable(cores.join(u' ')));
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2"))
            QVERIFY2(cores.back().compare(QStringLiteral("Prescott"), Qt::CaseInsensitive) != 0,
                     qPrintable(QStringLiteral("kernels loaded: ") + cores.join(u' ')));
        if (cores.size() == 2) QCOMPARE(cores.front(), QStringLiteral("Prescott"));

        QCOMPARE(coresLoaded(QStringLiteral("Prescott")), QStringList{QStringLiteral("Prescott")});
    }
};

DAAM_TEST_APPLESS_MAIN(TestRuntime)
#include "test_runtime.moc"
