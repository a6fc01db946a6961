// SPDX-License-Identifier: GPL-3.0-or-later
// The keys of a diffusers scheduler_config.json that DAAM Studio's schedulers read, with diffusers' defaults.
// Keys whose default depends on the scheduler class (timestep_spacing, set_alpha_to_one, clip_sample,
// skip_prk_steps) are optional here and resolved by each scheduler, the way diffusers' from_config keeps
// the keys present in the file and fills the rest from the class's own __init__ defaults.
#pragma once

#include <nlohmann/json.hpp>

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace daam {

struct SchedulerConfig {
    std::string className; // _class_name ("" when absent)
    int numTrainTimesteps = 1000;
    double betaStart = 0.0001;
    double betaEnd = 0.02;
    std::string betaSchedule = "linear";    // linear | scaled_linear | squaredcos_cap_v2
    std::vector<double> trainedBetas;       // non-empty overrides beta_schedule
    std::string predictionType = "epsilon"; // epsilon | v_prediction | sample
    int stepsOffset = 0;
    std::optional<std::string> timestepSpacing; // leading | trailing | linspace
    std::optional<bool> setAlphaToOne;
    std::optional<bool> skipPrkSteps;
    std::optional<bool> clipSample;
    double clipSampleRange = 1.0;
    bool thresholding = false;
    bool useKarrasSigmas = false;
    std::string interpolationType = "linear"; // linear | log_linear
    int solverOrder = 2;
    std::string algorithmType = "dpmsolver++"; // dpmsolver++ | dpmsolver | sde-dpmsolver++ | sde-dpmsolver
    std::string solverType = "midpoint";       // midpoint | heun
    bool lowerOrderFinal = true;
    double lambdaMinClipped = -std::numeric_limits<double>::infinity();

    std::string spacingOr(const std::string& classDefault) const { return timestepSpacing.value_or(classDefault); }

    // Reads the keys above from a parsed config; `source` names the file in errors. Unknown keys are ignored
    // (diffusers ignores them too); a known key of the wrong type or an unknown enum value throws FileError.
    static SchedulerConfig fromJson(const nlohmann::json& json, const std::string& source);
    // Reads and parses a scheduler_config.json.
    static SchedulerConfig load(const std::string& path);
    // Parses JSON as Python's json module writes it: bare NaN, Infinity and -Infinity (diffusers writes
    // lambda_min_clipped = -Infinity) become the strings "NaN", "Infinity", "-Infinity".
    static nlohmann::json parseJsonText(const std::string& text, const std::string& source);
    static nlohmann::json parseJsonFile(const std::string& path);
};

} // namespace daam
