#include "MainWindow.h"

#include <QLabel>
#include <QStatusBar>

namespace daam::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("DAAM Studio"));
    auto* placeholder = new QLabel(tr("Open a diffusers model folder to begin."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    statusBar()->showMessage(tr("Ready"));
    resize(1100, 720);
}

} // namespace daam::ui
