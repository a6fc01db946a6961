// SPDX-License-Identifier: GPL-3.0-or-later
// JobTracker, the window's one way to do "latest request wins": a newer request makes earlier tickets stale,
// a reply that comes back after a newer request began is dropped, and a worker can see that it is superseded.
#include "JobTracker.h"

#include "TestMain.h"
#include <QSemaphore>
#include <QThreadPool>

#include <atomic>

using namespace daam::ui;

class TestJobTracker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theLatestTicketWins() {
        JobTracker tracker;
        QCOMPARE(tracker.begun(), 0);
        QVERIFY(!JobTracker::Ticket().isLatest()); // a ticket of no tracker never is
        const auto first = tracker.begin();
        QVERIFY(first.isLatest());
        const auto second = tracker.begin();
        QVERIFY(!first.isLatest());
        QVERIFY(second.isLatest());
        QCOMPARE(tracker.begun(), 2);
        tracker.supersede();
        QVERIFY(!second.isLatest());
        QCOMPARE(tracker.begun(), 3);

        // Channels are independent.
        JobTracker other;
        const auto mine = tracker.begin();
        other.begin();
        QVERIFY(mine.isLatest());
    }

    void deliversOnTheReceiversThread() {
        JobTracker tracker;
        QThreadPool pool;
        QObject receiver;
        std::atomic<bool> workedElsewhere{false};
        bool delivered = false;
        tracker.run(
            pool, &receiver,
            [&] {
                workedElsewhere = QThread::currentThread() != receiver.thread();
                return 42;
            },
            [&](int value) {
                QCOMPARE(value, 42);
                QCOMPARE(QThread::currentThread(), receiver.thread());
                delivered = true;
            });
        QVERIFY(tracker.isBusy());
        QTRY_VERIFY(delivered);
        QVERIFY(workedElsewhere);
        QVERIFY(!tracker.isBusy());
    }

    void earlierResultsAreDropped() {
        JobTracker tracker;
        QThreadPool pool;
        pool.setMaxThreadCount(1);
        QObject receiver;
        QList<int> delivered;
        for (int i = 1; i <= 3; ++i)
            tracker.run(
                pool, &receiver, [i] { return i; }, [&](int value) { delivered << value; });
        pool.waitForDone(); // all three replies are posted before any is delivered
        QTRY_VERIFY(!tracker.isBusy());
        QCOMPARE(delivered, QList<int>{3});
    }

    // The older job is still running when the newer one starts, and comes back first: it shows nothing.
    void aJobFinishingAfterANewerOneStartedIsIgnored() {
        JobTracker tracker;
        QThreadPool pool;
        pool.setMaxThreadCount(2);
        QObject receiver;
        QSemaphore releaseOld, releaseNew;
        QStringList delivered;
        tracker.run(
            pool, &receiver,
            [&] {
                releaseOld.acquire();
                return QStringLiteral("old");
            },
            [&](const QString& value) { delivered << value; });
        tracker.run(
            pool, &receiver,
            [&] {
                releaseNew.acquire();
                return QStringLiteral("new");
            },
            [&](const QString& value) { delivered << value; });
        releaseOld.release();
        // The old reply arrives while the new job still runs: dropped, the tracker still busy.
        QTest::qWait(50);
        QCOMPARE(delivered, QStringList());
        QVERIFY(tracker.isBusy());
        releaseNew.release();
        QTRY_COMPARE(delivered, QStringList{QStringLiteral("new")});
        QVERIFY(!tracker.isBusy());

        // Something else taking the place of a running request drops it too.
        tracker.run(
            pool, &receiver,
            [&] {
                releaseOld.acquire();
                return QStringLiteral("superseded");
            },
            [&](const QString& value) { delivered << value; });
        tracker.supersede();
        releaseOld.release();
        QTRY_VERIFY(!tracker.isBusy());
        QCOMPARE(delivered, QStringList{QStringLiteral("new")});
    }

    void aWorkerSeesItIsSuperseded() {
        JobTracker tracker;
        QThreadPool pool;
        QObject receiver;
        std::atomic<bool> started{false};
        bool delivered = false;
        tracker.run(
            pool, &receiver,
            [&](const JobTracker::Ticket& ticket) {
                started = true;
                while (ticket.isLatest())
                    QThread::msleep(1);
                return true;
            },
            [&](bool) { delivered = true; });
        QTRY_VERIFY(started);
        tracker.begin();
        QVERIFY(pool.waitForDone(10000)); // the worker stopped on its own
        QTRY_VERIFY(!tracker.isBusy());
        QVERIFY(!delivered);
    }

    void aReplyToAReceiverGoneIsDropped() {
        JobTracker tracker;
        QThreadPool pool;
        bool delivered = false;
        {
            QObject receiver;
            tracker.run(
                pool, &receiver, [] { return 1; }, [&](int) { delivered = true; });
            pool.waitForDone(); // the reply is posted to the receiver, which goes before the event loop runs
        }
        QTest::qWait(20);
        QVERIFY(!delivered);
    }
};

DAAM_TEST_GUILESS_MAIN(TestJobTracker)
#include "test_job_tracker.moc"
