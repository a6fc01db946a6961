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
    // `done` units were finished before the clock started (a resumed batch): the estimate leaves them out.
    void startFrom(int done) { baseline_ = done; }
    // Whether the bar is drawn (stderr is a terminal); callers print plain lines otherwise.
    bool enabled() const { return enabled_; }
    void finish();

private:
    std::string label_;
    bool enabled_ = false;
    bool drawn_ = false;
    int baseline_ = 0;
    std::chrono::steady_clock::time_point start_;
};

} // namespace daam::cli
