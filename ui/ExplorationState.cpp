// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExplorationState.h"

#include <QSet>

#include <algorithm>

namespace daam::ui {

namespace {

// English words that name nothing in the picture: their maps spread over the whole image, so a session
// should not open on one ("a red circle" opens on "red", not "a").
bool isFunctionWord(const QString& word) {
    static const QSet<QString> words = {
        QStringLiteral("a"),     QStringLiteral("an"),   QStringLiteral("the"),  QStringLiteral("and"),
        QStringLiteral("or"),    QStringLiteral("but"),  QStringLiteral("of"),   QStringLiteral("on"),
        QStringLiteral("in"),    QStringLiteral("at"),   QStringLiteral("to"),   QStringLiteral("with"),
        QStringLiteral("by"),    QStringLiteral("for"),  QStringLiteral("from"), QStringLiteral("into"),
        QStringLiteral("onto"),  QStringLiteral("over"), QStringLiteral("is"),   QStringLiteral("are"),
        QStringLiteral("this"),  QStringLiteral("that"), QStringLiteral("its"),  QStringLiteral("their"),
        QStringLiteral("there"), QStringLiteral("some"), QStringLiteral("very")};
    return words.contains(word.toLower());
}

} // namespace

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
    heads_.clear();
    layerHeads_.clear();
    selected_.clear();
    // Start on a word that means something: the first one that is not punctuation, a start/end token or a
    // function word; failing that (a prompt of only such words), the first that is not punctuation or special.
    for (bool skipFunctionWords : {true, false}) {
        for (int i = 0; i < wordCount_ && selected_.isEmpty(); ++i) {
            const auto& word = summary.words[i];
            if (!word.punctuation && !word.special && !(skipFunctionWords && isFunctionWord(word.text)))
                selected_ = {i};
        }
    }
    emitChange(&ExplorationState::sessionReset);
}

MapQuery ExplorationState::query() const {
    MapQuery q;
    q.callBegin = callBegin_;
    q.callEnd = callEnd_ >= calls_ ? -1 : callEnd_;
    q.layers = layers_;
    q.heads = heads_;
    q.layerHeads = layerHeads_;
    q.mergeRepeats = mergeRepeats_;
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

void ExplorationState::setHeads(const std::vector<int>& heads) {
    if (heads == heads_) return;
    heads_ = heads;
    emitChange(&ExplorationState::layersChanged);
}

void ExplorationState::setLayerHeads(int layer, const std::optional<std::vector<int>>& heads) {
    auto next = layerHeads_;
    if (heads)
        next[layer] = *heads;
    else
        next.erase(layer);
    if (next == layerHeads_) return;
    layerHeads_ = std::move(next);
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

void ExplorationState::setMergeRepeats(bool merge) {
    if (merge == mergeRepeats_) return;
    mergeRepeats_ = merge;
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
