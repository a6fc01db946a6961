// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/util/OpProfile.h"

#include "daam/util/Error.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>

namespace daam {

double OpProfile::opSeconds() const {
    double total = 0;
    for (const auto& op : ops)
        total += op.selfSeconds;
    return total;
}

OpProfile profileOps(const std::function<void()>& work) {
    std::ostringstream trace;
    OpProfile profile;
    {
        // Writes a Chrome trace (one complete event per op, with start and duration) when it goes.
        torch::autograd::profiler::RecordProfile guard(trace);
        const auto start = std::chrono::steady_clock::now();
        work();
        profile.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    nlohmann::json events;
    try {
        events = nlohmann::json::parse(trace.str());
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("profileOps: LibTorch's profiler trace did not parse: ") + e.what());
    }
    struct Event {
        std::string name;
        double begin, duration, self;
    };
    std::map<std::string, std::vector<Event>> byThread;
    for (const auto& e : events)
        if (e.value("ph", "") == "X")
            byThread[e.at("tid").dump()].push_back(
                {e.at("name").get<std::string>(), e.at("ts").get<double>(), e.at("dur").get<double>(), 0});
    std::map<std::string, OpTime> totals;
    for (auto& [thread, list] : byThread) {
        // Outer ops first: by start, and the longer of two that start together.
        std::sort(list.begin(), list.end(), [](const Event& a, const Event& b) {
            return a.begin != b.begin ? a.begin < b.begin : a.duration > b.duration;
        });
        for (auto& e : list)
            e.self = e.duration;
        std::vector<Event*> open;
        for (auto& e : list) {
            while (!open.empty() && open.back()->begin + open.back()->duration <= e.begin)
                open.pop_back();
            if (!open.empty()) open.back()->self -= e.duration;
            open.push_back(&e);
        }
        for (const auto& e : list) {
            auto& t = totals[e.name];
            t.name = e.name;
            t.selfSeconds += std::max(0.0, e.self) * 1e-6;
            t.calls += 1;
        }
    }
    for (auto& [name, t] : totals)
        profile.ops.push_back(t);
    std::sort(profile.ops.begin(), profile.ops.end(),
              [](const OpTime& a, const OpTime& b) { return a.selfSeconds > b.selfSeconds; });
    return profile;
}

} // namespace daam
