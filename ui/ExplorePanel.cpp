// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExplorePanel.h"

#include "LayerSelector.h"
#include "RangeSlider.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace daam::ui {

namespace {
constexpr int kPlayIntervalMs = 200;
} // namespace

ExplorePanel::ExplorePanel(ExplorationState* state, QWidget* parent) : QWidget(parent), state_(state) {
    auto* layout = new QVBoxLayout(this);

    auto* time = new QGroupBox(tr("Denoising steps"), this);
    auto* timeLayout = new QVBoxLayout(time);
    range_ = new RangeSlider(time);
    range_->setAccessibleName(tr("Step range"));
    play_ = new QToolButton(time);
    play_->setCheckable(true);
    play_->setText(tr("Play"));
    play_->setToolTip(tr("Slide the chosen range of steps through the denoising"));
    rangeLabel_ = new QLabel(time);
    rangeLabel_->setWordWrap(true);
    auto* timeRow = new QHBoxLayout;
    timeRow->addWidget(play_);
    timeRow->addWidget(range_, 1);
    timeLayout->addLayout(timeRow);
    timeLayout->addWidget(rangeLabel_);
    layout->addWidget(time);
    connect(play_, &QToolButton::toggled, this, [this](bool) { togglePlay(); });
    connect(range_, &RangeSlider::valuesChanged, this,
            [this](int lower, int upper) { state_->setCallRange(lower, upper + 1); });

    auto* layerBox = new QGroupBox(tr("Layers"), this);
    auto* layerLayout = new QVBoxLayout(layerBox);
    layers_ = new LayerSelector(layerBox);
    layerLayout->addWidget(layers_);
    headBox_ = new QComboBox(layerBox);
    headBox_->setToolTip(tr("Sum the maps of all heads, as the paper does, or show one head's in every chosen layer "
                            "(right-click a layer to choose its own). Over part of the steps a head needs the "
                            "per-head maps a generation may keep."));
    auto* headRow = new QHBoxLayout;
    auto* headLabel = new QLabel(tr("&Heads:"), layerBox);
    headLabel->setBuddy(headBox_);
    headRow->addWidget(headLabel);
    headRow->addWidget(headBox_, 1);
    layerLayout->addLayout(headRow);
    connect(headBox_, &QComboBox::currentIndexChanged, this,
            [this](int index) { state_->setHeads(index <= 0 ? std::vector<int>{} : std::vector<int>{index - 1}); });
    layout->addWidget(layerBox, 1);
    connect(layers_, &LayerSelector::layerHeadsChanged, state_, &ExplorationState::setLayerHeads);
    connect(layers_, &LayerSelector::layersChanged, this, [this](const std::vector<int>& layers) {
        if (layers.empty()) {
            Q_EMIT statusMessage(tr("No layer selected: showing the paper's default layers"), 4000);
            state_->setLayers({});
        } else {
            state_->setLayers(layers);
        }
    });

    auto* maskBox = new QGroupBox(tr("Mask"), this);
    auto* maskLayout = new QFormLayout(maskBox);
    threshold_ = new QSlider(Qt::Horizontal, maskBox);
    threshold_->setRange(0, 100);
    threshold_->setValue(40);
    threshold_->setToolTip(tr("Threshold τ: a pixel belongs to a word's mask where its normalized heat exceeds τ"));
    thresholdValue_ = new QLabel(QStringLiteral("0.40"), maskBox);
    auto* thresholdRow = new QHBoxLayout;
    thresholdRow->addWidget(threshold_, 1);
    thresholdRow->addWidget(thresholdValue_);
    auto* thresholdLabel = new QLabel(tr("&Threshold τ:"), maskBox);
    thresholdLabel->setBuddy(threshold_);
    maskLayout->addRow(thresholdLabel, thresholdRow);
    maskMode_ = new QComboBox(maskBox);
    maskMode_->addItem(tr("Heat map (no mask)"), int(MaskMode::None));
    maskMode_->addItem(tr("Filled mask"), int(MaskMode::Fill));
    maskMode_->addItem(tr("Mask outline"), int(MaskMode::Outline));
    maskMode_->addItem(tr("Cut-out"), int(MaskMode::Cutout));
    maskLayout->addRow(tr("&Show:"), maskMode_);
    overlap_ = new QLabel(tr("Select two words (Ctrl+click) to compare their masks."), maskBox);
    overlap_->setWordWrap(true);
    maskLayout->addRow(overlap_);
    layout->addWidget(maskBox);
    connect(threshold_, &QSlider::valueChanged, this, [this](int v) { state_->setThreshold(v / 100.0); });
    connect(maskMode_, &QComboBox::currentIndexChanged, this,
            [this](int) { state_->setMaskMode(MaskMode(maskMode_->currentData().toInt())); });

    auto* display = new QGroupBox(tr("Display"), this);
    auto* displayLayout = new QFormLayout(display);
    colorMap_ = new QComboBox(display);
    colorMap_->addItem(tr("Jet (as in the paper)"), int(daam::ColorMapName::Jet));
    colorMap_->addItem(tr("Viridis"), int(daam::ColorMapName::Viridis));
    colorMap_->addItem(tr("Inferno"), int(daam::ColorMapName::Inferno));
    colorMap_->addItem(tr("Magma"), int(daam::ColorMapName::Magma));
    colorMap_->addItem(tr("Plasma"), int(daam::ColorMapName::Plasma));
    colorMap_->addItem(tr("Cividis"), int(daam::ColorMapName::Cividis));
    colorMap_->addItem(tr("Turbo"), int(daam::ColorMapName::Turbo));
    colorMap_->addItem(tr("Gray"), int(daam::ColorMapName::Gray));
    colorMap_->setToolTip(tr("Colour map of a single word's heat; several words each get their own hue"));
    displayLayout->addRow(tr("&Colours:"), colorMap_);
    opacity_ = new QSlider(Qt::Horizontal, display);
    opacity_->setRange(0, 100);
    opacity_->setValue(60);
    opacity_->setToolTip(tr("How strongly the heat map covers the image"));
    displayLayout->addRow(tr("&Opacity:"), opacity_);
    normalization_ = new QComboBox(display);
    normalization_->addItem(tr("Per word (paper)"), int(Normalization::MinMax));
    normalization_->addItem(tr("Shared across words"), int(Normalization::Joint));
    normalization_->addItem(tr("Absolute"), int(Normalization::Absolute));
    normalization_->addItem(tr("Share of the words"), int(Normalization::Share));
    normalization_->setToolTip(tr("Per word stretches each map to 0–1; shared keeps words comparable; "
                                  "absolute shows raw attention; share gives each pixel's split among the "
                                  "prompt's words"));
    displayLayout->addRow(tr("&Normalize:"), normalization_);
    mergeRepeats_ = new QCheckBox(tr("Merge a repeated word's occurrences"), display);
    mergeRepeats_->setToolTip(tr("A word that occurs more than once: one map of all its occurrences, as "
                                 "castorini/daam computes it; unchecked, each chip shows its own occurrence's map"));
    displayLayout->addRow(QString(), mergeRepeats_);
    connect(mergeRepeats_, &QCheckBox::toggled, this, [this](bool merge) { state_->setMergeRepeats(merge); });
    layout->addWidget(display);
    connect(colorMap_, &QComboBox::currentIndexChanged, this,
            [this](int) { state_->setColorMap(daam::ColorMapName(colorMap_->currentData().toInt())); });
    connect(opacity_, &QSlider::valueChanged, this, [this](int v) { state_->setOpacity(v / 100.0); });
    connect(normalization_, &QComboBox::currentIndexChanged, this,
            [this](int) { state_->setNormalization(Normalization(normalization_->currentData().toInt())); });

    playTimer_ = new QTimer(this);
    playTimer_->setInterval(kPlayIntervalMs);
    connect(playTimer_, &QTimer::timeout, this, &ExplorePanel::advancePlay);
    followState();
}

