// SPDX-License-Identifier: GPL-3.0-or-later
#include "TokenStrip.h"

#include "OverlayRenderer.h"

#include <QApplication>
#include <QHelpEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QToolTip>

#include <algorithm>

namespace daam::ui {

namespace {

constexpr int kChipSpacing = 4; // between chips in a row, and between a row and the next row's arcs

} // namespace

TokenStrip::TokenStrip(QWidget* parent)
    : QWidget(parent), specialToggle_(new QToolButton(this)), negativeLabel_(new QLabel(tr("Negative:"), this)) {
    negativeLabel_->setToolTip(tr("The negative prompt's words: their maps are the unconditional half's attention"));
    negativeLabel_->setVisible(false);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    specialToggle_->setText(tr("Start/end"));
    specialToggle_->setCheckable(true);
    specialToggle_->setToolTip(tr("Show the start and end tokens as chips too: they take most of the attention"));
    specialToggle_->setAccessibleName(tr("Show start and end tokens"));
    connect(specialToggle_, &QToolButton::toggled, this, [this](bool shown) {
        for (size_t i = 0; i < chips_.size(); ++i)
            if (special_[i]) chips_[i]->setVisible(shown);
        relayout();
        Q_EMIT showSpecialChanged(shown);
    });
    relayout();
}

TokenStrip::Arrangement TokenStrip::arrange(int width) const {
    Arrangement a;
    const int line = fontMetrics().height();
    const bool shown = specialToggle_->isChecked();
    // Rows: chips in prompt order, a new row when the next would pass the right edge; the toggle last.
    a.rowOf.assign(chips_.size(), -1);
    a.chipRects.assign(chips_.size(), QRect());
    std::vector<std::vector<std::pair<int, QSize>>> rows(1); // (chip or -1 for the toggle, size)
    int x = 0;
    auto place = [&](int item, QSize size, bool newRow = false) {
        if (x > 0 && (newRow || x + size.width() > width)) {
            rows.emplace_back();
            x = 0;
        }
        rows.back().emplace_back(item, size);
        if (item >= 0) a.rowOf[size_t(item)] = int(rows.size()) - 1;
        x += size.width() + kChipSpacing;
    };
    bool negativeRow = false;
    for (int c : order_) {
        if (special_[size_t(c)] && !shown) continue;
        if (negative_[size_t(c)] && !negativeRow) {
            place(-1, specialToggle_->sizeHint()); // the toggle ends the prompt's rows
            place(-2, negativeLabel_->sizeHint(), true);
            negativeRow = true;
        }
        place(c, chips_[size_t(c)]->sizeHint());
    }
    if (!negativeRow) place(-1, specialToggle_->sizeHint());

    // Arc levels: nested arcs within a row stack; arcs between rows stand above the rows' own, one each.
    a.headLevels.assign(arcs_.size(), 0);
    a.dependentLevels.assign(arcs_.size(), 0);
    std::vector<int> order(arcs_.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = int(i);
    auto span = [&](int i) { return std::abs(arcs_[i].head - arcs_[i].dependent); };
    std::stable_sort(order.begin(), order.end(), [&](int p, int q) { return span(p) < span(q); });
    std::vector<int> rowLevel(rows.size(), 0);
    auto visible = [&](const DependencyArc& arc) {
        return a.rowOf[size_t(arc.head)] >= 0 && a.rowOf[size_t(arc.dependent)] >= 0;
    };
    for (size_t k = 0; k < order.size(); ++k) {
        const auto& arc = arcs_[order[k]];
        if (!visible(arc) || a.rowOf[size_t(arc.head)] != a.rowOf[size_t(arc.dependent)]) continue;
        const int lo = std::min(arc.head, arc.dependent), hi = std::max(arc.head, arc.dependent);
        int level = 1;
        for (size_t j = 0; j < k; ++j) {
            const auto& inner = arcs_[order[j]];
            if (a.headLevels[order[j]] > 0 && a.rowOf[size_t(inner.head)] == a.rowOf[size_t(arc.head)] &&
                std::min(inner.head, inner.dependent) >= lo && std::max(inner.head, inner.dependent) <= hi)
                level = std::max(level, a.headLevels[order[j]] + 1);
        }
        a.headLevels[order[k]] = a.dependentLevels[order[k]] = level;
        const int row = a.rowOf[size_t(arc.head)];
        rowLevel[size_t(row)] = std::max(rowLevel[size_t(row)], level);
    }
    std::vector<int> crossing(rows.size(), 0);
    for (size_t i = 0; i < arcs_.size(); ++i) {
        const auto& arc = arcs_[i];
        if (!visible(arc) || a.rowOf[size_t(arc.head)] == a.rowOf[size_t(arc.dependent)]) continue;
        const auto headRow = size_t(a.rowOf[size_t(arc.head)]), dependentRow = size_t(a.rowOf[size_t(arc.dependent)]);
        a.headLevels[i] = rowLevel[headRow] + ++crossing[headRow];
        a.dependentLevels[i] = rowLevel[dependentRow] + ++crossing[dependentRow];
    }

    // Rows from the top: each row's arc area (the parser's note in the first when there are no arcs), then chips.
    int y = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
        const int levels = rowLevel[r] + crossing[r];
        int area = levels > 0 ? levels * line + line / 2 + 4 : 0;
        if (r == 0 && arcs_.empty() && !note_.isEmpty()) area = line + 4;
        int rowHeight = 0;
        for (const auto& [item, size] : rows[r])
            rowHeight = std::max(rowHeight, size.height());
        a.rowArea.push_back(area);
        a.rowTop.push_back(y + area);
        x = 0;
        for (const auto& [item, size] : rows[r]) {
            const QRect rect(x, y + area, size.width(), rowHeight);
            if (item >= 0)
                a.chipRects[size_t(item)] = rect;
            else if (item == -1)
                a.toggleRect = rect;
            else
                a.negativeLabelRect = rect;
            x += size.width() + kChipSpacing;
        }
        y += area + rowHeight + kChipSpacing;
    }
    a.height = y - kChipSpacing;
    return a;
}

void TokenStrip::relayout() {
    const auto a = arrange(std::max(width(), 1));
    for (size_t c = 0; c < chips_.size(); ++c)
        if (a.rowOf[c] >= 0) chips_[c]->setGeometry(a.chipRects[c]);
    specialToggle_->setGeometry(a.toggleRect);
    negativeLabel_->setVisible(a.negativeLabelRect.isValid());
    if (a.negativeLabelRect.isValid()) negativeLabel_->setGeometry(a.negativeLabelRect);
    rowOf_ = a.rowOf;
    rowTop_ = a.rowTop;
    rowArea_ = a.rowArea;
    headLevels_ = a.headLevels;
    dependentLevels_ = a.dependentLevels;
    update();
    if (a.height != lastHeight_) {
        lastHeight_ = a.height;
        updateGeometry();
        Q_EMIT heightChanged();
    }
}

int TokenStrip::heightForWidth(int width) const {
    return arrange(width).height;
}

QSize TokenStrip::sizeHint() const {
    const int w = std::max(width(), 200);
    return {w, heightForWidth(w)};
}

QSize TokenStrip::minimumSizeHint() const {
    return {specialToggle_->sizeHint().width(), heightForWidth(std::max(width(), 1))};
}

void TokenStrip::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

int TokenStrip::rowOf(int word) const {
    return word >= 0 && word < int(rowOf_.size()) ? rowOf_[size_t(word)] : -1;
}

bool TokenStrip::crossesRows(int arc) const {
    return rowOf(arcs_[size_t(arc)].head) != rowOf(arcs_[size_t(arc)].dependent);
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
    texts_.clear();
    negative_.clear();
    order_.clear();
    // Chips stand in prompt order (the start token first), whatever the words' order.
    std::vector<int> order(words.size());
    for (size_t i = 0; i < words.size(); ++i)
        order[i] = int(i);
    // The negative prompt's chips come after the prompt's, in rows of their own.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const int ra = words[a].rows.empty() ? 0 : words[a].rows.front();
        const int rb = words[b].rows.empty() ? 0 : words[b].rows.front();
        return std::make_pair(words[a].negative, ra) < std::make_pair(words[b].negative, rb);
    });
    for (size_t i = 0; i < words.size(); ++i) {
        auto* chip = new QToolButton(this);
        // A1111's emphasis on the chip, as its syntax writes it: "red:1.5".
        chip->setText(words[i].weight != 1.0
                          ? QStringLiteral("%1:%2").arg(words[i].text).arg(words[i].weight, 0, 'g', 3)
                          : words[i].text);
        chip->setCheckable(true);
        chip->setAutoRaise(false);
        const QString number = i < 9 ? tr(" (key %1)").arg(i + 1) : QString();
        if (words[i].special)
            chip->setToolTip(tr("A token of no word: the model reads it with every prompt\n"
                                "Click to select, Ctrl+click to add to the selection."));
        else
            chip->setToolTip(
                tr("Tokens: %1%2\nClick to select, Ctrl+click to add to the selection.")
                    .arg(words[i].tokens.join(QStringLiteral(" · ")), number) +
                (words[i].weight != 1.0
                     ? QLatin1Char('\n') + tr("Weight %1 (A1111's emphasis)").arg(words[i].weight, 0, 'g', 4)
                     : QString()));
        // A repeated word: which occurrence this chip is (its own map unless repeats are merged).
        int occurrence = 0, occurrences = 0;
        for (size_t o = 0; o < words.size(); ++o)
            if (sameWord(words[o], words[i])) {
                ++occurrences;
                if (o < i) ++occurrence;
            }
        if (occurrences > 1 && !words[i].special)
            chip->setToolTip(chip->toolTip() + QLatin1Char('\n') +
                             tr("Occurrence %1 of %2 of this word: its own map, or all of them as one with "
                                "Display ▸ Merge a repeated word's occurrences")
                                 .arg(occurrence + 1)
                                 .arg(occurrences));
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
        negative_.push_back(words[i].negative);
        texts_.push_back(words[i].text);
    }
    order_ = order;
    specialToggle_->setEnabled(std::find(special_.begin(), special_.end(), true) != special_.end());
    relayout();
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
        // Start and end tokens are told apart by a dashed border and italics, the negative prompt's words by a
        // rose tint of their own.
        QString extra = special_[i] ? QStringLiteral(" border-style: dashed; font-style: italic;") : QString();
        if (negative_[i]) extra += QStringLiteral(" background: #f7e3ec; color: #5a1030;");
        chips_[i]->setStyleSheet(
            QStringLiteral("QToolButton { border: %1; border-radius: 5px; padding: 3px 9px;%2 }"
                           "QToolButton:checked { background: %3;"
                           " color: palette(highlighted-text); }")
                .arg(border, extra, negative_[i] ? QStringLiteral("#b0306a") : QStringLiteral("palette(highlight)")));
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
    relayout();
}

