// DAAM Studio's main window.
#pragma once

#include <QMainWindow>

namespace daam::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

} // namespace daam::ui
