// SPDX-License-Identifier: GPL-3.0-or-later
// The paper's measures of a head word's map against its dependent's (What the DAAM, Section 4): the IoU of
// their tau masks and both intersections over area, for every pair a parse gives, and their summary by relation
// over many prompts.
#pragma once

#include "daam/syntax/DependencyParser.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/Session.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace daam::syntax {

struct DependencyMeasures {
    Dependency dependency;
    std::string head, dependent; // the words' text
    double iou = 0;              // of the two tau masks
    double dependentInHead = 0;  // |head ∩ dependent| / |dependent|: how much of the dependent lies in the head
    double headInDependent = 0;  // |head ∩ dependent| / |head|
};

// Each word of the session (one occurrence, its own tokens) mapped as the query and normalization say, at the
// image's size, thresholded at `tau`; then every dependency of `parse` (whose word indices are the session's
// words) measured. Pairs with a punctuation word are left out.
std::vector<DependencyMeasures> measureDependencies(const Session& session, const HeatMapAggregator& aggregator,
                                                    const HeatMapQuery& query, HeatMapNormalization normalization,
                                                    const DependencyParse& parse, double tau);

struct MeasureSummary {
    double mean = 0, std = 0; // population standard deviation
};
struct RelationSummary {
    int pairs = 0;
    MeasureSummary iou, dependentInHead, headInDependent;
    // Share of pairs whose dependent lies more inside the head than the head inside the dependent.
    double dependentMoreInHead = 0;
};
// By relation name, over pairs of many prompts.
std::map<std::string, RelationSummary> summarizeByRelation(const std::vector<DependencyMeasures>& measures);

nlohmann::json toJson(const DependencyMeasures& m);
nlohmann::json toJson(const RelationSummary& s);

} // namespace daam::syntax
