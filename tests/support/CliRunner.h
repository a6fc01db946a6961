// SPDX-License-Identifier: GPL-3.0-or-later
// Running daam-cli from a test: the tests that include this define DAAM_CLI_PATH (tests/CMakeLists.txt).
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

#include "daam/util/Runtime.h"

namespace daam::test {

struct CliResult {
    int exitCode = -1;
    QString out, err;
};

// Runs daam-cli with `args` and waits for it (generations through the CLI can take minutes).
// The CLI computes on this test's OpenBLAS kernels, not the faster ones it would load for itself
// (loadFasterBlasKernels), so that a test can compare its numbers with this process's bit for bit.
inline CliResult runCli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    const auto kernels = QString::fromStdString(daam::blasKernelsInUse());
    if (!kernels.isEmpty()) {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENBLAS_CORETYPE"), kernels);
        p.setProcessEnvironment(env);
    }
    p.start(QStringLiteral(DAAM_CLI_PATH), args);
    p.waitForFinished(timeoutMs);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace daam::test
