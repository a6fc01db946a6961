// SPDX-License-Identifier: GPL-3.0-or-later
#include "RangeSlider.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace daam::ui {

namespace {
constexpr int kHandleRadius = 7;
}

RangeSlider::RangeSlider(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("Drag either handle to choose the denoising steps the maps sum over. "
                  "Arrow keys move the active handle; Shift+arrow moves the other one."));
}

void RangeSlider::setRange(int minimum, int maximum) {
    min_ = minimum;
    max_ = std::max(minimum, maximum);
    lower_ = std::clamp(lower_, min_, max_);
    upper_ = std::clamp(upper_, lower_, max_);
    update();
}

void RangeSlider::setValues(int lower, int upper) {
    lower = std::clamp(lower, min_, max_);
    upper = std::clamp(upper, min_, max_);
    if (lower > upper) std::swap(lower, upper);
    if (lower == lower_ && upper == upper_) return;
    lower_ = lower;
    upper_ = upper;
    update();
    Q_EMIT valuesChanged(lower_, upper_);
}

int RangeSlider::grooveLeft() const {
    return kHandleRadius + 2;
}
int RangeSlider::grooveRight() const {
    return width() - kHandleRadius - 3;
}

int RangeSlider::positionOf(int value) const {
    if (max_ == min_) return grooveLeft();
    return grooveLeft() + int(std::lround(double(value - min_) * (grooveRight() - grooveLeft()) / (max_ - min_)));
}

int RangeSlider::valueAt(int x) const {
    if (grooveRight() <= grooveLeft()) return min_;
    const double t = std::clamp(double(x - grooveLeft()) / (grooveRight() - grooveLeft()), 0.0, 1.0);
    return min_ + int(std::lround(t * (max_ - min_)));
}

QSize RangeSlider::sizeHint() const {
    return {200, 2 * kHandleRadius + 8};
}
QSize RangeSlider::minimumSizeHint() const {
    return {60, 2 * kHandleRadius + 8};
}

void RangeSlider::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const int cy = height() / 2;
    const QPalette& pal = palette();
    p.setPen(Qt::NoPen);
    p.setBrush(pal.color(QPalette::Mid));
    p.drawRoundedRect(QRectF(grooveLeft(), cy - 2, grooveRight() - grooveLeft(), 4), 2, 2);
    p.setBrush(pal.color(isEnabled() ? QPalette::Highlight : QPalette::Mid));
    p.drawRect(QRectF(positionOf(lower_), cy - 2, positionOf(upper_) - positionOf(lower_), 4));
    for (int h = 0; h < 2; ++h) {
        const int x = positionOf(h == 0 ? lower_ : upper_);
        p.setBrush(pal.color(QPalette::Button));
        p.setPen(QPen(pal.color(hasFocus() && keyHandle_ == h ? QPalette::Highlight : QPalette::Dark), 1.5));
        p.drawEllipse(QPointF(x, cy), kHandleRadius, kHandleRadius);
    }
}

void RangeSlider::mousePressEvent(QMouseEvent* event) {
    const int x = int(event->position().x());
    const int dl = std::abs(x - positionOf(lower_)), du = std::abs(x - positionOf(upper_));
    // On a tie (handles together) pick by side, so both can still be pulled apart.
    dragging_ = dl < du ? 0 : du < dl ? 1 : (x < positionOf(lower_) ? 0 : 1);
    keyHandle_ = dragging_;
    mouseMoveEvent(event);
}

void RangeSlider::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_ < 0) return;
    const int v = valueAt(int(event->position().x()));
    if (dragging_ == 0)
        setValues(std::min(v, upper_), upper_);
    else
        setValues(lower_, std::max(v, lower_));
}

void RangeSlider::mouseReleaseEvent(QMouseEvent*) {
    dragging_ = -1;
}

void RangeSlider::keyPressEvent(QKeyEvent* event) {
    const bool other = event->modifiers() & Qt::ShiftModifier;
    const int handle = other ? 1 - keyHandle_ : keyHandle_;
    int step = 0;
    if (event->key() == Qt::Key_Left || event->key() == Qt::Key_Down) step = -1;
    if (event->key() == Qt::Key_Right || event->key() == Qt::Key_Up) step = 1;
    if (step == 0) {
        if (event->key() == Qt::Key_Home)
            setValues(min_, upper_);
        else if (event->key() == Qt::Key_End)
            setValues(lower_, max_);
        else
            QWidget::keyPressEvent(event);
        return;
    }
    if (handle == 0)
        setValues(std::min(lower_ + step, upper_), upper_);
    else
        setValues(lower_, std::max(upper_ + step, lower_));
}

} // namespace daam::ui
