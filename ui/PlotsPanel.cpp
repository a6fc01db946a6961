// SPDX-License-Identifier: GPL-3.0-or-later
#include "PlotsPanel.h"

// Debian's qcustomplot.h spells Qt's keywords out, and every target builds with QT_NO_KEYWORDS (for
// torch): lend it the keywords for the include only. This file must never include torch headers.
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach

#include <QBuffer>
#include <QFileDialog>
#include <QMenu>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QVBoxLayout>

#include <algorithm>

namespace daam::ui {

namespace {

constexpr int kHistogramBins = 50;

QCustomPlot* makePlot(QWidget* parent, const QString& title) {
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumHeight(140);
    plot->plotLayout()->insertRow(0);
    auto* text = new QCPTextElement(plot, title, QFont(plot->font().family(), plot->font().pointSize(), QFont::Bold));
    plot->plotLayout()->addElement(0, 0, text);
    // Follow the widget palette, so the plots read in dark themes too.
    const QPalette pal = parent->palette();
    plot->setBackground(pal.color(QPalette::Base));
    text->setTextColor(pal.color(QPalette::Text));
    for (auto* axis : {plot->xAxis, plot->yAxis}) {
        axis->setBasePen(QPen(pal.color(QPalette::Text)));
        axis->setTickPen(QPen(pal.color(QPalette::Text)));
        axis->setSubTickPen(QPen(pal.color(QPalette::Text)));
        axis->setTickLabelColor(pal.color(QPalette::Text));
        axis->setLabelColor(pal.color(QPalette::Text));
    }
    return plot;
}

QCPItemRect* rangeRect(QCustomPlot* plot) {
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* r = qobject_cast<QCPItemRect*>(plot->item(i))) return r;
    return nullptr;
}

QCPItemStraightLine* thresholdItem(QCustomPlot* plot) {
    for (int i = 0; i < plot->itemCount(); ++i)
        if (auto* l = qobject_cast<QCPItemStraightLine*>(plot->item(i))) return l;
    return nullptr;
}

} // namespace

PlotsPanel::PlotsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    mass_ = makePlot(this, tr("Attention mass per step"));
    layers_ = makePlot(this, tr("Share per layer"));
    histogram_ = makePlot(this, tr("Heat values"));
    mass_->xAxis->setLabel(tr("denoising step"));
    mass_->yAxis->setLabel(tr("mean attention"));
    layers_->xAxis->setLabel(tr("layer"));
    histogram_->xAxis->setLabel(tr("heat"));
    histogram_->yAxis->setLabel(tr("pixels"));
    mass_->setToolTip(
        tr("How much attention the selected words receive at each step; the shaded band is the chosen range"));
    layers_->setToolTip(tr("Each layer's part of the selected word's heat map"));
    histogram_->setToolTip(tr("Distribution of the selected word's heat values; the line is the threshold τ"));
    for (auto* p : {mass_, layers_, histogram_})
        layout->addWidget(p, 1);
    // Each plot saves itself from its context menu, for a paper or a slide.
    const std::pair<QCustomPlot*, Plot> plots[] = {
        {mass_, Plot::Mass}, {layers_, Plot::LayerShare}, {histogram_, Plot::Histogram}};
    for (const auto& [widget, which] : plots) {
        widget->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(widget, &QWidget::customContextMenuRequested, this, [this, widget = widget, which = which](QPoint at) {
            QMenu menu;
            menu.addAction(tr("Save Plot As…"), this, [this, which] {
                const QString path = QFileDialog::getSaveFileName(this, tr("Save the plot"), QDir::homePath(),
                                                                  tr("PNG (*.png);;PDF (*.pdf);;SVG (*.svg)"));
                if (!path.isEmpty()) Q_EMIT exportRequested(which, path);
            });
            menu.exec(widget->mapToGlobal(at));
        });
    }

    auto* rect = new QCPItemRect(mass_);
    QColor shade = palette().color(QPalette::Highlight);
    shade.setAlpha(50);
    rect->setBrush(shade);
    rect->setPen(Qt::NoPen);
    rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    rect->setLayer(QStringLiteral("background"));

    auto* line = new QCPItemStraightLine(histogram_);
    line->setPen(QPen(QColor(220, 40, 40), 2, Qt::DashLine));
    line->setVisible(false); // until there is a histogram: its default points drew a diagonal
    histogram_->xAxis->setRange(0, 1);
    new QCPBars(histogram_->xAxis, histogram_->yAxis);
    new QCPBars(layers_->xAxis, layers_->yAxis);
}

