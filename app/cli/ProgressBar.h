// SPDX-License-Identifier: GPL-3.0-or-later
// A one-line progress bar on stderr, drawn only when stderr is a terminal (so logs and pipes stay clean).
#pragma once

#include <chrono>
#include <string>

namespace daam::cli {

class ProgressBar {
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar(); // ends the line if one was drawn

    // Redraws with `done` of `total` and an estimate of the time left from the average so far.
    void update(int done, int total, const std::string& detail = {});
    void finish();

private:
    std::string label_;
    bool enabled_ = false;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
};

} // namespace daam::cli
