#include "ExplorationState.h"

#include <algorithm>

namespace daam::ui {

ExplorationState::ExplorationState(QObject* parent) : QObject(parent) {}

void ExplorationState::emitChange(void (ExplorationState::*signal)()) {
    Q_EMIT(this->*signal)();
    Q_EMIT changed();
}

void ExplorationState::resetForSession(const SessionSummary& summary) {
    wordCount_ = static_cast<int>(summary.words.size());
    calls_ = summary.calls;
    callBegin_ = 0;
    callEnd_ = calls_;
    layers_.clear();
    selected_.clear();
    // Start on a word that means something: the first one that is not punctuation or a start/end token.
    for (int i = 0; i < wordCount_; ++i)
        if (!summary.words[i].punctuation && !summary.words[i].special) {
            selected_ = {i};
            break;
        }
    emitChange(&ExplorationState::sessionReset);
}

MapQuery ExplorationState::query() const {
    MapQuery q;
    q.callBegin = callBegin_;
    q.callEnd = callEnd_ >= calls_ ? -1 : callEnd_;
    q.layers = layers_;
    q.normalization = normalization_;
    return q;
}

void ExplorationState::selectWord(int word) {
    setSelectedWords({word});
}

void ExplorationState::toggleWord(int word) {
    QList<int> next = selected_;
    if (next.contains(word))
        next.removeAll(word);
    else
        next.append(word);
    setSelectedWords(next);
}

void ExplorationState::setSelectedWords(const QList<int>& words) {
    QList<int> valid;
    for (int w : words)
        if (w >= 0 && w < wordCount_ && !valid.contains(w)) valid.append(w);
    if (valid == selected_) return;
    selected_ = valid;
    emitChange(&ExplorationState::selectionChanged);
}

void ExplorationState::setCallRange(int begin, int end) {
    begin = std::clamp(begin, 0, std::max(0, calls_ - 1));
    end = std::clamp(end, begin + 1, std::max(begin + 1, calls_));
    if (begin == callBegin_ && end == callEnd_) return;
    callBegin_ = begin;
    callEnd_ = end;
    emitChange(&ExplorationState::rangeChanged);
}

void ExplorationState::setLayers(const std::vector<int>& layers) {
    if (layers == layers_) return;
    layers_ = layers;
    emitChange(&ExplorationState::layersChanged);
}

void ExplorationState::setThreshold(double tau) {
    tau = std::clamp(tau, 0.0, 1.0);
    if (tau == threshold_) return;
    threshold_ = tau;
    emitChange(&ExplorationState::thresholdChanged);
}

void ExplorationState::setNormalization(Normalization normalization) {
    if (normalization == normalization_) return;
    normalization_ = normalization;
    emitChange(&ExplorationState::displayChanged);
}

void ExplorationState::setColorMap(daam::ColorMapName map) {
    if (map == colorMap_) return;
    colorMap_ = map;
    emitChange(&ExplorationState::displayChanged);
}

void ExplorationState::setOpacity(double opacity) {
    opacity = std::clamp(opacity, 0.0, 1.0);
    if (opacity == opacity_) return;
    opacity_ = opacity;
    emitChange(&ExplorationState::displayChanged);
}

void ExplorationState::setMaskMode(MaskMode mode) {
    if (mode == maskMode_) return;
    maskMode_ = mode;
    emitChange(&ExplorationState::displayChanged);
}

} // namespace daam::ui
