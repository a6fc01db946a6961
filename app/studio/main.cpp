// daam-studio: the desktop application.
#include "MainWindow.h"

#include "daam/util/Runtime.h"

#include <QApplication>

int main(int argc, char** argv) {
    daam::initRuntime();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("DAAM Studio"));
    QApplication::setOrganizationName(QStringLiteral("DAAM Studio"));
    daam::ui::MainWindow window;
    window.show();
    return app.exec();
}
