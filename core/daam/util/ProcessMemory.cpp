// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/util/ProcessMemory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

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

std::size_t releaseCleanFilePages(const void* begin, std::size_t bytes) {
    static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto start = reinterpret_cast<std::uintptr_t>(begin);
    const std::uintptr_t first = (start + page - 1) / page * page, last = (start + bytes) / page * page;
    if (last <= first) return 0;
    const int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    // One 64-bit entry per page: bit 63 present, bit 62 swapped, bit 61 a file page (or shared anonymous).
    constexpr std::uint64_t kPresent = 1ull << 63, kSwapped = 1ull << 62, kFilePage = 1ull << 61;
    std::size_t released = 0;
    std::uintptr_t runBegin = 0; // the pages from here to the current one are present file pages
    auto endRun = [&](std::uintptr_t at) {
        if (runBegin && at > runBegin &&
            ::madvise(reinterpret_cast<void*>(runBegin), at - runBegin, MADV_DONTNEED) == 0)
            released += at - runBegin;
        runBegin = 0;
    };
    std::vector<std::uint64_t> entries(4096);
    std::uintptr_t at = first;
    while (at < last) {
        const std::size_t count = std::min<std::size_t>(entries.size(), (last - at) / page);
        const auto offset = static_cast<off_t>(at / page * sizeof(std::uint64_t));
        if (::pread(fd, entries.data(), count * sizeof(std::uint64_t), offset) !=
            static_cast<ssize_t>(count * sizeof(std::uint64_t)))
            break;
        for (std::size_t i = 0; i < count; ++i, at += page) {
            const std::uint64_t e = entries[i];
            const bool clean = (e & kPresent) && (e & kFilePage) && !(e & kSwapped);
            if (clean && !runBegin) runBegin = at;
            if (!clean) endRun(at);
        }
    }
    endRun(at);
    ::close(fd);
    return released;
}

} // namespace daam
