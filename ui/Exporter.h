// SPDX-License-Identifier: GPL-3.0-or-later
// Writing what the user sees to files: the overlay at image resolution, binary masks, and a figure for
// papers (the image and one panel per chosen word, titled, with a colour bar) as PNG, SVG or PDF.
// Every file is written through QSaveFile, so an interrupted export never leaves a half-written file.
#pragma once

#include "ExplorationTypes.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <map>
#include <string>
#include <utility>

class QPainter;

namespace daam::ui {

enum class FigureFormat { Png, Svg, Pdf };

struct FigureContent {
    QImage image;               // the generated image
    std::vector<QImage> panels; // one overlay per word, at the image's size
    QStringList titles;         // one per panel
    daam::ColorMapName colorMap = daam::ColorMapName::Jet;
    QString barLabel; // what the colour bar's 0 to 1 mean (the normalization in use), beside it
    QString caption;  // the prompt, under the grid
};

// The format a file name asks for (by suffix), false when it is none of png, svg, pdf.
bool figureFormatFor(const QString& path, FigureFormat& out);

// All return false and fill `error` on failure.
// Writes `bytes` to `path` whole or not at all (QSaveFile).
bool commit(const QString& path, const QByteArray& bytes, QString* error);
bool writeImage(const QString& path, const QImage& image, QString* error); // PNG by suffix
// A map's values as numbers: NumPy's .npy (float32, shape (height, width), C order), read by numpy.load.
bool writeNpy(const QString& path, const HeatMap& map, QString* error);
// Several maps in one .safetensors file, float32 [height, width] each under its name, with `metadata`.
bool writeMapsSafetensors(const QString& path, const std::vector<std::pair<QString, const HeatMap*>>& maps,
                          const std::map<std::string, std::string>& metadata, QString* error);
bool writeFigure(const QString& path, FigureFormat format, const FigureContent& content, int dpi, QString* error);

// A grid for a paper: rows (words, prompts or seeds) by columns (step ranges, layer groups), labelled on the left
// and on top, under one colour bar whose title says what the colours mean (the normalization in use).
struct FigureGrid {
    QStringList rowLabels, columnLabels;
    std::vector<std::vector<QImage>> cells; // [row][column], all of one size
    daam::ColorMapName colorMap = daam::ColorMapName::Jet;
    QString barLabel;
    double barMin = 0, barMax = 1; // the values at the colour bar's ends
    QString caption;
};
bool writeFigureGrid(const QString& path, FigureFormat format, const FigureGrid& grid, int dpi, QString* error);
void paintFigureGrid(QPainter& painter, const QSizeF& size, const FigureGrid& grid);
QSizeF figureGridSizeInches(const FigureGrid& grid);

// Lays out and paints the figure into `size` (points or pixels), for every output device.
void paintFigure(QPainter& painter, const QSizeF& size, const FigureContent& content);
// The figure's size in inches: panels are 2.5 in wide.
QSizeF figureSizeInches(const FigureContent& content);

} // namespace daam::ui
