// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing of scheduler_config.json into SchedulerConfig, with errors that name the file and the key.
#include "daam/sched/SchedulerConfig.h"

#include "daam/config/ConfigLimits.h"
#include "daam/util/Error.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace daam {
namespace {

using nlohmann::json;

std::string typeName(const json& value) {
    return value.type_name();
}

// Accepts JSON numbers and the strings Python writes for non-finite floats.
double readNumber(const json& value, const std::string& source, const std::string& key) {
    if (value.is_number()) return value.get<double>();
    if (value.is_string()) {
        const auto text = value.get<std::string>();
        if (text == "Infinity") return std::numeric_limits<double>::infinity();
        if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
        if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    }
    throw FileError(source,
                    "key '" + key + "' must be a number, got " + typeName(value) + " " + excerpt(value.dump(), 40));
}

// An integer from `lowest` to `highest` (by default, any an int holds).
int readInt(const json& value, const std::string& source, const std::string& key,
            int lowest = std::numeric_limits<int>::min(), int highest = std::numeric_limits<int>::max()) {
    auto inRange = [&](double d) {
        if (!(d >= lowest && d <= highest))
            throw FileError(source, "key '" + key + "' must be from " + std::to_string(lowest) + " to " +
                                        std::to_string(highest) + ", got " + excerpt(value.dump(), 40));
    };
    if (value.is_number_unsigned()) inRange(double(value.get<uint64_t>()));
    if (value.is_number_integer()) {
        inRange(double(value.get<int64_t>()));
        return static_cast<int>(value.get<int64_t>());
    }
    // Python configs sometimes hold integral floats (e.g. 1000.0).
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::floor(d) == d) {
            inRange(d);
            return static_cast<int>(d);
        }
    }
    throw FileError(source,
                    "key '" + key + "' must be an integer, got " + typeName(value) + " " + excerpt(value.dump(), 40));
}

bool readBool(const json& value, const std::string& source, const std::string& key) {
    if (value.is_boolean()) return value.get<bool>();
    throw FileError(source, "key '" + key + "' must be true or false, got " + typeName(value) + " " +
                                excerpt(value.dump(), 40));
}

std::string readEnum(const json& value, const std::string& source, const std::string& key,
                     const std::vector<std::string>& allowed) {
    std::string expected;
    for (const auto& a : allowed)
        expected += (expected.empty() ? "" : ", ") + a;
    if (!value.is_string())
        throw FileError(source, "key '" + key + "' must be a string (one of " + expected + "), got " + typeName(value) +
                                    " " + excerpt(value.dump(), 40));
    const auto text = value.get<std::string>();
    for (const auto& a : allowed)
        if (a == text) return text;
    throw FileError(source, "key '" + key + "' has unknown value '" + excerpt(text, 40) + "' (expected one of " +
                                expected + ")");
}

// The value of `key`, or nullptr when absent or null (null means "use the default" in diffusers configs).
const json* find(const json& object, const std::string& key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

} // namespace

