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
    std::map<std::string, StageTime> stages;
    std::map<std::string, std::map<std::string, OpTime>> stageOps;
    const std::string prefix = kStagePrefix;
    auto isStage = [&](const Event& e) { return e.name.compare(0, prefix.size(), prefix) == 0; };
    auto add = [](std::map<std::string, OpTime>& to, const std::string& name, double seconds) {
        auto& t = to[name];
        t.name = name;
        t.selfSeconds += seconds;
        t.calls += 1;
    };
    for (auto& [thread, list] : byThread) {
        // Outer ops first: by start, and the longer of two that start together.
        std::sort(list.begin(), list.end(), [](const Event& a, const Event& b) {
            return a.begin != b.begin ? a.begin < b.begin : a.duration > b.duration;
        });
        for (auto& e : list)
            e.self = e.duration;
        std::vector<Event*> open;
        std::vector<const Event*> stageOf(list.size(), nullptr); // the outermost stage around each event
        for (size_t i = 0; i < list.size(); ++i) {
            auto& e = list[i];
            while (!open.empty() && open.back()->begin + open.back()->duration <= e.begin)
                open.pop_back();
            if (!open.empty()) open.back()->self -= e.duration;
            for (const Event* outer : open)
                if (isStage(*outer)) {
                    stageOf[i] = outer;
                    break;
                }
            open.push_back(&e);
        }
        for (size_t i = 0; i < list.size(); ++i) {
            const auto& e = list[i];
            const double self = std::max(0.0, e.self) * 1e-6;
            if (isStage(e)) {
                if (stageOf[i]) { // a part of the outer stage
                    stages[stageOf[i]->name].outsideOps += self;
                    continue;
                }
                auto& stage = stages[e.name];
                stage.name = e.name.substr(prefix.size());
                stage.seconds += e.duration * 1e-6;
                stage.calls += 1;
                stage.outsideOps += self;
                continue;
            }
            add(totals, e.name, self);
            if (stageOf[i]) add(stageOps[stageOf[i]->name], e.name, self);
        }
    }
    auto byTime = [](const OpTime& a, const OpTime& b) { return a.selfSeconds > b.selfSeconds; };
    for (auto& [name, t] : totals)
        profile.ops.push_back(t);
    std::sort(profile.ops.begin(), profile.ops.end(), byTime);
    for (auto& [name, stage] : stages) {
        for (auto& [op, t] : stageOps[name])
            stage.ops.push_back(t);
        std::sort(stage.ops.begin(), stage.ops.end(), byTime);
        profile.stages.push_back(std::move(stage));
    }
    std::sort(profile.stages.begin(), profile.stages.end(),
              [](const StageTime& a, const StageTime& b) { return a.seconds > b.seconds; });
    return profile;
}

} // namespace daam
