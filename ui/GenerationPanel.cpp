// SPDX-License-Identifier: GPL-3.0-or-later
#include "GenerationPanel.h"

#include "daam/builtin/BuiltInModel.h"
#include "daam/pipeline/GenerationParameters.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace daam::ui {

namespace {

constexpr int kMaxRecentModels = 8;
// Items of the model list: the path a listed model loads from, and where the item came from.
constexpr int kModelPathRole = Qt::UserRole;
constexpr int kModelKindRole = Qt::UserRole + 1;
const QString kBuiltInKind = QStringLiteral("builtin");
const QString kFoundKind = QStringLiteral("found");

QString formatSeconds(double seconds) {
    const int s = int(seconds + 0.5);
    return s >= 60 ? QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                   : GenerationPanel::tr("%1 s").arg(s);
}

// Whole numbers from 0 to 2^64 - 1.
class SeedValidator : public QValidator {
public:
    using QValidator::QValidator;
    State validate(QString& input, int&) const override {
        if (input.isEmpty()) return Intermediate;
        const bool digits =
            std::all_of(input.begin(), input.end(), [](QChar c) { return c.isDigit() && c.unicode() < 128; });
        bool fits = false;
        input.toULongLong(&fits);
        return digits && fits ? Acceptable : Invalid;
    }
};

} // namespace

