// SPDX-License-Identifier: GPL-3.0-or-later
// The Annotate tools: paint or outline the selected word's true region on the image (brush, eraser, polygon,
// undo, clear) and rate its map from 1 to 5, as the paper's human study did. The panel edits the mask; the
// window keeps it in the session, draws it over the image, scores the word's map against it (IoU at τ) and
// saves it with the session, where daam-cli eval-masks --masks sessions reads it.
#pragma once

#include <QImage>
#include <QPolygonF>
#include <QWidget>

#include <vector>

class QButtonGroup;
class QLabel;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace daam::ui {

class AnnotationPanel : public QWidget {
    Q_OBJECT
public:
    enum class Tool { Off, Brush, Eraser, Polygon };

    explicit AnnotationPanel(QWidget* parent = nullptr);

    // The word to annotate (-1: none that can be, e.g. a start token), its mask (Grayscale8 at `imageSize`, or
    // null for none yet) and rating (0: none). Clears the undo history.
    void setWord(int word, const QString& text, const QImage& mask, int rating, const QSize& imageSize);
    int word() const { return word_; }
    const QImage& mask() const { return mask_; } // null while nothing is drawn
    int rating() const;
    Tool tool() const { return tool_; }
    void setTool(Tool tool);
    int brushSize() const;
    const QPolygonF& pendingPolygon() const { return polygon_; }

    // Strokes from the image view, in image pixels.
    void beginStroke(const QPointF& at);
    void continueStroke(const QPointF& to);
    void endStroke();
    void closePolygon();
    void undo();
    void clear();

    void showScore(const QString& text);
    QLabel* scoreLabel() const { return score_; }
    QPushButton* saveButton() const { return save_; }
    QSpinBox* ratingBox() const { return rating_; }
    QSpinBox* brushBox() const { return brush_; }

Q_SIGNALS:
    void toolChanged(daam::ui::AnnotationPanel::Tool tool);
    // After every edit of the mask or the rating.
    void annotationChanged(int word, const QImage& mask, int rating);
    void pendingChanged(); // the polygon being outlined changed
    void saveRequested();
    void exportRatingsRequested();

private:
    void remember(); // pushes the mask for undo
    void ensureMask();
    void changed();

    int word_ = -1;
    QString text_;
    QSize imageSize_;
    QImage mask_;
    std::vector<QImage> undo_;
    Tool tool_ = Tool::Off;
    QPointF last_;
    QPolygonF polygon_;

    QLabel* title_;
    QButtonGroup* tools_;
    QSpinBox* brush_;
    QToolButton* undoButton_;
    QToolButton* clearButton_;
    QSpinBox* rating_;
    QLabel* score_;
    QPushButton* save_;
    QPushButton* exportRatings_;
};

} // namespace daam::ui

Q_DECLARE_METATYPE(daam::ui::AnnotationPanel::Tool)
