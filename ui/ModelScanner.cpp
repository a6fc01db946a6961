// SPDX-License-Identifier: GPL-3.0-or-later
#include "ModelScanner.h"

#include "daam/pipeline/ModelCatalog.h"

#include <QCoreApplication>
#include <QLocale>

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
    scans_.supersede(); // a scan in progress sees it is stale and stops
    pool_.waitForDone();
}

QStringList ModelScanner::defaultFolders() {
    QStringList out;
    for (const auto& f : defaultModelFolders())
        out << QString::fromStdString(f);
    return out;
}

void ModelScanner::scan(const QStringList& folders) {
    std::vector<std::string> paths;
    for (const auto& f : folders)
        paths.push_back(f.toStdString());
    scans_.run(
        pool_, this,
        [paths](const JobTracker::Ticket& ticket) {
            const auto entries = scanModelFolders(paths, [&] { return !ticket.isLatest(); });
            QList<ModelChoice> models;
            if (ticket.isLatest())
                for (const auto& e : entries)
                    models << choiceOf(e);
            return models;
        },
        [this](const QList<ModelChoice>& models) { Q_EMIT scanned(models); });
}

} // namespace daam::ui
