// SPDX-License-Identifier: GPL-3.0-or-later
// Zero-copy weight loading, measured: writes a safetensors file of random data (1 GiB by default, or
// the size in MiB given as the first argument), then in one run
//   - reads it once from the page cache with read() into a fresh buffer (the yardstick),
//   - loads it the way models load weights (map, validate, a tensor view per entry) and touches every
//     byte through the tensors (a sum per tensor),
// and prints the load/read time ratio and the peak resident memory of the load as a multiple of the
// file size. Targets (issue #2): ratio < 2, peak < 1.2 x file size.
#include "daam/io/Safetensors.h"
#include "daam/util/ProcessMemory.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

double seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double readOnce(const std::string& path, size_t size) {
    std::vector<char> buffer(size);
    const double t0 = seconds();
    int fd = ::open(path.c_str(), O_RDONLY);
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::read(fd, buffer.data() + done, size - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
    }
    ::close(fd);
    const double t = seconds() - t0;
    volatile char sink = buffer[size / 2];
    (void)sink;
    return t;
}

} // namespace

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    daam::initRuntime();
    const long long mib = argc > 1 ? std::atoll(argv[1]) : 1024;
    const std::string dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path().string();
    const std::string path = dir + "/daam-bench-load.safetensors";

    // 64 MiB tensors of random floats; four distinct buffers are enough to keep memory low while writing.
    const int64_t perTensor = 16 * 1024 * 1024; // floats
    const int count = static_cast<int>((mib * 1024 * 1024) / (perTensor * 4));
    std::vector<torch::Tensor> buffers;
    for (int i = 0; i < 4; ++i)
        buffers.push_back(torch::rand({perTensor}));
    std::vector<daam::RawTensor> raw;
    for (int i = 0; i < count; ++i) {
        const auto& b = buffers[i % 4];
        raw.push_back({"layer." + std::to_string(i) + ".weight",
                       daam::DType::F32,
                       {4096, perTensor / 4096},
                       b.data_ptr(),
                       static_cast<size_t>(perTensor * 4)});
    }
    daam::writeSafetensors(path, raw);
    raw.clear();
    buffers.clear();
    // initRuntime keeps freed blocks resident; the writer's 256 MiB of buffers are not the load's.
    daam::releaseFreedMemory();
    const auto fileSize = static_cast<double>(std::filesystem::file_size(path));

    // Warm the page cache (the file was just written, but make sure), without a large buffer.
    {
        std::vector<char> chunk(1 << 20);
        int fd = ::open(path.c_str(), O_RDONLY);
        while (::read(fd, chunk.data(), chunk.size()) > 0) {
        }
        ::close(fd);
    }

    const bool peakReset = daam::resetPeakResident();
    const long long rssBefore = daam::procStatusBytes("VmRSS");
    const double t0 = seconds();
    double checksum = 0;
    {
        auto tensors = daam::loadSafetensors(path);
        for (auto& [name, t] : tensors)
            checksum += t.sum().item<double>();
    }
    const double loadTime = seconds() - t0;
    const long long peak = daam::procStatusBytes("VmHWM");

    const double readTime = readOnce(path, static_cast<size_t>(fileSize));
    std::filesystem::remove(path);

    std::printf("file: %.0f MiB in %d tensors (checksum %.3g)\n", fileSize / (1 << 20), count, checksum);
    std::printf("read() once from page cache: %.3f s\n", readTime);
    std::printf("load (map + views + touch every byte): %.3f s\n", loadTime);
    std::printf("load/read time ratio: %.2f (target < 2)\n", loadTime / readTime);
    std::printf("peak resident during load: %.0f MiB (process before load %.0f MiB)%s\n", peak / 1048576.0,
                rssBefore / 1048576.0, peakReset ? "" : " [peak not reset: includes earlier phases]");
    std::printf("peak resident / file size: %.2f (target < 1.2)\n", peak / fileSize);
    return 0;
}
