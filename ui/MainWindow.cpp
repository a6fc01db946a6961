// SPDX-License-Identifier: GPL-3.0-or-later
#include "MainWindow.h"

#include "AboutDialog.h"
#include "AnnotationPanel.h"
#include "CompareView.h"
#include "ExplorePanel.h"
#include "GenerationController.h"
#include "GenerationPanel.h"
#include "ImageView.h"
#include "LayerSelector.h"
#include "OverlayRenderer.h"
#include "PlotsPanel.h"
#include "RangeSlider.h"
#include "RecentFiles.h"
#include "TokenStrip.h"
#include "Translations.h"

#include "daam/pipeline/GenerationParameters.h"
#include "daam/syntax/DependencyParser.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace daam::ui {

namespace {

QString layerLabel(const daam::CrossAttentionLayer& l) {
    switch (l.block) {
    case daam::UNetBlock::Down:
        return QStringLiteral("d%1.%2").arg(l.blockIndex).arg(l.attentionIndex);
    case daam::UNetBlock::Mid:
        return QStringLiteral("m");
    case daam::UNetBlock::Up:
        return QStringLiteral("u%1.%2").arg(l.blockIndex).arg(l.attentionIndex);
    }
    return {};
}

bool isDroppableImage(const QFileInfo& file) {
    static const QStringList suffixes{QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"),
                                      QStringLiteral("webp"), QStringLiteral("bmp")};
    return suffixes.contains(file.suffix().toLower());
}

// The first local folder (a session) or image (to explain) among dropped URLs.
QString localDropOf(const QMimeData* mime) {
    if (!mime || !mime->hasUrls()) return {};
    for (const QUrl& url : mime->urls()) {
        const QFileInfo file(url.toLocalFile());
        if (url.isLocalFile() && (file.isDir() || isDroppableImage(file))) return url.toLocalFile();
    }
    return {};
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), state_(new ExplorationState(this)), generation_(new GenerationController(this)),
      recent_(new RecentFiles(this)) {
    setWindowTitle(tr("DAAM Studio"));
    setAcceptDrops(true);

    // Centre: the prompt's words above the image, the read-out below.
    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    errorBanner_ = new QLabel(centre);
    errorBanner_->setWordWrap(true);
    errorBanner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorBanner_->setStyleSheet(
        QStringLiteral("QLabel { background: #fde2e1; color: #7a0b0b; border: 1px solid #e0a0a0;"
                       " border-radius: 4px; padding: 6px; }"));
    errorBanner_->setVisible(false);
    centreLayout->addWidget(errorBanner_);
    tokens_ = new TokenStrip(centre);
    tokenScroll_ = new QScrollArea(centre);
    tokenScroll_->setWidget(tokens_);
    tokenScroll_->setWidgetResizable(true);
    tokenScroll_->setFrameShape(QFrame::NoFrame);
    // The chips wrap at the strip's width; a prompt of many rows scrolls past a third of the window's height.
    tokenScroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    tokenScroll_->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    connect(tokens_, &TokenStrip::heightChanged, this, &MainWindow::fitTokenStrip);
    fitTokenStrip();
    centreLayout->addWidget(tokenScroll_);
    view_ = new ImageView(centre);
    centreLayout->addWidget(view_, 1);
    readout_ = new QLabel(tr("Point at the image to see which words drew each spot."), centre);
    readout_->setTextFormat(Qt::PlainText);
    readout_->setAccessibleName(tr("Values under the cursor"));
    centreLayout->addWidget(readout_);
    setCentralWidget(centre);

    auto* controlsDock = new QDockWidget(tr("Explore"), this);
    controlsDock->setObjectName(QStringLiteral("exploreDock"));
    explore_ = new ExplorePanel(state_, this);
    connect(explore_, &ExplorePanel::statusMessage, this,
            [this](const QString& message, int timeoutMs) { statusBar()->showMessage(message, timeoutMs); });
    controlsDock->setWidget(explore_);
    controlsDock->widget()->setMinimumWidth(300);
    addDockWidget(Qt::RightDockWidgetArea, controlsDock);

    plots_ = new PlotsPanel(this);
    auto* plotsDock = new QDockWidget(tr("Plots"), this);
    plotsDock->setObjectName(QStringLiteral("plotsDock"));
    plotsDock->setWidget(plots_);
    plots_->setMinimumWidth(300);
    connect(plots_, &PlotsPanel::exportRequested, this,
            [this](PlotsPanel::Plot plot, const QString& path) { exportPlot(plot, path); });
    addDockWidget(Qt::RightDockWidgetArea, plotsDock);
    splitDockWidget(controlsDock, plotsDock, Qt::Horizontal);

    generationPanel_ = new GenerationPanel(this);
    auto* generateDock = new QDockWidget(tr("Generate"), this);
    generateDock->setObjectName(QStringLiteral("generateDock"));
    auto* generateScroll = new QScrollArea(this);
    generateScroll->setWidget(generationPanel_);
    generateScroll->setWidgetResizable(true);
    generateScroll->setFrameShape(QFrame::NoFrame);
    // The dock may be short (it scrolls), never narrower than its controls: a sideways scroll bar clipped them.
    generateScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    generateScroll->setMinimumWidth(generationPanel_->minimumSizeHint().width() +
                                    generateScroll->verticalScrollBar()->sizeHint().width());
    generateDock->setWidget(generateScroll);
    addDockWidget(Qt::LeftDockWidgetArea, generateDock);

    compare_ = new CompareView(this);
    compareDock_ = new QDockWidget(tr("Compare"), this);
    compareDock_->setObjectName(QStringLiteral("compareDock"));
    compareDock_->setWidget(compare_);
    addDockWidget(Qt::BottomDockWidgetArea, compareDock_);
    compareDock_->hide(); // until a session is compared

    annotate_ = new AnnotationPanel(this);
    annotateDock_ = new QDockWidget(tr("Annotate"), this);
    annotateDock_->setObjectName(QStringLiteral("annotateDock"));
    annotateDock_->setWidget(annotate_);
    addDockWidget(Qt::RightDockWidgetArea, annotateDock_);
    tabifyDockWidget(plotsDock, annotateDock_);
    plotsDock->raise();
    annotateDock_->hide(); // View ▸ Annotate
    connect(annotateDock_, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (!visible) annotate_->setTool(AnnotationPanel::Tool::Off);
        showAnnotatedWord();
        scheduleRefresh();
    });
    connect(annotate_, &AnnotationPanel::toolChanged, this,
            [this](AnnotationPanel::Tool tool) { view_->setPainting(tool != AnnotationPanel::Tool::Off); });
    connect(view_, &ImageView::strokeStarted, annotate_, &AnnotationPanel::beginStroke);
    connect(view_, &ImageView::strokeMoved, annotate_, &AnnotationPanel::continueStroke);
    connect(view_, &ImageView::strokeEnded, annotate_, &AnnotationPanel::endStroke);
    connect(view_, &ImageView::strokeClosed, annotate_, &AnnotationPanel::closePolygon);
    connect(annotate_, &AnnotationPanel::annotationChanged, this, [this](int word, const QImage& mask, int rating) {
        engine_.setAnnotation(word, mask, rating);
        refreshOverlay();
    });
    connect(annotate_, &AnnotationPanel::pendingChanged, this, [this] { refreshOverlay(); });
    connect(annotate_, &AnnotationPanel::saveRequested, this, &MainWindow::saveAnnotations);
    connect(annotate_, &AnnotationPanel::exportRatingsRequested, this, &MainWindow::exportRatingsDialog);
    connect(compare_, &CompareView::closeRequested, compareDock_, &QDockWidget::hide);