QRect TokenStrip::arcLabelRect(int index) const {
    if (index < 0 || index >= int(arcs_.size()) || rowOf(arcs_[size_t(index)].head) < 0 ||
        rowOf(arcs_[size_t(index)].dependent) < 0)
        return {};
    const auto& a = arcs_[size_t(index)];
    const QRect head = chips_[size_t(a.head)]->geometry(), dependent = chips_[size_t(a.dependent)]->geometry();
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    const QFontMetrics fm(small);
    const int top = head.top() - headLevels_[size_t(index)] * fontMetrics().height();
    const int width = fm.horizontalAdvance(a.relation) + 6, height = fm.height();
    // Between the two chips; for an arc that leaves its row, between the head and the edge it leaves by.
    const int towards = crossesRows(index) ? (a.dependent > a.head ? this->width() : 0) : dependent.center().x();
    const int middle = (head.center().x() + towards) / 2;
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
        p.drawText(QRect(0, 0, width(), rowArea_.empty() ? 0 : rowArea_.front()), Qt::AlignLeft | Qt::AlignVCenter,
                   fontMetrics().elidedText(note_, Qt::ElideRight, width()));
        return;
    }
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    const int line = fontMetrics().height();
    for (size_t i = 0; i < arcs_.size(); ++i) {
        const auto& a = arcs_[i];
        if (rowOf(a.head) < 0 || rowOf(a.dependent) < 0) continue; // a hidden start or end token
        const bool picked = selected_.size() == 2 && selected_.contains(a.head) && selected_.contains(a.dependent);
        const QRect head = chips_[size_t(a.head)]->geometry(), dependent = chips_[size_t(a.dependent)]->geometry();
        // Leave a head's and a dependent's chip a little off centre, so arcs meeting at a chip stay apart.
        const int side = a.dependent > a.head ? 1 : -1;
        const double x1 = head.center().x() + side * 3, x2 = dependent.center().x() - side * 3;
        const double headBottom = head.top() - 1, dependentBottom = dependent.top() - 1;
        const double headTop = headBottom - headLevels_[i] * line;
        const double dependentTop = dependentBottom - dependentLevels_[i] * line;
        QPainterPath path(QPointF(x1, headBottom));
        path.lineTo(x1, headTop + 4);
        path.quadTo(x1, headTop, x1 + side * 4, headTop);
        if (crossesRows(int(i))) {
            // Out of the head's row at one edge, into the dependent's at the other.
            path.lineTo(side > 0 ? width() : 0, headTop);
            path.moveTo(side > 0 ? 0 : width(), dependentTop);
        }
        path.lineTo(x2 - side * 4, dependentTop);
        path.quadTo(x2, dependentTop, x2, dependentTop + 4);
        path.lineTo(x2, dependentBottom);
        const QColor colour = picked ? palette().color(QPalette::Highlight) : palette().color(QPalette::Mid);
        p.setPen(QPen(colour, picked ? 2.0 : 1.2, crossesRows(int(i)) ? Qt::DashLine : Qt::SolidLine));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        // The arrowhead points at the dependent.
        QPainterPath arrow(QPointF(x2, dependentBottom));
        arrow.lineTo(x2 - 3, dependentBottom - 5);
        arrow.lineTo(x2 + 3, dependentBottom - 5);
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
                                   .arg(a.relation, texts_[a.head], texts_[a.dependent], a.link),
                               this);
            return true;
        }
        if (!note_.isEmpty() && !rowArea_.empty() && help->pos().y() < rowArea_.front()) {
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
