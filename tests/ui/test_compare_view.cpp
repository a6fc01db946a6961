// SPDX-License-Identifier: GPL-3.0-or-later
// Two sessions side by side: the synthetic session, and a copy in which "cat" is read from the right half and
// "a" is missing. The selected word is shown in both, their difference is signed (this − other), a word the
// other prompt lacks is named, and the range and layers carry over as the two runs allow.
#include "CompareView.h"
#include "ImageView.h"
#include "MainWindow.h"

#include "SyntheticSession.h"
#include "TestSupport.h"

#include "TestMain.h"

#include <QDockWidget>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>

using namespace daam::ui;
using daam::test::kWordA;
using daam::test::kWordCat;

namespace {

// The mean of `map` over columns [x0, x1).
double columnMean(const HeatMap& map, int x0, int x1) {
    double sum = 0;
    for (int y = 0; y < map.height; ++y)
        for (int x = x0; x < x1; ++x)
            sum += map.at(x, y);
    return sum / (double(map.height) * (x1 - x0));
}

} // namespace

class TestCompareView : public QObject {
    Q_OBJECT
    QString main_, other_;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        const auto root = daam::test::makeTempDir("ui-compare");
        main_ = QString::fromStdString(daam::test::saveSyntheticSession(root));
        auto other = daam::test::makeSyntheticSession();
        other.words = {{"cat", 2, 5, {3}, false}, {"dog", 6, 9, {2}, false}}; // cat on the right, no "a"
        other_ = QString::fromStdString(root + "/other");
        daam::saveSession(other_.toStdString(), other);
    }

    void showsTheWordInBothAndTheirDifference() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.openSession(main_), qPrintable(window.lastError()));
        QSignalSpy opened(&window, &MainWindow::compareOpened);
        window.compareWith(other_);
        QVERIFY(opened.wait(10000));
        QVERIFY(opened.front().front().toBool());
        auto* compare = window.compareView();
        QVERIFY(compare->isVisible());

        window.state()->selectWord(kWordCat);
        QTRY_VERIFY_WITH_TIMEOUT(compare->otherWord() == 0 && !compare->difference().empty(), 10000);
        const auto& diff = compare->difference();
        const int half = diff.width / 2;
        // This session's cat is on the left, the other's on the right.
        QVERIFY2(columnMean(diff, 4, half - 4) > 0.2, qPrintable(QString::number(columnMean(diff, 4, half - 4))));
        QVERIFY(columnMean(diff, half + 4, diff.width - 4) < -0.2);
        QVERIFY(compare->note()->text().contains(QStringLiteral("mean |this − other|")));
        const QImage other = compare->otherView()->image();
        QVERIFY(!other.isNull());
        const QColor right = other.pixelColor(other.width() * 3 / 4, other.height() / 2);
        const QColor left = other.pixelColor(other.width() / 4, other.height() / 2);
        QVERIFY2(right.red() > left.red() + 40, qPrintable(right.name() + QLatin1Char(' ') + left.name()));

        window.state()->selectWord(kWordA);
        QTRY_VERIFY_WITH_TIMEOUT(compare->otherWord() == -1, 10000);
        QVERIFY(compare->note()->text().contains(QStringLiteral("not in the other session")));

        // A missing folder is refused by name, and the comparison stays as it was.
        window.compareWith(main_ + QStringLiteral("-missing"));
        QVERIFY(opened.wait(10000));
        QVERIFY(!opened.back().front().toBool());
        QVERIFY(window.lastError().contains(QStringLiteral("-missing")));
        QVERIFY(compare->hasOther());
    }

    void wordsMatchByTextAndOccurrence() {
        SessionSummary a, b;
        auto word = [](const char* text, bool negative = false) {
            WordInfo w;
            w.text = QString::fromUtf8(text);
            w.negative = negative;
            return w;
        };
        a.words = {word("a"), word("cat"), word("and"), word("a"), word("dog"), word("cat", true)};
        b.words = {word("A"), word("dog"), word("cat", true), word("a"), word("cat")};
        QCOMPARE(CompareView::matchWord(a, 0, b), 0);
        QCOMPARE(CompareView::matchWord(a, 3, b), 3); // the second "a" with the second
        QCOMPARE(CompareView::matchWord(a, 1, b), 4);
        QCOMPARE(CompareView::matchWord(a, 5, b), 2); // negative with negative
        QCOMPARE(CompareView::matchWord(a, 2, b), -1);
    }

    void rangesAreSharesOfEachRun() {
        SessionSummary a, b;
        a.calls = 20;
        b.calls = 50;
        a.layers.resize(2);
        b.layers.resize(3);
        MapQuery q;
        q.callBegin = 5;
        q.callEnd = 10;
        q.layers = {1};
        q.heads = {0};
        const auto mapped = CompareView::mapQuery(q, a, b);
        QCOMPARE(mapped.callBegin, 13); // 5/20 of 50, rounded
        QCOMPARE(mapped.callEnd, 25);
        QVERIFY(mapped.layers.empty()); // other layers: the paper's defaults
        QVERIFY(mapped.heads.empty());
        q.callEnd = -1;
        QCOMPARE(CompareView::mapQuery(q, a, b).callEnd, -1);
        b.layers = a.layers;
        QCOMPARE(CompareView::mapQuery(q, a, b).layers, std::vector<int>{1});
    }
};

DAAM_TEST_MAIN(TestCompareView)
#include "test_compare_view.moc"
