// daam-studio: the desktop application.
//   daam-studio [SESSION_DIR] [--select N]... [--mask fill|outline|cutout] [--screenshot FILE]
// --select picks words by their 1-based position (as the number keys do); --screenshot grabs the window
// once it is laid out and drawn, writes FILE and exits (used to look at the window under Xvfb).
#include "MainWindow.h"
#include "Translations.h"

#include "daam/util/Runtime.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv) {
    daam::initRuntime();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("DAAM Studio"));
    QApplication::setOrganizationName(QStringLiteral("DAAM Studio"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    // Before anything is built or parsed, so the --help text is translated too; needs the organization
    // and application names above to find the setting.
    daam::ui::installTranslations(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "See where each word of a prompt lands in a Stable Diffusion image."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("session"),
                                 QApplication::translate("main", "A session folder to open."),
                                 QStringLiteral("[SESSION_DIR]"));
    QCommandLineOption select(QStringLiteral("select"),
                              QApplication::translate("main", "Select word N (1-based); repeat to select several."),
                              QStringLiteral("N"));
    QCommandLineOption mask(QStringLiteral("mask"),
                            QApplication::translate("main", "Show masks: fill, outline or cutout."),
                            QStringLiteral("MODE"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QApplication::translate("main", "Save a screenshot of the window to FILE and exit."),
                                  QStringLiteral("FILE"));
    parser.addOptions({select, mask, screenshot});
    parser.process(app);

    daam::ui::MainWindow window;
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty()) window.openSession(positional.front());

    QList<int> words;
    for (const QString& n : parser.values(select)) {
        bool ok = false;
        const int word = n.toInt(&ok);
        if (!ok || word < 1) {
            std::fprintf(
                stderr, "daam-studio: %s\n",
                qPrintable(QApplication::translate("main", "--select needs a word number from 1, not '%1'").arg(n)));
            return 2;
        }
        words << word - 1;
    }
    if (!words.isEmpty()) window.state()->setSelectedWords(words);
    if (parser.isSet(mask)) {
        const QString mode = parser.value(mask);
        const int index = mode == QLatin1String("fill")      ? 1
                          : mode == QLatin1String("outline") ? 2
                          : mode == QLatin1String("cutout")  ? 3
                                                             : -1;
        if (index < 0) {
            std::fprintf(
                stderr, "daam-studio: %s\n",
                qPrintable(
                    QApplication::translate("main", "--mask must be fill, outline or cutout, not '%1'").arg(mode)));
            return 2;
        }
        window.maskModeBox()->setCurrentIndex(index);
    }

    window.show();
    if (parser.isSet(screenshot)) {
        const QString file = parser.value(screenshot);
        // Two event-loop turns after show: the first lays out and resizes, the second paints.
        QTimer::singleShot(300, &window, [&window, file] {
            window.refreshNow();
            QTimer::singleShot(300, &window, [&window, file] {
                const bool ok = window.grab().save(file);
                if (!ok)
                    std::fprintf(stderr, "daam-studio: %s\n",
                                 qPrintable(QApplication::translate("main", "could not write %1").arg(file)));
                QApplication::exit(ok ? 0 : 1);
            });
        });
    }
    return app.exec();
}
