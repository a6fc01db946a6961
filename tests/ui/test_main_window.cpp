// SPDX-License-Identifier: GPL-3.0-or-later
// The main window with real widgets, offscreen, on a synthetic session: clicking word chips, dragging the
// step range, moving the threshold, exporting, and opening a damaged session.
#include "GenerationController.h"
#include "GenerationPanel.h"
#include "ImageView.h"
#include "LayerSelector.h"
#include "LayerTreeModel.h"
#include "MainWindow.h"
#include "PlotsPanel.h"
#include "RangeSlider.h"
#include "TokenStrip.h"

#include "daam/io/SafetensorsFile.h"

#include "SyntheticSession.h"
#include "TestSupport.h"
#include "WindowWrites.h"

#include "TestMain.h"
#include <QComboBox>
#include <QLabel>
#include <QMimeData>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QToolButton>
#include <QUrl>

#include <filesystem>
#include <fstream>
#include <numeric>

#include <sys/stat.h>

using namespace daam::ui;
using daam::test::exportWritten;
using daam::test::kWordA;
using daam::test::kWordCat;
using daam::test::kWordDog;

namespace {

// Mean colour of the shown overlay over a rectangle.
QColor meanColor(const QImage& image, const QRect& r) {
    double red = 0, green = 0, blue = 0;
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            red += c.red();
            green += c.green();
            blue += c.blue();
        }
    const double n = double(r.width()) * r.height();
    return QColor(int(red / n), int(green / n), int(blue / n));
}

const QRect kLeft(4, 4, 20, 56);
const QRect kRight(40, 4, 20, 56);
const QRect kBottomLeft(4, 44, 20, 16);

bool hot(const QColor& c) {
    return c.red() > c.blue() + 40;
}