GenerationPanel::GenerationPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    prompt_ = new QPlainTextEdit(this);
    prompt_->setPlaceholderText(tr("Describe the image, e.g. “a red dog on a bench”"));
    prompt_->setAccessibleName(tr("Prompt"));
    prompt_->setTabChangesFocus(true);
    prompt_->setFixedHeight(prompt_->fontMetrics().lineSpacing() * 3 + 12);
    layout->addWidget(new QLabel(tr("Prompt"), this));
    layout->addWidget(prompt_);
    tokenCounter_ = new PromptTokenCounter(this);
    auto tokenLabel = [this] {
        auto* label = new QLabel(this);
        label->setWordWrap(true);
        label->setToolTip(tr("Tokens the prompt takes, of the most the model's text encoder reads"));
        return label;
    };
    promptTokens_ = tokenLabel();
    layout->addWidget(promptTokens_);

    negativeToggle_ = new QToolButton(this);
    negativeToggle_->setText(tr("Negative prompt"));
    negativeToggle_->setCheckable(true);
    negativeToggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    negativeToggle_->setArrowType(Qt::RightArrow);
    negativeToggle_->setAutoRaise(true);
    negative_ = new QPlainTextEdit(this);
    negative_->setPlaceholderText(tr("What the image should not show"));
    negative_->setAccessibleName(tr("Negative prompt"));
    negative_->setTabChangesFocus(true);
    negative_->setFixedHeight(prompt_->fontMetrics().lineSpacing() * 2 + 12);
    negative_->setVisible(false);
    connect(negativeToggle_, &QToolButton::toggled, this, [this](bool on) {
        negative_->setVisible(on);
        negativeToggle_->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });
    layout->addWidget(negativeToggle_);
    layout->addWidget(negative_);
    negativeTokens_ = tokenLabel();
    layout->addWidget(negativeTokens_);
    connect(negativeToggle_, &QToolButton::toggled, this, &GenerationPanel::showTokenCounts);
    connect(prompt_, &QPlainTextEdit::textChanged, this, &GenerationPanel::showTokenCounts);
    connect(negative_, &QPlainTextEdit::textChanged, this, &GenerationPanel::showTokenCounts);
    connect(tokenCounter_, &PromptTokenCounter::tokenizerChanged, this, &GenerationPanel::showTokenCounts);

    auto* form = new QFormLayout;
    model_ = new QComboBox(this);
    model_->setEditable(true);
    model_->setInsertPolicy(QComboBox::NoInsert);
    model_->setToolTip(tr("A diffusers folder, a single-file checkpoint (.safetensors) or a Hugging Face repo id "
                          "(org/name) in the local cache; the list holds recent models and those found in the "
                          "model folders"));
    model_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    model_->setMinimumContentsLength(12);
    auto* browse = new QToolButton(this);
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose a model, or where to look for models"));
    browse->setPopupMode(QToolButton::InstantPopup);
    auto* browseMenu = new QMenu(browse);
    browseMenu->addAction(tr("Choose a model folder…"), this, &GenerationPanel::browseModel);
    browseMenu->addAction(tr("Choose a checkpoint file…"), this, &GenerationPanel::browseCheckpoint);
    browseMenu->addSeparator();
    browseMenu->addAction(tr("Add a folder to search for models…"), this, &GenerationPanel::addModelFolder);
    browseMenu->addAction(tr("Search the model folders again"), this, &GenerationPanel::searchModelFolders);
    browse->setMenu(browseMenu);
    scanner_ = new ModelScanner(this);
    connect(scanner_, &ModelScanner::scanned, this, &GenerationPanel::showFoundModels);
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(model_, 1);
    modelRow->addWidget(browse);
    connect(model_, &QComboBox::currentTextChanged, this, [this] { tokenCounter_->setModelDir(modelPath()); });
    auto* modelLabel = new QLabel(tr("&Model:"), this);
    modelLabel->setBuddy(model_);
    form->addRow(modelLabel, modelRow);

    seed_ = new QLineEdit(QStringLiteral("0"), this);
    seed_->setValidator(new SeedValidator(seed_));
    seed_->setAccessibleName(tr("Seed"));
    seed_->setToolTip(tr("The same seed, prompt and settings give the same image"));
    auto* dice = new QToolButton(this);
    dice->setText(tr("Random"));
    dice->setToolTip(tr("Random seed"));
    dice->setAccessibleName(tr("Random seed"));
    connect(dice, &QToolButton::clicked, this, [this] {
        seed_->setText(QString::number(QRandomGenerator::global()->bounded(std::numeric_limits<int>::max())));
    });
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(seed_, 1);
    seedRow->addWidget(dice);
    auto* seedLabel = new QLabel(tr("&Seed:"), this);
    seedLabel->setBuddy(seed_);
    form->addRow(seedLabel, seedRow);

    steps_ = new QSpinBox(this);
    steps_->setRange(1, 1000); // GenerationRequest's range
    steps_->setValue(30);
    steps_->setToolTip(tr("Denoising steps"));
    form->addRow(tr("S&teps:"), steps_);
    guidance_ = new QDoubleSpinBox(this);
    guidance_->setRange(0, 100); // GenerationRequest's range
    guidance_->setSingleStep(0.5);
    guidance_->setValue(7.5);
    guidance_->setToolTip(tr("Classifier-free guidance scale; 1 or less turns guidance off"));
    form->addRow(tr("&Guidance:"), guidance_);
    scheduler_ = new QComboBox(this);
    scheduler_->addItem(tr("Model default"), QString());
    for (const char* id : {"ddim", "pndm", "euler", "euler-a", "dpm++2m", "dpm++2m-karras", "lms"})
        scheduler_->addItem(QString::fromLatin1(id), QString::fromLatin1(id));
    form->addRow(tr("Sc&heduler:"), scheduler_);
    size_ = new QComboBox(this);
    size_->addItem(tr("Model default"), QSize(0, 0));
    for (int s : {64, 128, 256, 384, 512, 640, 768, 1024})
        size_->addItem(tr("%1 × %1").arg(s), QSize(s, s));
    form->addRow(tr("Si&ze:"), size_);
    syntax_ = new QComboBox(this);
    syntax_->addItem(tr("diffusers (plain, 75 tokens)"), QString());
    syntax_->addItem(tr("A1111 (weights, BREAK, any length)"), QStringLiteral("a1111"));
    syntax_->setToolTip(tr("diffusers reads the prompt as plain text and at most 75 tokens of it. A1111 reads "
                           "(word), [word], (word:1.3) and BREAK, and any length in windows of 75 tokens; every "
                           "word of every window gets its map."));
    connect(syntax_, &QComboBox::currentIndexChanged, this, &GenerationPanel::showTokenCounts);
    form->addRow(tr("Prompt s&yntax:"), syntax_);
    // Image-to-image: explain an image the user has, or redraw it.
    image_ = new QLineEdit(this);
    image_->setPlaceholderText(tr("none: text to image"));
    image_->setClearButtonEnabled(true);
    image_->setToolTip(tr("Start from this image (or drop one on the window): it is encoded, noised to the start "
                          "below and denoised with the prompt, so the maps show where the model puts each word "
                          "in it. The size above resizes it; Model default keeps its own size."));
    auto* browseImage = new QToolButton(this);
    browseImage->setText(tr("…"));
    browseImage->setToolTip(tr("Choose an image"));
    connect(browseImage, &QToolButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Start from an image"), QFileInfo(image_->text()).absolutePath(),
                                         tr("Images (*.png *.jpg *.jpeg *.webp *.bmp)"));
        if (!path.isEmpty()) image_->setText(QDir::toNativeSeparators(path));
    });
    auto* imageRow = new QHBoxLayout;
    imageRow->addWidget(image_, 1);
    imageRow->addWidget(browseImage);
    auto* imageLabel = new QLabel(tr("&Image:"), this);
    imageLabel->setBuddy(image_);
    form->addRow(imageLabel, imageRow);
    startMode_ = new QComboBox(this);
    startMode_->addItem(tr("Explain from t ="));
    startMode_->addItem(tr("Redraw, strength"));
    startMode_->setToolTip(tr("Explain: noise the image to this timestep and trace the denoising that follows (low "
                              "keeps the image). Redraw: diffusers' image-to-image, running this share of the "
                              "schedule (1 keeps nothing of the image)."));
    startTimestep_ = new QSpinBox(this);
    startTimestep_->setRange(0, 999);
    startTimestep_->setValue(500);
    startTimestep_->setAccessibleName(tr("Start timestep"));
    strength_ = new QDoubleSpinBox(this);
    strength_->setRange(0.01, 1.0);
    strength_->setSingleStep(0.05);
    strength_->setValue(0.8);
    strength_->setAccessibleName(tr("Strength"));
    strength_->setVisible(false);
    startRow_ = new QWidget(this);
    auto* startLayout = new QHBoxLayout(startRow_);
    startLayout->setContentsMargins(0, 0, 0, 0);
    startLayout->addWidget(startMode_, 1);
    startLayout->addWidget(startTimestep_);
    startLayout->addWidget(strength_);
    connect(startMode_, &QComboBox::currentIndexChanged, this, [this](int mode) {
        startTimestep_->setVisible(mode == 0);
        strength_->setVisible(mode == 1);
    });
    startRow_->setEnabled(false);
    connect(image_, &QLineEdit::textChanged, this,
            [this](const QString& text) { startRow_->setEnabled(!text.trimmed().isEmpty()); });
    form->addRow(tr("Start:"), startRow_);
    // SDXL's micro-conditioning: what the UNet is told about the image's origin, beside the text.
    auto sizeField = [this](const QString& placeholder, const QString& pattern) {
        auto* field = new QLineEdit(this);
        field->setPlaceholderText(placeholder);
        field->setValidator(new QRegularExpressionValidator(QRegularExpression(pattern), field));
        // Three in a row: their own width hint would widen the whole panel.
        field->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        field->setMinimumWidth(48);
        return field;
    };
    const QString sizePattern = QStringLiteral("(\\d{1,5}\\s*[x×]\\s*\\d{1,5})?");
    originalSize_ = sizeField(tr("original"), sizePattern);
    crop_ = sizeField(tr("crop 0,0"), QStringLiteral("(\\d{1,5}\\s*,\\s*\\d{1,5})?"));
    targetSize_ = sizeField(tr("target"), sizePattern);
    auto* sdxlRow = new QHBoxLayout;
    for (auto* field : {originalSize_, crop_, targetSize_})
        sdxlRow->addWidget(field, 1);
    auto* sdxlLabel = new QLabel(tr("SD&XL sizes:"), this);
    sdxlLabel->setBuddy(originalSize_);
    sdxlLabel->setToolTip(tr("SDXL only: the original size (W×H), the crop's top-left corner (T,L) and the target "
                             "size (W×H) the UNet is told; empty: the image size and no crop, as diffusers does"));
    originalSize_->setToolTip(sdxlLabel->toolTip());
    crop_->setToolTip(sdxlLabel->toolTip());
    targetSize_->setToolTip(sdxlLabel->toolTip());
    form->addRow(sdxlLabel, sdxlRow);
    // The GPUs join the list once the generation thread has found them (setDevices).
    device_ = new QComboBox(this);
    device_->addItem(deviceLabel(QStringLiteral("cpu")), QStringLiteral("cpu"));
    device_->setToolTip(tr("Where the model runs: the CPU, or one of the CUDA GPUs this build finds"));
    precision_ = new QComboBox(this);
    precision_->addItem(tr("float32"), QStringLiteral("fp32"));
    precision_->setItemData(0, tr("As the model was trained: what the reference results are checked against"),
                            Qt::ToolTipRole);
    precision_->addItem(tr("bfloat16"), QStringLiteral("bf16"));
    precision_->setItemData(1,
                            tr("Less memory, and about twice as fast on CPUs with bfloat16 instructions and "
                               "on GPUs; heat maps about 1% from float32's"),
                            Qt::ToolTipRole);
    precision_->addItem(tr("float16"), QStringLiteral("fp16"));
    precision_->setItemData(2, tr("Less memory and the fastest on GPUs; CUDA only"), Qt::ToolTipRole);
    precision_->setToolTip(tr("The number format the model computes in"));
    precision_->setAccessibleName(tr("Precision"));
    connect(device_, &QComboBox::currentIndexChanged, this, &GenerationPanel::offerPrecisions);
    auto* deviceRow = new QHBoxLayout;
    deviceRow->addWidget(device_, 1);
    deviceRow->addWidget(precision_, 1);
    auto* deviceLabelWidget = new QLabel(tr("&Device:"), this);
    deviceLabelWidget->setBuddy(device_);
    form->addRow(deviceLabelWidget, deviceRow);
    keepHeads_ = new QCheckBox(tr("Keep per-head maps"), this);
    keepHeads_->setToolTip(tr("Keep every step's map of every head: exact step ranges and single heads in the "
                              "Layers panel, for a trace as many times larger as the layers have heads"));
    form->addRow(QString(), keepHeads_);
    layout->addLayout(form);

    generate_ = new QPushButton(tr("&Generate"), this);
    generate_->setToolTip(tr("Generate the image and trace its attention (Ctrl+Return)"));
    generate_->setDefault(true);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Stop the generation after the current step (Esc)"));
    cancel_->setEnabled(false);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(generate_, 1);
    buttons->addWidget(cancel_);
    layout->addLayout(buttons);
    connect(generate_, &QPushButton::clicked, this, &GenerationPanel::requestGeneration);
    connect(cancel_, &QPushButton::clicked, this, &GenerationPanel::cancelRequested);

    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setTextVisible(true);
    progress_->setFormat(QString());
    progress_->setVisible(false); // an empty bar reads as a text field: shown while generating only
    layout->addWidget(progress_);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setTextFormat(Qt::PlainText); // it may quote a PNG's text
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);
    preview_ = new QLabel(this);
    preview_->setAlignment(Qt::AlignCenter);
    preview_->setMinimumHeight(128);
    preview_->setAccessibleName(tr("Denoising preview"));
    layout->addWidget(preview_);
    layout->addStretch(1);
    showTokenCounts();
}