    refreshTimer_ = new QTimer(this);
    refreshTimer_->setSingleShot(true);
    refreshTimer_->setInterval(0);
    connect(refreshTimer_, &QTimer::timeout, this, &MainWindow::refreshWhenReady);
    pool_.setMaxThreadCount(1);
    writers_.setMaxThreadCount(1);

    buildMenus();
    connectState();

    // Generation: panel -> controller (its own thread) -> panel and the exploration.
    connect(generationPanel_, &GenerationPanel::generateRequested, this, [this](const GenerationSettings& s) {
        if (s.prompt.isEmpty()) return generationPanel_->showMessage(tr("Write a prompt first."), true);
        if (s.modelDir.isEmpty()) return generationPanel_->showMessage(tr("Choose a model folder first."), true);
        generation_->start(s);
    });
    connect(generationPanel_, &GenerationPanel::cancelRequested, generation_, &GenerationController::cancel);
    connect(generation_, &GenerationController::runningChanged, generationPanel_, &GenerationPanel::setRunning);
    connect(generation_, &GenerationController::devicesFound, generationPanel_, &GenerationPanel::setDevices);
    connect(generation_, &GenerationController::loadingModel, generationPanel_, &GenerationPanel::showLoading);
    connect(generation_, &GenerationController::progress, generationPanel_, &GenerationPanel::showProgress);
    connect(generation_, &GenerationController::preview, generationPanel_, &GenerationPanel::showPreview);
    connect(generation_, &GenerationController::failed, this, [this](const QString& message) {
        generationPanel_->showMessage(tr("Generation failed: %1").arg(message), true);
        showError(tr("Generation failed: %1").arg(message));
    });
    connect(generation_, &GenerationController::cancelled, this,
            [this] { generationPanel_->showMessage(tr("Cancelled."), false); });
    connect(generation_, &GenerationController::finished, this, [this](const SessionPtr& session, double seconds) {
        generationPanel_->showMessage(tr("Done in %1 s.").arg(seconds, 0, 'f', 1), false);
        // The last preview's colours come from a linear map of the latents, which a small autoencoder like
        // the built-in one is far from (a blue square was previewed red): end on the decoded image.
        if (showSession(session)) generationPanel_->showPreview(engine_.summary().image);
    });
    auto* generateShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(generateShortcut, &QShortcut::activated, generationPanel_->generateButton(), &QPushButton::click);
    auto* generateShortcut2 = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), this);
    connect(generateShortcut2, &QShortcut::activated, generationPanel_->generateButton(), &QPushButton::click);
    auto* cancelShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(cancelShortcut, &QShortcut::activated, generation_, &GenerationController::cancel);

    // Number keys select words (Ctrl adds); text fields keep their digits (they override shortcuts).
    for (int n = 1; n <= 9; ++n) {
        auto* select = new QShortcut(QKeySequence(Qt::Key_0 + n), this);
        connect(select, &QShortcut::activated, this, [this, n] {
            if (wordShown(n - 1)) state_->selectWord(n - 1);
        });
        auto* add = new QShortcut(QKeySequence(Qt::CTRL | (Qt::Key_0 + n)), this);
        connect(add, &QShortcut::activated, this, [this, n] {
            if (wordShown(n - 1)) state_->toggleWord(n - 1);
        });
    }

    statusBar()->showMessage(tr("Ready"));
    resize(1400, 900);
    restoreSettings();
}

