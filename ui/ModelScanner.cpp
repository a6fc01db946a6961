// SPDX-License-Identifier: GPL-3.0-or-later
#include "ModelScanner.h"

#include "daam/pipeline/ModelCatalog.h"

#include <QCoreApplication>
#include <QLocale>
#include <QMetaObject>
#include <QPointer>

namespace daam::ui {

namespace {

ModelChoice choiceOf(const CatalogEntry& e) {
    ModelChoice c;
    c.path = QString::fromStdString(e.path);
    QStringList facts;
    if (!e.family.empty()) facts << QString::fromStdString(e.family);
    if (!e.precision.empty()) facts << QString::fromStdString(e.precision);
    if (e.bytes > 0) facts << QLocale().formattedDataSize(qint64(e.bytes), 1, QLocale::DataSizeTraditionalFormat);
    c.label = QString::fromStdString(e.name);
    if (!facts.isEmpty()) c.label += QStringLiteral(" — ") + facts.join(QStringLiteral(" · "));
    c.tooltip = c.path;
    c.usable = e.problem.empty();
    if (!c.usable) {
        c.label += QStringLiteral(" — ") + QCoreApplication::translate("daam::ui::ModelScanner", "cannot be opened");
        c.tooltip += QStringLiteral("\n") + QString::fromStdString(e.problem);
    }
    return c;
}

} // namespace

ModelScanner::ModelScanner(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
}

ModelScanner::~ModelScanner() {
    ++*latest_; // a scan in progress sees it is stale and stops
    pool_.waitForDone();
}

QStringList ModelScanner::defaultFolders() {
    QStringList out;
    for (const auto& f : defaultModelFolders())
        out << QString::fromStdString(f);
    return out;
}

void ModelScanner::scan(const QStringList& folders) {
    const int request = ++*latest_;
    std::vector<std::string> paths;
    for (const auto& f : folders)
        paths.push_back(f.toStdString());
    auto latest = latest_;
    QPointer<ModelScanner> self(this);
    pool_.start([self, latest, request, paths] {
        const auto entries = scanModelFolders(paths, [&] { return latest->load() != request; });
        if (latest->load() != request) return;
        QList<ModelChoice> models;
        for (const auto& e : entries)
            models << choiceOf(e);
        QMetaObject::invokeMethod(
            self.data(),
            [self, latest, request, models] {
                if (self && latest->load() == request) Q_EMIT self->scanned(models);
            },
            Qt::QueuedConnection);
    });
}

} // namespace daam::ui