void GenerationPanel::requestGeneration() {
    Q_EMIT generateRequested(settings());
}

QString GenerationPanel::builtInModelDir() {
    return QString::fromStdString(builtin::builtInModelDir());
}

bool GenerationPanel::onBuiltInModel() const {
    const int listed = model_->findData(modelPath(), kModelPathRole);
    return listed >= 0 && model_->itemData(listed, kModelKindRole).toString() == kBuiltInKind;
}

QString GenerationPanel::builtInModelName(const std::string& id) {
    if (id == "shapes-plain") return tr("Shapes (plain)");
    if (id == "shapes-supervised") return tr("Shapes (attention-supervised)");
    return QString::fromStdString(id);
}

QString GenerationPanel::builtInModelDescription(const std::string& id) {
    if (id == "shapes-plain")
        return tr("A small model of a world of coloured shapes, trained as Stable Diffusion is: its maps are what "
                  "DAAM finds in a model nobody showed where to look.");
    if (id == "shapes-supervised")
        return tr("The same model with its cross-attention also taught where each object is: its maps are close "
                  "to what it was taught, not only what DAAM finds.");
    return {};
}

GenerationSettings GenerationPanel::settings() const {
    GenerationSettings s;
    s.modelDir = modelPath();
    s.prompt = prompt_->toPlainText().trimmed();
    s.negativePrompt = negativeToggle_->isChecked() ? negative_->toPlainText().trimmed() : QString();
    s.promptSyntax = syntax_->currentData().toString();
    s.seed = seed_->text().toULongLong(); // 0 when empty
    s.steps = steps_->value();
    s.guidance = guidance_->value();
    s.scheduler = scheduler_->currentData().toString();
    s.width = size_->currentData().toSize().width();
    s.height = size_->currentData().toSize().height();
    s.device = device_->currentData().toString();
    s.dtype = precision_->currentData().toString();
    s.keepHeads = keepHeads_->isChecked();
    s.initImage = QDir::fromNativeSeparators(image_->text().trimmed());
    s.strength = strength_->value();
    s.startTimestep = startMode_->currentIndex() == 0 ? startTimestep_->value() : -1;
    // The validators let through only pairs of numbers, or nothing.
    auto pair = [](const QLineEdit* field, int& first, int& second) {
        const auto parts = field->text().split(QRegularExpression(QStringLiteral("[x×,]")));
        if (parts.size() != 2) return;
        first = parts[0].trimmed().toInt();
        second = parts[1].trimmed().toInt();
    };
    pair(originalSize_, s.originalWidth, s.originalHeight);
    pair(crop_, s.cropTop, s.cropLeft);
    pair(targetSize_, s.targetWidth, s.targetHeight);
    return s;
}

