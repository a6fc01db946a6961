// SPDX-License-Identifier: GPL-3.0-or-later
// Where the time of a piece of LibTorch work goes, operator by operator: LibTorch's profiler records every
// aten op with its nesting, and each op's self time (its time minus that of the ops it called) is summed
// per op name. Used by `daam-cli bench --profile`.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace daam {

struct OpTime {
    std::string name; // e.g. "aten::mkldnn_convolution"
    double selfSeconds = 0;
    long long calls = 0;
};

struct OpProfile {
    double wallSeconds = 0;   // of the whole work
    std::vector<OpTime> ops;  // by self time, largest first
    double opSeconds() const; // the self times summed (the rest is outside any op)
};

// Runs `work` once with the profiler on (the work runs slower, from the recording).
OpProfile profileOps(const std::function<void()>& work);

} // namespace daam