int whitePixels(const QImage& mask) {
    int n = 0;
    for (int y = 0; y < mask.height(); ++y)
        for (int x = 0; x < mask.width(); ++x)
            n += qGray(mask.pixel(x, y)) > 127 ? 1 : 0;
    return n;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    QString dir_;
    QString out_;
    std::unique_ptr<MainWindow> window_;

    QImage overlay() {
        window_->refreshNow();
        return window_->imageView()->image();
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings in a test location, cleared below
        dir_ = QString::fromStdString(daam::test::saveSyntheticSession(daam::test::makeTempDir("ui-window")));
        out_ = QString::fromStdString(daam::test::makeTempDir("ui-export"));
    }

    void init() {
        QSettings().clear();
        window_ = std::make_unique<MainWindow>();
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
        QVERIFY2(window_->openSession(dir_), qPrintable(window_->lastError()));
    }
    void cleanup() { window_.reset(); }

    void showsOneChipPerWord() {
        // Three words, then the start and end tokens, whose chips are hidden by default.
        QCOMPARE(window_->tokenStrip()->chipCount(), 5);
        for (int w : {kWordA, kWordCat, kWordDog})
            QVERIFY(window_->tokenStrip()->chip(w)->isVisible());
        QCOMPARE(window_->tokenStrip()->chip(kWordCat)->text(), QStringLiteral("cat"));
        QVERIFY(window_->tokenStrip()->chip(kWordCat)->toolTip().contains(QStringLiteral("cat</w>")));
        // The session opens on the first word that names something: "cat", not the article.
        QCOMPARE(window_->state()->selectedWords(), QList<int>{kWordCat});
        QCOMPARE(window_->imageView()->image().size(), QSize(64, 64));
    }

    void parseArcsPickTheirPair() {
        auto* strip = window_->tokenStrip();
        // "a cat dog": the parse arrives from the background; each arc joins two of the three words.
        QTRY_VERIFY_WITH_TIMEOUT(!strip->dependencies().empty(), 10000);
        for (const auto& arc : strip->dependencies()) {
            QVERIFY(arc.head >= kWordA && arc.head <= kWordDog);
            QVERIFY(arc.dependent >= kWordA && arc.dependent <= kWordDog);
            QVERIFY(!arc.relation.isEmpty());
        }
        const auto arc = strip->dependencies().front();
        const QRect label = strip->arcLabelRect(0);
        QVERIFY(!label.isEmpty());
        QVERIFY2(label.bottom() < strip->chip(arc.head)->geometry().top(), "the label stands above the chips");
        QSignalSpy clicked(strip, &TokenStrip::dependencyClicked);
        QTest::mouseClick(strip, Qt::LeftButton, {}, label.center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(window_->state()->selectedWords(), (QList<int>{arc.head, arc.dependent}));
        window_->refreshNow();
        const QString text = window_->overlapLabel()->text();
        QVERIFY2(
            text.startsWith(QStringLiteral("%1(%2 → %3)")
                                .arg(arc.relation, strip->chip(arc.head)->text(), strip->chip(arc.dependent)->text())),
            qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("IoU(")), qPrintable(text));
        // Clicking beside the labels selects nothing new.
        QTest::mouseClick(strip, Qt::LeftButton, {}, QPoint(1, 1));
        QCOMPARE(clicked.count(), 1);

        // A prompt without a parse keeps its chips and says why in place of the arcs.
        strip->setDependencies({}, QStringLiteral("Syntax: no linkage"));
        QCOMPARE(strip->dependencyNote(), QStringLiteral("Syntax: no linkage"));
        QVERIFY(strip->arcLabelRect(0).isEmpty());
        QVERIFY(strip->chip(kWordCat)->geometry().top() > 0);
    }

    void exportsMapValues() {
        window_->state()->setSelectedWords({kWordCat, kWordDog});
        window_->refreshNow();
        const auto query = window_->state()->query();
        const std::vector<const daam::ui::HeatMap*> maps{&window_->engine().wordMap(kWordCat, query),
                                                         &window_->engine().wordMap(kWordDog, query)};
        const QString st =
            QString::fromStdString(daam::test::makeTempDir("ui-values")) + QStringLiteral("/maps.safetensors");
        QVERIFY2(exportWritten(*window_, window_->exportMapValues(st)), qPrintable(window_->lastError()));
        const auto file = daam::SafetensorsFile::open(st.toStdString());
        QCOMPARE(file->metadata().at("normalization"), std::string("minmax"));
        QCOMPARE(file->metadata().at("prompt"), std::string("a cat dog"));
        const auto* cat = file->find("2-cat");
        QVERIFY(cat && file->find("3-dog"));
        QCOMPARE(cat->shape, (std::vector<int64_t>{64, 64}));
        QVERIFY(std::memcmp(file->data(*cat), maps[0]->values.data(), 64 * 64 * sizeof(float)) == 0);

        // .npy: a file per word, read as numpy.load would (magic, version, a 64-byte aligned header, float32 data).
        const QString npy = QString::fromStdString(daam::test::makeTempDir("ui-values")) + QStringLiteral("/maps.npy");
        QStringList written;
        QVERIFY2(exportWritten(*window_, window_->exportMapValues(npy), &written), qPrintable(window_->lastError()));
        QCOMPARE(written.size(), 2);
        QVERIFY(written[1].endsWith(QStringLiteral("maps-3-dog.npy")));
        QFile f(written[1]);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.startsWith(QByteArray("\x93NUMPY\x01\x00", 8)));
        const int headerLength = uchar(bytes[8]) | (uchar(bytes[9]) << 8);
        QCOMPARE((10 + headerLength) % 64, 0);
        const QByteArray header = bytes.mid(10, headerLength);
        QVERIFY2(header.contains("'descr': '<f4'") && header.contains("'shape': (64, 64)"), header.constData());
        QVERIFY(header.endsWith('\n'));
        QCOMPARE(bytes.size(), 10 + headerLength + 64 * 64 * 4);
        QVERIFY(std::memcmp(bytes.constData() + 10 + headerLength, maps[1]->values.data(), 64 * 64 * 4) == 0);

        QVERIFY(!window_->exportMapValues(npy + QStringLiteral(".txt")));
        QVERIFY(window_->lastError().contains(QStringLiteral(".npy or .safetensors")));
    }

    void plotsExport() {
        const QString dir = QString::fromStdString(daam::test::makeTempDir("ui-plots"));
        QStringList files;
        const QString png = dir + QStringLiteral("/mass.png");
        QVERIFY2(daam::test::exportWritten(*window_, window_->exportPlot(PlotsPanel::Plot::Mass, png), &files),
                 qPrintable(window_->lastError()));
        QCOMPARE(files, QStringList{png});
        const QImage image(png);
        QVERIFY(!image.isNull() && image.width() >= 200 && image.height() >= 200); // twice a shown plot's pixels
        const QString pdfPath = dir + QStringLiteral("/layers.pdf");
        QVERIFY2(daam::test::exportWritten(*window_, window_->exportPlot(PlotsPanel::Plot::LayerShare, pdfPath)),
                 qPrintable(window_->lastError()));
        QFile pdf(pdfPath);
        QVERIFY(pdf.open(QIODevice::ReadOnly) && pdf.read(5) == "%PDF-");
        const QString svgPath = dir + QStringLiteral("/heat.svg");
        QVERIFY2(daam::test::exportWritten(*window_, window_->exportPlot(PlotsPanel::Plot::Histogram, svgPath)),
                 qPrintable(window_->lastError()));
        QSvgRenderer svg(svgPath);
        QVERIFY(svg.isValid());
        // A name that says no format: refused at once, nothing started or written.
        QVERIFY(!window_->exportPlot(PlotsPanel::Plot::Mass, dir + QStringLiteral("/mass.gif")));
        QVERIFY(window_->lastError().contains(QStringLiteral(".png, .pdf or .svg")));
        QVERIFY(!window_->isWriting());
        QVERIFY(!QFile::exists(dir + QStringLiteral("/mass.gif")));
        // An unwritable folder: the write fails on the worker and the window says so.
        const QString missing = dir + QStringLiteral("/no/such/folder/mass.png");
        QVERIFY(window_->exportPlot(PlotsPanel::Plot::Mass, missing));
        QVERIFY(!daam::test::exportWritten(*window_, true));
        QVERIFY(window_->lastError().contains(QStringLiteral("mass.png")));
        QVERIFY(!QFile::exists(missing));
        // The context menu's request takes the same way.
        const QString fromMenu = dir + QStringLiteral("/menu.svg");
        QSignalSpy ended(window_.get(), &MainWindow::exported);
        Q_EMIT window_->plots()->exportRequested(PlotsPanel::Plot::Histogram, fromMenu);
        QVERIFY(ended.wait(30000));
        QVERIFY(ended.front().at(0).toBool());
        QVERIFY(QSvgRenderer(fromMenu).isValid());
    }

    void openingASessionRestoresItsSettings() {
        auto session = daam::test::makeSyntheticSession();
        session.generation = {{"request",
                               {{"prompt", "a cat dog"},
                                {"negative_prompt", "blurry"},
                                {"seed", 1234},
                                {"steps", 13},
                                {"guidance", 5.5},
                                {"scheduler", "ddim"}}}};
        const auto dir = daam::test::makeTempDir("ui-settings") + "/session";
        daam::saveSession(dir, session);
        QVERIFY2(window_->openSession(QString::fromStdString(dir)), qPrintable(window_->lastError()));
        const auto settings = window_->generationPanel()->settings();
        QCOMPARE(settings.prompt, QStringLiteral("a cat dog"));
        QCOMPARE(settings.negativePrompt, QStringLiteral("blurry"));
        QCOMPARE(settings.seed, quint64(1234));
        QCOMPARE(settings.steps, 13);
        QCOMPARE(settings.guidance, 5.5);
        QCOMPARE(settings.scheduler, QStringLiteral("ddim"));

        // A record with a malformed request leaves the panel as it was and says why.
        session.generation["request"]["steps"] = "many";
        daam::saveSession(dir, session);
        QVERIFY2(window_->openSession(QString::fromStdString(dir)), qPrintable(window_->lastError()));
        QCOMPARE(window_->generationPanel()->settings().steps, 13);
    }

    void clickingAChipShowsThatWordsMap() {
        QTest::mouseClick(window_->tokenStrip()->chip(kWordA), Qt::LeftButton);
        QCOMPARE(window_->state()->selectedWords(), QList<int>{kWordA});
        const QImage before = overlay();
        QTest::mouseClick(window_->tokenStrip()->chip(kWordCat), Qt::LeftButton);
        QCOMPARE(window_->state()->selectedWords(), QList<int>{kWordCat});
        QVERIFY(window_->tokenStrip()->chip(kWordCat)->isChecked());
        QVERIFY(!window_->tokenStrip()->chip(kWordA)->isChecked());
        const QImage cat = overlay();
        QVERIFY(cat != before);
        QVERIFY2(hot(meanColor(cat, kLeft)), qPrintable(meanColor(cat, kLeft).name()));
        QVERIFY(!hot(meanColor(cat, kRight)));

        QTest::mouseClick(window_->tokenStrip()->chip(kWordDog), Qt::LeftButton);
        const QImage dog = overlay();
        QVERIFY(hot(meanColor(dog, kRight)));
        QVERIFY(!hot(meanColor(dog, kLeft)));
    }

    void ctrlClickAddsAWordInItsOwnHue() {
        QTest::mouseClick(window_->tokenStrip()->chip(kWordCat), Qt::LeftButton);
        QTest::mouseClick(window_->tokenStrip()->chip(kWordDog), Qt::LeftButton, Qt::ControlModifier);
        QCOMPARE(window_->state()->selectedWords(), (QList<int>{kWordCat, kWordDog}));
        const QImage both = overlay();
        // Two hues: the two halves differ from each other and from the grey image.
        const QColor left = meanColor(both, kLeft), right = meanColor(both, kRight);
        QVERIFY(left != QColor(128, 128, 128));
        QVERIFY(std::abs(left.hue() - right.hue()) > 60);
        QVERIFY(window_->overlapLabel()->text().contains(QStringLiteral("IoU(cat, dog)")));
    }

    void numberKeysSelectWords() {
        window_->imageView()->setFocus();
        QTest::keyClick(window_.get(), Qt::Key_3);
        QCOMPARE(window_->state()->selectedWords(), QList<int>{kWordDog});
        QTest::keyClick(window_.get(), Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window_->state()->selectedWords(), (QList<int>{kWordDog, kWordCat}));
    }

    void rangeSliderChangesTheMapAndThePlots() {
        window_->state()->selectWord(kWordCat);
        const QImage all = overlay();
        const auto shadedAll = window_->plots()->shadedRange();
        QCOMPARE(shadedAll.first, -0.5);
        QCOMPARE(shadedAll.second, 3.5);
        const auto histogramAll = window_->plots()->histogramValues();
        const auto sharesAll = window_->plots()->layerShareValues();
        QCOMPARE(window_->plots()->massValues(0).size(), size_t(4));

        // Early steps: "cat" on the left, bottom-left hot.
        window_->rangeSlider()->setValues(0, 1);
        QCOMPARE(window_->state()->callBegin(), 0);
        QCOMPARE(window_->state()->callEnd(), 2);
        QVERIFY(hot(meanColor(overlay(), kBottomLeft)));

        // Late steps, moved with the keyboard: "cat" moved to the top, bottom-left cold.
        auto* slider = window_->rangeSlider();
        slider->setFocus();
        QTest::keyClick(slider, Qt::Key_Right);                    // upper handle 1 -> 2
        QTest::keyClick(slider, Qt::Key_Right);                    // 2 -> 3
        QTest::keyClick(slider, Qt::Key_Right, Qt::ShiftModifier); // lower handle 0 -> 1
        QTest::keyClick(slider, Qt::Key_Right, Qt::ShiftModifier); // 1 -> 2
        QCOMPARE(slider->lower(), 2);
        QCOMPARE(slider->upper(), 3);
        const QImage late = overlay();
        QVERIFY(late != all);
        QVERIFY2(!hot(meanColor(late, kBottomLeft)), qPrintable(meanColor(late, kBottomLeft).name()));
        const auto shadedLate = window_->plots()->shadedRange();
        QCOMPARE(shadedLate.first, 1.5);
        QCOMPARE(shadedLate.second, 3.5);
        QVERIFY(window_->plots()->histogramValues() != histogramAll);
        Q_UNUSED(sharesAll);
    }

    void backgroundRefreshDrawsTheLatestState() {
        window_->state()->selectWord(kWordCat);
        window_->state()->setCallRange(0, 2);
        window_->refreshNow();
        QVERIFY(hot(meanColor(window_->imageView()->image(), kBottomLeft)));
        const int before = window_->computeJobsStarted();
        // Two changes in one event-loop turn: one job, for the last of them.
        window_->state()->setCallRange(0, 3);
        window_->state()->setCallRange(2, 4);
        QTRY_VERIFY(!window_->isComputing() && window_->engine().isReady(window_->state()->query()));
        QCOMPARE(window_->computeJobsStarted() - before, 1);
        QCOMPARE(window_->rangeSlider()->lower(), 2); // the slider follows the state
        QCOMPARE(window_->rangeSlider()->upper(), 3);
        QTRY_VERIFY(!hot(meanColor(window_->imageView()->image(), kBottomLeft)));
    }

    void dragsTheLowerHandle() {
        auto* slider = window_->rangeSlider();
        const int y = slider->height() / 2;
        QTest::mousePress(slider, Qt::LeftButton, {}, QPoint(slider->positionOf(0), y));
        QMouseEvent move(QEvent::MouseMove, QPointF(slider->positionOf(2), y),
                         slider->mapToGlobal(QPointF(slider->positionOf(2), y)), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(slider, &move);
        QTest::mouseRelease(slider, Qt::LeftButton, {}, QPoint(slider->positionOf(2), y));
        QCOMPARE(slider->lower(), 2);
        QCOMPARE(window_->state()->callBegin(), 2);
    }

    void layerRowsNameTheirBlockAndSize() {
        const auto* model = window_->layerSelector()->model();
        QCOMPARE(model->rowCount(), 3); // down 0, down 1, up 1
        QStringList layers;
        for (int l = 0; l < 3; ++l)
            layers << model->data(model->layerIndex(l)).toString();
        QCOMPARE(layers, (QStringList{QString::fromUtf8("down 0 · 8×8"), QString::fromUtf8("down 1 · 4×4"),
                                      QString::fromUtf8("up 1 · 8×8")}));
        QVERIFY(model->data(model->layerIndex(0), Qt::ToolTipRole).toString().contains(QStringLiteral("heads: 2")));
    }

    void checkingABlockSelectsItsLayers() {
        auto* model = window_->layerSelector()->model();
        QVERIFY(window_->layerSelector()->applyPreset(QStringLiteral("all")));
        QCOMPARE(window_->state()->layers(), (std::vector<int>{0, 1, 2}));
        // Unchecking the first down block leaves the other two layers, in the window's state too.
        QVERIFY(model->setData(model->index(0, 0), int(Qt::Unchecked), Qt::CheckStateRole));
        QCOMPARE(window_->state()->layers(), (std::vector<int>{1, 2}));
        QCOMPARE(window_->layerSelector()->presetBox()->currentIndex(), -1);
    }

    void layerPresetChangesTheShares() {
        window_->state()->selectWord(kWordCat);
        window_->refreshNow();
        QVERIFY(window_->layerSelector()->applyPreset(QStringLiteral("4x4")));
        QCOMPARE(window_->state()->layers(), std::vector<int>{1});
        window_->refreshNow();
        const auto shares = window_->plots()->layerShareValues();
        QCOMPARE(shares.size(), size_t(3));
        QCOMPARE(shares[1], 1.0);
        QCOMPARE(shares[0], 0.0);
    }

    void thresholdChangesTheMask() {
        window_->state()->selectWord(kWordCat);
        window_->maskModeBox()->setCurrentIndex(window_->maskModeBox()->findData(int(MaskMode::Fill)));
        QCOMPARE(window_->state()->maskMode(), MaskMode::Fill);
        const QImage at40 = overlay();
        const QString maskPath = out_ + QStringLiteral("/mask40.png");
        QVERIFY(exportWritten(*window_, window_->exportMasks(maskPath)));
        const int area40 = whitePixels(QImage(maskPath));

        window_->thresholdSlider()->setValue(90);
        QCOMPARE(window_->state()->threshold(), 0.9);
        const QImage at90 = overlay();
        QCOMPARE(window_->plots()->thresholdLine(), 0.9);
        QVERIFY(at90 != at40);
        const QString maskPath90 = out_ + QStringLiteral("/mask90.png");
        QVERIFY(exportWritten(*window_, window_->exportMasks(maskPath90)));
        const int area90 = whitePixels(QImage(maskPath90));
        QVERIFY2(area90 < area40, qPrintable(QStringLiteral("%1 vs %2").arg(area90).arg(area40)));
        QVERIFY(area90 > 0);
    }

    // The τ line belongs to a histogram: an empty plot drew it from its default points, as a diagonal.
    void thresholdLineOnlyWithAHistogram() {
        PlotsPanel plots;
        QCOMPARE(plots.thresholdLine(), -1.0);
        HeatMap map;
        map.width = map.height = 2;
        map.values = {0.1f, 0.5f, 0.7f, 0.9f};
        plots.setHistogram(map, 0.4, QStringLiteral("cat"));
        QCOMPARE(plots.thresholdLine(), 0.4);
        plots.clear();
        QCOMPARE(plots.thresholdLine(), -1.0);
    }

    void exportsLoadBack() {
        window_->state()->setSelectedWords({kWordCat, kWordDog});
        const QImage shown = overlay();

        const QString png = out_ + QStringLiteral("/overlay.png");
        QVERIFY2(exportWritten(*window_, window_->exportOverlay(png)), qPrintable(window_->lastError()));
        const QImage loaded(png);
        QCOMPARE(loaded.size(), QSize(64, 64));
        QCOMPARE(loaded.convertToFormat(QImage::Format_RGB888), shown);

        const QString figurePng = out_ + QStringLiteral("/figure.png");
        QVERIFY(exportWritten(*window_, window_->exportFigure(figurePng, 100)));
        const QImage figure(figurePng);
        const QSizeF inches = figureSizeInches([&] {
            FigureContent c;
            c.image = shown;
            c.panels.resize(2);
            return c;
        }());
        QCOMPARE(figure.size(), QSize(qRound(inches.width() * 100), qRound(inches.height() * 100)));
        QCOMPARE(qRound(figure.dotsPerMeterX() * 0.0254), 100);

        const QString svg = out_ + QStringLiteral("/figure.svg");
        QVERIFY(exportWritten(*window_, window_->exportFigure(svg, 100)));
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QVERIFY(renderer.defaultSize().width() > 100);

        const QString pdf = out_ + QStringLiteral("/figure.pdf");
        QVERIFY(exportWritten(*window_, window_->exportFigure(pdf, 150)));
        QFile file(pdf);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.startsWith("%PDF-"));
        QVERIFY(bytes.trimmed().endsWith("%%EOF"));

        QStringList masks;
        QVERIFY(exportWritten(*window_, window_->exportMasks(out_ + QStringLiteral("/mask.png")), &masks));
        QCOMPARE(masks.size(), 2);
        const QImage catMask(masks[0]);
        QCOMPARE(catMask.size(), QSize(64, 64));
        QCOMPARE(qGray(catMask.pixel(8, 32)), 255);
        QCOMPARE(qGray(catMask.pixel(56, 32)), 0);

        QVERIFY(!window_->exportFigure(out_ + QStringLiteral("/figure.bmp"), 100));
        QVERIFY(window_->errorBanner()->isVisible());
    }

    void startAndEndTokensBehindAToggle() {
        auto* strip = window_->tokenStrip();
        auto* start = strip->chip(3);
        auto* end = strip->chip(4);
        QCOMPARE(start->text(), QStringLiteral("<|startoftext|>"));
        QCOMPARE(end->text(), QStringLiteral("<|endoftext|>"));
        QVERIFY(!start->isVisible() && !end->isVisible());
        QTest::keyClick(window_.get(), Qt::Key_4); // a hidden token is not selectable by key
        QCOMPARE(window_->state()->selectedWords(), QList<int>{kWordCat});

        QTest::mouseClick(strip->specialToggle(), Qt::LeftButton);
        QVERIFY(start->isVisible() && end->isVisible());
        // In prompt order (row by row, as the strip wraps): the start token before the first word, the end token
        // after the last.
        auto before = [strip](int a, int b) {
            return strip->rowOf(a) < strip->rowOf(b) ||
                   (strip->rowOf(a) == strip->rowOf(b) && strip->chip(a)->x() < strip->chip(b)->x());
        };
        QVERIFY(before(3, kWordA));
        QVERIFY(before(kWordDog, 4));
        QTest::mouseClick(start, Qt::LeftButton);
        QTest::mouseClick(strip->chip(kWordDog), Qt::LeftButton, Qt::ControlModifier);
        QCOMPARE(window_->state()->selectedWords(), (QList<int>{3, kWordDog}));
        window_->refreshNow();
        QVERIFY(window_->overlapLabel()->text().contains(QStringLiteral("IoU(<|startoftext|>, dog)")));

        // Hiding them again drops them from the selection; the choice outlives the window.
        QTest::mouseClick(strip->specialToggle(), Qt::LeftButton);
        QVERIFY(!start->isVisible());
        QCOMPARE(window_->state()->selectedWords(), QList<int>{kWordDog});
        QTest::mouseClick(strip->specialToggle(), Qt::LeftButton);
        window_->close();
        MainWindow second;
        QVERIFY(second.tokenStrip()->showsSpecial());
    }

    void mapsAreMadeOffTheGuiThread() {
        // An opened session shows its image at once; the overlay follows from a background job.
        const int before = window_->computeJobsStarted();
        QVERIFY(window_->openSession(dir_));
        const QImage plain = window_->engine().summary().image;
        QCOMPARE(window_->imageView()->image(), plain);
        QTRY_VERIFY(window_->imageView()->image() != plain);
        QVERIFY(window_->computeJobsStarted() > before);
        // A click draws nothing on this thread: the frame of the new selection arrives from the background, and it
        // is what drawing on this thread gives.
        const QImage cat = window_->imageView()->image();
        const int beforeClick = window_->computeJobsStarted();
        window_->state()->selectWord(kWordDog);
        QTRY_VERIFY(window_->imageView()->image() != cat);
        QCOMPARE(window_->computeJobsStarted(), beforeClick + 1); // the grid maps were at hand: one job all the same
        const QImage dog = window_->imageView()->image();
        window_->refreshNow();
        QCOMPARE(window_->imageView()->image(), dog);
        const auto bins = window_->plots()->histogramValues(); // the frame's map of "dog", every pixel counted
        QCOMPARE(std::accumulate(bins.begin(), bins.end(), 0.0), 64.0 * 64.0);
    }

    void readOutRanksTheWordsUnderTheCursor() {
        window_->state()->setCallRange(0, 2);
        window_->refreshNow();
        auto* view = window_->imageView();
        QTest::mouseMove(view, view->toWidget(QPointF(56.5, 32.5)).toPoint());
        QTRY_VERIFY(window_->readoutLabel()->text().startsWith(QStringLiteral("x 56, y 32")));
        const QString text = window_->readoutLabel()->text();
        QVERIFY2(text.indexOf(QStringLiteral("dog")) < text.indexOf(QStringLiteral("cat")), qPrintable(text));
    }

    void playSlidesTheRange() {
        window_->rangeSlider()->setValues(0, 1);
        QTest::mouseClick(window_->playButton(), Qt::LeftButton);
        QVERIFY(window_->playButton()->isChecked());
        QTRY_VERIFY(window_->state()->callBegin() > 0);
        QCOMPARE(window_->state()->callEnd() - window_->state()->callBegin(), 2); // the window keeps its width
        QTest::mouseClick(window_->playButton(), Qt::LeftButton);
        QVERIFY(!window_->playButton()->isChecked());
    }

    void droppingASessionFolderOpensIt() {
        auto other = daam::test::makeSyntheticSession();
        other.prompt = "dropped";
        const auto dir = daam::test::makeTempDir("ui-drop") + "/dropped";
        daam::saveSession(dir, other);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(QString::fromStdString(dir))});
        const QPoint at = window_->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy opened(window_.get(), &MainWindow::sessionOpened);
        QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(window_.get(), &drop);
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.front().front().toBool(), true);
        QCOMPARE(window_->engine().summary().prompt, QStringLiteral("dropped"));
        QVERIFY(window_->windowTitle().contains(QStringLiteral("dropped")));
    }

    void backgroundOpenKeepsTheWindowAnsweringAndTheLatestWins() {
        auto first = daam::test::makeSyntheticSession();
        first.prompt = "first";
        auto second = first;
        second.prompt = "second";
        const auto root = daam::test::makeTempDir("ui-background-open");
        daam::saveSession(root + "/first", first);
        daam::saveSession(root + "/second", second);
        QSignalSpy opened(window_.get(), &MainWindow::sessionOpened);
        window_->openSessionInBackground(QString::fromStdString(root + "/first"));
        window_->openSessionInBackground(QString::fromStdString(root + "/second"));
        // Nothing has been read on this thread yet: the request returned at once.
        QCOMPARE(window_->engine().summary().prompt, QStringLiteral("a cat dog"));
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.size(), 1); // the superseded request shows nothing
        QCOMPARE(window_->engine().summary().prompt, QStringLiteral("second"));

        // A broken folder read in the background: the message, and the session shown before stays.
        opened.clear();
        window_->openSessionInBackground(QString::fromStdString(root + "/absent"));
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.front().front().toBool(), false);
        QVERIFY(window_->errorBanner()->isVisible());
        QCOMPARE(window_->engine().summary().prompt, QStringLiteral("second"));
    }

    void aFrameMadeForAReplacedSessionIsNotShown() {
        // The window's one worker makes one frame at a time. A compare read that waits on a pipe holds that worker,
        // so the frame job of one session waits behind it while a second session, with the same words and
        // settings but a brighter image, replaces the first.
        auto bright = daam::test::makeSyntheticSession();
        std::fill(bright.image.pixels.begin(), bright.image.pixels.end(), uint8_t(220));
        const auto root = daam::test::makeTempDir("ui-replaced-session");
        daam::saveSession(root + "/bright", bright);
        std::filesystem::create_directories(root + "/held");
        const std::string pipe = root + "/held/generation.json";
        QCOMPARE(::mkfifo(pipe.c_str(), 0600), 0);
        // Whatever happens below, the worker is let go (the window's destructor waits for it).
        struct Release {
            std::string pipe;
            bool done = false;
            void operator()() {
                if (done) return;
                done = true;
                std::ofstream(pipe) << "{"; // opens once the reader has; a malformed file ends the compare
            }
            ~Release() { (*this)(); }
        } release{pipe};

        QTRY_VERIFY(!window_->isComputing());
        QSignalSpy compared(window_.get(), &MainWindow::compareOpened);
        window_->compareWith(QString::fromStdString(root + "/held"));
        QVERIFY(window_->openSession(dir_));
        const int before = window_->computeJobsStarted();
        QTRY_COMPARE(window_->computeJobsStarted(), before + 1); // the first session's frame, queued
        QVERIFY(window_->isComputing());
        QVERIFY(window_->openSession(QString::fromStdString(root + "/bright")));
        release();
        QVERIFY(compared.wait(10000));
        QTRY_VERIFY(!window_->isComputing() && window_->engine().isReady(window_->state()->query()));
        // The first session's frame came back, was not shown, and the bright session's was made instead.
        QCOMPARE(window_->computeJobsStarted(), before + 2);
        QCOMPARE(window_->imageView()->image(), overlay());
    }

    void displaySettingsPersist() {
        window_->maskModeBox()->setCurrentIndex(window_->maskModeBox()->findData(int(MaskMode::Cutout)));
        window_->thresholdSlider()->setValue(55);
        window_->close();
        MainWindow second;
        QCOMPARE(second.state()->maskMode(), MaskMode::Cutout);
        QCOMPARE(second.thresholdSlider()->value(), 55);
        QCOMPARE(second.state()->threshold(), 0.55);
    }

    void firstRunIsOnTheBuiltInModel() {
        const auto s = window_->generationPanel()->settings();
        QVERIFY(!GenerationPanel::builtInModelDir().isEmpty());
        QCOMPARE(s.modelDir, GenerationPanel::builtInModelDir());
        QVERIFY(!s.prompt.isEmpty());
    }

    void generateWithoutAPromptExplainsWhy() {
        auto s = window_->generationPanel()->settings();
        s.prompt.clear();
        window_->generationPanel()->setSettings(s);
        QTest::keyClick(window_.get(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(!window_->generation()->isRunning());
        bool explained = false;
        for (auto* label : window_->generationPanel()->findChildren<QLabel*>())
            explained = explained || label->text() == QStringLiteral("Write a prompt first.");
        QVERIFY(explained);
    }

    void writesEndInTheWindow() {
        // Saves and exports run on a worker; how they end comes back to the window, failures as errors in it.
        const QString root = QString::fromStdString(daam::test::makeTempDir("ui-writes"));
        QFile blocker(root + QStringLiteral("/file"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString unwritable = root + QStringLiteral("/file/session");
        QVERIFY(!daam::test::sessionWritten(*window_, window_->saveSession(unwritable)));
        QVERIFY(window_->errorBanner()->isVisible());
        QVERIFY2(window_->lastError().startsWith(QStringLiteral("Could not save the session")),
                 qPrintable(window_->lastError()));
        QVERIFY(window_->engine().summary().dir != QDir(unwritable).absolutePath());
        window_->state()->selectWord(kWordCat);
        QVERIFY(!exportWritten(*window_, window_->exportMasks(root + QStringLiteral("/file/mask.png"))));
        QVERIFY2(window_->lastError().startsWith(QStringLiteral("Export failed")), qPrintable(window_->lastError()));

        // A good save: the session lives there now.
        const QString saved = root + QStringLiteral("/saved");
        QVERIFY2(daam::test::sessionWritten(*window_, window_->saveSession(saved)), qPrintable(window_->lastError()));
        QCOMPARE(window_->engine().summary().dir, QDir(saved).absolutePath());
        QVERIFY(QFileInfo::exists(saved + QStringLiteral("/image.png")));

        // A write still running when the window closes is finished, not cut off.
        const QString last = root + QStringLiteral("/last.png");
        QVERIFY(window_->exportOverlay(last));
        window_.reset();
        QVERIFY(!QImage(last).isNull());
        window_ = std::make_unique<MainWindow>(); // for cleanup()

        // Nothing to save: refused at once.
        QVERIFY(!window_->saveSession(saved));
        QVERIFY(!window_->isWriting());
    }

    void damagedSessionShowsAnErrorAndKeepsTheWindow() {
        const auto broken = daam::test::makeTempDir("ui-broken") + "/s";
        std::filesystem::create_directories(broken);
        std::filesystem::copy(dir_.toStdString(), broken, std::filesystem::copy_options::recursive);
        {
            std::ofstream json(broken + "/generation.json", std::ios::trunc);
            json << "{ not json";
        }
        QVERIFY(!window_->openSession(QString::fromStdString(broken)));
        QVERIFY(window_->errorBanner()->isVisible());
        QVERIFY2(window_->errorBanner()->text().contains(QStringLiteral("generation.json")),
                 qPrintable(window_->errorBanner()->text()));
        QVERIFY(window_->isVisible());
        // The previous session is still there and still answers.
        QCOMPARE(window_->tokenStrip()->chipCount(), 5);
        QTest::mouseClick(window_->tokenStrip()->chip(kWordDog), Qt::LeftButton);
        QVERIFY(hot(meanColor(overlay(), kRight)));
        // A good session afterwards clears the message.
        QVERIFY(window_->openSession(dir_));
        QVERIFY(!window_->errorBanner()->isVisible());
    }
};

DAAM_TEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
