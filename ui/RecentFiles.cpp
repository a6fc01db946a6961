// SPDX-License-Identifier: GPL-3.0-or-later
#include "RecentFiles.h"

#include <QDir>
#include <QMenu>
#include <QSettings>

namespace daam::ui {

RecentFiles::RecentFiles(QObject* parent, const QString& key, int cap)
    : QObject(parent), key_(key), cap_(cap), paths_(QSettings().value(key).toStringList()) {}

void RecentFiles::add(const QString& path) {
    if (path.isEmpty()) return;
    paths_.removeAll(path);
    paths_.prepend(path);
    while (paths_.size() > cap_)
        paths_.removeLast();
    fillMenu();
    QSettings().setValue(key_, paths_);
}

QString RecentFiles::dialogDir() const {
    return paths_.isEmpty() ? QDir::homePath() : paths_.front();
}

void RecentFiles::setMenu(QMenu* menu) {
    menu_ = menu;
    fillMenu();
}

void RecentFiles::fillMenu() {
    if (!menu_) return;
    menu_->clear();
    for (const QString& path : paths_)
        menu_->addAction(QDir::toNativeSeparators(path), this, [this, path] { Q_EMIT chosen(path); });
    menu_->setEnabled(!paths_.isEmpty());
}

} // namespace daam::ui
