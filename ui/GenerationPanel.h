// SPDX-License-Identifier: GPL-3.0-or-later
// The generation controls: prompt (negative prompt behind a disclosure), model folder with recent ones,
// seed with a dice button, steps, guidance, scheduler, size, device and precision; Generate and Cancel; progress
// with step count and time left, and the live preview of the denoising.
#pragma once

#include "GenerationWorker.h"
#include "ModelScanner.h"
#include "PromptTokenCounter.h"

#include <QWidget>

#include <string>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace daam {
struct GenerationParameters;
}

namespace daam::ui {

class GenerationPanel : public QWidget {
    Q_OBJECT
public:
    explicit GenerationPanel(QWidget* parent = nullptr);

    GenerationSettings settings() const;
    void setSettings(const GenerationSettings& settings);
    void setModelDir(const QString& dir);
    // What the model field names: a folder, a checkpoint file or a repo id (a listed model's path, not its label).
    QString modelPath() const;
    // The folders searched for models (QSettings; by default the hub cache and the usual A1111 / ComfyUI
    // folders), and a new search of them in the background; the models found join the model list.
    QStringList modelFolders() const;
    void setModelFolders(const QStringList& folders);
    void searchModelFolders();
    QComboBox* modelBox() const { return model_; }
    // Image-to-image: the input image ("" for text to image) and whether the run explains it (starts at a timestep)
    // or redraws it (starts at a strength).
    void setInputImage(const QString& path, bool explain);
    QLineEdit* inputImageField() const { return image_; }
    // Takes the settings a PNG carries (the others stay as they are); returns what could not be taken, in words.
    QStringList applyParameters(const daam::GenerationParameters& parameters);
    void saveSettings() const; // QSettings
    void restoreSettings();

    // The devices generation can run on ("cpu", "cuda:0", ...), as the generation thread found them. A chosen
    // device that is not among them stays chosen, marked as not found.
    void setDevices(const QStringList& devices);
    QComboBox* deviceBox() const { return device_; }
    QComboBox* precisionBox() const { return precision_; }

    void setRunning(bool running);
    void showLoading(const QString& dir);
    void showProgress(int call, int calls, double elapsedSeconds, double secondsLeft);
    void showPreview(const QImage& image);
    void showMessage(const QString& message, bool error);

    // As the Generate button does: emits generateRequested with the current settings.
    void requestGeneration();
    // The default built-in shape-world model's folder ("" when it is not installed).
    static QString builtInModelDir();
    // A built-in model's name and a sentence on what it is, as the model list shows them (builtin::BuiltInModel).
    static QString builtInModelName(const std::string& id);
    static QString builtInModelDescription(const std::string& id);
    // Whether the chosen model is one of the built-in ones (a first run generates on it at once).
    bool onBuiltInModel() const;

    QPushButton* generateButton() const { return generate_; }
    QPushButton* cancelButton() const { return cancel_; }
    QProgressBar* progressBar() const { return progress_; }
    // The token counts under the prompt and the negative prompt (empty while the tokenizer loads).
    QLabel* promptTokensLabel() const { return promptTokens_; }
    QLabel* negativeTokensLabel() const { return negativeTokens_; }

Q_SIGNALS:
    void generateRequested(const daam::ui::GenerationSettings& settings);
    void cancelRequested();

private:
    void browseModel();
    void browseCheckpoint();
    void addModelFolder();
    void rememberModel(const QString& dir);
    void showFoundModels(const QList<ModelChoice>& models);
    void showTokenCounts();
    static QString deviceLabel(const QString& device);
    void selectDevice(const QString& device);
    // float16 only on a GPU: a CPU device turns it into bfloat16.
    void offerPrecisions();
    // Selects width x height, adding it to the choices when it is not one of them (a PNG's 512 x 768).
    void selectSize(int width, int height);

    QPlainTextEdit* prompt_;
    QToolButton* negativeToggle_;
    QPlainTextEdit* negative_;
    QLabel* promptTokens_;
    QLabel* negativeTokens_;
    PromptTokenCounter* tokenCounter_;
    ModelScanner* scanner_;
    QComboBox* model_;
    QLineEdit* originalSize_;
    QLineEdit* crop_;
    QLineEdit* targetSize_;
    QLineEdit* seed_; // a 64-bit seed (ComfyUI draws them up to 2^64 - 1), past a QSpinBox's int
    QSpinBox* steps_;
    QDoubleSpinBox* guidance_;
    QComboBox* scheduler_;
    QComboBox* size_;
    QComboBox* device_;
    QComboBox* precision_;
    bool devicesFound_ = false;
    QCheckBox* keepHeads_;
    QComboBox* syntax_;
    QLineEdit* image_;
    QComboBox* startMode_;
    QSpinBox* startTimestep_;
    QDoubleSpinBox* strength_;
    QWidget* startRow_;
    QPushButton* generate_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* preview_;
};

} // namespace daam::ui
