// SPDX-License-Identifier: GPL-3.0-or-later
// The one shared view state of an exploration: which words, which part of the denoising, which layers,
// and how maps are drawn. Views and controls follow it through its signals and write to it through its
// setters; nothing else holds these choices. Setters that do not change anything emit nothing.
#pragma once

#include "ExplorationTypes.h"

#include <QList>
#include <QObject>

#include <map>
#include <optional>
#include <vector>

namespace daam::ui {

class ExplorationState : public QObject {
    Q_OBJECT
public:
    explicit ExplorationState(QObject* parent = nullptr);

    // Resets the choices for a new session (first content word selected, all calls, default layers).
    void resetForSession(const SessionSummary& summary);

    int wordCount() const { return wordCount_; }
    int calls() const { return calls_; }
    const QList<int>& selectedWords() const { return selected_; }
    int callBegin() const { return callBegin_; }
    int callEnd() const { return callEnd_; }                   // exclusive
    const std::vector<int>& layers() const { return layers_; } // empty: the reference default
    double threshold() const { return threshold_; }
    Normalization normalization() const { return normalization_; }
    daam::ColorMapName colorMap() const { return colorMap_; }
    double opacity() const { return opacity_; }
    MaskMode maskMode() const { return maskMode_; }

    // The core query the current choices describe.
    MapQuery query() const;

    void selectWord(int word); // only this word
    void toggleWord(int word); // adds or removes it (Ctrl-click)
    void setSelectedWords(const QList<int>& words);
    void setCallRange(int begin, int end);
    void setLayers(const std::vector<int>& layers);
    // The heads whose maps are summed in every layer (empty: all of them); emits layersChanged.
    void setHeads(const std::vector<int>& heads);
    const std::vector<int>& heads() const { return heads_; }
    // The heads of one layer, in place of the heads above there; std::nullopt: the heads above again. Emits
    // layersChanged.
    void setLayerHeads(int layer, const std::optional<std::vector<int>>& heads);
    const std::map<int, std::vector<int>>& layerHeads() const { return layerHeads_; }
    void setThreshold(double tau);
    void setNormalization(Normalization normalization);
    void setMergeRepeats(bool merge); // emits displayChanged
    bool mergeRepeats() const { return mergeRepeats_; }
    void setColorMap(daam::ColorMapName map);
    void setOpacity(double opacity);
    void setMaskMode(MaskMode mode);

Q_SIGNALS:
    void sessionReset();
    void selectionChanged();
    void rangeChanged();
    void layersChanged();
    void thresholdChanged();
    void displayChanged(); // normalization, colour map, opacity, mask mode
    void changed();        // after any of the above

private:
    void emitChange(void (ExplorationState::*signal)());

    int wordCount_ = 0;
    int calls_ = 0;
    QList<int> selected_;
    int callBegin_ = 0;
    int callEnd_ = 0;
    std::vector<int> layers_;
    std::vector<int> heads_;
    std::map<int, std::vector<int>> layerHeads_;
    bool mergeRepeats_ = false;
    double threshold_ = 0.4;
    Normalization normalization_ = Normalization::MinMax;
    daam::ColorMapName colorMap_ = daam::ColorMapName::Jet;
    double opacity_ = 0.6;
    MaskMode maskMode_ = MaskMode::None;
};

} // namespace daam::ui
