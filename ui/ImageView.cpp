// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImageView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace daam::ui {

ImageView::ImageView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setToolTip(tr("Wheel or +/- zooms, drag pans, double-click or 0 fits the image."));
    setAccessibleName(tr("Image with heat map"));
}

QSize ImageView::sizeHint() const {
    return {560, 560};
}

void ImageView::setImage(const QImage& image) {
    const bool sameSize = image.size() == image_.size();
    image_ = image;
    if (!sameSize || fitted_) fit();
    update();
}

void ImageView::fit() {
    fitted_ = true;
    if (image_.isNull()) return;
    zoom_ = std::min(double(width()) / image_.width(), double(height()) / image_.height());
    offset_ = QPointF((width() - image_.width() * zoom_) / 2, (height() - image_.height() * zoom_) / 2);
    update();
    Q_EMIT zoomChanged(zoom_);
}

void ImageView::setZoom(double zoom) {
    zoomAbout(zoom / zoom_, QPointF(width() / 2.0, height() / 2.0));
}

void ImageView::zoomAbout(double factor, const QPointF& widgetPos) {
    const double next = std::clamp(zoom_ * factor, 0.05, 64.0);
    const QPointF anchor = toImage(widgetPos);
    zoom_ = next;
    offset_ = widgetPos - anchor * zoom_;
    fitted_ = false;
    update();
    Q_EMIT zoomChanged(zoom_);
}

QPointF ImageView::toImage(const QPointF& widgetPos) const {
    return (widgetPos - offset_) / zoom_;
}

QPointF ImageView::toWidget(const QPointF& imagePos) const {
    return imagePos * zoom_ + offset_;
}

void ImageView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Window).darker(110));
    if (image_.isNull()) {
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("Open a session (File ▸ Open, or drop its folder here) or generate an image."));
        return;
    }
    // Smooth when shrinking, sharp pixels when magnifying: at high zoom the map's pixels are the point.
    p.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ < 1.0);
    p.drawImage(QRectF(offset_, QSizeF(image_.width() * zoom_, image_.height() * zoom_)), image_);
}

void ImageView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0) zoomAbout(std::pow(1.2, steps), event->position());
    event->accept();
}

void ImageView::setPainting(bool painting) {
    painting_ = painting;
    stroking_ = false;
    if (painting)
        setCursor(Qt::CrossCursor);
    else
        unsetCursor();
}

void ImageView::mousePressEvent(QMouseEvent* event) {
    if (painting_ && event->button() == Qt::LeftButton) {
        stroking_ = true;
        Q_EMIT strokeStarted(toImage(event->position()));
        return;
    }
    if (event->button() == Qt::LeftButton || event->button() == Qt::MiddleButton) {
        panning_ = true;
        panStart_ = event->position();
        setCursor(Qt::ClosedHandCursor);
    }
}

void ImageView::mouseMoveEvent(QMouseEvent* event) {
    if (stroking_) Q_EMIT strokeMoved(toImage(event->position()));
    if (panning_) {
        offset_ += event->position() - panStart_;
        panStart_ = event->position();
        fitted_ = false;
        update();
    }
    if (image_.isNull()) return;
    const QPointF ip = toImage(event->position());
    const int x = int(std::floor(ip.x())), y = int(std::floor(ip.y()));
    if (x >= 0 && y >= 0 && x < image_.width() && y < image_.height())
        Q_EMIT hovered(x, y);
    else
        Q_EMIT left();
}

void ImageView::mouseReleaseEvent(QMouseEvent*) {
    if (stroking_) {
        stroking_ = false;
        Q_EMIT strokeEnded();
    }
    panning_ = false;
    if (painting_)
        setCursor(Qt::CrossCursor);
    else
        unsetCursor();
}

void ImageView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (painting_ && event->button() == Qt::LeftButton) {
        Q_EMIT strokeClosed();
        return;
    }
    fit();
}

void ImageView::resizeEvent(QResizeEvent*) {
    if (fitted_) fit();
}

void ImageView::leaveEvent(QEvent*) {
    Q_EMIT left();
}

void ImageView::keyPressEvent(QKeyEvent* event) {
    const QPointF centre(width() / 2.0, height() / 2.0);
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomAbout(1.25, centre);
        break;
    case Qt::Key_Minus:
        zoomAbout(0.8, centre);
        break;
    case Qt::Key_0:
        fit();
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace daam::ui
