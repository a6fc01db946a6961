// SPDX-License-Identifier: GPL-3.0-or-later
#include "GenerationController.h"

#include "daam/util/Runtime.h"

namespace daam::ui {

GenerationController::GenerationController(QObject* parent) : QObject(parent), worker_(new GenerationWorker) {
    thread_.setObjectName(QStringLiteral("generation"));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(this, &GenerationController::requestGenerate, worker_, &GenerationWorker::generate, Qt::QueuedConnection);
    connect(worker_, &GenerationWorker::loadingModel, this, &GenerationController::loadingModel);
    connect(worker_, &GenerationWorker::progress, this, &GenerationController::progress);
    connect(worker_, &GenerationWorker::preview, this, &GenerationController::preview);
    connect(worker_, &GenerationWorker::finished, this, [this](const SessionPtr& session, double seconds) {
        // A result that arrives after a newer request was queued is stale: the user asked for something else.
        if (!queued_) Q_EMIT finished(session, seconds);
        onDone();
    });
    connect(worker_, &GenerationWorker::failed, this, [this](const QString& message) {
        Q_EMIT failed(message);
        onDone();
    });
    connect(worker_, &GenerationWorker::cancelled, this, [this] {
        if (!queued_) Q_EMIT cancelled();
        onDone();
    });
    // Generation takes every core for seconds to minutes: the window's thread must win them back at once when it
    // has something to draw (bench_ui_scrub, generating).
    connect(
        &thread_, &QThread::started, worker_, [] { daam::yieldToOtherThreads(); }, Qt::DirectConnection);
    connect(worker_, &GenerationWorker::devicesFound, this, &GenerationController::devicesFound);
    thread_.start();
    // Before any request: the worker's thread handles its queue in order.
    QMetaObject::invokeMethod(worker_, &GenerationWorker::findDevices, Qt::QueuedConnection);
}

GenerationController::~GenerationController() {
    shutdown();
}

void GenerationController::start(const GenerationSettings& settings) {
    if (running_) {
        queued_ = settings;
        worker_->requestCancel();
        return;
    }
    running_ = true;
    worker_->resetCancel();
    Q_EMIT runningChanged(true);
    Q_EMIT started(settings);
    Q_EMIT requestGenerate(settings);
}

void GenerationController::cancel() {
    queued_.reset();
    if (running_) worker_->requestCancel();
}

void GenerationController::shutdown() {
    if (!thread_.isRunning()) return;
    queued_.reset();
    worker_->requestCancel();
    thread_.quit();
    thread_.wait();
    if (running_) {
        running_ = false;
        Q_EMIT runningChanged(false);
    }
}

void GenerationController::onDone() {
    running_ = false;
    if (queued_) {
        const GenerationSettings next = *queued_;
        queued_.reset();
        start(next);
        return;
    }
    Q_EMIT runningChanged(false);
}

} // namespace daam::ui
