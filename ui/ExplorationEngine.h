// SPDX-License-Identifier: GPL-3.0-or-later
// The UI's adapter over the core's DAAM queries, and the only UI file that uses torch. It answers with
// plain value types (HeatMap, vectors, QImage) so that widgets and plots stay torch-free. For the current
// query the grid-level maps of every token are computed once, and a word's map at image resolution only
// when asked for (the overlay needs the selected words; the cursor read-out all of them, on first hover).
// Per-layer attention mass per call is computed once per session, so the plots cost no aggregation.
#pragma once

#include "ExplorationTypes.h"

#include <functional>
#include <memory>
#include <utility>

namespace at {
class Tensor;
}
namespace daam {
struct PngImage;
}

namespace daam::ui {

// A session's image as the widgets draw it: grey spread to RGB, alpha dropped (sessions hold opaque images).
QImage toQImage(const daam::PngImage& png);
// A core map [H, W] (any float dtype) as the widgets take it.
HeatMap toHeatMap(const at::Tensor& map);

// Every token's grid maps for one query, computed off the GUI thread, with the words' image maps made from them
// as they are asked for (opaque: it holds torch tensors). Safe to share between threads.
struct GridMaps;
using GridMapsPtr = std::shared_ptr<const GridMaps>;

class ExplorationEngine {
public:
    ExplorationEngine();
    ~ExplorationEngine();
    ExplorationEngine(const ExplorationEngine&) = delete;
    ExplorationEngine& operator=(const ExplorationEngine&) = delete;

    // Reads a session folder (and prepares it); null with `error` set on failure. Touches no engine: safe on any
    // thread.
    static SessionPtr load(const QString& dir, QString* error);
    // Computes, on the calling thread, what setSession() and the first time-range query would otherwise compute on
    // the engine's: the per-layer attention mass and the prefix sums over calls (27 and 380 ms for an SDXL-sized
    // trace). Touches no engine: for the thread that made the session.
    static void prepare(const daam::Session& session);
    // Loads a session folder and takes it. On failure the current session is kept and `error` says what is
    // wrong.
    bool open(const QString& dir, QString* error);
    // Takes a session made elsewhere (a generation). `dir` is where it lives, empty when unsaved.
    bool setSession(SessionPtr session, const QString& dir, QString* error);
    // Writing the session into `dir` as a job for any thread: it writes a copy of the session as it is now (the GUI
    // may annotate meanwhile) and returns the error, empty when it is written. Hand a success to savedTo() on the
    // engine's thread.
    std::function<QString()> saveJob(const QString& dir) const;
    // The open session now lives in `dir`, if it is still the one `serial` names; false otherwise.
    bool savedTo(int serial, const QString& dir);
    // Tells the open session apart from every other the engine has held (0 without one).
    int serial() const;
    void close();

    bool hasSession() const;
    const SessionSummary& summary() const;

    // Every word's map for `query` at image resolution, in word order, computed on this thread as needed.
    const std::vector<HeatMap>& allWordMaps(const MapQuery& query) const;
    // One word's map (an invalid index gives an empty map), computed on this thread as needed. Valid until the
    // query changes.
    const HeatMap& wordMap(int word, const MapQuery& query) const;
    // The grid maps of `query`, aggregated on this thread unless at hand; null without a session.
    GridMapsPtr gridMaps(const MapQuery& query) const;
    // The image maps of `words` in `maps` (null for an invalid index), made on the calling thread where not made
    // yet: any thread may call it. They live as long as `maps`.
    static std::vector<const HeatMap*> wordMaps(const GridMapsPtr& maps, const std::vector<int>& words);
    // Whether the image maps of `words` in `maps` are made, so that wordMaps() would not compute.
    static bool hasWordMaps(const GridMapsPtr& maps, const std::vector<int>& words);
    // Attention mass of a word per UNet call: the mean attention probability its tokens get over the
    // query's layers (all calls; the range is what the plot shades).
    std::vector<double> massOverCalls(int word, const std::vector<int>& layers) const;
    // Each layer's share of a word's aggregated map over the query's range (table order, sums to 1 over
    // the query's layers, 0 for layers outside it). Taken from the native maps: upsampling keeps a map's
    // mean, so this matches the aggregate up to the clamp of bicubic overshoot.
    std::vector<double> layerShare(int word, const MapQuery& query) const;
    // Whether `query`'s maps are at hand, so that asking for them does not aggregate.
    bool isReady(const MapQuery& query) const;
    // The aggregation for `query` as a job that may run on any thread (the maps at hand when they answer it): it
    // holds what it reads, so it stays valid when the session changes. Hand its result to install() on the
    // engine's thread.
    std::function<GridMapsPtr()> gridMapsJob(const MapQuery& query) const;
    // Adopts a job's result; false (and ignored) when it belongs to another session.
    bool install(const GridMapsPtr& maps);

    // The session's annotation of prompt word `word` (Session::annotations): its mask as Grayscale8 (null for
    // none) and rating (0 for none). setAnnotation keeps them in the session (saved with it); false for a word
    // that cannot be annotated (not the prompt's).
    QImage annotationMask(int word) const;
    int annotationRating(int word) const;
    bool setAnnotation(int word, const QImage& mask, int rating);
    // Whether prompt word `word` can be annotated (a word of the prompt, not a start/end token or negative word).
    bool annotatable(int word) const;
    // Writing the annotations into the session's folder (only annotations/) as a job for any thread, from a copy
    // of them as they are now; it returns the error (an unsaved session, a failed write), empty when written.
    std::function<QString()> saveAnnotationsJob() const;
    // The ratings as CSV rows: session,word,text,rating (a header first).
    QString ratingsCsv() const;

    // IoU and IoA of the masks `a > tau` and `b > tau` (core Measures).
    static MaskOverlap overlap(const HeatMap& a, const HeatMap& b, double tau);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace daam::ui
