// SPDX-License-Identifier: GPL-3.0-or-later
// The prompt as chips, one per word, in rows that wrap at the strip's width: click selects a word, Ctrl-click
// adds it to the selection.
// A chip's tooltip lists the word's sub-word tokens; selected chips carry their overlay hue. The start and
// end tokens have chips too, in prompt order, shown only while the strip's toggle is on. The negative prompt's
// words follow in rows of their own, tinted. Above the chips, the
// prompt's parse: an arc from each head word to its dependent, labelled with the relation; clicking a label
// picks the pair. Each row has room for its arcs above it; an arc between two rows leaves its head's row at the
// edge and comes into its dependent's row from the other edge.
#pragma once

#include "ExplorationTypes.h"

#include <QList>
#include <QRect>
#include <QWidget>

class QLabel;
class QToolButton;

namespace daam::ui {

class TokenStrip : public QWidget {
    Q_OBJECT
public:
    explicit TokenStrip(QWidget* parent = nullptr);

    void setWords(const std::vector<WordInfo>& words);
    void setSelection(const QList<int>& selected);
    QToolButton* chip(int word) const; // tests click it
    int chipCount() const { return int(chips_.size()); }
    void setShowSpecial(bool show);
    bool showsSpecial() const;
    QToolButton* specialToggle() const { return specialToggle_; }

    // The parse's arcs (word indices as setWords'), or none with `note` saying why (shown in their place).
    void setDependencies(const std::vector<DependencyArc>& arcs, const QString& note);
    const std::vector<DependencyArc>& dependencies() const { return arcs_; }
    QString dependencyNote() const { return note_; }
    // Where arc `index`'s label is drawn, in the strip's coordinates (tests click it).
    QRect arcLabelRect(int index) const;
    // The chips' row (0 first), or -1 for a hidden chip.
    int rowOf(int word) const;
    int rowCount() const { return int(rowTop_.size()); }

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void wordClicked(int word, bool add);
    void showSpecialChanged(bool shown);
    void dependencyClicked(int index);
    // The rows' height changed (other words, arcs or width): a container may resize.
    void heightChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    Qt::KeyboardModifiers clickModifiers_;
    std::vector<QToolButton*> chips_;
    std::vector<int> order_; // chip indices in prompt order
    std::vector<bool> special_;
    std::vector<bool> negative_;
    std::vector<QString> texts_; // the words' texts (a chip may show a weight beside its word)
    QToolButton* specialToggle_;
    QLabel* negativeLabel_; // heads the negative prompt's rows
    QList<int> selected_;
    std::vector<DependencyArc> arcs_;
    // An arc's height above its head's row and above its dependent's row, in lines: within a row 1 for an arc
    // spanning no other, one more than the highest it spans; arcs between rows stand above a row's own.
    std::vector<int> headLevels_, dependentLevels_;
    QString note_;

    // Where everything goes at `width`: rows of chips (then the toggle), each below its arc area.
    struct Arrangement {
        std::vector<int> rowOf;       // per chip; -1 hidden
        std::vector<QRect> chipRects; // per chip
        QRect toggleRect, negativeLabelRect;
        std::vector<int> rowTop, rowArea;             // per row: the chips' top and the arc area's height above it
        std::vector<int> headLevels, dependentLevels; // per arc
        int height = 0;
    };
    Arrangement arrange(int width) const;
    void relayout(); // arranges at the current width and places the chips
    std::vector<int> rowOf_, rowTop_, rowArea_;
    int lastHeight_ = -1;
    bool crossesRows(int arc) const;
    int arcAt(const QPoint& pos) const;
};

} // namespace daam::ui
