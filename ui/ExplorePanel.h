// SPDX-License-Identifier: GPL-3.0-or-later
// The Explore dock's controls: the step range and its play button, the layers and heads, the mask's threshold
// and mode, and how maps are drawn. They write to the window's ExplorationState and follow it when something
// else (a test, the command line, play) changes it; the labels that describe the drawn state are filled by
// the window, which knows the session.
#pragma once

#include "ExplorationState.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace daam::ui {

class LayerSelector;
class RangeSlider;

class ExplorePanel : public QWidget {
    Q_OBJECT
public:
    ExplorePanel(ExplorationState* state, QWidget* parent = nullptr);

    // A new session: its steps, layers and heads, playing stopped. Call before the state is reset for it.
    void setSession(const SessionSummary& summary);
    // The threshold's value and what the step range covers, for the state as drawn.
    void showDrawnState(const SessionSummary& summary);
    // How the two first selected words' masks compare; empty: the hint to select two.
    void showOverlap(const QString& text);
    void stopPlaying();
    // The display choices (colour map, normalization, mask mode, opacity, threshold) kept between runs.
    void restoreSettings();
    void saveSettings() const;

    RangeSlider* rangeSlider() const { return range_; }
    QToolButton* playButton() const { return play_; }
    LayerSelector* layerSelector() const { return layers_; }
    QSlider* thresholdSlider() const { return threshold_; }
    QComboBox* maskModeBox() const { return maskMode_; }
    QLabel* overlapLabel() const { return overlap_; }
    QLabel* rangeLabel() const { return rangeLabel_; }
    QComboBox* headBox() const { return headBox_; }
    QCheckBox* mergeRepeatsBox() const { return mergeRepeats_; }

Q_SIGNALS:
    void statusMessage(const QString& message, int timeoutMs);

private:
    void followState();
    void togglePlay();
    void advancePlay();

    ExplorationState* state_;
    RangeSlider* range_;
    QLabel* rangeLabel_;
    QToolButton* play_;
    QTimer* playTimer_;
    LayerSelector* layers_;
    QComboBox* headBox_; // all heads, or one head in every layer
    QCheckBox* mergeRepeats_;
    QSlider* threshold_;
    QLabel* thresholdValue_;
    QComboBox* maskMode_;
    QLabel* overlap_;
    QComboBox* colorMap_;
    QSlider* opacity_;
    QComboBox* normalization_;
};

} // namespace daam::ui
