// SPDX-License-Identifier: GPL-3.0-or-later
#include "Exporter.h"

#include "daam/io/SafetensorsFile.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLinearGradient>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>

#include <cmath>
#include <functional>

namespace daam::ui {

namespace {

constexpr double kPanelInches = 2.5;
constexpr double kTitleInches = 0.3;
constexpr double kCaptionInches = 0.35;
constexpr double kBarInches = 1.0; // the bar, its tick labels and its title
constexpr double kGapInches = 0.1;
// Grids hold more panels: smaller ones, with room for row labels and the colour bar's title.
constexpr double kGridPanelInches = 1.5;
constexpr double kRowLabelInches = 1.2;
constexpr double kGridBarInches = 1.1;

int columnsFor(int panels) {
    return std::min(panels, 4);
}

// The normalization as a file records it, in no language.
const char* normalizationId(Normalization n) {
    switch (n) {
    case Normalization::MinMax:
        return "minmax";
    case Normalization::Joint:
        return "joint";
    case Normalization::Absolute:
        return "absolute";
    case Normalization::Share:
        return "share";
    }
    return "minmax";
}

// `path` itself for a single word, else the word's own file beside it (see writeMasks).
QString wordFilePath(const QString& path, const ExportWord& word, size_t words, const QString& suffix) {
    if (words == 1) return path;
    const QFileInfo info(path);
    return info.dir().filePath(QStringLiteral("%1-%2.%3").arg(info.completeBaseName(), wordFileTag(word), suffix));
}

} // namespace

bool commit(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) *error = QCoreApplication::translate("daam::ui::Exporter", "%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool figureFormatFor(const QString& path, FigureFormat& out) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        out = FigureFormat::Png;
    else if (suffix == QLatin1String("svg"))
        out = FigureFormat::Svg;
    else if (suffix == QLatin1String("pdf"))
        out = FigureFormat::Pdf;
    else
        return false;
    return true;
}

bool mapValuesFormatFor(const QString& path, MapValuesFormat& out) {
    const QString suffix = QFileInfo(path).suffix();
    if (suffix.compare(QLatin1String("safetensors"), Qt::CaseInsensitive) == 0)
        out = MapValuesFormat::Safetensors;
    else if (suffix.compare(QLatin1String("npy"), Qt::CaseInsensitive) == 0)
        out = MapValuesFormat::Npy;
    else
        return false;
    return true;
}

QString wordFileTag(const ExportWord& word) {
    QString name = word.text;
    name.replace(QRegularExpression(QStringLiteral("[^\\w-]")), QStringLiteral("_"));
    return QStringLiteral("%1-%2").arg(word.index + 1).arg(name);
}

QString figureBarLabel(Normalization normalization) {
    switch (normalization) {
    case Normalization::MinMax:
        return QCoreApplication::translate("daam::ui::Exporter",
                                           "each map scaled to its own range (min–max, as the paper)");
    case Normalization::Joint:
        return QCoreApplication::translate("daam::ui::Exporter", "one min–max scale for all the prompt's words");
    case Normalization::Absolute:
        return QCoreApplication::translate("daam::ui::Exporter",
                                           "attention as aggregated (no scaling; above 1 drawn as 1)");
    case Normalization::Share:
        return QCoreApplication::translate("daam::ui::Exporter", "the word's share of the prompt words' attention");
    }
    return {};
}

FigureContent composeFigure(const QImage& image, const std::vector<ExportWord>& words, OverlayStyle style,
                            Normalization normalization, const QString& prompt) {
    FigureContent content;
    content.image = image;
    content.colorMap = style.colorMap;
    content.caption = prompt;
    content.barLabel = figureBarLabel(normalization);
    // A mask would hide the heat the colour bar explains.
    style.maskMode = MaskMode::None;
    for (const auto& word : words) {
        content.panels.push_back(renderOverlay(image, {word.map}, style));
        content.titles << word.text;
    }
    return content;
}

bool writeImage(const QString& path, const QImage& image, QString* error) {
    if (image.isNull()) {
        if (error) *error = QCoreApplication::translate("daam::ui::Exporter", "%1: nothing to export").arg(path);
        return false;
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) {
        if (error)
            *error = QCoreApplication::translate("daam::ui::Exporter", "%1: could not encode the image").arg(path);
        return false;
    }
    return commit(path, bytes, error);
}

namespace {
void paintColorBar(QPainter& p, const QRectF& bar, daam::ColorMapName colorMap, double low, double high, double unit,
                   double labelHeight);
void paintBarLabel(QPainter& p, const QRectF& bar, const QString& label, double unit, double lineHeight);

// A white page of `size` for a figure `inches` large, antialiased, with black text `fontInches` high; returns the
// page's units per inch.
double beginFigurePage(QPainter& p, const QSizeF& size, const QSizeF& inches, double fontInches) {
    const double unit = std::min(size.width() / inches.width(), size.height() / inches.height());
    p.fillRect(QRectF(QPointF(0, 0), size), Qt::white);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    QFont font = p.font();
    font.setPixelSize(std::max(1, int(std::lround(unit * fontInches))));
    p.setFont(font);
    p.setPen(Qt::black);
    return unit;
}

// Height over width of the grid's panels (its first cell's image).
double gridAspect(const FigureGrid& grid) {
    if (grid.cells.empty() || grid.cells.front().empty() || grid.cells.front().front().isNull()) return 1.0;
    const QImage& first = grid.cells.front().front();
    return double(first.height()) / first.width();
}
} // namespace

QSizeF figureSizeInches(const FigureContent& content) {
    const int panels = 1 + int(content.panels.size());
    const int cols = columnsFor(panels), rows = (panels + cols - 1) / cols;
    const double aspect = content.image.isNull() ? 1.0 : double(content.image.height()) / content.image.width();
    const double cell = kPanelInches * aspect + kTitleInches;
    return {cols * kPanelInches + (cols - 1) * kGapInches + kBarInches,
            rows * cell + (rows - 1) * kGapInches + kCaptionInches};
}

void paintFigure(QPainter& p, const QSizeF& size, const FigureContent& content) {
    p.save();
    const double unit = beginFigurePage(p, size, figureSizeInches(content), 0.14);

    std::vector<QImage> cells{content.image};
    QStringList titles{QCoreApplication::translate("daam::ui::Exporter", "Image")};
    for (size_t i = 0; i < content.panels.size(); ++i) {
        cells.push_back(content.panels[i]);
        titles << (int(i) < content.titles.size() ? content.titles[int(i)] : QString());
    }
    const int cols = columnsFor(int(cells.size()));
    const double aspect = content.image.isNull() ? 1.0 : double(content.image.height()) / content.image.width();
    const double panelW = kPanelInches * unit, panelH = panelW * aspect, titleH = kTitleInches * unit;
    const double gap = kGapInches * unit;
    for (size_t i = 0; i < cells.size(); ++i) {
        const int r = int(i) / cols, c = int(i) % cols;
        const QRectF title(c * (panelW + gap), r * (panelH + titleH + gap), panelW, titleH);
        p.drawText(title, Qt::AlignCenter, titles[int(i)]);
        const QRectF panel(title.left(), title.bottom(), panelW, panelH);
        if (!cells[i].isNull()) p.drawImage(panel, cells[i]);
        p.setPen(QPen(Qt::black, std::max(1.0, unit / 144)));
        p.drawRect(panel);
    }

    // The colour bar: 0 at the bottom, 1 at the top, as the heat maps' scale.
    const int rows = (int(cells.size()) + cols - 1) / cols;
    const double barX = cols * (panelW + gap) - gap + 0.15 * unit;
    const QRectF bar(barX, titleH, 0.15 * unit, rows * (panelH + titleH + gap) - gap - titleH);
    paintColorBar(p, bar, content.colorMap, 0.0, 1.0, unit, titleH);
    paintBarLabel(p, bar, content.barLabel, unit, titleH);
    if (!content.caption.isEmpty()) {
        const QRectF caption(0, rows * (panelH + titleH + gap) - gap, cols * (panelW + gap), kCaptionInches * unit);
        p.drawText(caption, Qt::AlignCenter | Qt::TextWordWrap, content.caption);
    }
    p.restore();
}

namespace {

// One figure painted on the device its format needs, `inches` in size, committed whole.
bool writePaintedFigure(const QString& path, FigureFormat format, const QSizeF& inches, const QString& description,
                        int dpi, const std::function<void(QPainter&, const QSizeF&)>& paint, QString* error) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    switch (format) {
    case FigureFormat::Png: {
        QImage image(QSize(int(std::lround(inches.width() * dpi)), int(std::lround(inches.height() * dpi))),
                     QImage::Format_RGB32);
        const int dotsPerMeter = int(std::lround(dpi / 0.0254));
        image.setDotsPerMeterX(dotsPerMeter);
        image.setDotsPerMeterY(dotsPerMeter);
        QPainter p(&image);
        paint(p, image.size());
        p.end();
        if (!image.save(&buffer, "PNG")) {
            if (error)
                *error = QCoreApplication::translate("daam::ui::Exporter", "%1: could not encode the figure").arg(path);
            return false;
        }
        break;
    }
    case FigureFormat::Svg: {
        // SVG user units at 96 per inch; the images inside keep their own resolution.
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setResolution(96);
        svg.setSize(QSize(int(std::ceil(inches.width() * 96)), int(std::ceil(inches.height() * 96))));
        svg.setViewBox(QRectF(0, 0, inches.width() * 96, inches.height() * 96));
        svg.setTitle(QCoreApplication::translate("daam::ui::Exporter", "DAAM heat maps"));
        svg.setDescription(description);
        QPainter p(&svg);
        paint(p, QSizeF(inches.width() * 96, inches.height() * 96));
        p.end();
        break;
    }
    case FigureFormat::Pdf: {
        QPdfWriter pdf(&buffer);
        pdf.setResolution(dpi);
        pdf.setPageSize(QPageSize(inches, QPageSize::Inch));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setTitle(QCoreApplication::translate("daam::ui::Exporter", "DAAM heat maps"));
        QPainter p(&pdf);
        paint(p, QSizeF(pdf.width(), pdf.height()));
        p.end();
        break;
    }
    }
    buffer.close();
    return commit(path, bytes, error);
}

// A vertical colour bar in `bar`, `low` at the bottom and `high` at the top, ticks at both ends and the middle.
void paintColorBar(QPainter& p, const QRectF& bar, daam::ColorMapName colorMap, double low, double high, double unit,
                   double labelHeight) {
    QLinearGradient gradient(bar.bottomLeft(), bar.topLeft());
    const auto& table = daam::colorTable(colorMap);
    for (int i = 0; i <= 16; ++i) {
        const auto c = table[std::min(255, i * 16)];
        gradient.setColorAt(i / 16.0, QColor(c.r, c.g, c.b));
    }
    p.fillRect(bar, gradient);
    p.drawRect(bar);
    const double labelW = 0.5 * unit;
    for (double v : {0.0, 0.5, 1.0}) {
        const double y = bar.bottom() - v * bar.height();
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 0.05 * unit, y));
        p.drawText(QRectF(bar.right() + 0.07 * unit, y - labelHeight / 2, labelW, labelHeight),
                   Qt::AlignLeft | Qt::AlignVCenter, QString::number(low + v * (high - low), 'g', 2));
    }
}

