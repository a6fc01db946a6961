// SPDX-License-Identifier: GPL-3.0-or-later
// Where the files DAAM Studio installs beside its programs are found (share/daam-studio/), in the build tree too.
#pragma once

#include <string>
#include <vector>

namespace daam {

// The data folders, in the order they are searched: $DAAM_DATA_DIR, then share/daam-studio relative to the running
// program (bin/../share/daam-studio, installed and in the build tree alike).
std::vector<std::string> dataDirs();
// `relative` under the first data folder that has it. Empty when none has it.
std::string findDataFile(const std::string& relative);
// The folders looked in, for messages.
std::string dataDirsSearched();

} // namespace daam
