// SPDX-License-Identifier: GPL-3.0-or-later
#include "GenerationWorker.h"

#include "ExplorationEngine.h"

#include "daam/pipeline/GenerationSession.h"
#include "daam/pipeline/StableDiffusionPipeline.h"

#include "daam/util/Error.h"

#include <QFile>
#include <QFileInfo>
#include <QImageReader>

#include <torch/torch.h>

namespace daam::ui {

namespace {

QImage previewImage(const torch::Tensor& rgb) {
    if (!rgb.defined() || rgb.dim() != 3 || rgb.size(2) != 3) return {};
    auto pixels = rgb.to(torch::kCPU).to(torch::kUInt8).contiguous();
    QImage image(int(pixels.size(1)), int(pixels.size(0)), QImage::Format_RGB888);
    for (int y = 0; y < image.height(); ++y)
        memcpy(image.scanLine(y), pixels.data_ptr<uint8_t>() + size_t(y) * image.width() * 3,
               size_t(image.width()) * 3);
    return image;
}

// An input image as the pipeline takes it, float32 [3, H, W] in [0, 1]: Qt reads more formats than the core's PNG
// reader (JPEG, WebP, ...). Alpha is dropped, as PIL's convert("RGB") drops it.
torch::Tensor readInputImage(const QString& path) {
    QImageReader reader(path);
    reader.setAutoTransform(true); // a photo's EXIF orientation, as it is shown
    QImage image = reader.read();
    if (image.isNull())
        throw daam::FileError(QFile::encodeName(path).toStdString(),
                              "cannot be read as an image: " + reader.errorString().toStdString());
    image = image.convertToFormat(QImage::Format_RGB888);
    auto pixels = torch::empty({image.height(), image.width(), 3}, torch::kUInt8);
    for (int y = 0; y < image.height(); ++y)
        memcpy(pixels.data_ptr<uint8_t>() + size_t(y) * image.width() * 3, image.constScanLine(y),
               size_t(image.width()) * 3);
    return pixels.permute({2, 0, 1}).to(torch::kFloat32) / 255;
}

class Callbacks : public daam::GenerationCallbacks {
public:
    Callbacks(GenerationWorker* worker, std::atomic<bool>& cancel) : worker_(worker), cancel_(cancel) {}
    void onStep(const daam::StepProgress& p) override {
        const double left = p.call > 0 ? p.elapsedSeconds / p.call * (p.calls - p.call) : -1;
        Q_EMIT worker_->progress(p.call, p.calls, p.elapsedSeconds, left);
        const QImage image = previewImage(p.preview);
        if (!image.isNull()) Q_EMIT worker_->preview(image);
    }
    bool cancelRequested() override { return cancel_.load(); }

private:
    GenerationWorker* worker_;
    std::atomic<bool>& cancel_;
};

} // namespace

struct GenerationWorker::Impl {
    std::unique_ptr<daam::StableDiffusionPipeline> pipeline;
    QString loadedDir;
    QString loadedDevice;
    QString loadedDtype;
};

GenerationWorker::GenerationWorker(QObject* parent) : QObject(parent), d(std::make_unique<Impl>()) {
    qRegisterMetaType<daam::ui::GenerationSettings>();
    qRegisterMetaType<daam::ui::SessionPtr>();
}

GenerationWorker::~GenerationWorker() = default;

void GenerationWorker::generate(const GenerationSettings& settings) {
    try {
        if (!d->pipeline || d->loadedDir != settings.modelDir || d->loadedDevice != settings.device ||
            d->loadedDtype != settings.dtype) {
            Q_EMIT loadingModel(settings.modelDir);
            d->pipeline.reset();
            daam::PipelineOptions options;
            options.device = settings.device.toStdString();
            options.dtype = settings.dtype.toStdString();
            d->pipeline = daam::StableDiffusionPipeline::load(settings.modelDir.toStdString(), options);
            d->loadedDir = settings.modelDir;
            d->loadedDevice = settings.device;
            d->loadedDtype = settings.dtype;
        }
        if (cancel_) {
            Q_EMIT cancelled();
            return;
        }
        daam::GenerationRequest request;
        request.prompt = settings.prompt.toStdString();
        request.negativePrompt = settings.negativePrompt.toStdString();
        request.promptSyntax = settings.promptSyntax.toStdString();
        request.seed = settings.seed;
        request.steps = settings.steps;
        request.guidance = settings.guidance;
        request.scheduler = settings.scheduler.toStdString();
        request.width = settings.width;
        request.height = settings.height;
        request.originalWidth = settings.originalWidth;
        request.originalHeight = settings.originalHeight;
        request.cropTop = settings.cropTop;
        request.cropLeft = settings.cropLeft;
        request.targetWidth = settings.targetWidth;
        request.targetHeight = settings.targetHeight;
        request.device = settings.device.toStdString();
        request.dtype = settings.dtype.toStdString();
        torch::Tensor inputImage;
        if (!settings.initImage.isEmpty()) {
            request.initImage = QFileInfo(settings.initImage).absoluteFilePath().toStdString();
            request.strength = settings.strength;
            request.startTimestep = settings.startTimestep;
            inputImage = readInputImage(settings.initImage);
        }
        Callbacks callbacks(this, cancel_);
        daam::AttentionTraceOptions traceOptions;
        traceOptions.keepHeads = settings.keepHeads;
        auto traced = daam::generateTraced(*d->pipeline, request, &callbacks, traceOptions, false, true, inputImage);
        auto session = std::make_shared<daam::Session>(std::move(traced.session));
        ExplorationEngine::prepare(*session);
        Q_EMIT finished(session, traced.result.seconds);
    } catch (const daam::GenerationCancelled&) {
        Q_EMIT cancelled();
    } catch (const std::exception& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
    }
}

void GenerationWorker::findDevices() {
    QStringList devices;
    try {
        for (const auto& device : daam::availableDevices())
            devices << QString::fromStdString(device);
    } catch (const std::exception&) {
        devices = {QStringLiteral("cpu")}; // a CUDA driver that fails to start leaves the CPU
    }
    Q_EMIT devicesFound(devices);
}

} // namespace daam::ui
