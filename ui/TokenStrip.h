// SPDX-License-Identifier: GPL-3.0-or-later
// The prompt as a row of chips, one per word: click selects a word, Ctrl-click adds it to the selection.
// A chip's tooltip lists the word's sub-word tokens; selected chips carry their overlay hue. The start and
// end tokens have chips too, in prompt order, shown only while the strip's toggle is on. Above the chips, the
// prompt's parse: an arc from each head word to its dependent, labelled with the relation; clicking a label
// picks the pair.
#pragma once

#include "ExplorationTypes.h"

#include <QList>
#include <QRect>
#include <QWidget>

class QToolButton;
class QHBoxLayout;

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

Q_SIGNALS:
    void wordClicked(int word, bool add);
    void showSpecialChanged(bool shown);
    void dependencyClicked(int index);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    Qt::KeyboardModifiers clickModifiers_;
    QHBoxLayout* layout_;
    std::vector<QToolButton*> chips_;
    std::vector<bool> special_;
    QToolButton* specialToggle_;
    QList<int> selected_;
    std::vector<DependencyArc> arcs_;
    std::vector<int> arcLevels_; // 1 for arcs spanning no other arc, one more than the highest they span
    QString note_;
    int arcAreaHeight() const;
    int arcAt(const QPoint& pos) const;
};

} // namespace daam::ui
