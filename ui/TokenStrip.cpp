// SPDX-License-Identifier: GPL-3.0-or-later
#include "TokenStrip.h"

#include "OverlayRenderer.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QMouseEvent>
#include <QToolButton>

#include <algorithm>

namespace daam::ui {

TokenStrip::TokenStrip(QWidget* parent)
    : QWidget(parent), layout_(new QHBoxLayout(this)), specialToggle_(new QToolButton(this)) {
    layout_->setContentsMargins(0, 0, 0, 0);
    layout_->setSpacing(4);
    layout_->addStretch(1);
    specialToggle_->setText(tr("Start/end"));
    specialToggle_->setCheckable(true);
    specialToggle_->setToolTip(tr("Show the start and end tokens as chips too: they take most of the attention"));
    specialToggle_->setAccessibleName(tr("Show start and end tokens"));
    layout_->addWidget(specialToggle_);
    connect(specialToggle_, &QToolButton::toggled, this, [this](bool shown) {
        for (size_t i = 0; i < chips_.size(); ++i)
            if (special_[i]) chips_[i]->setVisible(shown);
        Q_EMIT showSpecialChanged(shown);
    });
}

void TokenStrip::setShowSpecial(bool show) {
    specialToggle_->setChecked(show);
}

bool TokenStrip::showsSpecial() const {
    return specialToggle_->isChecked();
}

void TokenStrip::setWords(const std::vector<WordInfo>& words) {
    for (auto* c : chips_)
        delete c;
    chips_.clear();
    special_.clear();
    // Chips stand in prompt order (the start token first), whatever the words' order.
    std::vector<int> order(words.size());
    for (size_t i = 0; i < words.size(); ++i)
        order[i] = int(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const int ra = words[a].rows.empty() ? 0 : words[a].rows.front();
        const int rb = words[b].rows.empty() ? 0 : words[b].rows.front();
        return ra < rb;
    });
    for (size_t i = 0; i < words.size(); ++i) {
        auto* chip = new QToolButton(this);
        chip->setText(words[i].text);
        chip->setCheckable(true);
        chip->setAutoRaise(false);
        const QString number = i < 9 ? tr(" (key %1)").arg(i + 1) : QString();
        if (words[i].special)
            chip->setToolTip(tr("A token of no word: the model reads it with every prompt\n"
                                "Click to select, Ctrl+click to add to the selection."));
        else
            chip->setToolTip(tr("Tokens: %1%2\nClick to select, Ctrl+click to add to the selection.")
                                 .arg(words[i].tokens.join(QStringLiteral(" · ")), number));
        chip->setAccessibleName(tr("Word %1: %2").arg(i + 1).arg(words[i].text));
        chip->setVisible(!words[i].special || showsSpecial());
        const int word = int(i);
        connect(chip, &QToolButton::clicked, this, [this, word, chip] {
            // The button toggled itself; the state decides what is checked.
            chip->setChecked(!chip->isChecked());
            const auto modifiers = clickModifiers_ | QApplication::keyboardModifiers();
            clickModifiers_ = {};
            Q_EMIT wordClicked(word, modifiers & Qt::ControlModifier);
        });
        chip->installEventFilter(this);
        chips_.push_back(chip);
        special_.push_back(words[i].special);
    }
    for (int p = 0; p < int(order.size()); ++p)
        layout_->insertWidget(p, chips_[order[p]]);
    specialToggle_->setEnabled(std::find(special_.begin(), special_.end(), true) != special_.end());
}

void TokenStrip::setSelection(const QList<int>& selected) {
    for (size_t i = 0; i < chips_.size(); ++i) {
        const int position = selected.indexOf(int(i));
        chips_[i]->setChecked(position >= 0);
        // Selected chips are filled; with several words each carries its overlay hue as a thick border.
        const QString border =
            position >= 0 && selected.size() > 1
                ? QStringLiteral("3px solid %1").arg(wordColor(position, int(selected.size())).name())
                : QStringLiteral("1px solid palette(mid)");
        // Start and end tokens are told apart by a dashed border and italics.
        chips_[i]->setStyleSheet(QStringLiteral("QToolButton { border: %1; border-radius: 5px; padding: 3px 9px;%2 }"
                                                "QToolButton:checked { background: palette(highlight);"
                                                " color: palette(highlighted-text); }")
                                     .arg(border, special_[i] ? QStringLiteral(" border-style: dashed;"
                                                                               " font-style: italic;")
                                                              : QString()));
    }
}

bool TokenStrip::eventFilter(QObject* watched, QEvent* event) {
    // The click's own modifiers decide between select and add, whatever the keyboard state is by the
    // time clicked() is delivered.
    if (event->type() == QEvent::MouseButtonRelease) clickModifiers_ = static_cast<QMouseEvent*>(event)->modifiers();
    return QWidget::eventFilter(watched, event);
}

QToolButton* TokenStrip::chip(int word) const {
    return word >= 0 && word < int(chips_.size()) ? chips_[word] : nullptr;
}

} // namespace daam::ui
