// SPDX-License-Identifier: GPL-3.0-or-later
// This process's memory as Linux reports it (/proc/self), for the benchmarks and tests that measure it.
#pragma once

namespace daam {

// A /proc/self/status field given in kB (VmRSS, the resident set; VmHWM, its peak), in bytes; -1 if absent.
long long procStatusBytes(const char* key);

// Resets VmHWM to the current resident set (Linux >= 4.0), so that a peak read later is the measured work's.
bool resetPeakResident();

} // namespace daam
