// SPDX-License-Identifier: GPL-3.0-or-later
// The version of DAAM Studio, one number for every program and record (CMake's project version).
#pragma once

namespace daam {

const char* studioVersion();

} // namespace daam