void GenerationPanel::setSettings(const GenerationSettings& s) {
    setModelDir(s.modelDir);
    prompt_->setPlainText(s.prompt);
    negative_->setPlainText(s.negativePrompt);
    negativeToggle_->setChecked(!s.negativePrompt.isEmpty());
    syntax_->setCurrentIndex(std::max(0, syntax_->findData(s.promptSyntax)));
    seed_->setText(QString::number(s.seed));
    steps_->setValue(s.steps);
    guidance_->setValue(s.guidance);
    scheduler_->setCurrentIndex(std::max(0, scheduler_->findData(s.scheduler)));
    selectSize(s.width, s.height);
    selectDevice(s.device);
    precision_->setCurrentIndex(std::max(0, precision_->findData(s.dtype)));
    offerPrecisions();
    keepHeads_->setChecked(s.keepHeads);
    image_->setText(QDir::toNativeSeparators(s.initImage));
    strength_->setValue(s.strength);
    if (s.startTimestep >= 0) startTimestep_->setValue(s.startTimestep);
    startMode_->setCurrentIndex(s.startTimestep >= 0 ? 0 : 1);
    auto pairText = [](int first, int second, const QString& separator) {
        return first > 0 || second > 0 ? QString::number(first) + separator + QString::number(second) : QString();
    };
    originalSize_->setText(pairText(s.originalWidth, s.originalHeight, QStringLiteral("×")));
    crop_->setText(pairText(s.cropTop, s.cropLeft, QStringLiteral(",")));
    targetSize_->setText(pairText(s.targetWidth, s.targetHeight, QStringLiteral("×")));
}

