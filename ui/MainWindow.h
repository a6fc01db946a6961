// SPDX-License-Identifier: GPL-3.0-or-later
// DAAM Studio's main window: generate in the background, then explore where each word of the prompt
// lands. One ExplorationState holds the choices; the controls write to it, and the image, the read-out
// and the plots follow it. Session data and every torch computation sit behind ExplorationEngine.
#pragma once

#include "ExplorationEngine.h"
#include "ExplorationState.h"
#include "ExplorePanel.h"
#include "Exporter.h"
#include "GenerationWorker.h"
#include "JobTracker.h"
#include "OverlayRenderer.h"
#include "PlotsPanel.h"

#include <QMainWindow>

#include <QThreadPool>
#include <functional>

class QCheckBox;
class QComboBox;
class QDockWidget;
class QLabel;
class QScrollArea;
class QMenu;
class QSlider;
class QTimer;
class QToolButton;

namespace daam::ui {

class AnnotationPanel;
class CompareView;
class GenerationController;
class GenerationPanel;
class ImageView;
class LayerSelector;
class PlotsPanel;
class RangeSlider;
class RecentFiles;
class TokenStrip;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a session folder; on failure shows the reason in the window and keeps the current session.
    // Loads on this thread: for start-up, before the window shows.
    bool openSession(const QString& dir);
    // The same, with the folder read on a worker thread so that the window stays responsive while a large
    // trace loads (the menus, the recent list and drops use it). A later request supersedes an earlier
    // one; sessionOpened() tells how it ended.
    void openSessionInBackground(const QString& dir);
    // Writes the session into `dir` on a worker thread; sessionSaved() tells how it ended. False (and nothing
    // written) without a session.
    bool saveSession(const QString& dir);
    // Fills the generation panel with the settings a PNG carries (ours, A1111's or ComfyUI's), read on a worker
    // thread; a PNG of ours whose session folder holds it or lies beside it opens that session too. A malformed
    // PNG leaves the panel as it was and the window says why. A later request supersedes an earlier one;
    // pngOpened() tells how it ended.
    void openPng(const QString& path);
    // "Explain this image" (what a dropped image does): the image becomes the panel's input, explained from the
    // panel's start timestep, with the prompt its PNG parameters give (else the panel's), and the generation
    // starts. Without a prompt the panel asks for one instead.
    void explainImage(const QString& path);
    // Opens `dir` (on a worker thread) beside the current session in the Compare panel; compareOpened() tells how
    // it ended.
    void compareWith(const QString& dir);
    CompareView* compareView() const { return compare_; }
    AnnotationPanel* annotationPanel() const { return annotate_; }
    QDockWidget* annotationDock() const { return annotateDock_; }
    // A session from a generation (not saved yet).
    bool showSession(const SessionPtr& session);
    QString lastError() const { return lastError_; }

    // Exports of what is shown, made and written on a worker thread (the GUI thread never waits on the disk):
    // exported() tells how each ended and what it wrote, lastError() says why one failed. False (and nothing
    // started) with lastError() set when there is nothing to export or the file name does not say how.
    bool exportOverlay(const QString& path);
    bool exportFigure(const QString& path, int dpi);
    // The session's ratings (Annotate) as CSV.
    bool exportRatings(const QString& path);
    // One PNG per selected word: `path` itself for one word, else `path` with "-N-word" before the suffix.
    bool exportMasks(const QString& path);
    // The selected words' maps as numbers: .safetensors (one file, a tensor per word) or .npy (a file per word).
    bool exportMapValues(const QString& path);
    // One of the Plots panel's plots, drawn now and written on the worker (see PlotsPanel::renderPlot).
    bool exportPlot(PlotsPanel::Plot plot, const QString& path);
    // Whether a save or an export is still writing.
    bool isWriting() const { return writing_ > 0; }

    // Recomputes what follows the state now, on this thread. Interactive changes instead are coalesced
    // into one redraw per event-loop turn, and their maps and overlay are made on a background thread with the
    // latest state winning: at most one job runs, and a state left behind while it ran is not drawn. A session
    // opened or generated shows its image at once and its maps when the first such job is done.
    void refreshNow();
    bool isComputing() const { return compute_.isBusy(); }
    int computeJobsStarted() const { return compute_.begun(); }

