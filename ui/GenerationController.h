// SPDX-License-Identifier: GPL-3.0-or-later
// Owns the generation thread and its worker, and decides what happens to requests: one generation runs
// at a time; a request made while one runs cancels it and replaces any queued one (the latest wins).
// Destroying the controller cancels and joins the thread, so closing the window never leaves it running.
#pragma once

#include "GenerationWorker.h"

#include <QObject>
#include <QThread>

#include <optional>

namespace daam::ui {

class GenerationController : public QObject {
    Q_OBJECT
public:
    explicit GenerationController(QObject* parent = nullptr);
    ~GenerationController() override;

    bool isRunning() const { return running_; }
    bool hasQueued() const { return queued_.has_value(); }
    void start(const GenerationSettings& settings);
    void cancel(); // also drops a queued request
    // Cancels and waits for the thread to stop (window close).
    void shutdown();

Q_SIGNALS:
    void started(const daam::ui::GenerationSettings& settings);
    void loadingModel(const QString& dir);
    void progress(int call, int calls, double elapsedSeconds, double secondsLeft);
    void preview(const QImage& image);
    void finished(const daam::ui::SessionPtr& session, double seconds);
    void failed(const QString& message);
    void cancelled();
    void runningChanged(bool running);
    // The devices generation can run on ("cpu", "cuda:0", ...), found on the generation thread once it starts.
    void devicesFound(const QStringList& devices);
    void requestGenerate(const daam::ui::GenerationSettings& settings); // to the worker (queued)

private:
    void onDone();

    QThread thread_;
    GenerationWorker* worker_;
    bool running_ = false;
    std::optional<GenerationSettings> queued_;
};

} // namespace daam::ui