// The colour bar's title, turned to run along it, right of its tick labels.
void paintBarLabel(QPainter& p, const QRectF& bar, const QString& label, double unit, double lineHeight) {
    if (label.isEmpty()) return;
    p.save();
    p.translate(bar.right() + 0.6 * unit, bar.center().y());
    p.rotate(90);
    p.drawText(QRectF(-bar.height() / 2, -lineHeight, bar.height(), lineHeight), Qt::AlignCenter | Qt::TextWordWrap,
               label);
    p.restore();
}

} // namespace

bool writeNpy(const QString& path, const HeatMap& map, QString* error) {
    static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "the .npy header says little-endian float32");
    // Format 1.0: magic, version, header length, then a Python dict literal padded with spaces so that the data
    // starts at a multiple of 64 bytes.
    QByteArray header = QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, %2), }")
                            .arg(map.height)
                            .arg(map.width)
                            .toLatin1();
    const int total = 10 + int(header.size()) + 1;
    header.append(QByteArray((64 - total % 64) % 64, ' '));
    header.append('\n');
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    bytes.append(char(header.size() & 0xff));
    bytes.append(char((header.size() >> 8) & 0xff));
    bytes.append(header);
    bytes.append(reinterpret_cast<const char*>(map.values.data()), qsizetype(map.values.size() * sizeof(float)));
    return commit(path, bytes, error);
}

