// SPDX-License-Identifier: GPL-3.0-or-later
// Where the time of a piece of LibTorch work goes, operator by operator: LibTorch's profiler records every
// aten op with its nesting, and each op's self time (its time minus that of the ops it called) is summed
// per op name. Used by `daam-cli bench --profile`.
// Code marks its own parts with RECORD_USER_SCOPE (ATen/record_function.h), which costs nothing while no
// profiler runs: a kernel of ours that calls no aten op ("daam::fused_attention") then shows as an op of its
// own instead of time outside every op, and a scope whose name starts with kStagePrefix ("stage: UNet call")
// is a stage of the work, whose ops are also summed on their own.
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

inline constexpr const char* kStagePrefix = "stage: ";

struct StageTime {
    std::string name; // without the prefix, e.g. "UNet call"
    double seconds = 0;
    long long calls = 0;
    std::vector<OpTime> ops; // the ops inside the stage, by self time, largest first
    double outsideOps = 0;   // time in the stage outside any op
};

struct OpProfile {
    double wallSeconds = 0;        // of the whole work
    std::vector<OpTime> ops;       // by self time, largest first; stages are not ops
    std::vector<StageTime> stages; // by time, largest first; a stage inside another counts only in the outer one
    double opSeconds() const;      // the self times summed (the rest is outside any op)
};

// Runs `work` once with the profiler on (the work runs slower, from the recording).
OpProfile profileOps(const std::function<void()>& work);

} // namespace daam