void PlotsPanel::clear() {
    mass_->clearGraphs();
    for (auto* p : {layers_, histogram_})
        if (auto* bars = qobject_cast<QCPBars*>(p->plottable(0))) bars->data()->clear();
    if (auto* line = thresholdItem(histogram_)) line->setVisible(false);
    for (auto* p : {mass_, layers_, histogram_})
        p->replot(QCustomPlot::rpQueuedReplot);
}

void PlotsPanel::setMass(const std::vector<std::vector<double>>& perWord, const QStringList& names,
                         const QList<QColor>& colors, int callBegin, int callEnd) {
    mass_->clearGraphs();
    double top = 0;
    int calls = 0;
    for (size_t w = 0; w < perWord.size(); ++w) {
        auto* graph = mass_->addGraph();
        QVector<double> x, y;
        for (size_t c = 0; c < perWord[w].size(); ++c) {
            x << double(c);
            y << perWord[w][c];
            top = std::max(top, perWord[w][c]);
        }
        calls = std::max(calls, int(perWord[w].size()));
        graph->setData(x, y, true);
        graph->setName(w < size_t(names.size()) ? names[int(w)] : QString());
        graph->setPen(QPen(w < size_t(colors.size()) ? colors[int(w)] : palette().color(QPalette::Text), 2));
    }
    mass_->legend->setVisible(perWord.size() > 1);
    mass_->xAxis->setRange(-0.5, std::max(1, calls) - 0.5);
    mass_->yAxis->setRange(0, top > 0 ? top * 1.1 : 1);
    setRange(callBegin, callEnd);
}

void PlotsPanel::setRange(int callBegin, int callEnd) {
    rangeBegin_ = callBegin - 0.5;
    rangeEnd_ = callEnd - 0.5;
    if (auto* rect = rangeRect(mass_)) {
        rect->topLeft->setCoords(rangeBegin_, 0);
        rect->bottomRight->setCoords(rangeEnd_, 1);
    }
    mass_->replot(QCustomPlot::rpQueuedReplot);
}

