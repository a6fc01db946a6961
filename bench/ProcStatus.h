// The benchmarks' memory readings, from /proc/self.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace daam::bench {

// A /proc/self/status field given in kB (VmHWM, the peak resident set; VmRSS), in bytes; -1 if absent.
inline long long procStatus(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0) return std::atoll(line.c_str() + prefix.size()) * 1024;
    return -1;
}

// Resets VmHWM to the current resident set (Linux >= 4.0), so that a peak read later is the measured work's.
inline bool resetPeak() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    return static_cast<bool>(out.flush());
}

} // namespace daam::bench
