// SPDX-License-Identifier: GPL-3.0-or-later
// The analysis plots (QCustomPlot): attention mass of the selected words per UNet call with the chosen
// range shaded, each layer's share of a word's map, and a histogram of its heat values with the
// threshold line. Includes qcustomplot.h in the .cpp only; fed with plain vectors, never torch.
#pragma once

#include "ExplorationTypes.h"

#include <QColor>
#include <QList>
#include <QStringList>
#include <QWidget>

class QCustomPlot;

namespace daam::ui {

class PlotsPanel : public QWidget {
    Q_OBJECT
public:
    explicit PlotsPanel(QWidget* parent = nullptr);

    // One curve per word; calls [callBegin, callEnd) are shaded.
    void setMass(const std::vector<std::vector<double>>& perWord, const QStringList& names, const QList<QColor>& colors,
                 int callBegin, int callEnd);
    void setRange(int callBegin, int callEnd);
    // share[l] for every layer of the table; only layers with a non-zero share get a bar label.
    void setLayerShare(const std::vector<double>& share, const QStringList& layerLabels, const QString& word);
    void setHistogram(const HeatMap& map, double threshold, const QString& word);
    void setThreshold(double threshold);
    void clear();

    enum class Plot { Mass, LayerShare, Histogram };
    // One plot as it is drawn now, encoded as the file name's suffix says: .png (twice the widget's pixels), .pdf or
    // .svg. Only the encoding: QCustomPlot draws on the GUI thread, and the file is for a worker to write
    // (MainWindow::exportPlot). False with `error` set on failure.
    bool renderPlot(Plot plot, const QString& path, QByteArray* bytes, QString* error) const;

Q_SIGNALS:
    // "Save Plot As…" in a plot's context menu, with the file name chosen.
    void exportRequested(daam::ui::PlotsPanel::Plot plot, const QString& path);

public:
    QCustomPlot* massPlot() const { return mass_; }
    QCustomPlot* layerPlot() const { return layers_; }
    QCustomPlot* histogramPlot() const { return histogram_; }
    // The shaded range in call units, as drawn (tests).
    std::pair<double, double> shadedRange() const;
    double thresholdLine() const; // the τ line's position; -1 while there is no histogram
    // Plotted values (tests): a mass curve, the layer shares, the histogram counts.
    std::vector<double> massValues(int graph) const;
    std::vector<double> layerShareValues() const;
    std::vector<double> histogramValues() const;

private:
    QCustomPlot* mass_;
    QCustomPlot* layers_;
    QCustomPlot* histogram_;
    double rangeBegin_ = 0, rangeEnd_ = 0;
    double threshold_ = 0.4;
};

} // namespace daam::ui
