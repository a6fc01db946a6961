// SPDX-License-Identifier: GPL-3.0-or-later
// main() of a test executable that holds many QtTest classes: `daam_tests test_measures [QtTest options]`.
#include "TestMain.h"

#include "daam/util/Runtime.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace daam::test {

namespace {
std::map<std::string, TestRunner>& registry() {
    static std::map<std::string, TestRunner> tests;
    return tests;
}
} // namespace

bool registerTest(const char* sourceFile, TestRunner run) {
    std::string name = sourceFile;
    if (const auto slash = name.find_last_of('/'); slash != std::string::npos) name.erase(0, slash + 1);
    if (const auto dot = name.find('.'); dot != std::string::npos) name.erase(dot);
    registry()[name] = run;
    return true;
}

} // namespace daam::test

int main(int argc, char** argv) {
    // As the programs start: OpenBLAS's kernels for this CPU, and above all one OpenBLAS thread. Its own pool
    // otherwise spins beside LibTorch's threads after every call: test_demo_trainer ran 5 times slower (633 s
    // against 122 s, beside a build).
    daam::loadFasterBlasKernels(argv);
    daam::initRuntime();
    const auto& tests = daam::test::registry();
    const auto found = argc >= 2 ? tests.find(argv[1]) : tests.end();
    if (found == tests.end()) {
        std::fprintf(stderr, "usage: %s TEST [QtTest options]\n%s\ntests:\n", argv[0],
                     argc >= 2 ? ("unknown test '" + std::string(argv[1]) + "'").c_str() : "no test named");
        for (const auto& [name, run] : tests)
            std::fprintf(stderr, "  %s\n", name.c_str());
        return 2;
    }
    // The test sees the arguments its own executable would have: its name, then the options. Settings and
    // QStandardPaths' test mode are keyed by the application name, so two tests run at once do not share them.
    std::vector<char*> args{argv[0]};
    args.insert(args.end(), argv + 2, argv + argc);
    QCoreApplication::setApplicationName(QString::fromStdString(found->first));
    return found->second(int(args.size()), args.data());
}
