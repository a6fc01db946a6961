// SPDX-License-Identifier: GPL-3.0-or-later
// bench_ui_scrub [--sd15]: the app's main window (offscreen unless QT_QPA_PLATFORM says otherwise) on a session
// of SDXL's shapes (1024x1024 image, 70 cross-attention layers, 50 UNet calls, 12 tokens) or SD 1.5's, and the
// longest the GUI thread goes without an event-loop turn while the user works: a generation on the built-in model,
// the session shown (its first maps computing), word after word clicked, a 10-call step range dragged across the
// calls, and one call at a time.
// A 1 ms timer on the GUI thread measures the waits; a frame at 60 Hz is 16.7 ms.
#include "ModelShapes.h"

#include "CompareView.h"
#include "ExplorationEngine.h"
#include "ExplorationState.h"
#include "GenerationController.h"
#include "GenerationPanel.h"
#include "MainWindow.h"
#include "OverlayRenderer.h"
#include "RangeSlider.h"

#include "daam/trace/Session.h"
#include "daam/util/Runtime.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTimer>

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

namespace {

std::shared_ptr<daam::Session> makeSession(const daam::bench::Shapes& shapes) {
    const auto& table = shapes.layers;
    const std::vector<std::string> words = {"a",      "photograph", "of",   "a",   "red",
                                            "circle", "above",      "blue", "big", "square"};
    auto s = std::make_shared<daam::Session>();
    s->tokens.push_back({49406, "<|startoftext|>", 0, 0});
    for (const auto& w : words) {
        const int64_t begin = s->prompt.empty() ? 0 : int64_t(s->prompt.size()) + 1;
        s->prompt += (s->prompt.empty() ? "" : " ") + w;
        s->tokens.push_back({1000 + int64_t(s->tokens.size()), w + "</w>", begin, begin + int64_t(w.size())});
        s->words.push_back({w, begin, begin + int64_t(w.size()), {int(s->tokens.size()) - 1}, false});
    }
    s->tokens.push_back({49407, "<|endoftext|>", int64_t(s->prompt.size()), int64_t(s->prompt.size())});
    const int tokens = static_cast<int>(s->tokens.size());
    s->gridSide = shapes.latentSide;
    s->trace = std::make_shared<daam::AttentionTrace>(table, tokens);
    torch::NoGradGuard noGrad;
    std::vector<int> timesteps;
    for (int c = 0; c < shapes.calls; ++c) {
        timesteps.push_back(999 - c * 1000 / shapes.calls);
        for (size_t l = 0; l < table.size(); ++l) {
            const auto& info = table[l];
            s->trace->add(c, static_cast<int>(l),
                          torch::softmax(torch::randn({info.heads, info.height * info.width, 77}) * 2, -1));
        }
    }
    s->generation = {{"prompt", s->prompt}, {"seed", 1}, {"timesteps", timesteps}};
    const int side = shapes.imageSide;
    auto pixels = torch::randint(0, 256, {side * side * 3}, torch::kUInt8);
    s->image = daam::PngImage{
        side, side, 3, std::vector<uint8_t>(pixels.data_ptr<uint8_t>(), pixels.data_ptr<uint8_t>() + pixels.numel())};
    return s;
}

// Runs `step(i)` for i = 0 .. count-1, one every `intervalMs`, then waits until no background frame, generation or
// write runs and `busy()` is false, all inside the event loop, and returns the longest wait between two turns of it.
double longestWait(
    QApplication& app, daam::ui::MainWindow& window, int count, int intervalMs, const std::function<void(int)>& step,
    const std::function<bool()>& busy = [] { return false; }) {
    QElapsedTimer clock;
    qint64 last = 0, longest = 0;
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        longest = std::max(longest, now - last);
        last = now;
    });
    int done = 0;
    QTimer driver;
    driver.setInterval(intervalMs);
    QObject::connect(&driver, &QTimer::timeout, [&] {
        if (done < count)
            step(done++);
        else if (!window.isComputing() && !window.generation()->isRunning() && !window.isWriting() && !busy())
            app.quit();
    });
    clock.start();
    ticker.start();
    driver.start();
    app.exec();
    return longest / 1e6;
}

} // namespace

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    daam::initRuntime();
    const bool sd = argc > 1 && std::strcmp(argv[1], "--sd15") == 0;
    if (argc > 1 && !sd) {
        std::fprintf(stderr, "usage: %s [--sd15]\n", argv[0]);
        return 2;
    }
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const auto shapes = sd ? daam::bench::sd15() : daam::bench::sdxl();
    const auto session = makeSession(shapes);
    daam::ui::ExplorationEngine::prepare(*session); // as the generation worker and the session loader do
    std::printf("%s: %zu layers, %d calls, %d tokens; trace %.1f MB\n", shapes.name, shapes.layers.size(), shapes.calls,
                session->trace->tokens(), session->trace->bytes() / 1e6);

    daam::ui::MainWindow window;
    window.resize(1400, 900);
    window.show();
    const int words = static_cast<int>(session->words.size());

    // A generation on the built-in model first: the worker takes both cores while the GUI thread shows its
    // progress and previews, then the session and its first frame.
    daam::ui::GenerationSettings settings;
    settings.modelDir = daam::ui::GenerationPanel::builtInModelDir();
    settings.prompt = QStringLiteral("a red circle above a blue square");
    settings.steps = 20;
    const double generating = longestWait(app, window, 1, 1, [&](int) { window.generation()->start(settings); });
    const double shown = longestWait(app, window, 1, 1, [&](int) { window.showSession(session); });
    const double clicks =
        longestWait(app, window, words, 150, [&](int i) { window.state()->selectWord((i + 1) % words); });
    window.state()->selectWord(5);
    const int calls = shapes.calls;
    const double drag =
        longestWait(app, window, calls - 10, 30, [&](int i) { window.rangeSlider()->setValues(i, i + 10); });
    const double single =
        longestWait(app, window, calls, 30, [&](int i) { window.rangeSlider()->setValues(i, i + 1); });
    const int jobs = window.computeJobsStarted();
    // Writes: how long each takes on the writers' thread (what the GUI thread waited for when it wrote them itself).
    const QString out = QDir::temp().filePath(QStringLiteral("bench_ui_scrub"));
    QDir(out).removeRecursively();
    QElapsedTimer writeClock;
    double saveMs = 0, figureMs = 0;
    QObject::connect(&window, &daam::ui::MainWindow::sessionSaved, [&] { saveMs = writeClock.nsecsElapsed() / 1e6; });
    QObject::connect(&window, &daam::ui::MainWindow::exported, [&] { figureMs = writeClock.nsecsElapsed() / 1e6; });
    window.state()->setSelectedWords({5, 9});
    const double saving = longestWait(app, window, 1, 1, [&](int) {
        writeClock.start();
        window.saveSession(out + QStringLiteral("/session"));
    });
    const double exporting = longestWait(app, window, 1, 1, [&](int) {
        writeClock.start();
        window.exportFigure(out + QStringLiteral("/figure.pdf"), 300);
    });
    // The saved session beside the open one (Compare), word after word: both sides and their difference redrawn.
    bool opening = false;
    QObject::connect(&window, &daam::ui::MainWindow::compareOpened, [&](bool ok) {
        opening = false;
        if (!ok) std::fprintf(stderr, "compare: %s\n", qPrintable(window.lastError()));
    });
    int shownSides = 0;
    QObject::connect(window.compareView(), &daam::ui::CompareView::shown, [&] { ++shownSides; });
    const double compareOpening = longestWait(
        app, window, 1, 1,
        [&](int) {
            opening = true;
            window.compareWith(out + QStringLiteral("/session"));
        },
        [&] { return opening; });
    const double comparing = longestWait(app, window, words, 150, [&](int i) { window.state()->selectWord(i); });
    QDir(out).removeRecursively();

    // What a frame costs its worker besides the maps: drawing the overlay (median of 9).
    auto renderMs = [&](const std::vector<int>& words, daam::ui::MaskMode mode) {
        std::vector<const daam::ui::HeatMap*> maps;
        for (int w : words)
            maps.push_back(&window.engine().wordMap(w, window.state()->query()));
        daam::ui::OverlayStyle style;
        style.maskMode = mode;
        std::vector<double> times;
        for (int i = 0; i < 9; ++i) {
            QElapsedTimer t;
            t.start();
            const QImage image = daam::ui::renderOverlay(window.engine().summary().image, maps, style);
            times.push_back(t.nsecsElapsed() / 1e6);
        }
        std::sort(times.begin(), times.end());
        return times[times.size() / 2];
    };
    const double renderOne = renderMs({5}, daam::ui::MaskMode::None);
    const double renderTwo = renderMs({5, 9}, daam::ui::MaskMode::None);
    const double renderFill = renderMs({5}, daam::ui::MaskMode::Fill);

    std::printf("longest event-loop wait, ms (one frame at 60 Hz: 16.7):\n");
    std::printf("  generating on the built-in model:    %6.1f\n", generating);
    std::printf("  session shown, first maps computing: %6.1f\n", shown);
    std::printf("  %d words clicked, 150 ms apart:      %6.1f\n", words, clicks);
    std::printf("  10-call range dragged, 30 ms a step: %6.1f\n", drag);
    std::printf("  one call at a time, 30 ms a step:    %6.1f\n", single);
    std::printf("background frame jobs started: %d\n", jobs);
    std::printf("writes (what the GUI thread waited for when it wrote them itself):\n");
    std::printf("  session saved:                       %6.0f ms, longest event-loop wait meanwhile %.1f\n", saveMs,
                saving);
    std::printf("  figure of two words, PDF at 300 dpi: %6.0f ms, longest event-loop wait meanwhile %.1f\n", figureMs,
                exporting);
    std::printf("overlay drawn by a frame's worker, median ms: one word %.1f, two words %.1f, one word's mask filled "
                "%.1f\n",
                renderOne, renderTwo, renderFill);
    std::printf("compared with the saved session (longest event-loop wait, ms):\n");
    std::printf("  opened beside it:                    %6.1f\n", compareOpening);
    std::printf("  %d words clicked, 150 ms apart:      %6.1f (%d drawn)\n", words, comparing, shownSides);
    return 0;
}
