// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli's commands register themselves here, one file per command (cmd_<name>.cpp), so adding a
// command touches no shared list. A command returns the process exit code; it throws UsageError for
// bad arguments and daam::Error for bad input files, which main() prints to stderr.
#pragma once

#include <string>
#include <vector>

namespace daam::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
    std::string name;
    std::string summary;
    CommandFn run = nullptr;
};

std::vector<Command>& commands();

struct RegisterCommand {
    RegisterCommand(const char* name, const char* summary, CommandFn run) {
        commands().push_back({name, summary, run});
    }
};

} // namespace daam::cli

#define DAAM_CLI_COMMAND(ident, name, summary, fn)                                                                     \
    static const ::daam::cli::RegisterCommand daamRegister_##ident {                                                   \
        name, summary, fn                                                                                              \
    }