QString GenerationPanel::deviceLabel(const QString& device) {
    if (device == QLatin1String("cpu")) return tr("CPU");
    if (device.startsWith(QLatin1String("cuda:"))) return tr("CUDA GPU %1").arg(device.mid(5));
    return device;
}

void GenerationPanel::setDevices(const QStringList& devices) {
    const QString chosen = device_->currentData().toString();
    {
        const QSignalBlocker blocker(device_);
        device_->clear();
        for (const auto& device : devices)
            device_->addItem(deviceLabel(device), device);
    }
    devicesFound_ = true;
    selectDevice(chosen);
    offerPrecisions();
}

void GenerationPanel::selectDevice(const QString& device) {
    // Sessions and settings from before devices were numbered say "cuda": the first GPU.
    const QString wanted = device == QLatin1String("cuda") ? QStringLiteral("cuda:0") : device;
    int index = device_->findData(wanted);
    if (index < 0 && !wanted.isEmpty()) {
        // Kept, not replaced by the CPU behind the user's back: generating on it says what is wrong.
        device_->addItem(devicesFound_ ? tr("%1 (not found)").arg(deviceLabel(wanted)) : deviceLabel(wanted), wanted);
        index = device_->count() - 1;
    }
    device_->setCurrentIndex(std::max(0, index));
}

void GenerationPanel::offerPrecisions() {
    // LibTorch has no float16 convolutions on the CPU; bfloat16 is the CPU's half-size format.
    const bool gpu = device_->currentData().toString().startsWith(QLatin1String("cuda"));
    const int fp16 = precision_->findData(QStringLiteral("fp16"));
    if (auto* items = qobject_cast<QStandardItemModel*>(precision_->model())) items->item(fp16)->setEnabled(gpu);
    if (!gpu && precision_->currentIndex() == fp16)
        precision_->setCurrentIndex(precision_->findData(QStringLiteral("bf16")));
}