bool PlotsPanel::renderPlot(Plot plot, const QString& path, QByteArray* bytes, QString* error) const {
    QCustomPlot* widget = plot == Plot::Mass ? mass_ : plot == Plot::LayerShare ? layers_ : histogram_;
    // A plot never shown has no size of its own yet: a figure-sized default.
    const int width = widget->width() > 50 ? widget->width() : 480;
    const int height = widget->height() > 50 ? widget->height() : 320;
    const QString suffix = QFileInfo(path).suffix().toLower();
    bytes->clear();
    QBuffer buffer(bytes);
    buffer.open(QIODevice::WriteOnly);
    if (suffix == QLatin1String("png")) {
        if (!widget->toPixmap(width, height, 2.0).toImage().save(&buffer, "PNG")) {
            if (error) *error = tr("%1: could not encode the plot").arg(path);
            return false;
        }
    } else if (suffix == QLatin1String("pdf")) {
        QPdfWriter pdf(&buffer);
        pdf.setResolution(72); // one point per widget pixel
        pdf.setPageSize(QPageSize(QSizeF(width, height), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter(&pdf);
        widget->toPainter(&painter, pdf.width(), pdf.height());
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(QSize(width, height));
        svg.setViewBox(QRect(0, 0, width, height));
        QCPPainter painter(&svg);
        widget->toPainter(&painter, width, height);
    } else {
        if (error) *error = tr("%1: use a .png, .pdf or .svg file name").arg(path);
        return false;
    }
    buffer.close();
    return true;
}

std::pair<double, double> PlotsPanel::shadedRange() const {
    auto* rect = rangeRect(mass_);
    if (!rect) return {0, 0};
    return {rect->topLeft->coords().x(), rect->bottomRight->coords().x()};
}

void PlotsPanel::setLayerShare(const std::vector<double>& share, const QStringList& layerLabels, const QString& word) {
    auto* bars = qobject_cast<QCPBars*>(layers_->plottable(0));
    QVector<double> x, y;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    double top = 0;
    for (size_t l = 0; l < share.size(); ++l) {
        x << double(l);
        y << share[l];
        top = std::max(top, share[l]);
        if (l < size_t(layerLabels.size())) ticker->addTick(double(l), layerLabels[int(l)]);
    }
    bars->setData(x, y, true);
    bars->setBrush(palette().color(QPalette::Highlight));
    bars->setPen(Qt::NoPen);
    layers_->xAxis->setTicker(ticker);
    layers_->xAxis->setTickLabelRotation(60);
    layers_->xAxis->setRange(-0.6, std::max<double>(1, share.size()) - 0.4);
    layers_->yAxis->setRange(0, top > 0 ? top * 1.1 : 1);
    layers_->yAxis->setLabel(word.isEmpty() ? tr("share") : tr("share of “%1”").arg(word));
    layers_->replot(QCustomPlot::rpQueuedReplot);
}

void PlotsPanel::setHistogram(const HeatMap& map, double threshold, const QString& word) {
    auto* bars = qobject_cast<QCPBars*>(histogram_->plottable(0));
    QVector<double> counts(kHistogramBins, 0.0), x;
    for (float v : map.values) {
        const int bin = std::clamp(int(std::clamp(v, 0.0f, 1.0f) * kHistogramBins), 0, kHistogramBins - 1);
        counts[bin] += 1;
    }
    for (int b = 0; b < kHistogramBins; ++b)
        x << (b + 0.5) / kHistogramBins;
    bars->setData(x, counts, true);
    bars->setWidth(1.0 / kHistogramBins);
    bars->setBrush(palette().color(QPalette::Highlight));
    bars->setPen(Qt::NoPen);
    histogram_->xAxis->setRange(0, 1);
    histogram_->yAxis->setRange(0, std::max(1.0, *std::max_element(counts.begin(), counts.end()) * 1.1));
    histogram_->xAxis->setLabel(word.isEmpty() ? tr("heat") : tr("heat of “%1”").arg(word));
    if (auto* line = thresholdItem(histogram_)) line->setVisible(true);
    setThreshold(threshold);
}

void PlotsPanel::setThreshold(double threshold) {
    threshold_ = threshold;
    if (auto* line = thresholdItem(histogram_)) {
        line->point1->setCoords(threshold, 0);
        line->point2->setCoords(threshold, 1);
    }
    histogram_->replot(QCustomPlot::rpQueuedReplot);
}

double PlotsPanel::thresholdLine() const {
    auto* line = thresholdItem(histogram_);
    return line && line->visible() ? line->point1->coords().x() : -1;
}

} // namespace daam::ui

namespace daam::ui {

namespace {
template <typename Data> std::vector<double> valuesOf(const Data& data) {
    std::vector<double> out;
    for (auto it = data->constBegin(); it != data->constEnd(); ++it)
        out.push_back(it->mainValue());
    return out;
}
} // namespace

std::vector<double> PlotsPanel::massValues(int graph) const {
    if (graph < 0 || graph >= mass_->graphCount()) return {};
    return valuesOf(mass_->graph(graph)->data());
}

std::vector<double> PlotsPanel::layerShareValues() const {
    return valuesOf(qobject_cast<QCPBars*>(layers_->plottable(0))->data());
}

std::vector<double> PlotsPanel::histogramValues() const {
    return valuesOf(qobject_cast<QCPBars*>(histogram_->plottable(0))->data());
}

} // namespace daam::ui