// Controls follow the state when something else (a test, the command line, play) changes it.
void ExplorePanel::followState() {
    connect(state_, &ExplorationState::layersChanged, this, [this] {
        if (!state_->layers().empty() && layers_->checked() != state_->layers()) layers_->setChecked(state_->layers());
    });
    connect(state_, &ExplorationState::rangeChanged, this, [this] {
        const QSignalBlocker block(range_);
        range_->setValues(state_->callBegin(), state_->callEnd() - 1);
    });
    connect(state_, &ExplorationState::thresholdChanged, this, [this] {
        const QSignalBlocker block(threshold_);
        threshold_->setValue(int(std::lround(state_->threshold() * 100)));
    });
}

void ExplorePanel::setSession(const SessionSummary& summary) {
    stopPlaying();
    range_->setRange(0, std::max(0, summary.calls - 1));
    {
        QSignalBlocker block(range_);
        range_->setValues(0, std::max(0, summary.calls - 1));
    }
    {
        QSignalBlocker block(layers_);
        layers_->setLayers(summary.layers, summary.defaultLayers);
    }
    {
        QSignalBlocker block(headBox_);
        headBox_->clear();
        headBox_->addItem(tr("All heads (paper)"));
        for (int h = 0; h < summary.maxHeads; ++h)
            headBox_->addItem(tr("Head %1").arg(h + 1));
    }
}

