// SPDX-License-Identifier: GPL-3.0-or-later
#include "AnnotationPanel.h"

#include <QButtonGroup>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace daam::ui {
namespace {

constexpr size_t kUndoDepth = 30;

} // namespace

AnnotationPanel::AnnotationPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(this);
    title_->setTextFormat(Qt::PlainText);
    title_->setWordWrap(true);
    layout->addWidget(title_);

    auto* toolRow = new QHBoxLayout;
    tools_ = new QButtonGroup(this);
    tools_->setExclusive(false); // clicking the checked tool again puts it down
    const std::pair<Tool, QString> names[] = {
        {Tool::Brush, tr("Brush")}, {Tool::Eraser, tr("Eraser")}, {Tool::Polygon, tr("Polygon")}};
    for (const auto& [tool, name] : names) {
        auto* button = new QToolButton(this);
        button->setText(name);
        button->setCheckable(true);
        tools_->addButton(button, int(tool));
        toolRow->addWidget(button);
    }
    tools_->button(int(Tool::Polygon))
        ->setToolTip(tr("Click the corners of the region; double-click closes and fills it"));
    connect(tools_, &QButtonGroup::idClicked, this,
            [this](int id) { setTool(tools_->button(id)->isChecked() ? Tool(id) : Tool::Off); });
    undoButton_ = new QToolButton(this);
    undoButton_->setText(tr("Undo"));
    undoButton_->setShortcut(QKeySequence::Undo);
    connect(undoButton_, &QToolButton::clicked, this, &AnnotationPanel::undo);
    clearButton_ = new QToolButton(this);
    clearButton_->setText(tr("Clear"));
    connect(clearButton_, &QToolButton::clicked, this, &AnnotationPanel::clear);
    toolRow->addStretch(1);
    toolRow->addWidget(undoButton_);
    toolRow->addWidget(clearButton_);
    layout->addLayout(toolRow);

    auto* form = new QFormLayout;
    brush_ = new QSpinBox(this);
    brush_->setRange(1, 256);
    brush_->setValue(8);
    brush_->setSuffix(tr(" px"));
    form->addRow(tr("Brush size:"), brush_);
    rating_ = new QSpinBox(this);
    rating_->setRange(0, 5);
    rating_->setSpecialValueText(tr("not rated"));
    rating_->setToolTip(tr("How well the word's map shows the word, from 1 (not at all) to 5 (exactly), as the "
                           "paper's human study asked"));
    connect(rating_, &QSpinBox::valueChanged, this, [this] {
        if (word_ >= 0) Q_EMIT annotationChanged(word_, mask_, rating());
    });
    form->addRow(tr("Rating of the map:"), rating_);
    layout->addLayout(form);
    score_ = new QLabel(this);
    score_->setTextFormat(Qt::PlainText);
    score_->setWordWrap(true);
    layout->addWidget(score_);
    auto* buttons = new QHBoxLayout;
    save_ = new QPushButton(tr("Save Annotations"), this);
    save_->setToolTip(tr("Write the masks and ratings into the session folder (annotations/)"));
    connect(save_, &QPushButton::clicked, this, &AnnotationPanel::saveRequested);
    exportRatings_ = new QPushButton(tr("Export Ratings…"), this);
    exportRatings_->setToolTip(tr("Write the session's ratings as CSV"));
    connect(exportRatings_, &QPushButton::clicked, this, &AnnotationPanel::exportRatingsRequested);
    buttons->addWidget(save_);
    buttons->addWidget(exportRatings_);
    layout->addLayout(buttons);
    layout->addStretch(1);
    setWord(-1, QString(), QImage(), 0, QSize());
}

void AnnotationPanel::setWord(int word, const QString& text, const QImage& mask, int rating, const QSize& imageSize) {
    word_ = word;
    text_ = text;
    imageSize_ = imageSize;
    mask_ = mask.isNull() ? QImage() : mask.convertToFormat(QImage::Format_Grayscale8);
    undo_.clear();
    polygon_.clear();
    title_->setText(word >= 0 ? tr("Annotating “%1”").arg(text)
                              : tr("Select a word of the prompt to outline its region and rate its map."));
    {
        const QSignalBlocker block(rating_);
        rating_->setValue(rating);
    }
    for (auto* w : std::initializer_list<QWidget*>{brush_, rating_, undoButton_, clearButton_})
        w->setEnabled(word >= 0);
    for (auto* b : tools_->buttons())
        b->setEnabled(word >= 0);
    score_->clear();
}

int AnnotationPanel::rating() const {
    return rating_->value();
}

int AnnotationPanel::brushSize() const {
    return brush_->value();
}

void AnnotationPanel::setTool(Tool tool) {
    tool_ = tool;
    for (auto* b : tools_->buttons())
        b->setChecked(tools_->id(b) == int(tool));
    polygon_.clear();
    Q_EMIT pendingChanged();
    Q_EMIT toolChanged(tool);
}

void AnnotationPanel::ensureMask() {
    if (!mask_.isNull() || !imageSize_.isValid()) return;
    mask_ = QImage(imageSize_, QImage::Format_Grayscale8);
    mask_.fill(0);
}

void AnnotationPanel::remember() {
    undo_.push_back(mask_);
    if (undo_.size() > kUndoDepth) undo_.erase(undo_.begin());
}

void AnnotationPanel::changed() {
    Q_EMIT annotationChanged(word_, mask_, rating());
}

void AnnotationPanel::beginStroke(const QPointF& at) {
    if (word_ < 0 || tool_ == Tool::Off) return;
    if (tool_ == Tool::Polygon) {
        polygon_ << at;
        Q_EMIT pendingChanged();
        return;
    }
    remember();
    ensureMask();
    last_ = at;
    continueStroke(at);
}

void AnnotationPanel::continueStroke(const QPointF& to) {
    if (word_ < 0 || (tool_ != Tool::Brush && tool_ != Tool::Eraser) || mask_.isNull()) return;
    QPainter p(&mask_);
    p.setRenderHint(QPainter::Antialiasing, false); // a mask is in or out
    p.setPen(
        QPen(tool_ == Tool::Brush ? Qt::white : Qt::black, brushSize(), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.drawLine(last_, to);
    if (last_ == to) p.drawPoint(to);
    last_ = to;
    p.end();
    changed();
}

void AnnotationPanel::endStroke() {}

void AnnotationPanel::closePolygon() {
    if (word_ < 0 || tool_ != Tool::Polygon) return;
    // A point clicked twice in a row (the double-click's) counts once.
    QPolygonF corners = polygon_;
    if (corners.size() >= 2 && corners[corners.size() - 1] == corners[corners.size() - 2]) corners.removeLast();
    polygon_.clear();
    Q_EMIT pendingChanged();
    if (corners.size() < 3) return;
    remember();
    ensureMask();
    QPainter p(&mask_);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(Qt::NoPen);
    p.setBrush(Qt::white);
    p.drawPolygon(corners);
    p.end();
    changed();
}

void AnnotationPanel::undo() {
    if (undo_.empty()) return;
    mask_ = undo_.back();
    undo_.pop_back();
    changed();
}

void AnnotationPanel::clear() {
    if (mask_.isNull()) return;
    remember();
    mask_ = QImage();
    changed();
}

void AnnotationPanel::showScore(const QString& text) {
    score_->setText(text);
}

} // namespace daam::ui
