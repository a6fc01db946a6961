// SPDX-License-Identifier: GPL-3.0-or-later
// This process's memory as Linux reports it (/proc/self), for the benchmarks and tests that measure it.
#pragma once

#include <cstddef>

namespace daam {

// A /proc/self/status field given in kB (VmRSS, the resident set; VmHWM, its peak), in bytes; -1 if absent.
long long procStatusBytes(const char* key);

// Resets VmHWM to the current resident set (Linux >= 4.0), so that a peak read later is the measured work's.
bool resetPeakResident();

// Takes out of this process's resident memory the whole pages of [begin, begin + bytes) that a file still backs
// unchanged (as /proc/self/pagemap tells): weights that are views of a mapped file, read once per generation
// (a text encoder), leave memory between uses and read back from the page cache. Pages written since they were
// mapped, and anonymous memory, stay as they are: nothing is lost. Returns the bytes given back; 0 where
// pagemap cannot be read.
std::size_t releaseCleanFilePages(const void* begin, std::size_t bytes);

} // namespace daam
