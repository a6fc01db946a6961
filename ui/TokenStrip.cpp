// SPDX-License-Identifier: GPL-3.0-or-later
#include "TokenStrip.h"

#include "OverlayRenderer.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QToolTip>

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
    setDependencies({}, {}); // the parse of the new prompt comes later
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
    selected_ = selected;
    update();
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

void TokenStrip::setDependencies(const std::vector<DependencyArc>& arcs, const QString& note) {
    arcs_.clear();
    for (const auto& a : arcs)
        if (a.head != a.dependent && chip(a.head) && chip(a.dependent)) arcs_.push_back(a);
    note_ = note;
    // Nested arcs stack: an arc stands one level above the highest arc within its span.
    std::vector<int> order(arcs_.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = int(i);
    auto span = [&](int i) { return std::abs(arcs_[i].head - arcs_[i].dependent); };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return span(a) < span(b); });
    arcLevels_.assign(arcs_.size(), 1);
    for (size_t k = 0; k < order.size(); ++k) {
        const auto& a = arcs_[order[k]];
        const int lo = std::min(a.head, a.dependent), hi = std::max(a.head, a.dependent);
        for (size_t j = 0; j < k; ++j) {
            const auto& inner = arcs_[order[j]];
            if (std::min(inner.head, inner.dependent) >= lo && std::max(inner.head, inner.dependent) <= hi)
                arcLevels_[order[k]] = std::max(arcLevels_[order[k]], arcLevels_[order[j]] + 1);
        }
    }
    layout_->setContentsMargins(0, arcAreaHeight(), 0, 0);
    update();
}

int TokenStrip::arcAreaHeight() const {
    const int line = fontMetrics().height();
    if (arcs_.empty()) return note_.isEmpty() ? 0 : line + 4;
    return *std::max_element(arcLevels_.begin(), arcLevels_.end()) * line + line / 2 + 4;
}

QRect TokenStrip::arcLabelRect(int index) const {
    if (index < 0 || index >= int(arcs_.size())) return {};
    const auto& a = arcs_[index];
    const QRect head = chips_[a.head]->geometry(), dependent = chips_[a.dependent]->geometry();
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    const QFontMetrics fm(small);
    const int top = std::min(head.top(), dependent.top()) - arcLevels_[index] * fontMetrics().height();
    const int width = fm.horizontalAdvance(a.relation) + 6, height = fm.height();
    const int middle = (head.center().x() + dependent.center().x()) / 2;
    return {middle - width / 2, top - height / 2, width, height};
}

int TokenStrip::arcAt(const QPoint& pos) const {
    for (int i = int(arcs_.size()) - 1; i >= 0; --i)
        if (arcLabelRect(i).contains(pos)) return i;
    return -1;
}

void TokenStrip::paintEvent(QPaintEvent* event) {
    QWidget::paintEvent(event);
    if (arcs_.empty() && note_.isEmpty()) return;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (arcs_.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(0, 0, width(), arcAreaHeight()), Qt::AlignLeft | Qt::AlignVCenter,
                   fontMetrics().elidedText(note_, Qt::ElideRight, width()));
        return;
    }
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    for (size_t i = 0; i < arcs_.size(); ++i) {
        const auto& a = arcs_[i];
        const bool picked = selected_.size() == 2 && selected_.contains(a.head) && selected_.contains(a.dependent);
        const QRect head = chips_[a.head]->geometry(), dependent = chips_[a.dependent]->geometry();
        // Leave a head's and a dependent's chip a little off centre, so arcs meeting at a chip stay apart.
        const int side = a.dependent > a.head ? 1 : -1;
        const double x1 = head.center().x() + side * 3, x2 = dependent.center().x() - side * 3;
        const double bottom = std::min(head.top(), dependent.top()) - 1;
        const double top = bottom - arcLevels_[i] * fontMetrics().height();
        QPainterPath path(QPointF(x1, bottom));
        path.lineTo(x1, top + 4);
        path.quadTo(x1, top, x1 + side * 4, top);
        path.lineTo(x2 - side * 4, top);
        path.quadTo(x2, top, x2, top + 4);
        path.lineTo(x2, bottom);
        const QColor colour = picked ? palette().color(QPalette::Highlight) : palette().color(QPalette::Mid);
        p.setPen(QPen(colour, picked ? 2.0 : 1.2));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        // The arrowhead points at the dependent.
        QPainterPath arrow(QPointF(x2, bottom));
        arrow.lineTo(x2 - 3, bottom - 5);
        arrow.lineTo(x2 + 3, bottom - 5);
        arrow.closeSubpath();
        p.fillPath(arrow, colour);
        const QRect label = arcLabelRect(int(i));
        p.setPen(QPen(colour, 1));
        p.setBrush(palette().color(QPalette::Base));
        p.drawRoundedRect(label, 3, 3);
        p.setFont(small);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(label, Qt::AlignCenter, a.relation);
        p.setFont(font());
    }
}

void TokenStrip::mousePressEvent(QMouseEvent* event) {
    const int arc = arcAt(event->position().toPoint());
    if (arc >= 0 && event->button() == Qt::LeftButton) {
        Q_EMIT dependencyClicked(arc);
        return event->accept();
    }
    QWidget::mousePressEvent(event);
}

bool TokenStrip::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const int arc = arcAt(help->pos());
        if (arc >= 0) {
            const auto& a = arcs_[arc];
            QToolTip::showText(help->globalPos(),
                               tr("%1: %2 → %3 (Link Grammar link %4)\nClick to compare the two words' masks.")
                                   .arg(a.relation, chips_[a.head]->text(), chips_[a.dependent]->text(), a.link),
                               this);
            return true;
        }
        if (!note_.isEmpty() && help->pos().y() < arcAreaHeight()) {
            QToolTip::showText(help->globalPos(), note_, this);
            return true;
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

QToolButton* TokenStrip::chip(int word) const {
    return word >= 0 && word < int(chips_.size()) ? chips_[word] : nullptr;
}

} // namespace daam::ui
