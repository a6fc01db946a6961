// SPDX-License-Identifier: GPL-3.0-or-later
// The main window saves and exports on a worker thread: these wait, in the event loop, for one it started to end.
#pragma once

#include "MainWindow.h"

#include <QSignalSpy>
#include <QStringList>

namespace daam::test {

// Whether the export the window started (`started`: what the export call returned) wrote its files; `files` gets
// them.
inline bool exportWritten(daam::ui::MainWindow& window, bool started, QStringList* files = nullptr) {
    if (!started) return false;
    QSignalSpy ended(&window, &daam::ui::MainWindow::exported); // queued: it cannot have come yet
    if (!ended.wait(30000)) return false;
    if (files) *files = ended.front().at(1).toStringList();
    return ended.front().at(0).toBool();
}

// Whether the save the window started was written.
inline bool sessionWritten(daam::ui::MainWindow& window, bool started) {
    if (!started) return false;
    QSignalSpy ended(&window, &daam::ui::MainWindow::sessionSaved);
    return ended.wait(30000) && ended.front().at(0).toBool();
}

} // namespace daam::test
