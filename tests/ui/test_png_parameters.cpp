// SPDX-License-Identifier: GPL-3.0-or-later
// Taking a PNG's generation settings in the window: an A1111 PNG fills the generation panel (a 64-bit seed, an
// oblong size), a PNG of ours opens its session beside it too, a dropped PNG is read as an opened one, and a
// malformed one leaves the panel as it was with a message naming the file and the problem. The PNG is read off
// the GUI thread.
#include "GenerationPanel.h"
#include "MainWindow.h"

#include "SyntheticSession.h"
#include "TestSupport.h"

#include "daam/io/PngImage.h"
#include "daam/pipeline/GenerationSession.h"

#include "TestMain.h"
#include <QLabel>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QUrl>

#include <filesystem>

using namespace daam::ui;

namespace {

const char* const kA1111Text = "a castle on a hill, at dawn\nNegative prompt: blurry\nlow quality\n"
                               "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, "
                               "Seed: 3456789012, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly";

QString writePngWith(const std::string& name, const daam::PngTextEntries& text) {
    const auto path = daam::test::makeTempDir("ui-png") + "/" + name;
    daam::PngImage image{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 128)};
    image.text = text;
    daam::writePng(path, image);
    return QString::fromStdString(path);
}

bool panelSays(GenerationPanel* panel, const QString& words) {
    for (auto* label : panel->findChildren<QLabel*>())
        if (label->text().contains(words)) return true;
    return false;
}

bool sameSettings(const GenerationSettings& a, const GenerationSettings& b) {
    return a.modelDir == b.modelDir && a.prompt == b.prompt && a.negativePrompt == b.negativePrompt &&
           a.seed == b.seed && a.steps == b.steps && a.guidance == b.guidance && a.scheduler == b.scheduler &&
           a.width == b.width && a.height == b.height && a.device == b.device;
}

} // namespace

class TestPngParameters : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> window_;

    GenerationPanel* panel() const { return window_->generationPanel(); }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { window_ = std::make_unique<MainWindow>(); }
    void cleanup() { window_.reset(); }

    void a1111PngFillsThePanel() {
        const auto path = writePngWith("a1111.png", {{"parameters", kA1111Text}});
        const auto before = panel()->settings();
        QSignalSpy opened(window_.get(), &MainWindow::pngOpened);
        window_->openPng(path);
        // Nothing has been read on this thread yet: the request returned at once.
        QVERIFY(sameSettings(panel()->settings(), before));
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.front().front().toBool(), true);
        const auto s = panel()->settings();
        QCOMPARE(s.prompt, QStringLiteral("a castle on a hill, at dawn"));
        QCOMPARE(s.negativePrompt, QStringLiteral("blurry\nlow quality"));
        QCOMPARE(s.seed, quint64(3456789012u));
        QCOMPARE(s.steps, 28);
        QCOMPARE(s.guidance, 6.5);
        QCOMPARE(s.scheduler, QStringLiteral("dpm++2m-karras"));
        QCOMPARE(s.width, 512);
        QCOMPARE(s.height, 768);
        QCOMPARE(s.modelDir, before.modelDir); // the model picker is not the PNG's to change
        QVERIFY(panelSays(panel(), QStringLiteral("Settings from a1111.png (AUTOMATIC1111).")));
        QVERIFY(panelSays(panel(), QStringLiteral("Made with the model “v1-5-pruned-emaonly”")));
        QVERIFY(window_->lastError().isEmpty());

        // A ComfyUI seed past 2^63 and a sampler we do not have: the seed whole, the sampler said.
        const auto comfy = writePngWith(
            "comfy.png",
            {{"prompt", R"({"3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551615, "steps": 9,
                           "cfg": 4, "sampler_name": "uni_pc", "scheduler": "normal"}}})"}});
        opened.clear();
        window_->openPng(comfy);
        QVERIFY(opened.wait(10000));
        QCOMPARE(panel()->settings().seed, quint64(18446744073709551615u));
        QCOMPARE(panel()->settings().steps, 9);
        QCOMPARE(panel()->settings().scheduler, QStringLiteral("dpm++2m-karras")); // kept
        QVERIFY(panelSays(panel(), QStringLiteral("the sampler 'uni_pc normal' has no counterpart here")));
    }

    void malformedPngKeepsThePanel() {
        const auto path = writePngWith(
            "broken.png", {{"parameters", "a dog\nSteps: many, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 64x64"}});
        auto s = panel()->settings();
        s.prompt = QStringLiteral("what I had");
        s.seed = 99;
        panel()->setSettings(s);
        const auto before = panel()->settings();
        QSignalSpy opened(window_.get(), &MainWindow::pngOpened);
        window_->openPng(path);
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.front().front().toBool(), false);
        QVERIFY(sameSettings(panel()->settings(), before));
        QVERIFY(!window_->errorBanner()->isHidden()); // the window itself is not shown
        const QString expected = path + QStringLiteral(": parameters chunk: Steps is not a whole number ('many')");
        QVERIFY2(window_->errorBanner()->text().contains(expected), qPrintable(window_->errorBanner()->text()));
        QVERIFY(panelSays(panel(), expected));
    }

    void ourPngOpensItsSession() {
        auto session = daam::test::makeSyntheticSession();
        session.generation = {{"request",
                               {{"prompt", "a cat dog"},
                                {"negative_prompt", ""},
                                {"seed", 5},
                                {"steps", 4},
                                {"guidance", 3.0},
                                {"scheduler", "euler"},
                                {"eta", 0.0},
                                {"width", 64},
                                {"height", 64}}},
                              {"model", {{"name", "demo-model"}, {"fingerprint", "00ff"}}}};
        const auto root = daam::test::makeTempDir("ui-png-session");
        daam::saveGeneratedSession(root + "/cats", session);
        // An image exported beside its session folder finds it as well as the one inside.
        std::filesystem::copy_file(root + "/cats/image.png", root + "/exported.png");
        QSignalSpy sessions(window_.get(), &MainWindow::sessionOpened);
        QSignalSpy opened(window_.get(), &MainWindow::pngOpened);
        window_->openPng(QString::fromStdString(root + "/exported.png"));
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.front().front().toBool(), true);
        QCOMPARE(sessions.size(), 1);
        QCOMPARE(sessions.front().front().toBool(), true);
        QCOMPARE(window_->engine().summary().dir, QString::fromStdString(root + "/cats"));
        QCOMPARE(window_->engine().summary().prompt, QStringLiteral("a cat dog"));
        const auto s = panel()->settings();
        QCOMPARE(s.prompt, QStringLiteral("a cat dog"));
        QCOMPARE(s.seed, quint64(5));
        QCOMPARE(s.steps, 4);
        QCOMPARE(s.scheduler, QStringLiteral("euler"));
        QCOMPARE(s.width, 64);
        QVERIFY(panelSays(panel(), QStringLiteral("Settings from exported.png (DAAM Studio).")));
    }

    void droppedPngFillsThePanel() {
        const auto path = writePngWith("dropped.png", {{"parameters", kA1111Text}});
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(path)});
        const QPoint at = window_->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy opened(window_.get(), &MainWindow::pngOpened);
        QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &drop);
        QVERIFY(opened.wait(10000));
        QCOMPARE(panel()->settings().prompt, QStringLiteral("a castle on a hill, at dawn"));

        // Other files are not taken.
        QMimeData text;
        text.setUrls({QUrl::fromLocalFile(path + QStringLiteral(".txt"))});
        QDragEnterEvent other(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &other);
        QVERIFY(!other.isAccepted());
    }
};

DAAM_TEST_MAIN(TestPngParameters)
#include "test_png_parameters.moc"