bool writeMapsSafetensors(const QString& path, const std::vector<std::pair<QString, const HeatMap*>>& maps,
                          const std::map<std::string, std::string>& metadata, QString* error) {
    std::vector<daam::RawTensor> tensors;
    for (const auto& [name, map] : maps)
        tensors.push_back({name.toStdString(),
                           daam::DType::F32,
                           {map->height, map->width},
                           map->values.data(),
                           map->values.size() * sizeof(float)});
    try {
        daam::writeSafetensors(QFile::encodeName(path).toStdString(), tensors, metadata);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

bool writeFigure(const QString& path, FigureFormat format, const FigureContent& content, int dpi, QString* error) {
    return writePaintedFigure(
        path, format, figureSizeInches(content), content.caption, dpi,
        [&](QPainter& p, const QSizeF& size) { paintFigure(p, size, content); }, error);
}

bool writeOverlay(const QString& path, const QImage& image, const std::vector<ExportWord>& words,
                  const OverlayStyle& style, QString* error) {
    std::vector<const HeatMap*> maps;
    for (const auto& word : words)
        maps.push_back(word.map);
    return writeImage(path, renderOverlay(image, maps, style), error);
}

bool writeMasks(const QString& path, const std::vector<ExportWord>& words, double threshold, QStringList* written,
                QString* error) {
    const QString suffix = QFileInfo(path).suffix();
    for (const auto& word : words) {
        const QString target =
            wordFilePath(path, word, words.size(), suffix.isEmpty() ? QStringLiteral("png") : suffix);
        if (!writeImage(target, renderMask(*word.map, threshold), error)) return false;
        if (written) *written << target;
    }
    return true;
}

bool writeMapValues(const QString& path, MapValuesFormat format, const std::vector<ExportWord>& words,
                    const MapValuesRecord& record, QStringList* written, QString* error) {
    switch (format) {
    case MapValuesFormat::Safetensors: {
        std::vector<std::pair<QString, const HeatMap*>> named;
        for (const auto& word : words)
            named.emplace_back(wordFileTag(word), word.map);
        const std::map<std::string, std::string> metadata{
            {"format", "daam-studio-word-maps"},
            {"prompt", record.prompt.toStdString()},
            {"normalization", normalizationId(record.normalization)},
            {"unet_calls", QStringLiteral("%1:%2").arg(record.callBegin).arg(record.callEnd).toStdString()}};
        if (!writeMapsSafetensors(path, named, metadata, error)) return false;
        if (written) *written << path;
        return true;
    }
    case MapValuesFormat::Npy:
        for (const auto& word : words) {
            const QString target = wordFilePath(path, word, words.size(), QStringLiteral("npy"));
            if (!writeNpy(target, *word.map, error)) return false;
            if (written) *written << target;
        }
        return true;
    }
    return false;
}

QSizeF figureGridSizeInches(const FigureGrid& grid) {
    const int rows = int(grid.cells.size()), cols = grid.cells.empty() ? 0 : int(grid.cells.front().size());
    const double aspect = gridAspect(grid);
    return {kRowLabelInches + cols * kGridPanelInches + (cols - 1) * kGapInches + kGridBarInches,
            kTitleInches + rows * kGridPanelInches * aspect + (rows - 1) * kGapInches + kCaptionInches};
}

void paintFigureGrid(QPainter& p, const QSizeF& size, const FigureGrid& grid) {
    p.save();
    const double unit = beginFigurePage(p, size, figureGridSizeInches(grid), 0.12);
    const int rows = int(grid.cells.size()), cols = grid.cells.empty() ? 0 : int(grid.cells.front().size());
    const double aspect = gridAspect(grid);
    const double panelW = kGridPanelInches * unit, panelH = panelW * aspect, titleH = kTitleInches * unit;
    const double gap = kGapInches * unit, left = kRowLabelInches * unit;
    for (int c = 0; c < cols; ++c)
        p.drawText(QRectF(left + c * (panelW + gap), 0, panelW, titleH), Qt::AlignCenter,
                   c < grid.columnLabels.size() ? grid.columnLabels[c] : QString());
    for (int r = 0; r < rows; ++r) {
        const double top = titleH + r * (panelH + gap);
        p.drawText(QRectF(0, top, left - 0.08 * unit, panelH), Qt::AlignRight | Qt::AlignVCenter | Qt::TextWordWrap,
                   r < grid.rowLabels.size() ? grid.rowLabels[r] : QString());
        for (int c = 0; c < cols && c < int(grid.cells[r].size()); ++c) {
            const QRectF panel(left + c * (panelW + gap), top, panelW, panelH);
            if (!grid.cells[r][c].isNull()) p.drawImage(panel, grid.cells[r][c]);
            p.setPen(QPen(Qt::black, std::max(1.0, unit / 144)));
            p.drawRect(panel);
        }
    }
    // One colour bar for every panel, titled with what its colours mean.
    const double gridBottom = titleH + rows * (panelH + gap) - gap;
    const QRectF bar(left + cols * (panelW + gap) - gap + 0.15 * unit, titleH, 0.15 * unit, gridBottom - titleH);
    paintColorBar(p, bar, grid.colorMap, grid.barMin, grid.barMax, unit, titleH);
    paintBarLabel(p, bar, grid.barLabel, unit, titleH);
    if (!grid.caption.isEmpty())
        p.drawText(QRectF(0, gridBottom, left + cols * (panelW + gap), kCaptionInches * unit),
                   Qt::AlignCenter | Qt::TextWordWrap, grid.caption);
    p.restore();
}

bool writeFigureGrid(const QString& path, FigureFormat format, const FigureGrid& grid, int dpi, QString* error) {
    return writePaintedFigure(
        path, format, figureGridSizeInches(grid), grid.caption, dpi,
        [&](QPainter& p, const QSizeF& size) { paintFigureGrid(p, size, grid); }, error);
}

} // namespace daam::ui
