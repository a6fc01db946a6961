// SPDX-License-Identifier: GPL-3.0-or-later
// Lists the models of the user's model folders for the generation panel's picker: the scan runs on a thread of
// its own, and a newer scan makes an older one stop and be forgotten (the latest request wins).
#pragma once

#include "JobTracker.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>

namespace daam::ui {

struct ModelChoice {
    QString path;    // what the pipeline loads: a folder, a checkpoint file or a repo id
    QString label;   // "name — SD 1.x · F16 · 2.1 GB", or the built-in model's name
    QString tooltip; // the path, and why the model cannot be opened when it cannot
    bool usable = true;
};

class ModelScanner : public QObject {
    Q_OBJECT
public:
    explicit ModelScanner(QObject* parent = nullptr);
    ~ModelScanner() override; // stops and waits for a scan in progress

    // Scans `folders` (see daam::scanModelFolders); scanned() reports the result of the latest call only.
    void scan(const QStringList& folders);
    // The hub cache and the usual A1111 / ComfyUI folders that exist.
    static QStringList defaultFolders();

Q_SIGNALS:
    void scanned(const QList<daam::ui::ModelChoice>& models);

private:
    QThreadPool pool_;
    JobTracker scans_; // a scan superseded stops early
};

} // namespace daam::ui
