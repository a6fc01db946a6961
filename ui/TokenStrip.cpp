#include "TokenStrip.h"

#include "OverlayRenderer.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QMouseEvent>
#include <QToolButton>

namespace daam::ui {

TokenStrip::TokenStrip(QWidget* parent) : QWidget(parent), layout_(new QHBoxLayout(this)) {
    layout_->setContentsMargins(0, 0, 0, 0);
    layout_->setSpacing(4);
    layout_->addStretch(1);
}

void TokenStrip::setWords(const std::vector<WordInfo>& words) {
    for (auto* c : chips_)
        delete c;
    chips_.clear();
    for (size_t i = 0; i < words.size(); ++i) {
        auto* chip = new QToolButton(this);
        chip->setText(words[i].text);
        chip->setCheckable(true);
        chip->setAutoRaise(false);
        const QString number = i < 9 ? tr(" (key %1)").arg(i + 1) : QString();
        chip->setToolTip(tr("Tokens: %1%2\nClick to select, Ctrl+click to add to the selection.")
                             .arg(words[i].tokens.join(QStringLiteral(" · ")), number));
        chip->setAccessibleName(tr("Word %1: %2").arg(i + 1).arg(words[i].text));
        const int word = int(i);
        connect(chip, &QToolButton::clicked, this, [this, word, chip] {
            // The button toggled itself; the state decides what is checked.
            chip->setChecked(!chip->isChecked());
            const auto modifiers = clickModifiers_ | QApplication::keyboardModifiers();
            clickModifiers_ = {};
            Q_EMIT wordClicked(word, modifiers & Qt::ControlModifier);
        });
        chip->installEventFilter(this);
        layout_->insertWidget(int(i), chip);
        chips_.push_back(chip);
    }
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
        chips_[i]->setStyleSheet(QStringLiteral("QToolButton { border: %1; border-radius: 5px; padding: 3px 9px; }"
                                                "QToolButton:checked { background: palette(highlight);"
                                                " color: palette(highlighted-text); }")
                                     .arg(border));
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