MainWindow::~MainWindow() {
    pool_.waitForDone();    // a running aggregation posts back to this window
    writers_.waitForDone(); // a file being written is finished, not left half-written
    generation_->shutdown();
    // The docks hide while QWidget's destructor runs, after this window's members are gone: their signals must
    // not reach it then.
    annotateDock_->disconnect(this);
    annotate_->disconnect(this);
    compareDock_->disconnect(this);
    compare_->disconnect(this);
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open Session…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    recent_->setMenu(file->addMenu(tr("Open &Recent")));
    connect(recent_, &RecentFiles::chosen, this, &MainWindow::openSessionInBackground);
    file->addAction(tr("&Compare With Session…"), this, &MainWindow::compareDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    file->addAction(tr("Settings from &PNG…"), this, &MainWindow::openPngDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    auto* save = file->addAction(tr("&Save Session As…"), this, &MainWindow::saveDialog);
    save->setShortcut(QKeySequence::Save);
    file->addSeparator();
    file->addAction(tr("Export &Overlay as PNG…"), this, &MainWindow::exportOverlayDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addAction(tr("Export &Figure (PNG, SVG, PDF)…"), this, &MainWindow::exportFigureDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    file->addAction(tr("Export &Masks as PNG…"), this, &MainWindow::exportMasksDialog);
    file->addAction(tr("Export Map &Values (.npy, .safetensors)…"), this, &MainWindow::exportMapValuesDialog);
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto* view = menuBar()->addMenu(tr("&View"));
    for (auto* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Fit Image"), view_, &ImageView::fit)->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    view->addSeparator();
    languageMenu_ = view->addMenu(tr("&Language"));
    auto* languages = new QActionGroup(languageMenu_);
    const QString current = QSettings().value(languageSettingKey()).toString();
    // Languages are listed in their own names so that someone who cannot read the current one can
    // still find theirs.
    const QList<QPair<QString, QString>> choices{
        {QString(), tr("System Language")},
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("de"), QStringLiteral("Deutsch")},
        {QStringLiteral("zh_CN"), QString::fromUtf8("简体中文")},
    };
    for (const auto& [code, name] : choices) {
        auto* action = languageMenu_->addAction(name);
        action->setCheckable(true);
        action->setChecked(code == current);
        action->setData(code);
        languages->addAction(action);
        connect(action, &QAction::triggered, this, [this, code = code] {
            setLanguage(code);
            QMessageBox::information(this, tr("Language"),
                                     tr("The new language takes effect when DAAM Studio is started again."));
        });
    }

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    auto* about = help->addAction(tr("&About DAAM Studio…"), this, [this] {
        if (auto* shown = findChild<AboutDialog*>()) {
            shown->raise();
            shown->activateWindow();
            return;
        }
        auto* dialog = new AboutDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::setLanguage(const QString& code) {
    QSettings().setValue(languageSettingKey(), code);
}

void MainWindow::connectState() {
    connect(state_, &ExplorationState::selectionChanged, this, [this] {
        tokens_->setSelection(state_->selectedWords());
        showAnnotatedWord();
        refreshMass_ = true;
    });
    connect(state_, &ExplorationState::layersChanged, this, [this] { refreshMass_ = true; });
    connect(state_, &ExplorationState::sessionReset, this, [this] {
        refreshMass_ = true;
        annotate_->setWord(-1, QString(), QImage(), 0, QSize()); // the new session's own annotations follow
        showAnnotatedWord();
    });
    connect(state_, &ExplorationState::changed, this, &MainWindow::scheduleRefresh);
    connect(tokens_, &TokenStrip::wordClicked, this, [this](int word, bool add) {
        if (add)
            state_->toggleWord(word);
        else
            state_->selectWord(word);
    });
    connect(tokens_, &TokenStrip::dependencyClicked, this, [this](int index) {
        const auto& arc = tokens_->dependencies().at(index);
        state_->setSelectedWords({arc.head, arc.dependent});
    });
    connect(tokens_, &TokenStrip::showSpecialChanged, this, [this](bool shown) {
        if (!engine_.hasSession()) return;
        if (!shown) {
            // A hidden chip cannot stay selected.
            QList<int> kept;
            for (int w : state_->selectedWords())
                if (wordShown(w)) kept << w;
            if (kept != state_->selectedWords()) state_->setSelectedWords(kept);
        }
        if (hoverX_ >= 0) refreshReadout(hoverX_, hoverY_);
    });
    connect(view_, &ImageView::hovered, this, &MainWindow::refreshReadout);
    connect(view_, &ImageView::left, this, [this] {
        hoverX_ = hoverY_ = -1;
        readout_->setText(tr("Point at the image to see which words drew each spot."));
    });
}

bool MainWindow::wordShown(int word) const {
    const auto& words = engine_.summary().words;
    return word >= 0 && word < int(words.size()) && (!words[word].special || tokens_->showsSpecial());
}

void MainWindow::scheduleRefresh() {
    refreshTimer_->start();
}

MainWindow::FrameRequest MainWindow::wantedFrame() const {
    FrameRequest r;
    r.query = state_->query();
    r.words = std::vector<int>(state_->selectedWords().begin(), state_->selectedWords().end());
    r.style = overlayStyle();
    r.allWords = hoverX_ >= 0; // the read-out ranks every word at the pointer
    return r;
}

bool MainWindow::Frame::answers(const FrameRequest& wanted) const {
    return request.query == wanted.query && request.words == wanted.words && request.style == wanted.style &&
           (request.allWords || !wanted.allWords);
}

MainWindow::Frame MainWindow::makeFrame(const GridMapsPtr& maps, const FrameRequest& request, const QImage& image,
                                        int wordCount) {
    Frame frame;
    frame.request = request;
    frame.maps = maps;
    for (const auto* map : ExplorationEngine::wordMaps(maps, request.words))
        if (map && !map->empty()) frame.selected.push_back(map);
    if (request.allWords) {
        std::vector<int> all(size_t(std::max(0, wordCount)));
        std::iota(all.begin(), all.end(), 0);
        ExplorationEngine::wordMaps(maps, all);
    }
    frame.overlay = renderOverlay(image, frame.selected, request.style);
    if (frame.selected.size() >= 2)
        frame.overlap = ExplorationEngine::overlap(*frame.selected[0], *frame.selected[1], request.style.threshold);
    return frame;
}

void MainWindow::refreshWhenReady() {
    if (!engine_.hasSession()) return refreshNow();
    if (frame_ && frame_->answers(wantedFrame())) return present();
    if (!compute_.isBusy()) startCompute(); // else onFrame() goes on to the latest state
}

void MainWindow::startCompute() {
    if (!engine_.isReady(state_->query())) statusBar()->showMessage(tr("Computing heat maps…"));
    struct Computed {
        std::shared_ptr<const Frame> frame;
        QString error;
    };
    // One job at a time, so each is the latest when it comes back: onFrame() catches up with the state. The job
    // aggregates (unless the maps are at hand), makes the words' image maps and draws the overlay, so that the GUI
    // thread only shows the result.
    compute_.run(
        pool_, this,
        [job = engine_.gridMapsJob(state_->query()), request = wantedFrame(), image = engine_.summary().image,
         words = int(engine_.summary().words.size())] {
            Computed out;
            try {
                out.frame = std::make_shared<const Frame>(makeFrame(job(), request, image, words));
            } catch (const std::exception& e) {
                out.error = QString::fromStdString(e.what());
            }
            return out;
        },
        [this](const Computed& computed) {
            if (!computed.frame) return showError(tr("Could not compute the heat maps: %1").arg(computed.error));
            onFrame(computed.frame);
        });
}

void MainWindow::onFrame(const std::shared_ptr<const Frame>& frame) {
    const bool current = engine_.install(frame->maps);
    statusBar()->clearMessage();
    if (!engine_.hasSession()) return;
    // Made for a session replaced since, or the user moved on while this ran: make the frame of the state they are
    // at now instead of showing this one.
    if (!current || !frame->answers(wantedFrame())) return startCompute();
    frame_ = frame;
    present();
}

void MainWindow::refreshNow() {
    refreshTimer_->stop();
    if (engine_.hasSession()) {
        const auto request = wantedFrame();
        frame_ = std::make_shared<const Frame>(makeFrame(engine_.gridMaps(request.query), request,
                                                         engine_.summary().image, int(engine_.summary().words.size())));
    }
    present();
}

void MainWindow::present() {
    refreshTimer_->stop();
    refreshOverlay();
    refreshPlots(refreshMass_);
    refreshMass_ = false;
    if (hoverX_ >= 0) refreshReadout(hoverX_, hoverY_);
}

OverlayStyle MainWindow::overlayStyle() const {
    OverlayStyle style;
    style.colorMap = state_->colorMap();
    style.opacity = state_->opacity();
    style.maskMode = state_->maskMode();
    style.threshold = state_->threshold();
    return style;
}

std::vector<const HeatMap*> MainWindow::selectedMaps() const {
    std::vector<const HeatMap*> out;
    if (!engine_.hasSession()) return out;
    for (int w : state_->selectedWords()) {
        const HeatMap& map = engine_.wordMap(w, state_->query());
        if (!map.empty()) out.push_back(&map);
    }
    return out;
}

void MainWindow::fitTokenStrip() {
    // Room for every row of chips and their arcs, up to a third of the window.
    const int wanted = tokens_->heightForWidth(tokenScroll_->viewport()->width()) + 2;
    tokenScroll_->setFixedHeight(std::min(wanted, std::max(120, height() / 3)));
}

void MainWindow::startParse() {
    struct Parsed {
        std::vector<DependencyArc> arcs;
        QString note;
    };
    parse_.run(
        pool_, this,
        [words = engine_.summary().promptWords] {
            Parsed out;
            try {
                static const daam::syntax::DependencyParser parser; // opened once, by the first parse
                const auto parse = parser.parse(words);
                for (const auto& d : parse.dependencies)
                    out.arcs.push_back(
                        {d.head, d.dependent, QString::fromStdString(d.relation), QString::fromStdString(d.link)});
                if (!parse.note.empty())
                    out.note = tr("Syntax: %1").arg(QString::fromStdString(parse.note));
                else if (out.arcs.empty())
                    out.note = tr("Syntax: the parser relates none of the prompt's words");
            } catch (const std::exception& e) {
                out.note = tr("Syntax unavailable: %1").arg(QString::fromStdString(e.what()));
            }
            return out;
        },
        [this](const Parsed& parsed) {
            tokens_->setDependencies(parsed.arcs, parsed.note);
            fitTokenStrip();   // the arcs stand above the chips
            scheduleRefresh(); // a selected pair may now have a relation
        });
}

void MainWindow::refreshOverlay() {
    if (!engine_.hasSession()) return;
    const auto& summary = engine_.summary();
    if (!frame_) { // the session's first frame is being made: its image alone until then
        view_->setImage(withAnnotation(summary.image));
        explore_->showDrawnState(summary);
        explore_->showOverlap(QString());
        return;
    }
    const auto& maps = frame_->selected;
    view_->setImage(withAnnotation(frame_->overlay));
    if (!annotateDock_->isHidden() && annotate_->word() >= 0) {
        // The word's map against the region drawn for it, as eval-masks scores it.
        const QImage& mask = annotate_->mask();
        if (mask.isNull() || maps.empty()) {
            annotate_->showScore(tr("Draw the word's region to score its map against it."));
        } else {
            HeatMap truth;
            truth.width = mask.width();
            truth.height = mask.height();
            truth.values.resize(size_t(truth.width) * truth.height);
            for (int y = 0; y < truth.height; ++y)
                for (int x = 0; x < truth.width; ++x)
                    truth.values[size_t(y) * truth.width + x] = mask.constScanLine(y)[x] ? 1.0f : 0.0f;
            const auto o = ExplorationEngine::overlap(*maps.front(), truth, state_->threshold());
            annotate_->showScore(tr("IoU of the map at τ = %1 with the drawn region: %2")
                                     .arg(state_->threshold(), 0, 'f', 2)
                                     .arg(o.iou, 0, 'f', 3));
        }
    }
    explore_->showDrawnState(summary);
    refreshCompare();
    const auto& selected = frame_->request.words;
    if (maps.size() >= 2) {
        const auto& o = frame_->overlap;
        const QString a = summary.words[selected[0]].text, b = summary.words[selected[1]].text;
        QString text = tr("IoU(%1, %2) = %3\nIoA(%1 in %2) = %4 · IoA(%2 in %1) = %5")
                           .arg(a, b)
                           .arg(o.iou, 0, 'f', 3)
                           .arg(o.ioaAB, 0, 'f', 3)
                           .arg(o.ioaBA, 0, 'f', 3);
        // A pair the parse relates is named by its relation, head first.
        const std::pair<int, int> pair{selected[0], selected[1]};
        for (const auto& arc : tokens_->dependencies())
            if (pair == std::pair{arc.head, arc.dependent} || pair == std::pair{arc.dependent, arc.head})
                text.prepend(tr("%1(%2 → %3)\n")
                                 .arg(arc.relation, summary.words[arc.head].text, summary.words[arc.dependent].text));
        explore_->showOverlap(text);
    } else {
        explore_->showOverlap(QString());
    }
}

void MainWindow::refreshPlots(bool massToo) {
    if (!engine_.hasSession()) return plots_->clear();
    const auto& summary = engine_.summary();
    const auto& selected = state_->selectedWords();
    if (massToo) {
        std::vector<std::vector<double>> mass;
        QStringList names;
        QList<QColor> colors;
        for (int i = 0; i < selected.size(); ++i) {
            mass.push_back(engine_.massOverCalls(selected[i], state_->layers()));
            names << summary.words[selected[i]].text;
            colors << (selected.size() > 1 ? wordColor(i, int(selected.size())) : palette().color(QPalette::Highlight));
        }
        plots_->setMass(mass, names, colors, state_->callBegin(), state_->callEnd());
    } else {
        plots_->setRange(state_->callBegin(), state_->callEnd());
    }
    if (selected.isEmpty()) {
        plots_->setLayerShare({}, {}, {});
        plots_->setHistogram({}, state_->threshold(), {});
        return;
    }
    const int first = selected.front();
    QStringList labels;
    for (const auto& l : summary.layers)
        labels << layerLabel(l);
    plots_->setLayerShare(engine_.layerShare(first, state_->query()), labels, summary.words[first].text);
    // The frame's map of the first word (none until the session's first frame is made).
    static const HeatMap none;
    const bool shown =
        frame_ && !frame_->request.words.empty() && frame_->request.words.front() == first && !frame_->selected.empty();
    plots_->setHistogram(shown ? *frame_->selected.front() : none, state_->threshold(), summary.words[first].text);
}

void MainWindow::refreshReadout(int x, int y) {
    hoverX_ = x;
    hoverY_ = y;
    // Never compute on the GUI thread for a read-out: a frame with every word's map is made in the background, and
    // showing it brings the read-out up to date.
    if (!engine_.hasSession()) return;
    const auto& summary = engine_.summary();
    std::vector<int> all(summary.words.size());
    std::iota(all.begin(), all.end(), 0);
    if (!frame_ || frame_->request.query != state_->query() || !ExplorationEngine::hasWordMaps(frame_->maps, all))
        return scheduleRefresh();
    const auto maps = ExplorationEngine::wordMaps(frame_->maps, all); // made: this only looks them up
    std::vector<std::pair<float, int>> ranked;
    for (size_t w = 0; w < maps.size(); ++w)
        if (!summary.words[w].punctuation && wordShown(int(w)) && x < maps[w]->width && y < maps[w]->height)
            ranked.emplace_back(maps[w]->at(x, y), int(w));
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    QStringList parts;
    for (size_t i = 0; i < ranked.size() && i < 8; ++i)
        parts << tr("%1 %2").arg(summary.words[ranked[i].second].text).arg(ranked[i].first, 0, 'f', 2);
    readout_->setText(tr("x %1, y %2 — %3").arg(x).arg(y).arg(parts.join(QStringLiteral(" · "))));
}

void MainWindow::applySummary() {
    const auto& summary = engine_.summary();
    explore_->setSession(summary);
    tokens_->setWords(summary.words);
    fitTokenStrip();
    startParse();
    state_->resetForSession(summary);
    tokens_->setSelection(state_->selectedWords());
    view_->fit();
    refreshMass_ = true;
    // The session's image at once; its first maps are made in the background (an SDXL-sized trace's take a second).
    frame_.reset();
    present();
    scheduleRefresh();
    view_->fit();
    updateTitle();
}

bool MainWindow::openSession(const QString& dir) {
    QString error;
    const auto session = ExplorationEngine::load(dir, &error);
    return showOpenedSession(session, dir, error);
}

void MainWindow::loadInBackground(JobTracker& requests, const QString& dir,
                                  std::function<void(const SessionPtr& session, const QString& error)> done) {
    struct Loaded {
        SessionPtr session;
        QString error;
    };
    requests.run(
        pool_, this,
        [dir] {
            Loaded out;
            out.session = ExplorationEngine::load(dir, &out.error);
            return out;
        },
        [done = std::move(done)](const Loaded& loaded) { done(loaded.session, loaded.error); });
}

void MainWindow::openSessionInBackground(const QString& dir) {
    statusBar()->showMessage(tr("Opening %1…").arg(QDir::toNativeSeparators(dir)));
    loadInBackground(opens_, dir, [this, dir](const SessionPtr& session, const QString& error) {
        showOpenedSession(session, dir, error);
    });
}

QImage MainWindow::withAnnotation(QImage image) const {
    if (annotateDock_->isHidden() || image.isNull()) return image;
    const QImage& mask = annotate_->mask();
    image = image.convertToFormat(QImage::Format_RGB888);
    if (!mask.isNull() && mask.size() == image.size()) {
        // Green over the drawn region, half through.
        for (int y = 0; y < image.height(); ++y) {
            uchar* line = image.scanLine(y);
            const uchar* m = mask.constScanLine(y);
            for (int x = 0; x < image.width(); ++x)
                if (m[x]) {
                    line[3 * x + 0] = uchar(line[3 * x + 0] / 2);
                    line[3 * x + 1] = uchar(line[3 * x + 1] / 2 + 110);
                    line[3 * x + 2] = uchar(line[3 * x + 2] / 2);
                }
        }
    }
    const QPolygonF& pending = annotate_->pendingPolygon();
    if (!pending.isEmpty()) {
        QPainter p(&image);
        p.setPen(QPen(QColor(40, 200, 60), 1));
        p.drawPolyline(pending);
        for (const QPointF& corner : pending)
            p.drawEllipse(corner, 1.5, 1.5);
    }
    return image;
}

void MainWindow::showAnnotatedWord() {
    const auto& selected = state_->selectedWords();
    const int word = selected.isEmpty() || !engine_.annotatable(selected.front()) ? -1 : selected.front();
    if (word == annotate_->word()) return;
    annotate_->setWord(word, word >= 0 ? engine_.summary().words[size_t(word)].text : QString(),
                       engine_.annotationMask(word), engine_.annotationRating(word), engine_.summary().image.size());
}

void MainWindow::saveAnnotations() {
    if (engine_.summary().dir.isEmpty()) {
        saveDialog(); // an unsaved session is saved whole, its annotations with it
        return;
    }
    writeInBackground(
        [job = engine_.saveAnnotationsJob()] {
            Written out;
            out.error = job();
            out.ok = out.error.isEmpty();
            return out;
        },
        [this, dir = engine_.summary().dir](const Written& written) {
            if (written.ok) {
                clearError();
                statusBar()->showMessage(tr("Saved the annotations in %1").arg(QDir::toNativeSeparators(dir)), 4000);
            } else {
                showError(tr("Could not save the annotations: %1").arg(written.error));
            }
            Q_EMIT annotationsSaved(written.ok);
        });
}

void MainWindow::exportRatingsDialog() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the ratings"), QDir::homePath(), tr("CSV files (*.csv)"));
    if (!path.isEmpty()) exportRatings(path);
}

bool MainWindow::exportRatings(const QString& path) {
    writeInBackground([path, csv = engine_.ratingsCsv().toUtf8()] { return writeBytes(path, csv); },
                      [this](const Written& written) {
                          if (!written.ok) showError(tr("Could not export the ratings: %1").arg(written.error));
                          Q_EMIT exported(written.ok, written.files);
                      });
    return true;
}

void MainWindow::compareWith(const QString& dir) {
    statusBar()->showMessage(tr("Opening %1 to compare…").arg(QDir::toNativeSeparators(dir)));
    loadInBackground(compares_, dir, [this, dir](const SessionPtr& session, const QString& error) {
        QString why = error;
        if (!session || !compare_->setOther(session, QDir(dir).absolutePath(), &why)) {
            showError(tr("Could not compare with %1: %2").arg(QDir::toNativeSeparators(dir), why));
            Q_EMIT compareOpened(false);
            return;
        }
        clearError();
        statusBar()->showMessage(tr("Comparing with %1").arg(QDir::toNativeSeparators(dir)), 4000);
        compareDock_->show();
        refreshCompare();
        Q_EMIT compareOpened(true);
    });
}

void MainWindow::compareDialog() {
    if (!engine_.hasSession()) return showError(tr("Open or generate a session first, then compare it with another."));
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Compare with a session folder"), recent_->dialogDir());
    if (!dir.isEmpty()) compareWith(dir);
}

void MainWindow::refreshCompare() {
    if (!compare_->hasOther() || compareDock_->isHidden() || !engine_.hasSession()) return;
    if (!frame_) return;
    const auto& selected = frame_->request.words;
    const auto& maps = frame_->selected;
    compare_->showWord(engine_.summary(), selected.empty() ? -1 : selected.front(),
                       maps.empty() ? nullptr : maps.front(), frame_->request.query, frame_->request.style);
}

void MainWindow::openPng(const QString& path) {
    statusBar()->showMessage(tr("Reading the settings of %1…").arg(QDir::toNativeSeparators(path)));
    struct PngRead {
        std::shared_ptr<daam::GenerationParameters> parameters = std::make_shared<daam::GenerationParameters>();
        QString error, sessionDir, sessionError;
        SessionPtr session;
    };
    // Reading a PNG decodes its rows (text may follow them), and a session beside it may be large: both on the
    // window's pool.
    pngs_.run(
        pool_, this,
        [path] {
            PngRead read;
            try {
                *read.parameters = daam::readGenerationParameters(QFile::encodeName(path).toStdString());
                read.sessionDir = QFile::decodeName(
                    daam::sessionFolderOf(QFile::encodeName(path).toStdString(), *read.parameters).c_str());
                if (!read.sessionDir.isEmpty())
                    read.session = ExplorationEngine::load(read.sessionDir, &read.sessionError);
            } catch (const std::exception& e) {
                read.error = QString::fromStdString(e.what());
            }
            return read;
        },
        [this, path](const PngRead& read) {
            const bool explain = explainAfterPng_ == path;
            if (explain) explainAfterPng_.clear();
            if (!read.error.isEmpty() && explain) {
                // An image without parameters is explained with the panel's prompt.
                generationPanel_->showMessage(
                    tr("%1 carries no settings: %2").arg(QFileInfo(path).fileName(), read.error), false);
                Q_EMIT pngOpened(false);
                startExplaining();
                return;
            }
            if (!read.error.isEmpty()) {
                const QString message = tr("Could not take the settings of a PNG: %1").arg(read.error);
                showError(message);
                generationPanel_->showMessage(message, true);
                Q_EMIT pngOpened(false);
                return;
            }
            QStringList lines{
                tr("Settings from %1 (%2).")
                    .arg(QFileInfo(path).fileName(), QString::fromUtf8(daam::toString(read.parameters->source)))};
            lines << generationPanel_->applyParameters(*read.parameters);
            generationPanel_->showMessage(lines.join(QLatin1Char('\n')), false);
            clearError();
            statusBar()->showMessage(lines.front(), 4000);
            if (!read.sessionDir.isEmpty()) {
                opens_.supersede(); // an earlier background open must not replace this session when it ends
                // The PNG's settings are shown: not the session's.
                showOpenedSession(read.session, read.sessionDir, read.sessionError, false);
            }
            Q_EMIT pngOpened(true);
            if (explain) startExplaining();
        });
}

bool MainWindow::showOpenedSession(const SessionPtr& session, const QString& dir, const QString& loadError,
                                   bool restoreSettings) {
    QString error = loadError;
    if (!session || !engine_.setSession(session, QDir(dir).absolutePath(), &error)) {
        showError(tr("Could not open the session %1: %2").arg(QDir::toNativeSeparators(dir), error));
        Q_EMIT sessionOpened(false);
        return false;
    }
    clearError();
    recent_->add(engine_.summary().dir);
    applySummary();
    if (restoreSettings) restoreSessionSettings(dir);
    statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(dir)), 4000);
    Q_EMIT sessionOpened(true);
    return true;
}

void MainWindow::restoreSessionSettings(const QString& dir) {
    const auto& record = engine_.summary().generation;
    // A session of an older format, or one made elsewhere, may hold no request: the panel then stays as it is.
    if (!record.is_object() || !record.contains("request")) return;
    try {
        auto parameters =
            daam::recordParameters(record, QFile::encodeName(dir + QStringLiteral("/generation.json")).toStdString());
        // The model it was made with, when it is still where it was; then the panel need not say it kept another.
        if (const auto model = record.find("model");
            model != record.end() && model->is_object() && model->contains("path") && (*model)["path"].is_string()) {
            const QString path = QFile::decodeName((*model)["path"].get<std::string>().c_str());
            if (QFileInfo::exists(path)) {
                generationPanel_->setModelDir(path);
                parameters.modelName.reset();
            }
        }
        QStringList lines{tr("Settings of the session %1.").arg(QFileInfo(dir).fileName())};
        lines << generationPanel_->applyParameters(parameters);
        // An image-to-image session starts from its input.png (the image as it was run) again; another from none.
        const auto& request = record["request"];
        const QString input = dir + QStringLiteral("/input.png");
        if (request.contains("init_image") && QFileInfo::exists(input)) {
            const auto restored = daam::GenerationRequest::fromJson(
                request, QFile::encodeName(dir + QStringLiteral("/generation.json")).toStdString());
            auto settings = generationPanel_->settings();
            settings.initImage = input;
            settings.strength = restored.strength;
            settings.startTimestep = restored.startTimestep;
            generationPanel_->setSettings(settings);
        } else {
            generationPanel_->setInputImage(QString(), true);
        }
        generationPanel_->showMessage(lines.join(QLatin1Char('\n')), false);
    } catch (const std::exception& e) {
        generationPanel_->showMessage(
            tr("The session's settings were not taken: %1").arg(QString::fromStdString(e.what())), true);
    }
}

bool MainWindow::showSession(const SessionPtr& session) {
    QString error;
    if (!engine_.setSession(session, {}, &error)) {
        showError(tr("The generated session cannot be shown: %1").arg(error));
        return false;
    }
    clearError();
    applySummary();
    return true;
}

bool MainWindow::saveSession(const QString& dir) {
    if (!engine_.hasSession()) {
        showError(tr("Nothing to save: open or generate a session first."));
        return false;
    }
    statusBar()->showMessage(tr("Saving %1…").arg(QDir::toNativeSeparators(dir)));
    writeInBackground(
        [job = engine_.saveJob(dir)] {
            Written out;
            out.error = job();
            out.ok = out.error.isEmpty();
            return out;
        },
        [this, dir, serial = engine_.serial()](const Written& written) {
            if (!written.ok) {
                showError(tr("Could not save the session: %1").arg(written.error));
                Q_EMIT sessionSaved(false);
                return;
            }
            // The session shown may have changed meanwhile: only the one saved now lives in `dir`.
            if (engine_.savedTo(serial, dir)) {
                clearError();
                recent_->add(engine_.summary().dir);
                updateTitle();
            }
            statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(dir)), 4000);
            Q_EMIT sessionSaved(true);
        });
    return true;
}

MainWindow::Written MainWindow::writeBytes(const QString& path, const QByteArray& bytes) {
    Written out;
    out.ok = commit(path, bytes, &out.error);
    if (out.ok) out.files << path;
    return out;
}

void MainWindow::writeInBackground(std::function<Written()> write, std::function<void(const Written&)> done) {
    ++writing_;
    writers_.start([this, write = std::move(write), done = std::move(done)] {
        Written result;
        try {
            result = write();
        } catch (const std::exception& e) {
            result.ok = false;
            result.error = QString::fromStdString(e.what());
        }
        // Queued to this window's thread; the destructor waits for the writers, so the window is still there.
        QMetaObject::invokeMethod(
            this,
            [this, done, result] {
                --writing_;
                done(result);
            },
            Qt::QueuedConnection);
    });
}

bool MainWindow::exportSelectedWords(std::function<Written(const std::vector<ExportWord>&)> write,
                                     const QString& done) {
    if (!engine_.hasSession() || state_->selectedWords().isEmpty()) {
        showError(tr("Nothing to export: select at least one word."));
        return false;
    }
    const std::vector<int> selected(state_->selectedWords().begin(), state_->selectedWords().end());
    QStringList texts;
    for (int w : selected)
        texts << engine_.summary().words[size_t(w)].text;
    writeInBackground(
        [job = engine_.gridMapsJob(state_->query()), selected, texts, write = std::move(write)] {
            const GridMapsPtr grid = job(); // holds the word maps while they are written
            const auto maps = ExplorationEngine::wordMaps(grid, selected);
            std::vector<ExportWord> words;
            for (size_t i = 0; i < selected.size(); ++i)
                if (maps[i] && !maps[i]->empty()) words.push_back({selected[i], texts[int(i)], maps[i]});
            return write(words);
        },
        [this, done](const Written& written) { endExport(written, done); });
    return true;
}

void MainWindow::endExport(const Written& written, const QString& done) {
    if (written.ok)
        statusBar()->showMessage(done, 4000);
    else
        showError(tr("Export failed: %1").arg(written.error));
    Q_EMIT exported(written.ok, written.files);
}

bool MainWindow::exportOverlay(const QString& path) {
    if (!engine_.hasSession()) {
        showError(tr("Nothing to export: open or generate a session first."));
        return false;
    }
    const QString done = tr("Wrote %1").arg(QDir::toNativeSeparators(path));
    // No word selected: the image alone, as the window shows it.
    if (state_->selectedWords().isEmpty()) {
        writeInBackground(
            [path, image = engine_.summary().image, style = overlayStyle()] {
                Written out;
                out.ok = writeOverlay(path, image, {}, style, &out.error);
                if (out.ok) out.files << path;
                return out;
            },
            [this, done](const Written& written) { endExport(written, done); });
        return true;
    }
    return exportSelectedWords(
        [path, image = engine_.summary().image, style = overlayStyle()](const std::vector<ExportWord>& words) {
            Written out;
            out.ok = writeOverlay(path, image, words, style, &out.error);
            if (out.ok) out.files << path;
            return out;
        },
        done);
}

bool MainWindow::exportFigure(const QString& path, int dpi) {
    FigureFormat format;
    if (!figureFormatFor(path, format)) {
        showError(tr("Export failed: %1: use a .png, .svg or .pdf file name").arg(path));
        return false;
    }
    const auto& summary = engine_.summary();
    return exportSelectedWords(
        [path, format, dpi, image = summary.image, style = overlayStyle(), normalization = state_->normalization(),
         prompt = summary.prompt](const std::vector<ExportWord>& words) {
            Written out;
            out.ok =
                writeFigure(path, format, composeFigure(image, words, style, normalization, prompt), dpi, &out.error);
            if (out.ok) out.files << path;
            return out;
        },
        tr("Wrote %1").arg(QDir::toNativeSeparators(path)));
}

bool MainWindow::exportMapValues(const QString& path) {
    MapValuesFormat format;
    if (!mapValuesFormatFor(path, format)) {
        showError(tr("Export failed: %1: use a .npy or .safetensors file name").arg(path));
        return false;
    }
    const MapValuesRecord record{engine_.summary().prompt, state_->normalization(), state_->callBegin(),
                                 state_->callEnd()};
    return exportSelectedWords(
        [path, format, record](const std::vector<ExportWord>& words) {
            Written out;
            out.ok = writeMapValues(path, format, words, record, &out.files, &out.error);
            return out;
        },
        tr("Wrote %1").arg(QDir::toNativeSeparators(path)));
}

bool MainWindow::exportMasks(const QString& path) {
    return exportSelectedWords(
        [path, threshold = state_->threshold()](const std::vector<ExportWord>& words) {
            Written out;
            out.ok = writeMasks(path, words, threshold, &out.files, &out.error);
            return out;
        },
        tr("Masks written: %1").arg(state_->selectedWords().size()));
}

bool MainWindow::exportPlot(PlotsPanel::Plot plot, const QString& path) {
    QByteArray bytes;
    QString error;
    if (!plots_->renderPlot(plot, path, &bytes, &error)) {
        showError(tr("Export failed: %1").arg(error));
        return false;
    }
    writeInBackground([path, bytes = std::move(bytes)] { return writeBytes(path, bytes); },
                      [this, done = tr("Wrote %1").arg(QDir::toNativeSeparators(path))](const Written& written) {
                          endExport(written, done);
                      });
    return true;
}

void MainWindow::showError(const QString& message) {
    lastError_ = message;
    errorBanner_->setText(message);
    errorBanner_->setVisible(true);
    statusBar()->showMessage(message, 8000);
}

void MainWindow::clearError() {
    lastError_.clear();
    errorBanner_->setVisible(false);
}

void MainWindow::updateTitle() {
    const auto& summary = engine_.summary();
    if (!engine_.hasSession()) return setWindowTitle(tr("DAAM Studio"));
    const QString where = summary.dir.isEmpty() ? tr("unsaved") : QFileInfo(summary.dir).fileName();
    setWindowTitle(tr("%1 (%2) — DAAM Studio").arg(summary.prompt, where));
}

void MainWindow::restoreSettings() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    explore_->restoreSettings();
    tokens_->setShowSpecial(settings.value(QStringLiteral("display/startEndTokens"), false).toBool());
    generationPanel_->restoreSettings();
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    explore_->saveSettings();
    settings.setValue(QStringLiteral("display/startEndTokens"), tokens_->showsSpecial());
    generationPanel_->saveSettings();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    explore_->stopPlaying();
    generation_->shutdown();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!localDropOf(event->mimeData()).isEmpty()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = localDropOf(event->mimeData());
    if (path.isEmpty()) return;
    event->acceptProposedAction();
    if (QFileInfo(path).isDir())
        openSessionInBackground(path);
    else
        explainImage(path);
}

void MainWindow::explainImage(const QString& path) {
    generationPanel_->setInputImage(path, /*explain=*/true);
    if (QFileInfo(path).suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0) {
        // Its prompt and settings first, when it carries them.
        explainAfterPng_ = path;
        openPng(path);
    } else {
        explainAfterPng_.clear();
        startExplaining();
    }
}

void MainWindow::startExplaining() {
    if (generationPanel_->settings().prompt.isEmpty()) {
        generationPanel_->showMessage(
            tr("Type what the image shows in the prompt, then Generate: its words get maps over the image."), false);
        return;
    }
    generationPanel_->requestGeneration();
}

void MainWindow::openDialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a session folder"), recent_->dialogDir());
    if (!dir.isEmpty()) openSessionInBackground(dir);
}

