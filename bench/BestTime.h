// SPDX-License-Identifier: GPL-3.0-or-later
// The benchmarks' timer: one warm-up call, then the fastest of `reps` timed calls, in seconds.
#pragma once

#include <algorithm>
#include <chrono>

namespace daam::bench {

template <class F> double bestTime(F&& f, int reps) {
    f();
    double t = 1e30;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        t = std::min(t, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return t;
}

} // namespace daam::bench