SchedulerConfig SchedulerConfig::fromJson(const json& j, const std::string& source) {
    if (!j.is_object()) throw FileError(source, "scheduler config must be a JSON object, got " + typeName(j));
    SchedulerConfig c;
    if (auto v = find(j, "_class_name")) {
        if (!v->is_string()) throw FileError(source, "key '_class_name' must be a string, got " + typeName(*v));
        c.className = v->get<std::string>();
    }
    if (auto v = find(j, "num_train_timesteps"))
        c.numTrainTimesteps = readInt(*v, source, "num_train_timesteps", 2, int(limits::kTrainTimesteps));
    if (auto v = find(j, "beta_start")) c.betaStart = readNumber(*v, source, "beta_start");
    if (auto v = find(j, "beta_end")) c.betaEnd = readNumber(*v, source, "beta_end");
    if (auto v = find(j, "beta_schedule"))
        c.betaSchedule = readEnum(*v, source, "beta_schedule", {"linear", "scaled_linear", "squaredcos_cap_v2"});
    if (auto v = find(j, "trained_betas")) {
        if (!v->is_array()) throw FileError(source, "key 'trained_betas' must be a list of numbers or null");
        for (const auto& b : *v)
            c.trainedBetas.push_back(readNumber(b, source, "trained_betas"));
        if (static_cast<int>(c.trainedBetas.size()) != c.numTrainTimesteps)
            throw FileError(source, "key 'trained_betas' has " + std::to_string(c.trainedBetas.size()) +
                                        " values but num_train_timesteps is " + std::to_string(c.numTrainTimesteps));
    }
    if (auto v = find(j, "prediction_type"))
        c.predictionType = readEnum(*v, source, "prediction_type", {"epsilon", "v_prediction", "sample"});
    // Timesteps are indices into the num_train_timesteps-long noise schedule.
    if (auto v = find(j, "steps_offset"))
        c.stepsOffset = readInt(*v, source, "steps_offset", 0, c.numTrainTimesteps - 1);
    if (auto v = find(j, "timestep_spacing"))
        c.timestepSpacing = readEnum(*v, source, "timestep_spacing", {"leading", "trailing", "linspace"});
    if (auto v = find(j, "set_alpha_to_one")) c.setAlphaToOne = readBool(*v, source, "set_alpha_to_one");
    if (auto v = find(j, "skip_prk_steps")) c.skipPrkSteps = readBool(*v, source, "skip_prk_steps");
    if (auto v = find(j, "clip_sample")) c.clipSample = readBool(*v, source, "clip_sample");
    if (auto v = find(j, "clip_sample_range")) c.clipSampleRange = readNumber(*v, source, "clip_sample_range");
    if (auto v = find(j, "thresholding")) c.thresholding = readBool(*v, source, "thresholding");
    if (auto v = find(j, "use_karras_sigmas")) c.useKarrasSigmas = readBool(*v, source, "use_karras_sigmas");
    if (auto v = find(j, "interpolation_type"))
        c.interpolationType = readEnum(*v, source, "interpolation_type", {"linear", "log_linear"});
    if (auto v = find(j, "solver_order")) c.solverOrder = readInt(*v, source, "solver_order", 1, 3);
    if (auto v = find(j, "algorithm_type"))
        c.algorithmType =
            readEnum(*v, source, "algorithm_type", {"dpmsolver++", "dpmsolver", "sde-dpmsolver++", "sde-dpmsolver"});
    if (auto v = find(j, "solver_type")) c.solverType = readEnum(*v, source, "solver_type", {"midpoint", "heun"});
    if (auto v = find(j, "lower_order_final")) c.lowerOrderFinal = readBool(*v, source, "lower_order_final");
    if (auto v = find(j, "lambda_min_clipped")) c.lambdaMinClipped = readNumber(*v, source, "lambda_min_clipped");
    return c;
}

json SchedulerConfig::parseJsonText(const std::string& text, const std::string& source) {
    // Quote the bare tokens Python emits for non-finite floats; strings are copied untouched.
    std::string fixed;
    fixed.reserve(text.size() + 16);
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (inString) {
            fixed += ch;
            if (ch == '\\' && i + 1 < text.size())
                fixed += text[++i];
            else if (ch == '"')
                inString = false;
            continue;
        }
        if (ch == '"') inString = true;
        bool replaced = false;
        for (const char* token : {"-Infinity", "Infinity", "NaN"}) {
            const std::string t = token;
            if (text.compare(i, t.size(), t) == 0) {
                fixed += '"' + t + '"';
                i += t.size() - 1;
                replaced = true;
                break;
            }
        }
        if (!replaced) fixed += ch;
    }
    try {
        return json::parse(fixed);
    } catch (const json::exception& e) {
        throw FileError(source, std::string("invalid JSON: ") + jsonErrorText(e.what()));
    }
}

json SchedulerConfig::parseJsonFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError(path, "cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return parseJsonText(text.str(), path);
}

SchedulerConfig SchedulerConfig::load(const std::string& path) {
    return fromJson(parseJsonFile(path), path);
}

} // namespace daam
