// SPDX-License-Identifier: GPL-3.0-or-later
// Help > About DAAM Studio: the menu opens the dialog, which names the licence and the version, credits the
// libraries, and copies the paper's BibTeX to the clipboard.
#include "AboutDialog.h"
#include "MainWindow.h"

#include "TestMain.h"
#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>

using namespace daam::ui;

class TestAboutDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // the main window's settings in a test location
        QSettings().clear();
        QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7"));
    }
    void cleanupTestCase() { QSettings().clear(); }

    void helpMenuOpensTheDialog() {
        MainWindow window;
        const QList<QAction*> menus = window.menuBar()->actions();
        QVERIFY(!menus.isEmpty());
        // Help comes last, after View.
        QCOMPARE(menus.last()->text(), QStringLiteral("&Help"));
        QCOMPARE(menus.at(menus.size() - 2)->text(), QStringLiteral("&View"));
        QMenu* help = menus.last()->menu();
        QVERIFY(help);
        QCOMPARE(help->objectName(), QStringLiteral("helpMenu"));
        auto* about = window.findChild<QAction*>(QStringLiteral("aboutAction"));
        QVERIFY(about);
        QVERIFY(help->actions().contains(about));
        QCOMPARE(about->text(), QString::fromUtf8("&About DAAM Studio…"));

        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        about->trigger();
        auto* dialog = window.findChild<AboutDialog*>();
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QVERIFY(dialog->testAttribute(Qt::WA_DeleteOnClose));
        // A second click brings the open dialog forward instead of opening another.
        about->trigger();
        QCOMPARE(window.findChildren<AboutDialog*>().size(), 1);
        dialog->close();
        QTRY_VERIFY(!window.findChild<AboutDialog*>()); // deleted on close
    }

    void showsLicenceAndVersion() {
        AboutDialog dialog;
        QCOMPARE(dialog.windowTitle(), QStringLiteral("About DAAM Studio"));
        auto* version = dialog.findChild<QLabel*>(QStringLiteral("aboutVersion"));
        QVERIFY(version);
        QCOMPARE(version->text(), QStringLiteral("Version 9.8.7"));
        QVERIFY(!version->isHidden());

        auto* licence = dialog.findChild<QLabel*>(QStringLiteral("aboutLicense"));
        QVERIFY(licence);
        const QString text = licence->text();
        QVERIFY2(text.contains(QStringLiteral("GNU General Public License, version 3 or later")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("GPL-3.0-or-later")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("href=\"https://www.gnu.org/licenses/gpl-3.0.html\"")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("NO WARRANTY")), qPrintable(text));
        QVERIFY(licence->openExternalLinks());

        auto* credits = dialog.findChild<QLabel*>(QStringLiteral("aboutCredits"));
        QVERIFY(credits);
        for (const char* name :
             {"QCustomPlot", "LibTorch", "Qt 6", "sentencepiece", "nlohmann_json", "utf8proc", "libpng", "matplotlib"})
            QVERIFY2(credits->text().contains(QLatin1String(name)), name);
        // The colour maps: matplotlib's (jet under its licence, the listed maps CC0) and Google's turbo.
        for (const char* name : {"jet", "viridis", "magma", "inferno", "plasma", "cividis", "Matplotlib, CC0-1.0",
                                 "Turbo", "https://ai.googleblog.com/2019/08/turbo-improved-rainbow-colormap-for.html"})
            QVERIFY2(credits->text().contains(QLatin1String(name)), name);
        // Nine credits, two to a row: five rows, each of five cells (name, licence, gap, name, licence), the last
        // padded; a shorter last row was drawn off the columns.
        QCOMPARE(credits->text().count(QStringLiteral("<tr>")), 5);
        for (const auto& row : credits->text().split(QStringLiteral("<tr>")).mid(1))
            QCOMPARE(row.count(QStringLiteral("<td")), 5);
        // Every name keeps a gap before its licence (Turbo's, the longest, sets the column's width).
        QCOMPARE(credits->text().count(QStringLiteral("padding-right:12px")), 9);
    }

    void copiesBibtex() {
        QGuiApplication::clipboard()->clear();
        AboutDialog dialog;
        auto* view = dialog.findChild<QPlainTextEdit*>(QStringLiteral("bibtexView"));
        QVERIFY(view);
        QVERIFY(view->isReadOnly());
        QCOMPARE(view->toPlainText(), AboutDialog::bibtex().trimmed());

        auto* copy = dialog.findChild<QPushButton*>(QStringLiteral("copyBibtexButton"));
        QVERIFY(copy);
        QCOMPARE(copy, dialog.copyBibtexButton());
        QTest::mouseClick(copy, Qt::LeftButton);
        const QString copied = QGuiApplication::clipboard()->text();
        QVERIFY2(copied.startsWith(QStringLiteral("@inproceedings{tang2023daam,")), qPrintable(copied));
        QVERIFY(copied.contains(QStringLiteral("pages = {5644--5659}")));
        QVERIFY(copied.trimmed().endsWith(QLatin1Char('}')));
        QCOMPARE(copied, AboutDialog::bibtex());
        // The button says so for a moment, then offers itself again.
        QCOMPARE(copy->text(), QStringLiteral("Copied"));
        QTRY_COMPARE_WITH_TIMEOUT(copy->text(), QStringLiteral("Copy &BibTeX"), 5000);
    }
};

DAAM_TEST_MAIN(TestAboutDialog)
#include "test_about_dialog.moc"