    ExplorationState* state() const { return state_; }
    // View ▸ Language: stores the choice ("" follows the system); it applies from the next start.
    void setLanguage(const QString& code);
    QMenu* languageMenu() const { return languageMenu_; }
    const ExplorationEngine& engine() const { return engine_; }
    TokenStrip* tokenStrip() const { return tokens_; }
    ImageView* imageView() const { return view_; }
    // The Explore dock's controls (the accessors below forward to it).
    ExplorePanel* explorePanel() const { return explore_; }
    RangeSlider* rangeSlider() const { return explore_->rangeSlider(); }
    QToolButton* playButton() const { return explore_->playButton(); }
    LayerSelector* layerSelector() const { return explore_->layerSelector(); }
    QSlider* thresholdSlider() const { return explore_->thresholdSlider(); }
    QComboBox* maskModeBox() const { return explore_->maskModeBox(); }
    QLabel* overlapLabel() const { return explore_->overlapLabel(); }
    QLabel* readoutLabel() const { return readout_; }
    QLabel* rangeLabel() const { return explore_->rangeLabel(); }
    QComboBox* headBox() const { return explore_->headBox(); }
    QCheckBox* mergeRepeatsBox() const { return explore_->mergeRepeatsBox(); }
    QLabel* errorBanner() const { return errorBanner_; }
    PlotsPanel* plots() const { return plots_; }
    GenerationPanel* generationPanel() const { return generationPanel_; }
    GenerationController* generation() const { return generation_; }
    // The selected words' maps for the current state (image resolution).
    std::vector<const HeatMap*> selectedMaps() const;

Q_SIGNALS:
    void sessionOpened(bool ok);
    void pngOpened(bool ok);
    void compareOpened(bool ok);
    void sessionSaved(bool ok);
    void annotationsSaved(bool ok);
    void exported(bool ok, const QStringList& written);

protected:
    void closeEvent(QCloseEvent* event) override;
    // `restoreSettings`: put the session's generation settings into the panel (not when a PNG's were just shown).
    bool showOpenedSession(const SessionPtr& session, const QString& dir, const QString& error,
                           bool restoreSettings = true);
    void restoreSessionSettings(const QString& dir);
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void connectState();
    // Whether the word has a visible chip (start and end tokens only while their toggle is on).
    bool wordShown(int word) const;
    // What the image shows follows the state through frames: the selected words' image maps and the overlay drawn
    // from them, made together on the pool (or on this thread by refreshNow()) and shown by present().
    struct FrameRequest {
        MapQuery query;
        std::vector<int> words; // the selected words, in order
        OverlayStyle style;
        bool allWords = false; // every word's image map too (the read-out, while the pointer is on the image)
    };
    struct Frame {
        FrameRequest request;
        GridMapsPtr maps;                     // holds the words' image maps below
        std::vector<const HeatMap*> selected; // the selected words' image maps (those that have one)
        QImage overlay;
        MaskOverlap overlap; // of the first two selected words' masks
        bool answers(const FrameRequest& wanted) const;
    };
    FrameRequest wantedFrame() const;
    // Runs on any thread: aggregation aside (`maps` holds it), everything a frame costs.
    static Frame makeFrame(const GridMapsPtr& maps, const FrameRequest& request, const QImage& image, int wordCount);
    void scheduleRefresh();
    void refreshWhenReady();
    void startCompute();
    void onFrame(const std::shared_ptr<const Frame>& frame);
    // Shows frame_ (the session's image alone before its first frame): overlay, labels, plots, read-out.
    void present();
    void refreshOverlay();
    void refreshPlots(bool massToo);
    void refreshReadout(int x, int y);
    void applySummary();
    // Parses the prompt off the GUI thread (the parser opens its dictionary from disk) and hands the arcs to the
    // word strip, unless another session has come since.
    void startParse();
    void fitTokenStrip();
    void showError(const QString& message);
    void clearError();
    void updateTitle();
    void restoreSettings();
    void saveSettings() const;
    void openDialog();
    void openPngDialog();
    void compareDialog();
    // Reads a session folder on the window's pool and hands it (or the error) to `done` on this thread, unless a
    // newer request of `requests` has begun by then.
    void loadInBackground(JobTracker& requests, const QString& dir,
                          std::function<void(const SessionPtr& session, const QString& error)> done);
    void refreshCompare();
    void startExplaining();
    void saveDialog();
    void exportOverlayDialog();
    void exportFigureDialog();
    void exportMasksDialog();
    void exportMapValuesDialog();
    // What a background write hands back: the files written, or why it failed.
    struct Written {
        bool ok = false;
        QStringList files;
        QString error;
    };
    // Writes `bytes` to `path` whole or not at all (Exporter's commit()); for a worker.
    static Written writeBytes(const QString& path, const QByteArray& bytes);
    // Runs `write` on the writers' pool (one write at a time, in the order asked) and `done` with its result on
    // this thread.
    void writeInBackground(std::function<Written()> write, std::function<void(const Written&)> done);
    // Starts an export of the selected words' maps: `write` gets them (made on the worker) and writes; false when no
    // word is selected. `done` is the status line once written.
    bool exportSelectedWords(std::function<Written(const std::vector<ExportWord>&)> write, const QString& done);
    void endExport(const Written& written, const QString& done);
    OverlayStyle overlayStyle() const;

    ExplorationEngine engine_;
    QThreadPool pool_;    // every background job of the window but writes; the destructor waits for it
    QThreadPool writers_; // saves and exports, one at a time, so that a long write holds up no map
    int writing_ = 0;     // writes not yet back
    // Latest request wins, one channel each. Frames are made one job at a time (onFrame() catches up);
    // opening a PNG's session supersedes a background open.
    JobTracker compute_, parse_, opens_, pngs_, compares_;
    CompareView* compare_;
    QDockWidget* compareDock_;
    AnnotationPanel* annotate_;
    QDockWidget* annotateDock_;
    void showAnnotatedWord(); // the panel follows the first selected word
    void saveAnnotations();
    void exportRatingsDialog();
    // The annotation mask of the panel's word over `image`, tinted, with the polygon being outlined.
    QImage withAnnotation(QImage image) const;
    QString explainAfterPng_; // the image whose explanation starts once its settings are read
    ExplorationState* state_;
    GenerationController* generation_;

    TokenStrip* tokens_;
    QScrollArea* tokenScroll_;
    ImageView* view_;
    QLabel* readout_;
    QLabel* errorBanner_;
    ExplorePanel* explore_;
    PlotsPanel* plots_;
    GenerationPanel* generationPanel_;
    QMenu* languageMenu_ = nullptr;
    QTimer* refreshTimer_;
    std::shared_ptr<const Frame> frame_; // the one shown; null before a session's first
    bool refreshMass_ = true;
    int hoverX_ = -1, hoverY_ = -1;
    QString lastError_;
    RecentFiles* recent_;
};

} // namespace daam::ui
