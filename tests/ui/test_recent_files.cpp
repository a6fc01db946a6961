// SPDX-License-Identifier: GPL-3.0-or-later
// RecentFiles, File ▸ Open Recent: newest first, a path listed once, at most the cap, stored at once under its
// key and read back by the next one (the next start), and the menu it fills opens what is picked.
#include "RecentFiles.h"

#include "TestSupport.h"

#include "TestMain.h"
#include <QAction>
#include <QDir>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>

using namespace daam::ui;

class TestRecentFiles : public QObject {
    Q_OBJECT

    QString settingsDir_;

private Q_SLOTS:
    void initTestCase() {
        // The application's settings as an INI file in a folder of this test's own.
        settingsDir_ = QString::fromStdString(daam::test::makeTempDir("recent-settings"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir_);
        QVERIFY2(QSettings().fileName().startsWith(settingsDir_), qPrintable(QSettings().fileName()));
    }
    void init() { QSettings().clear(); }

    void newestFirstAndListedOnce() {
        RecentFiles recent;
        QVERIFY(recent.paths().isEmpty());
        QCOMPARE(recent.dialogDir(), QDir::homePath());
        recent.add(QStringLiteral("/a"));
        recent.add(QStringLiteral("/b"));
        recent.add(QString()); // ignored
        QCOMPARE(recent.paths(), (QStringList{QStringLiteral("/b"), QStringLiteral("/a")}));
        recent.add(QStringLiteral("/a")); // moves to the front, not listed twice
        QCOMPARE(recent.paths(), (QStringList{QStringLiteral("/a"), QStringLiteral("/b")}));
        QCOMPARE(recent.dialogDir(), QStringLiteral("/a"));
    }

    void keepsAtMostTheCap() {
        RecentFiles recent(nullptr, QStringLiteral("capped"), 3);
        for (int i = 1; i <= 5; ++i)
            recent.add(QStringLiteral("/s%1").arg(i));
        QCOMPARE(recent.paths(), (QStringList{QStringLiteral("/s5"), QStringLiteral("/s4"), QStringLiteral("/s3")}));
        RecentFiles byDefault;
        for (int i = 1; i <= RecentFiles::kDefaultCap + 2; ++i)
            byDefault.add(QStringLiteral("/t%1").arg(i));
        QCOMPARE(byDefault.paths().size(), RecentFiles::kDefaultCap);
        QCOMPARE(byDefault.paths().front(), QStringLiteral("/t%1").arg(RecentFiles::kDefaultCap + 2));
    }

    void storedAtOnceAndReadBack() {
        {
            RecentFiles recent(nullptr, QStringLiteral("sessions"));
            recent.add(QStringLiteral("/first"));
            recent.add(QStringLiteral("/second"));
            QCOMPARE(QSettings().value(QStringLiteral("sessions")).toStringList(),
                     (QStringList{QStringLiteral("/second"), QStringLiteral("/first")}));
        }
        QSettings().sync();
        QVERIFY(QFile::exists(QSettings().fileName()));
        const RecentFiles next(nullptr, QStringLiteral("sessions"));
        QCOMPARE(next.paths(), (QStringList{QStringLiteral("/second"), QStringLiteral("/first")}));
        // Another key is another list.
        QVERIFY(RecentFiles(nullptr, QStringLiteral("other")).paths().isEmpty());
    }

    void fillsTheMenu() {
        QMenu menu;
        RecentFiles recent;
        recent.setMenu(&menu);
        QVERIFY(!menu.isEnabled());
        recent.add(QStringLiteral("/one"));
        recent.add(QStringLiteral("/two"));
        QVERIFY(menu.isEnabled());
        const auto actions = menu.actions();
        QCOMPARE(actions.size(), 2);
        QCOMPARE(actions[0]->text(), QDir::toNativeSeparators(QStringLiteral("/two")));
        QSignalSpy chosen(&recent, &RecentFiles::chosen);
        actions[1]->trigger();
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.front().front().toString(), QStringLiteral("/one"));
    }
};

DAAM_TEST_MAIN(TestRecentFiles)
#include "test_recent_files.moc"
