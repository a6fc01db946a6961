// SPDX-License-Identifier: GPL-3.0-or-later
// The word strip wraps: chips flow into rows at the strip's width, each row with room for its arcs above it;
// an arc between rows keeps a clickable label; hidden start/end chips take no place; weights show on chips.
#include "TokenStrip.h"

#include <QSignalSpy>
#include <QToolButton>

#include "TestMain.h"

using namespace daam::ui;

namespace {

std::vector<WordInfo> stripWords(int count) {
    std::vector<WordInfo> words;
    for (int i = 0; i < count; ++i) {
        WordInfo w;
        w.text = QStringLiteral("word%1").arg(i);
        w.tokens << w.text;
        w.rows = {i + 1};
        words.push_back(w);
    }
    WordInfo end;
    end.text = QStringLiteral("<end>");
    end.rows = {count + 1};
    end.special = true;
    words.push_back(end);
    return words;
}

} // namespace

class TestTokenStrip : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void chipsWrapAtTheWidth() {
        TokenStrip strip;
        strip.setWords(stripWords(30));
        strip.show();
        strip.resize(300, strip.heightForWidth(300));
        QVERIFY(strip.rowCount() > 3);
        int previousRow = 0, previousTop = -1;
        for (int w = 0; w < 30; ++w) {
            const QRect r = strip.chip(w)->geometry();
            QVERIFY2(r.right() < 300, qPrintable(QStringLiteral("chip %1 ends at %2").arg(w).arg(r.right())));
            QVERIFY(strip.rowOf(w) >= previousRow); // prompt order, row after row
            if (strip.rowOf(w) > previousRow) QVERIFY(r.top() > previousTop);
            previousRow = strip.rowOf(w);
            previousTop = r.top();
        }
        QCOMPARE(strip.rowOf(30), -1); // the end token's chip is hidden
        QVERIFY(strip.heightForWidth(300) > strip.heightForWidth(3000));
        strip.resize(3000, strip.heightForWidth(3000));
        QCOMPARE(strip.rowCount(), 1);
    }

    void arcsBetweenRowsKeepTheirLabels() {
        TokenStrip strip;
        strip.setWords(stripWords(30));
        strip.show();
        strip.resize(300, strip.heightForWidth(300));
        const int rowsWithoutArcs = strip.heightForWidth(300);
        QSignalSpy heightChanged(&strip, &TokenStrip::heightChanged);
        strip.setDependencies({{1, 0, QStringLiteral("amod"), QStringLiteral("A")},
                               {0, 29, QStringLiteral("conj"), QStringLiteral("VJ")}},
                              QString());
        QVERIFY(strip.rowOf(29) > strip.rowOf(0));
        QVERIFY(!heightChanged.isEmpty());
        QVERIFY(strip.heightForWidth(300) > rowsWithoutArcs); // room for the arcs
        strip.resize(300, strip.heightForWidth(300));
        for (int arc : {0, 1}) {
            const QRect label = strip.arcLabelRect(arc);
            QVERIFY(label.isValid());
            QVERIFY(label.bottom() < strip.chip(strip.dependencies()[size_t(arc)].head)->geometry().top());
            QSignalSpy clicked(&strip, &TokenStrip::dependencyClicked);
            QTest::mouseClick(&strip, Qt::LeftButton, {}, label.center());
            QCOMPARE(clicked.count(), 1);
            QCOMPARE(clicked.front().front().toInt(), arc);
        }
        // The cross-row arc's label stands between its head and the edge it leaves by.
        QVERIFY(strip.arcLabelRect(1).left() > strip.chip(0)->geometry().center().x());
    }

    void showingTheEndTokenPlacesItsChip() {
        TokenStrip strip;
        strip.setWords(stripWords(3));
        strip.show();
        strip.resize(600, strip.heightForWidth(600));
        strip.setShowSpecial(true);
        QVERIFY(strip.rowOf(3) >= 0);
        QVERIFY(strip.chip(3)->geometry().left() > strip.chip(2)->geometry().right());
    }

    void weightsShowOnTheChips() {
        auto words = stripWords(2);
        words[1].weight = 1.3;
        TokenStrip strip;
        strip.setWords(words);
        QCOMPARE(strip.chip(1)->text(), QStringLiteral("word1:1.3"));
        QCOMPARE(strip.chip(0)->text(), QStringLiteral("word0"));
        QVERIFY(strip.chip(1)->toolTip().contains(QStringLiteral("1.3")));
    }
};

DAAM_TEST_MAIN(TestTokenStrip)
#include "test_token_strip.moc"
