// SPDX-License-Identifier: GPL-3.0-or-later
// Where the files DAAM Studio installs beside its programs are found (share/daam-studio/), in the build tree too.
#pragma once

#include <string>

namespace daam {

// `relative` under the first data folder that has it: $DAAM_DATA_DIR, then share/daam-studio relative to the
// running program. Empty when none has it.
std::string findDataFile(const std::string& relative);
// The folders looked in, for messages.
std::string dataDirsSearched();

} // namespace daam
