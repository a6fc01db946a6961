// SPDX-License-Identifier: GPL-3.0-or-later
// Writing what the user sees to files: the overlay at image resolution, binary masks, the maps as numbers, and
// a figure for papers (the image and one panel per chosen word, titled, with a colour bar) as PNG, SVG or PDF.
// The window gathers what is shown (the image, the selected words and their maps, the style); how that is
// composed and what the files are called is decided here. Every file is written through QSaveFile, so an
// interrupted export never leaves a half-written file.
#pragma once

#include "ExplorationTypes.h"
#include "OverlayRenderer.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <map>
#include <string>
#include <utility>
#include <vector>

class QPainter;

namespace daam::ui {

enum class FigureFormat { Png, Svg, Pdf };
enum class MapValuesFormat { Safetensors, Npy };

// A selected word as the exports draw and name it.
struct ExportWord {
    int index = 0; // its place among the prompt's words, from 0
    QString text;
    const HeatMap* map = nullptr; // at the image's size
};

// What the numbers of an export of map values came from, recorded in a .safetensors file.
struct MapValuesRecord {
    QString prompt;
    Normalization normalization = Normalization::MinMax;
    int callBegin = 0, callEnd = 0; // the UNet calls summed, end exclusive
};

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
// The same for map values: false when it is neither safetensors nor npy.
bool mapValuesFormatFor(const QString& path, MapValuesFormat& out);

// A word in an export's file name: "3-dog", its place in the prompt from 1 (words repeat), then its text made safe.
QString wordFileTag(const ExportWord& word);
// What a figure's colour bar means under `normalization`.
QString figureBarLabel(Normalization normalization);
// The figure of `words` over `image`: a panel per word drawn in `style` (its heat only, never a mask), titled
// with the word, the bar labelled for `normalization`, the prompt as the caption.
FigureContent composeFigure(const QImage& image, const std::vector<ExportWord>& words, OverlayStyle style,
                            Normalization normalization, const QString& prompt);

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
// The words' maps over `image`, as the window shows them.
bool writeOverlay(const QString& path, const QImage& image, const std::vector<ExportWord>& words,
                  const OverlayStyle& style, QString* error);
// Exports of one file per word write `path` itself for one word, else "<base>-3-dog.<suffix>" beside it for each,
// and add each file to `written` (when given) as it is written.
// A PNG mask per word: white where its map exceeds `threshold`.
bool writeMasks(const QString& path, const std::vector<ExportWord>& words, double threshold, QStringList* written,
                QString* error);
// The words' maps as numbers: .safetensors is one file, a tensor per word named by its tag, with `record` as
// metadata; .npy is a file per word.
bool writeMapValues(const QString& path, MapValuesFormat format, const std::vector<ExportWord>& words,
                    const MapValuesRecord& record, QStringList* written, QString* error);

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
