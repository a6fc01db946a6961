// SPDX-License-Identifier: GPL-3.0-or-later
// The Annotate tools through the real window: a brush stroke over the left half paints "cat"'s region, the
// window scores the map against it, undo takes it back, a polygon outlines "dog", ratings are kept, and the
// annotations survive a save and a reload, where eval-masks' session reader finds them; the ratings export as CSV.
#include "AnnotationPanel.h"
#include "ImageView.h"
#include "MainWindow.h"

#include "daam/trace/MaskAnnotations.h"

#include "SyntheticSession.h"
#include "TestSupport.h"
#include "WindowWrites.h"

#include "TestMain.h"

#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>

using namespace daam::ui;
using daam::test::kWordCat;
using daam::test::kWordDog;

namespace {

int paintedPixels(const QImage& mask) {
    int n = 0;
    for (int y = 0; y < mask.height(); ++y)
        for (int x = 0; x < mask.width(); ++x)
            n += mask.constScanLine(y)[x] ? 1 : 0;
    return n;
}

} // namespace

class TestAnnotation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void paintScoreSaveAndReload() {
        const auto dir = QString::fromStdString(daam::test::saveSyntheticSession(daam::test::makeTempDir("ui-annot")));
        MainWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.openSession(dir), qPrintable(window.lastError()));
        window.annotationDock()->show();
        auto* panel = window.annotationPanel();
        auto* view = window.imageView();
        window.state()->selectWord(kWordCat);
        QCOMPARE(panel->word(), int(kWordCat));

        // A brush stroke down the left half (the image is 64 px; cat's map is hot on the left).
        panel->setTool(AnnotationPanel::Tool::Brush);
        QVERIFY(view->painting());
        panel->brushBox()->setValue(24);
        const QPoint top = view->toWidget(QPointF(16, 4)).toPoint();
        const QPoint bottom = view->toWidget(QPointF(16, 60)).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, top);
        for (int i = 1; i <= 8; ++i)
            QTest::mouseMove(view, top + (bottom - top) * i / 8);
        QTest::mouseRelease(view, Qt::LeftButton, {}, bottom);
        QVERIFY(paintedPixels(panel->mask()) > 1000);
        QVERIFY(!window.engine().annotationMask(kWordCat).isNull());
        window.refreshNow();
        const auto score =
            QRegularExpression(QStringLiteral("drawn region: ([0-9.]+)")).match(panel->scoreLabel()->text());
        QVERIFY2(score.hasMatch(), qPrintable(panel->scoreLabel()->text()));
        QVERIFY2(score.captured(1).toDouble() > 0.5, qPrintable(panel->scoreLabel()->text()));

        // Undo takes the stroke back; a second stroke stays.
        panel->undo();
        QVERIFY(panel->mask().isNull() || paintedPixels(panel->mask()) == 0);
        QTest::mousePress(view, Qt::LeftButton, {}, top);
        for (int i = 1; i <= 8; ++i)
            QTest::mouseMove(view, top + (bottom - top) * i / 8);
        QTest::mouseRelease(view, Qt::LeftButton, {}, bottom);
        panel->ratingBox()->setValue(4);

        // A polygon around the right half for "dog", closed by a double-click.
        window.state()->selectWord(kWordDog);
        QCOMPARE(panel->word(), int(kWordDog));
        panel->setTool(AnnotationPanel::Tool::Polygon);
        for (const QPointF corner : {QPointF(34, 2), QPointF(62, 2), QPointF(62, 62), QPointF(34, 62)})
            QTest::mouseClick(view, Qt::LeftButton, {}, view->toWidget(corner).toPoint());
        QTest::mouseDClick(view, Qt::LeftButton, {}, view->toWidget(QPointF(34, 62)).toPoint());
        const int dogPixels = paintedPixels(panel->mask());
        QVERIFY2(dogPixels > 1400 && dogPixels < 1900, qPrintable(QString::number(dogPixels))); // ~28 x 60
        panel->ratingBox()->setValue(2);

        // Saved into the session folder, read back by the core and by eval-masks' reader.
        QSignalSpy saved(&window, &MainWindow::annotationsSaved); // written on a worker thread
        window.annotationPanel()->saveButton()->click();
        QVERIFY(saved.wait(10000));
        QVERIFY2(saved.front().front().toBool() && window.lastError().isEmpty(), qPrintable(window.lastError()));
        const auto loaded = daam::loadSession(dir.toStdString());
        QCOMPARE(loaded.annotations.size(), size_t(2));
        QCOMPARE(loaded.annotations.at(kWordCat).rating, 4);
        QCOMPARE(loaded.annotations.at(kWordDog).rating, 2);
        QCOMPARE(loaded.annotations.at(kWordCat).mask.width, 64);
        const auto masks = daam::sessionMasks(loaded, dir.toStdString());
        QVERIFY(masks && masks->byWord.count("cat") && masks->byWord.count("dog"));
        QCOMPARE(masks->byWord.at("dog").sum().item<int64_t>(), int64_t(dogPixels));

        // Reopened, the window shows the saved annotation again.
        QVERIFY(window.openSession(dir));
        window.state()->selectWord(kWordDog);
        QCOMPARE(paintedPixels(panel->mask()), dogPixels);
        QCOMPARE(panel->ratingBox()->value(), 2);

        const QString csv = QString::fromStdString(daam::test::makeTempDir("ui-annot")) + QStringLiteral("/r.csv");
        QVERIFY2(daam::test::exportWritten(window, window.exportRatings(csv)), qPrintable(window.lastError()));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QVERIFY2(text.startsWith(QStringLiteral("session,prompt,word,text,rating\n")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral(",a cat dog,1,cat,4\n")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral(",a cat dog,2,dog,2\n")));
    }

    void startTokensCannotBeAnnotated() {
        const auto dir = QString::fromStdString(daam::test::saveSyntheticSession(daam::test::makeTempDir("ui-annot")));
        MainWindow window;
        QVERIFY(window.openSession(dir));
        window.annotationDock()->show();
        window.state()->selectWord(3); // the start token
        QCOMPARE(window.annotationPanel()->word(), -1);
        QVERIFY(!window.engine().annotatable(3));
        QVERIFY(window.engine().annotatable(kWordCat));
    }
};

DAAM_TEST_MAIN(TestAnnotation)
#include "test_annotation.moc"
