// SPDX-License-Identifier: GPL-3.0-or-later
// Generation off the GUI thread. The worker lives in its own QThread (GenerationController owns both),
// loads a diffusers folder once and keeps it for the next request, and reports in stages through queued
// signals with plain values: progress per UNet call, a preview image, then the session or the error.
// Cancel is an atomic flag the pipeline polls before every UNet call, so it answers within one step.
#pragma once

#include "ExplorationTypes.h"

#include <QImage>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

namespace daam::ui {

struct GenerationSettings {
    QString modelDir;
    QString prompt;
    QString negativePrompt;
    QString promptSyntax; // "" (diffusers: plain, one window) or "a1111"
    quint64 seed = 0;
    int steps = 30;
    double guidance = 7.5;
    QString scheduler; // empty: the model's
    int width = 0;     // 0: the model's default
    int height = 0;
    // SDXL's micro-conditioning; 0: diffusers' defaults (the image size, no crop).
    int originalWidth = 0, originalHeight = 0;
    int cropTop = 0, cropLeft = 0;
    int targetWidth = 0, targetHeight = 0;
    QString device = QStringLiteral("cpu"); // cpu, cuda:N
    QString dtype = QStringLiteral("fp32"); // fp32, bf16, fp16 (CUDA only)
    bool keepHeads = false; // keep each call's per-head maps: exact step ranges and heads, a larger trace
    // Image-to-image: the input image (any format Qt reads), and where the run starts on it: the first step at or
    // below `startTimestep` to explain the image, or `strength` of the schedule when that is negative.
    QString initImage;
    double strength = 0.8;
    int startTimestep = -1;
};

class GenerationWorker : public QObject {
    Q_OBJECT
public:
    explicit GenerationWorker(QObject* parent = nullptr);
    ~GenerationWorker() override;

    // Thread-safe: asks the running generation to stop before its next UNet call.
    void requestCancel() { cancel_ = true; }
    // Called by the controller before it queues a request, so that a cancel made while the request
    // waits in the queue is not lost.
    void resetCancel() { cancel_ = false; }

public Q_SLOTS:
    void generate(const daam::ui::GenerationSettings& settings);
    // Lists the devices generation can run on (daam::availableDevices): devicesFound.
    void findDevices();

Q_SIGNALS:
    void loadingModel(const QString& dir);
    void progress(int call, int calls, double elapsedSeconds, double secondsLeft);
    void preview(const QImage& image);
    void finished(const daam::ui::SessionPtr& session, double seconds);
    void failed(const QString& message);
    void cancelled();
    void devicesFound(const QStringList& devices);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    std::atomic<bool> cancel_{false};
};

} // namespace daam::ui

Q_DECLARE_METATYPE(daam::ui::GenerationSettings)