void MainWindow::openPngDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Take the settings of an image"), recent_->dialogDir(),
                                                      tr("PNG images (*.png)"));
    if (!path.isEmpty()) openPng(path);
}

void MainWindow::saveDialog() {
    if (!engine_.hasSession()) return showError(tr("Nothing to save: open or generate a session first."));
    const QString dir = QFileDialog::getSaveFileName(this, tr("Save the session as a folder"), QDir::homePath());
    if (!dir.isEmpty()) saveSession(dir);
}

void MainWindow::exportOverlayDialog() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the overlay"), QDir::homePath(), tr("PNG images (*.png)"));
    if (!path.isEmpty())
        exportOverlay(path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) ? path : path + QStringLiteral(".png"));
}

void MainWindow::exportFigureDialog() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export a figure"), QDir::homePath(),
                                     tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    int dpi = 300;
    if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) ||
        path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive)) {
        bool ok = false;
        dpi = QInputDialog::getInt(this, tr("Figure resolution"), tr("Dots per inch:"), 300, 72, 1200, 1, &ok);
        if (!ok) return;
    }
    exportFigure(path, dpi);
}

void MainWindow::exportMapValuesDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the maps as numbers"), QDir::homePath(),
                                                      tr("safetensors (*.safetensors);;NumPy arrays (*.npy)"));
    if (!path.isEmpty()) exportMapValues(path);
}

void MainWindow::exportMasksDialog() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export masks"), QDir::homePath(), tr("PNG images (*.png)"));
    if (!path.isEmpty())
        exportMasks(path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) ? path : path + QStringLiteral(".png"));
}

} // namespace daam::ui
