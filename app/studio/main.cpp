// SPDX-License-Identifier: GPL-3.0-or-later
// daam-studio: the desktop application.
//   daam-studio [SESSION_DIR | IMAGE.png] [--generate] [--select N]... [--mask fill|outline|cutout] [--compare DIR]
//               [--screenshot FILE]
// With no session, on the built-in model, the app generates its prompt at once: the first thing a newcomer
// sees is DAAM at work. --generate does so on any model. --select picks words by their 1-based position
// (as the number keys do) once the session is shown; --screenshot grabs the window once it is laid out and
// drawn (after the generation, with --generate), writes FILE and exits (to look at the window under Xvfb).
// A PNG instead of a session fills the generation panel with its settings (and opens its session, if ours).
#include "GenerationController.h"
#include "GenerationPanel.h"
#include "MainWindow.h"
#include "Translations.h"

#include "daam/util/Runtime.h"
#include "daam/util/Version.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    daam::initRuntime();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("DAAM Studio"));
    QApplication::setOrganizationName(QStringLiteral("DAAM Studio"));
    QApplication::setApplicationVersion(QString::fromLatin1(daam::studioVersion()));
    // Before anything is built or parsed, so the --help text is translated too; needs the organization
    // and application names above to find the setting.
    daam::ui::installTranslations(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "See where each word of a prompt lands in a Stable Diffusion image."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("session"),
                                 QApplication::translate("main", "A session folder to open, or a PNG to take the "
                                                                 "generation settings of."),
                                 QStringLiteral("[SESSION_DIR | IMAGE.png]"));
    QCommandLineOption select(QStringLiteral("select"),
                              QApplication::translate("main", "Select word N (1-based); repeat to select several."),
                              QStringLiteral("N"));
    QCommandLineOption mask(QStringLiteral("mask"),
                            QApplication::translate("main", "Show masks: fill, outline or cutout."),
                            QStringLiteral("MODE"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QApplication::translate("main", "Save a screenshot of the window to FILE and exit."),
                                  QStringLiteral("FILE"));
    QCommandLineOption generate(QStringLiteral("generate"),
                                QApplication::translate("main", "Generate the prompt at start-up (the built-in model "
                                                                "does so unless a session is opened)."));
    QCommandLineOption compare(QStringLiteral("compare"),
                               QApplication::translate("main", "Compare the session with the one in DIR."),
                               QStringLiteral("DIR"));
    QCommandLineOption annotate(QStringLiteral("annotate"),
                                QApplication::translate("main", "Open the Annotate panel on the selected word."));
    parser.addOptions({generate, select, mask, compare, annotate, screenshot});
    parser.process(app);

    daam::ui::MainWindow window;
    const QStringList positional = parser.positionalArguments();
    const bool png = !positional.isEmpty() && QFileInfo(positional.front()).isFile();
    if (png)
        window.openPng(positional.front());
    else if (!positional.isEmpty())
        window.openSession(positional.front());

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
    int maskIndex = -1;
    if (parser.isSet(mask)) {
        const QString mode = parser.value(mask);
        maskIndex = mode == QLatin1String("fill")      ? 1
                    : mode == QLatin1String("outline") ? 2
                    : mode == QLatin1String("cutout")  ? 3
                                                       : -1;
        if (maskIndex < 0) {
            std::fprintf(
                stderr, "daam-studio: %s\n",
                qPrintable(
                    QApplication::translate("main", "--mask must be fill, outline or cutout, not '%1'").arg(mode)));
            return 2;
        }
    }
    auto applyViewOptions = [&window, words, maskIndex, annotate = parser.isSet(annotate)] {
        if (!words.isEmpty()) window.state()->setSelectedWords(words);
        if (maskIndex >= 0) window.maskModeBox()->setCurrentIndex(maskIndex);
        if (annotate) {
            window.annotationDock()->show();
            window.annotationDock()->raise(); // it shares a tab with the plots
        }
    };
    // `exitCode` is the status after a good screenshot (1 when it shows a failed generation).
    auto takeScreenshot = [&window](const QString& file, int exitCode = 0) {
        // Two event-loop turns: the first lays out and resizes, the second paints.
        QTimer::singleShot(300, &window, [&window, file, exitCode] {
            window.refreshNow();
            QTimer::singleShot(300, &window, [&window, file, exitCode] {
                const bool ok = window.grab().save(file);
                if (!ok)
                    std::fprintf(stderr, "daam-studio: %s\n",
                                 qPrintable(QApplication::translate("main", "could not write %1").arg(file)));
                QApplication::exit(ok ? exitCode : 1);
            });
        });
    };

    window.show();
    const bool onBuiltIn = window.generationPanel()->onBuiltInModel();
    if (parser.isSet(generate) || (positional.isEmpty() && onBuiltIn)) {
        auto* controller = window.generation();
        QObject::connect(controller, &daam::ui::GenerationController::finished, &window,
                         [&, applyViewOptions, takeScreenshot] {
                             applyViewOptions();
                             if (parser.isSet(screenshot)) takeScreenshot(parser.value(screenshot));
                         });
        QObject::connect(controller, &daam::ui::GenerationController::failed, &window,
                         [&, takeScreenshot](const QString& message) {
                             if (!parser.isSet(screenshot)) return; // the window shows the error
                             std::fprintf(stderr, "daam-studio: %s\n", qPrintable(message));
                             takeScreenshot(parser.value(screenshot), 1); // of the window showing the error
                         });
        QTimer::singleShot(0, window.generationPanel(), &daam::ui::GenerationPanel::requestGeneration);
    } else if (png) {
        // Read in the background: the view options and the screenshot wait for the settings (and session).
        QObject::connect(&window, &daam::ui::MainWindow::pngOpened, &window, [&, applyViewOptions, takeScreenshot] {
            applyViewOptions();
            if (parser.isSet(screenshot)) takeScreenshot(parser.value(screenshot));
        });
    } else if (parser.isSet(compare)) {
        // The compared session loads in the background: the view options and the screenshot wait for it.
        QObject::connect(&window, &daam::ui::MainWindow::compareOpened, &window, [&, applyViewOptions, takeScreenshot] {
            applyViewOptions();
            if (parser.isSet(screenshot)) takeScreenshot(parser.value(screenshot));
        });
        window.compareWith(parser.value(compare));
    } else {
        applyViewOptions();
        if (parser.isSet(screenshot)) takeScreenshot(parser.value(screenshot));
    }
    return app.exec();
}