void ExplorePanel::showDrawnState(const SessionSummary& summary) {
    thresholdValue_->setText(QString::number(state_->threshold(), 'f', 2));
    QString range = tr("Steps %1–%2 of %3").arg(state_->callBegin() + 1).arg(state_->callEnd()).arg(summary.calls);
    // Without per-head maps a part of the steps is summed over heads before it is upsampled, where the paper
    // upsamples each head's map: close, not equal; and a head cannot be told apart there at all.
    const bool partial = state_->callBegin() > 0 || state_->callEnd() < summary.calls;
    if (partial && !summary.headMaps)
        range += QLatin1Char('\n') + (state_->heads().empty() && state_->layerHeads().empty()
                                          ? tr("Approximate: this session keeps no per-head maps (Generate ▸ Keep "
                                               "per-head maps for exact step ranges).")
                                          : tr("All heads shown: one head over part of the steps needs per-head "
                                               "maps (Generate ▸ Keep per-head maps)."));
    rangeLabel_->setText(range);
}

void ExplorePanel::showOverlap(const QString& text) {
    overlap_->setText(text.isEmpty() ? tr("Select two words (Ctrl+click) to compare their masks.") : text);
}

void ExplorePanel::stopPlaying() {
    playTimer_->stop();
    play_->setChecked(false);
}

void ExplorePanel::togglePlay() {
    if (play_->isChecked()) {
        play_->setText(tr("Pause"));
        playTimer_->start();
    } else {
        play_->setText(tr("Play"));
        playTimer_->stop();
    }
}

void ExplorePanel::advancePlay() {
    // The window keeps its width and slides forward, wrapping to the first step at the end.
    const int width = range_->upper() - range_->lower();
    int lower = range_->lower() + 1;
    if (lower + width > range_->maximum()) lower = range_->minimum();
    range_->setValues(lower, lower + width);
}

void ExplorePanel::restoreSettings() {
    QSettings settings;
    auto pick = [&](QComboBox* box, const QString& key) {
        const int index = box->findData(settings.value(key, box->currentData()));
        if (index >= 0) box->setCurrentIndex(index);
    };
    pick(colorMap_, QStringLiteral("display/colorMap"));
    pick(normalization_, QStringLiteral("display/normalization"));
    pick(maskMode_, QStringLiteral("display/maskMode"));
    opacity_->setValue(settings.value(QStringLiteral("display/opacity"), opacity_->value()).toInt());
    threshold_->setValue(settings.value(QStringLiteral("display/threshold"), threshold_->value()).toInt());
}

void ExplorePanel::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("display/colorMap"), colorMap_->currentData());
    settings.setValue(QStringLiteral("display/normalization"), normalization_->currentData());
    settings.setValue(QStringLiteral("display/maskMode"), maskMode_->currentData());
    settings.setValue(QStringLiteral("display/opacity"), opacity_->value());
    settings.setValue(QStringLiteral("display/threshold"), threshold_->value());
}

} // namespace daam::ui
