// Running daam-cli from a test: the tests that include this define DAAM_CLI_PATH (tests/CMakeLists.txt).
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace daam::test {

struct CliResult {
    int exitCode = -1;
    QString out, err;
};

// Runs daam-cli with `args` and waits for it (generations through the CLI can take minutes).
inline CliResult runCli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(QStringLiteral(DAAM_CLI_PATH), args);
    p.waitForFinished(timeoutMs);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace daam::test
