// SPDX-License-Identifier: GPL-3.0-or-later
// Head and dependent maps compared pair by pair, and summarized by relation.
#include "daam/syntax/SyntaxMeasures.h"

#include "daam/trace/Measures.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cmath>

namespace daam::syntax {

std::vector<DependencyMeasures> measureDependencies(const Session& session, const HeatMapAggregator& aggregator,
                                                    const HeatMapQuery& query, HeatMapNormalization normalization,
                                                    const DependencyParse& parse, double tau) {
    const auto& words = session.words;
    if (parse.words.size() != words.size())
        throw Error("the parse has " + std::to_string(parse.words.size()) + " words, the session's prompt " +
                    std::to_string(words.size()));
    std::vector<int> mapped; // session word -> row of `maps`, -1 for punctuation
    std::vector<torch::Tensor> maps;
    for (const auto& w : words) {
        mapped.push_back(w.punctuation || w.tokens.empty() ? -1 : static_cast<int>(maps.size()));
        if (mapped.back() >= 0) maps.push_back(aggregator.wordMap(query, w.tokens));
    }
    std::vector<DependencyMeasures> out;
    if (maps.empty()) return out;
    const auto [height, width] = mapSize(session);
    // Every word at once, so that the share normalization sees them all (it is per word for the others).
    const auto masks = thresholdMask(expandWordsToImage(torch::stack(maps), height, width, normalization), tau);
    for (const auto& d : parse.dependencies) {
        if (d.head < 0 || d.dependent < 0 || d.head >= static_cast<int>(words.size()) ||
            d.dependent >= static_cast<int>(words.size()))
            throw Error("a dependency names a word beyond the prompt's");
        const int h = mapped[d.head], dep = mapped[d.dependent];
        if (h < 0 || dep < 0) continue;
        DependencyMeasures m;
        m.dependency = d;
        m.head = words[d.head].text;
        m.dependent = words[d.dependent].text;
        m.iou = maskIoU(masks[h], masks[dep]);
        m.dependentInHead = maskIoA(masks[dep], masks[h]);
        m.headInDependent = maskIoA(masks[h], masks[dep]);
        out.push_back(std::move(m));
    }
    return out;
}

std::map<std::string, RelationSummary> summarizeByRelation(const std::vector<DependencyMeasures>& measures) {
    struct Sums {
        int n = 0, dependentMore = 0;
        double s[3] = {0, 0, 0}, s2[3] = {0, 0, 0};
    };
    std::map<std::string, Sums> sums;
    for (const auto& m : measures) {
        auto& s = sums[m.dependency.relation];
        const double v[3] = {m.iou, m.dependentInHead, m.headInDependent};
        for (int i = 0; i < 3; ++i) {
            s.s[i] += v[i];
            s.s2[i] += v[i] * v[i];
        }
        s.dependentMore += m.dependentInHead > m.headInDependent;
        ++s.n;
    }
    std::map<std::string, RelationSummary> out;
    for (const auto& [relation, s] : sums) {
        RelationSummary r;
        r.pairs = s.n;
        MeasureSummary* fields[3] = {&r.iou, &r.dependentInHead, &r.headInDependent};
        for (int i = 0; i < 3; ++i) {
            fields[i]->mean = s.s[i] / s.n;
            fields[i]->std = std::sqrt(std::max(0.0, s.s2[i] / s.n - fields[i]->mean * fields[i]->mean));
        }
        r.dependentMoreInHead = static_cast<double>(s.dependentMore) / s.n;
        out[relation] = r;
    }
    return out;
}

nlohmann::json toJson(const DependencyMeasures& m) {
    return {{"relation", m.dependency.relation},
            {"link", m.dependency.link},
            {"head", m.head},
            {"head_index", m.dependency.head},
            {"dependent", m.dependent},
            {"dependent_index", m.dependency.dependent},
            {"iou", m.iou},
            {"dependent_in_head", m.dependentInHead},
            {"head_in_dependent", m.headInDependent}};
}

nlohmann::json toJson(const RelationSummary& s) {
    auto measure = [](const MeasureSummary& m) { return nlohmann::json{{"mean", m.mean}, {"std", m.std}}; };
    return {{"pairs", s.pairs},
            {"iou", measure(s.iou)},
            {"dependent_in_head", measure(s.dependentInHead)},
            {"head_in_dependent", measure(s.headInDependent)},
            {"dependent_more_in_head", s.dependentMoreInHead}};
}

} // namespace daam::syntax
