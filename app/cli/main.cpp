// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli: the headless front end. `daam-cli COMMAND --help` documents each command.
#include "Args.h"
#include "Command.h"

#include "daam/util/Error.h"
#include "daam/util/Runtime.h"
#include "daam/util/Version.h"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace daam::cli {
std::vector<Command>& commands() {
    static std::vector<Command> list;
    return list;
}
} // namespace daam::cli

namespace {
void printUsage(std::FILE* out) {
    auto cmds = daam::cli::commands();
    std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    std::fputs("Usage: daam-cli COMMAND [options]\n\n"
               "DAAM Studio's command line: run Stable Diffusion models in LibTorch and inspect\n"
               "where each prompt word lands (DAAM cross-attention heat maps).\n\nCommands:\n",
               out);
    for (const auto& c : cmds)
        std::fprintf(out, "  %-14s %s\n", c.name.c_str(), c.summary.c_str());
    std::fputs("\nRun 'daam-cli COMMAND --help' for a command's options.\n", out);
}
} // namespace

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    if (argc < 2) {
        printUsage(stderr);
        return 2;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        printUsage(stdout);
        return 0;
    }
    if (name == "--version") {
        std::printf("daam-cli %s\n", daam::studioVersion());
        return 0;
    }
    const auto& cmds = daam::cli::commands();
    auto it = std::find_if(cmds.begin(), cmds.end(), [&](const auto& c) { return c.name == name; });
    if (it == cmds.end()) {
        std::fprintf(stderr, "daam-cli: unknown command '%s'\n\n", name.c_str());
        printUsage(stderr);
        return 2;
    }
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        daam::initRuntime();
        return it->run(args);
    } catch (const daam::cli::UsageError& e) {
        std::fprintf(stderr, "daam-cli %s: %s\n", name.c_str(), e.what());
        return 2;
    } catch (const daam::Error& e) {
        std::fprintf(stderr, "daam-cli %s: error: %s\n", name.c_str(), e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "daam-cli %s: unexpected error: %s\n", name.c_str(), e.what());
        return 1;
    }
}
