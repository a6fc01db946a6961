// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/util/ProcessMemory.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace daam {

long long procStatusBytes(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0) return std::atoll(line.c_str() + prefix.size()) * 1024;
    return -1;
}

bool resetPeakResident() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    return static_cast<bool>(out.flush());
}

} // namespace daam
