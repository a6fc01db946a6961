// SPDX-License-Identifier: GPL-3.0-or-later
// The sessions opened last, newest first, for File ▸ Open Recent and as where the file dialogs start. The list
// lives in the application's QSettings and is stored as soon as it changes, so a crash does not lose it.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

class QMenu;

namespace daam::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultCap = 10;

    // Reads the list stored under `key`; it keeps at most `cap` paths.
    explicit RecentFiles(QObject* parent = nullptr, const QString& key = QStringLiteral("recentSessions"),
                         int cap = kDefaultCap);

    // Puts `path` first (moved there if it was listed already), drops what is past the cap, stores the list and
    // refills the menu. An empty path is ignored.
    void add(const QString& path);
    const QStringList& paths() const { return paths_; }
    // Where a file dialog starts: the latest path, else the home folder.
    QString dialogDir() const;
    // The menu to keep filled: one entry per path, newest first, disabled while the list is empty.
    void setMenu(QMenu* menu);

Q_SIGNALS:
    void chosen(const QString& path); // picked from the menu

private:
    void fillMenu();

    QString key_;
    int cap_;
    QStringList paths_;
    QPointer<QMenu> menu_;
};

} // namespace daam::ui
