// The UI's adapter over the core's DAAM queries, and the only UI file that uses torch. It answers with
// plain value types (HeatMap, vectors, QImage) so that widgets and plots stay torch-free. Word maps at
// image resolution are cached per query, because every pointer move asks for all words' values.
#pragma once

#include "ExplorationTypes.h"

#include <memory>
#include <utility>

namespace daam::ui {

class ExplorationEngine {
public:
    ExplorationEngine();
    ~ExplorationEngine();
    ExplorationEngine(const ExplorationEngine&) = delete;
    ExplorationEngine& operator=(const ExplorationEngine&) = delete;

    // Loads a session folder. On failure the current session is kept and `error` says what is wrong.
    bool open(const QString& dir, QString* error);
    // Takes a session made elsewhere (a generation). `dir` is where it lives, empty when unsaved.
    bool setSession(SessionPtr session, const QString& dir, QString* error);
    bool save(const QString& dir, QString* error);
    void close();

    bool hasSession() const;
    const SessionSummary& summary() const;

    // Every word's map for `query` at image resolution, in word order.
    const std::vector<HeatMap>& allWordMaps(const MapQuery& query) const;
    // Attention mass of a word per UNet call: the mean attention probability its tokens get over the
    // query's layers (all calls; the range is what the plot shades).
    std::vector<double> massOverCalls(int word, const std::vector<int>& layers) const;
    // Each layer's share of a word's aggregated map over the query's range (table order, sums to 1 over
    // the query's layers, 0 for layers outside it).
    std::vector<double> layerShare(int word, const MapQuery& query) const;
    // IoU and IoA of the masks `a > tau` and `b > tau` (core Measures).
    static MaskOverlap overlap(const HeatMap& a, const HeatMap& b, double tau);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace daam::ui
