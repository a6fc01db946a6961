// SPDX-License-Identifier: GPL-3.0-or-later
// A horizontal slider with two handles that choose a range [lower, upper] of integers. The handle nearer
// the press is dragged; the keyboard moves the focused handle (Tab-free: Shift toggles which one).
#pragma once

#include <QWidget>

namespace daam::ui {

class RangeSlider : public QWidget {
    Q_OBJECT
public:
    explicit RangeSlider(QWidget* parent = nullptr);

    void setRange(int minimum, int maximum);
    int minimum() const { return min_; }
    int maximum() const { return max_; }
    int lower() const { return lower_; }
    int upper() const { return upper_; }
    // Clamped to the range, lower <= upper; emits valuesChanged when something changed.
    void setValues(int lower, int upper);

    // Pixel x of a value's handle centre (tests click here).
    int positionOf(int value) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void valuesChanged(int lower, int upper);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    int valueAt(int x) const;
    int grooveLeft() const;
    int grooveRight() const;

    int min_ = 0;
    int max_ = 0;
    int lower_ = 0;
    int upper_ = 0;
    int dragging_ = -1; // 0 lower, 1 upper, -1 none
    int keyHandle_ = 1; // handle the arrow keys move
};

} // namespace daam::ui
