// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli figure: the grid's size and labels in PNG, SVG and PDF, rows of words and of sessions, step and layer
// columns, the colour bar's title for the normalization, and its errors.
#include "Exporter.h"

#include <QFile>
#include <QImage>

#include "CliRunner.h"
#include "SyntheticSession.h"
#include "TestSupport.h"

#include "TestMain.h"

using daam::ui::FigureGrid;

namespace {

QString fcRead(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestFigureCommand : public QObject {
    Q_OBJECT
    QString session_, out_;

private Q_SLOTS:
    void initTestCase() {
        session_ = QString::fromStdString(daam::test::saveSyntheticSession(daam::test::makeTempDir("figure-session")));
        out_ = QString::fromStdString(daam::test::makeTempDir("figure-out"));
    }

    void wordsByStepRangesAsPng() {
        const QString png = out_ + QStringLiteral("/words.png");
        const auto r = daam::test::runCli({QStringLiteral("figure"), session_, QStringLiteral("--columns"),
                                           QStringLiteral("steps:2"), QStringLiteral("--dpi"), QStringLiteral("50"),
                                           QStringLiteral("--out"), png});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("3 rows x 2 columns")), qPrintable(r.err)); // a, cat, dog
        const QImage image(png);
        QVERIFY(!image.isNull());
        // The size the exporter lays out for 3 x 2 square panels, at 50 dpi.
        FigureGrid grid;
        grid.cells.assign(3, std::vector<QImage>(2, QImage(64, 64, QImage::Format_RGB888)));
        const QSizeF inches = daam::ui::figureGridSizeInches(grid);
        QCOMPARE(image.size(), QSize(qRound(inches.width() * 50), qRound(inches.height() * 50)));
        // "cat" (second row) over steps 1-2 attends to the left half: heat colours its panel's left (deep red over the
        // grey image), its right stays grey.
        const double panel = 1.5 * 50, left = 1.2 * 50, top = 0.3 * 50 + (panel + 0.1 * 50);
        const QColor hot = image.pixelColor(int(left + panel * 0.25), int(top + panel * 0.75));
        const QColor cold = image.pixelColor(int(left + panel * 0.75), int(top + panel * 0.75));
        QVERIFY2(hot.red() - hot.green() > 60 && std::abs(cold.red() - cold.green()) < 10,
                 qPrintable(hot.name() + QStringLiteral(" vs ") + cold.name()));
    }

    void sessionsAsSvgAndPdf() {
        const QString svg = out_ + QStringLiteral("/sessions.svg");
        auto r = daam::test::runCli({QStringLiteral("figure"), session_, session_, QStringLiteral("--words"),
                                     QStringLiteral("dog"), QStringLiteral("--normalize"), QStringLiteral("absolute"),
                                     QStringLiteral("--out"), svg});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString text = fcRead(svg);
        QVERIFY(text.contains(QStringLiteral("<svg")));
        QVERIFY(text.contains(QStringLiteral("one scale for all"))); // the bar tells the normalization
        QVERIFY(text.contains(QStringLiteral("all steps")));
        QVERIFY(text.contains(QStringLiteral("a cat dog")));

        const QString pdf = out_ + QStringLiteral("/layers.pdf");
        r = daam::test::runCli({QStringLiteral("figure"), session_, QStringLiteral("--words"),
                                QStringLiteral("cat,dog"), QStringLiteral("--columns"), QStringLiteral("layers"),
                                QStringLiteral("--out"), pdf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("2 rows x 2 columns")), qPrintable(r.err)); // down and up blocks
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");
    }

    void errors() {
        auto fails = [&](const QStringList& args, int code, const QString& message) {
            const auto r = daam::test::runCli(QStringList{QStringLiteral("figure")} + args);
            QCOMPARE(r.exitCode, code);
            QVERIFY2(r.err.contains(message), qPrintable(r.err));
        };
        fails({session_, QStringLiteral("--out"), out_ + QStringLiteral("/x.gif")}, 2,
              QStringLiteral("--out must end in .png, .svg or .pdf"));
        fails({session_, session_, QStringLiteral("--out"), out_ + QStringLiteral("/x.png")}, 2,
              QStringLiteral("--rows sessions draws one word"));
        fails({session_, QStringLiteral("--words"), QStringLiteral("bird"), QStringLiteral("--out"),
               out_ + QStringLiteral("/x.png")},
              1, QStringLiteral("the word 'bird' is not in the prompt"));
        fails({session_, QStringLiteral("--columns"), QStringLiteral("steps:9"), QStringLiteral("--out"),
               out_ + QStringLiteral("/x.png")},
              2, QStringLiteral("only 4 UNet calls"));
        QVERIFY(!QFile::exists(out_ + QStringLiteral("/x.png")));
    }
};

DAAM_TEST_GUILESS_MAIN(TestFigureCommand)
#include "test_figure_command.moc"