void GenerationPanel::setInputImage(const QString& path, bool explain) {
    image_->setText(QDir::toNativeSeparators(path));
    startMode_->setCurrentIndex(explain ? 0 : 1);
}

QString GenerationPanel::modelPath() const {
    // A listed model shows its label; what the user typed is the path itself.
    const int i = model_->currentIndex();
    if (i >= 0 && model_->itemText(i) == model_->currentText() && model_->itemData(i, kModelPathRole).isValid())
        return model_->itemData(i, kModelPathRole).toString();
    return model_->currentText().trimmed();
}

void GenerationPanel::setModelDir(const QString& dir) {
    const int listed = model_->findData(dir, kModelPathRole);
    if (listed >= 0)
        model_->setCurrentIndex(listed);
    else
        model_->setCurrentText(dir);
    // The box says nothing when its index stays, and while restoreSettings() fills it, it announced its first
    // item before that item had a path: the counter would be left reading a label as a folder.
    tokenCounter_->setModelDir(modelPath());
}

QStringList GenerationPanel::modelFolders() const {
    QSettings settings;
    return settings.value(QStringLiteral("generation/modelFolders"), ModelScanner::defaultFolders()).toStringList();
}

void GenerationPanel::setModelFolders(const QStringList& folders) {
    QSettings().setValue(QStringLiteral("generation/modelFolders"), folders);
    searchModelFolders();
}

void GenerationPanel::searchModelFolders() {
    scanner_->scan(modelFolders());
}

void GenerationPanel::showFoundModels(const QList<ModelChoice>& models) {
    const QString current = modelPath();
    const QSignalBlocker blocker(model_);
    for (int i = model_->count() - 1; i >= 0; --i)
        if (model_->itemData(i, kModelKindRole).toString() == kFoundKind) model_->removeItem(i);
    auto* items = qobject_cast<QStandardItemModel*>(model_->model());
    for (const auto& m : models) {
        if (model_->findData(m.path, kModelPathRole) >= 0 || model_->findText(m.path) >= 0) continue; // listed
        model_->addItem(m.label);
        const int i = model_->count() - 1;
        model_->setItemData(i, m.path, kModelPathRole);
        model_->setItemData(i, kFoundKind, kModelKindRole);
        model_->setItemData(i, m.tooltip, Qt::ToolTipRole);
        // Listed so that users see why their model is missing, but not chosen by mistake.
        if (!m.usable && items) items->item(i)->setEnabled(false);
    }
    setModelDir(current);
}

void GenerationPanel::selectSize(int width, int height) {
    const QSize size = width > 0 && height > 0 ? QSize(width, height) : QSize(0, 0);
    int index = size_->findData(size);
    if (index < 0) {
        size_->addItem(tr("%1 × %2").arg(width).arg(height), size);
        index = size_->count() - 1;
    }
    size_->setCurrentIndex(index);
}

QStringList GenerationPanel::applyParameters(const daam::GenerationParameters& p) {
    QStringList notes;
    if (p.prompt) prompt_->setPlainText(QString::fromStdString(*p.prompt));
    if (p.negativePrompt) {
        negative_->setPlainText(QString::fromStdString(*p.negativePrompt));
        negativeToggle_->setChecked(!p.negativePrompt->empty());
    }
    if (p.promptSyntax)
        syntax_->setCurrentIndex(std::max(0, syntax_->findData(QString::fromStdString(*p.promptSyntax))));
    if (p.seed) seed_->setText(QString::number(*p.seed));
    if (p.steps) {
        if (*p.steps < steps_->minimum() || *p.steps > steps_->maximum())
            notes << tr("%1 steps is outside %2–%3: set to %4.")
                         .arg(*p.steps)
                         .arg(steps_->minimum())
                         .arg(steps_->maximum())
                         .arg(std::clamp(*p.steps, steps_->minimum(), steps_->maximum()));
        steps_->setValue(*p.steps);
    }
    if (p.guidance) {
        if (*p.guidance < guidance_->minimum() || *p.guidance > guidance_->maximum())
            notes << tr("Guidance %1 is outside %2–%3.")
                         .arg(*p.guidance)
                         .arg(guidance_->minimum())
                         .arg(guidance_->maximum());
        guidance_->setValue(*p.guidance);
    }
    if (p.scheduler)
        scheduler_->setCurrentIndex(std::max(0, scheduler_->findData(QString::fromStdString(*p.scheduler))));
    if (p.width && p.height) selectSize(*p.width, *p.height);
    if (p.eta && *p.eta != 0)
        notes << tr("DDIM's eta %1 is not among these settings: generating here uses 0.").arg(*p.eta);
    for (const auto& note : p.notes)
        notes << QString::fromStdString(note);
    if (p.modelName)
        notes << tr("Made with the model “%1”; the model above is kept.").arg(QString::fromStdString(*p.modelName));
    return notes;
}

