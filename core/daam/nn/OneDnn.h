// SPDX-License-Identifier: GPL-3.0-or-later
// What the classes that call oneDNN themselves share (WinogradConvolution, ChannelsLastConvolution): the CPU engine,
// LibTorch sizes as oneDNN dims, and buffers from LibTorch's allocator. Only for files built with oneDNN's headers
// (DAAM_HAVE_ONEDNN).
#pragma once

#ifdef DAAM_HAVE_ONEDNN

#include <ATen/Parallel.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <torch/torch.h>

#include <vector>

namespace daam::onednn {

inline const dnnl::engine& cpuEngine() {
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

inline dnnl::memory::dims dimsOf(c10::IntArrayRef sizes) {
    return dnnl::memory::dims(sizes.begin(), sizes.end());
}

// Buffers come from LibTorch's allocator, as every other activation does, so that the runtime's kept heap serves
// them (Runtime.h) and nothing stays allocated between calls; oneDNN would otherwise keep each primitive's
// scratchpad (tens of MB at SD 1.5's sizes) for as long as the primitive lives.
inline torch::Tensor bufferFor(const dnnl::memory::desc& desc) {
    return torch::empty({static_cast<int64_t>(desc.get_size())}, torch::kUInt8);
}

// `plain` (contiguous, described by `plainDesc`) reordered into a new buffer in the layout `desc` asks for, on the
// calling thread's OpenMP team as LibTorch's own operators run.
inline torch::Tensor reordered(const torch::Tensor& plain, const dnnl::memory::desc& plainDesc,
                               const dnnl::memory::desc& desc) {
    torch::Tensor buffer = bufferFor(desc);
    dnnl::memory from(plainDesc, cpuEngine(), plain.data_ptr());
    dnnl::memory to(desc, cpuEngine(), buffer.data_ptr());
    dnnl::stream stream(cpuEngine());
    at::internal::lazy_init_num_threads();
    dnnl::reorder(from, to).execute(stream, from, to);
    stream.wait();
    return buffer;
}

// The primitives made for a few input sizes (the conditional and unconditional batch, an image size or two), newest
// last; `Run` has the `inputSizes` it was made for.
template <class Run> class RunsBySize {
public:
    Run* find(c10::IntArrayRef inputSizes) {
        for (auto& run : runs_)
            if (c10::IntArrayRef(run.inputSizes) == inputSizes) return &run;
        return nullptr;
    }
    void add(Run run) {
        if (runs_.size() == kMaxRuns) runs_.erase(runs_.begin());
        runs_.push_back(std::move(run));
    }

private:
    static constexpr std::size_t kMaxRuns = 4;
    std::vector<Run> runs_;
};

} // namespace daam::onednn

#endif
