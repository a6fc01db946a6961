// SPDX-License-Identifier: GPL-3.0-or-later
// The prompt as a row of chips, one per word: click selects a word, Ctrl-click adds it to the selection.
// A chip's tooltip lists the word's sub-word tokens; selected chips carry their overlay hue. The start and
// end tokens have chips too, in prompt order, shown only while the strip's toggle is on.
#pragma once

#include "ExplorationTypes.h"

#include <QList>
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

Q_SIGNALS:
    void wordClicked(int word, bool add);
    void showSpecialChanged(bool shown);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    Qt::KeyboardModifiers clickModifiers_;
    QHBoxLayout* layout_;
    std::vector<QToolButton*> chips_;
    std::vector<bool> special_;
    QToolButton* specialToggle_;
};

} // namespace daam::ui