void GenerationPanel::saveSettings() const {
    QSettings settings;
    const auto s = this->settings();
    settings.beginGroup(QStringLiteral("generation"));
    settings.setValue(QStringLiteral("model"), s.modelDir);
    settings.setValue(QStringLiteral("prompt"), s.prompt);
    settings.setValue(QStringLiteral("negative"), negative_->toPlainText());
    settings.setValue(QStringLiteral("promptSyntax"), s.promptSyntax);
    settings.setValue(QStringLiteral("seed"), s.seed);
    settings.setValue(QStringLiteral("steps"), s.steps);
    settings.setValue(QStringLiteral("guidance"), s.guidance);
    settings.setValue(QStringLiteral("scheduler"), s.scheduler);
    settings.setValue(QStringLiteral("size"), s.width);
    settings.setValue(QStringLiteral("height"), s.height);
    settings.setValue(QStringLiteral("device"), s.device);
    settings.setValue(QStringLiteral("dtype"), s.dtype);
    settings.setValue(QStringLiteral("keepHeads"), s.keepHeads);
    QStringList recent;
    for (int i = 0; i < model_->count(); ++i)
        if (!model_->itemData(i, kModelKindRole).isValid()) recent << model_->itemText(i);
    settings.setValue(QStringLiteral("recentModels"), recent);
    settings.endGroup();
}

void GenerationPanel::restoreSettings() {
    QSettings settings;
    settings.beginGroup(QStringLiteral("generation"));
    model_->clear();
    // The built-in models are always among the choices, by their names, and the default one is the first run's
    // model, with a prompt it knows.
    const auto builtIns = builtin::builtInModels();
    QStringList builtInDirs;
    for (const auto& m : builtIns)
        builtInDirs << QString::fromStdString(m.dir);
    for (const auto& recent : settings.value(QStringLiteral("recentModels")).toStringList())
        if (!builtInDirs.contains(recent)) model_->addItem(recent);
    for (const auto& m : builtIns) {
        const QString dir = QString::fromStdString(m.dir);
        model_->addItem(builtInModelName(m.id));
        model_->setItemData(model_->count() - 1, dir, kModelPathRole);
        model_->setItemData(model_->count() - 1, kBuiltInKind, kModelKindRole);
        model_->setItemData(model_->count() - 1, builtInModelDescription(m.id) + QStringLiteral("\n") + dir,
                            Qt::ToolTipRole);
    }
    const QString builtIn = builtInModelDir();
    GenerationSettings s;
    s.modelDir = settings.value(QStringLiteral("model"), builtIn).toString();
    s.prompt = settings.value(QStringLiteral("prompt"), QStringLiteral("a red circle and a blue square")).toString();
    s.negativePrompt = settings.value(QStringLiteral("negative")).toString();
    s.promptSyntax = settings.value(QStringLiteral("promptSyntax")).toString();
    s.seed = settings.value(QStringLiteral("seed"), 0).toULongLong();
    s.steps = settings.value(QStringLiteral("steps"), 20).toInt();
    s.guidance = settings.value(QStringLiteral("guidance"), 7.5).toDouble();
    s.scheduler = settings.value(QStringLiteral("scheduler")).toString();
    s.width = settings.value(QStringLiteral("size"), 0).toInt();
    s.height = settings.value(QStringLiteral("height"), s.width).toInt(); // absent before sizes could be oblong
    s.device = settings.value(QStringLiteral("device"), QStringLiteral("cpu")).toString();
    s.dtype = settings.value(QStringLiteral("dtype"), QStringLiteral("fp32")).toString();
    s.keepHeads = settings.value(QStringLiteral("keepHeads"), false).toBool();
    settings.endGroup();
    setSettings(s);
    searchModelFolders();
}

