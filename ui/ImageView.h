// SPDX-License-Identifier: GPL-3.0-or-later
// Shows the image with its overlay; wheel zooms about the cursor, dragging pans, double-click fits.
// Reports the image pixel under the cursor so the window can read out every word's value there. While painting
// (the Annotate tools) the left button reports strokes and polygon corners in image pixels instead of panning;
// the middle button still pans.
#pragma once

#include <QImage>
#include <QPointF>
#include <QWidget>

namespace daam::ui {

class ImageView : public QWidget {
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    void setImage(const QImage& image); // keeps zoom and pan when the size is unchanged
    const QImage& image() const { return image_; }
    double zoom() const { return zoom_; }
    void setZoom(double zoom);
    void fit();
    // Image pixel under a widget position (may lie outside the image).
    QPointF toImage(const QPointF& widgetPos) const;
    QPointF toWidget(const QPointF& imagePos) const;

    QSize sizeHint() const override;

    // Whether the left button paints (strokes and clicks go to the signals below) rather than pans.
    void setPainting(bool painting);
    bool painting() const { return painting_; }

Q_SIGNALS:
    void hovered(int x, int y); // image pixel
    void left();                // the cursor left the image
    void zoomChanged(double zoom);
    // Painting: a stroke starts, goes on and ends (image pixels, fractional); a double-click closes a polygon.
    void strokeStarted(const QPointF& at);
    void strokeMoved(const QPointF& to);
    void strokeEnded();
    void strokeClosed();

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void zoomAbout(double factor, const QPointF& widgetPos);

    QImage image_;
    double zoom_ = 1.0;
    QPointF offset_; // widget position of the image's top-left corner
    bool fitted_ = true;
    bool panning_ = false;
    bool painting_ = false, stroking_ = false;
    QPointF panStart_;
};

} // namespace daam::ui