void GenerationPanel::browseModel() {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Choose a diffusers model folder"), model_->currentText());
    if (!dir.isEmpty()) rememberModel(dir);
}

void GenerationPanel::browseCheckpoint() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Choose a checkpoint file"), modelPath(),
                                                      tr("Checkpoints (*.safetensors);;All files (*)"));
    if (!file.isEmpty()) rememberModel(file);
}

void GenerationPanel::addModelFolder() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a folder to search for models"));
    if (dir.isEmpty()) return;
    QStringList folders = modelFolders();
    if (!folders.contains(dir)) folders << dir;
    setModelFolders(folders);
}

void GenerationPanel::rememberModel(const QString& dir) {
    // A listed model (found or built in) is chosen where it is; other paths join the recent ones at the top.
    const int listed = model_->findData(dir, kModelPathRole);
    if (listed >= 0) return model_->setCurrentIndex(listed);
    const int existing = model_->findText(dir);
    if (existing >= 0) model_->removeItem(existing);
    model_->insertItem(0, dir);
    int recent = 0;
    for (int i = 0; i < model_->count(); ++i)
        if (!model_->itemData(i, kModelKindRole).isValid() && ++recent > kMaxRecentModels) model_->removeItem(i--);
    model_->setCurrentIndex(0);
}

void GenerationPanel::setRunning(bool running) {
    generate_->setText(running ? tr("Restart") : tr("&Generate"));
    generate_->setToolTip(running ? tr("Cancel this generation and start again with the current settings (Ctrl+Return)")
                                  : tr("Generate the image and trace its attention (Ctrl+Return)"));
    cancel_->setEnabled(running);
    progress_->setVisible(running);
    if (running) {
        rememberModel(modelPath());
        progress_->setRange(0, 0); // busy until the first step reports
        progress_->setFormat(QString());
        status_->setText(tr("Starting…"));
    } else {
        progress_->setRange(0, 1);
    }
}

void GenerationPanel::showLoading(const QString& dir) {
    status_->setText(tr("Loading the model from %1…").arg(QDir::toNativeSeparators(dir)));
}

void GenerationPanel::showProgress(int call, int calls, double elapsedSeconds, double secondsLeft) {
    progress_->setRange(0, calls);
    progress_->setValue(call);
    progress_->setFormat(tr("Step %1 of %2").arg(call).arg(calls));
    status_->setText(tr("%1 elapsed, about %2 left").arg(formatSeconds(elapsedSeconds), formatSeconds(secondsLeft)));
}

void GenerationPanel::showPreview(const QImage& image) {
    const int side = std::max(128, preview_->width() - 8);
    preview_->setPixmap(QPixmap::fromImage(image.scaled(side, side, Qt::KeepAspectRatio, Qt::FastTransformation)));
}

void GenerationPanel::showTokenCounts() {
    auto show = [this](QLabel* label, const QPlainTextEdit* editor, bool shown) {
        const bool a1111 = syntax_->currentData().toString() == QLatin1String("a1111");
        const auto count = shown ? tokenCounter_->count(editor->toPlainText(), a1111) : std::nullopt;
        label->setVisible(count.has_value());
        if (!count) return;
        if (count->windows > 1)
            label->setText(
                tr("Tokens: %1, in %2 windows of %3").arg(count->tokens).arg(count->windows).arg(count->limit));
        else
            label->setText(count->tooLong() ? tr("Tokens: %1 / %2, too many: the text encoder reads %2. Shorten it, "
                                                 "or read it with A1111's syntax, to generate.")
                                                  .arg(count->tokens)
                                                  .arg(count->limit)
                                            : tr("Tokens: %1 / %2").arg(count->tokens).arg(count->limit));
        QPalette pal = label->palette();
        pal.setColor(QPalette::WindowText,
                     count->tooLong() ? QColor(200, 30, 30) : palette().color(QPalette::PlaceholderText));
        label->setPalette(pal);
    };
    show(promptTokens_, prompt_, true);
    show(negativeTokens_, negative_, negativeToggle_->isChecked());
}

void GenerationPanel::showMessage(const QString& message, bool error) {
    status_->setText(message);
    QPalette pal = status_->palette();
    pal.setColor(QPalette::WindowText, error ? QColor(200, 30, 30) : palette().color(QPalette::WindowText));
    status_->setPalette(pal);
}

} // namespace daam::ui
