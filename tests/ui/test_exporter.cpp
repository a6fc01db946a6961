// SPDX-License-Identifier: GPL-3.0-or-later
// The exports' composition apart from the window: file names of per-word exports ("-N-word"), the figure's
// panels, titles and colour-bar label, masks at a threshold, and map values as .npy and .safetensors.
#include "Exporter.h"

#include "daam/io/SafetensorsFile.h"

#include "TestSupport.h"

#include "TestMain.h"
#include <QDir>
#include <QFile>
#include <QSet>

#include <cstring>

using namespace daam::ui;

namespace {

// A map of `size` that is 1 on the left half (or the right), 0 elsewhere.
HeatMap exHalfMap(int size, bool left) {
    HeatMap map;
    map.width = map.height = size;
    map.values.resize(size_t(size) * size);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            map.values[size_t(y) * size + x] = (x < size / 2) == left ? 1.0f : 0.0f;
    return map;
}

} // namespace

class TestExporter : public QObject {
    Q_OBJECT

    HeatMap cat_ = exHalfMap(16, true), dog_ = exHalfMap(16, false);
    std::vector<ExportWord> words_{{1, QStringLiteral("cat"), &cat_}, {2, QStringLiteral("dog"), &dog_}};
    QString out_;

private Q_SLOTS:
    void initTestCase() { out_ = QString::fromStdString(daam::test::makeTempDir("exporter")); }

    void wordTagsAreSafeFileNames() {
        QCOMPARE(wordFileTag({2, QStringLiteral("dog"), nullptr}), QStringLiteral("3-dog"));
        QCOMPARE(wordFileTag({0, QStringLiteral("a/b c."), nullptr}), QStringLiteral("1-a_b_c_"));
        QCOMPARE(wordFileTag({4, QStringLiteral("ice-cream"), nullptr}), QStringLiteral("5-ice-cream"));
    }

    void formatsBySuffix() {
        MapValuesFormat format;
        QVERIFY(mapValuesFormatFor(QStringLiteral("/x/maps.SafeTensors"), format));
        QCOMPARE(format, MapValuesFormat::Safetensors);
        QVERIFY(mapValuesFormatFor(QStringLiteral("maps.npy"), format));
        QCOMPARE(format, MapValuesFormat::Npy);
        QVERIFY(!mapValuesFormatFor(QStringLiteral("maps.npz"), format));
        QVERIFY(!mapValuesFormatFor(QStringLiteral("maps"), format));
    }

    void figureHasAPanelPerWordOfHeatOnly() {
        QImage image(16, 16, QImage::Format_RGB888);
        image.fill(Qt::gray);
        // Heat rising to the right: drawn as heat it is a ramp, as a filled mask two flat halves.
        HeatMap ramp = dog_;
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 16; ++x)
                ramp.values[size_t(y) * 16 + x] = x / 15.0f;
        const std::vector<ExportWord> words{words_[0], {2, QStringLiteral("dog"), &ramp}};
        OverlayStyle style;
        style.maskMode = MaskMode::Fill; // as shown; the figure draws the heat the colour bar explains
        style.colorMap = daam::ColorMapName::Viridis;
        const FigureContent content =
            composeFigure(image, words, style, Normalization::Joint, QStringLiteral("a cat dog"));
        QCOMPARE(content.panels.size(), size_t(2));
        QCOMPARE(content.titles, (QStringList{QStringLiteral("cat"), QStringLiteral("dog")}));
        QCOMPARE(content.caption, QStringLiteral("a cat dog"));
        QCOMPARE(content.colorMap, daam::ColorMapName::Viridis);
        QCOMPARE(content.barLabel, figureBarLabel(Normalization::Joint));
        OverlayStyle heat = style;
        heat.maskMode = MaskMode::None;
        QCOMPARE(content.panels[1], renderOverlay(image, {&ramp}, heat));
        QVERIFY(content.panels[1] != renderOverlay(image, {&ramp}, style));
        // Every normalization says what its colours mean, each in its own words.
        QSet<QString> labels;
        for (auto n : {Normalization::MinMax, Normalization::Joint, Normalization::Absolute, Normalization::Share})
            labels.insert(figureBarLabel(n));
        QCOMPARE(labels.size(), 4);
        QVERIFY(!labels.contains(QString()));
    }

    void masksAreNamedPerWord() {
        QStringList written;
        QString error;
        QVERIFY2(writeMasks(out_ + QStringLiteral("/m.png"), words_, 0.5, &written, &error), qPrintable(error));
        QCOMPARE(written, (QStringList{out_ + QStringLiteral("/m-2-cat.png"), out_ + QStringLiteral("/m-3-dog.png")}));
        const QImage cat(written[0]);
        QCOMPARE(qGray(cat.pixel(2, 8)), 255);
        QCOMPARE(qGray(cat.pixel(13, 8)), 0);
        // One word: the path itself; no suffix: PNG files of the bare name when there are several.
        written.clear();
        QVERIFY(writeMasks(out_ + QStringLiteral("/single.png"), {words_[1]}, 0.5, &written, &error));
        QCOMPARE(written, QStringList{out_ + QStringLiteral("/single.png")});
        written.clear();
        QVERIFY(writeMasks(out_ + QStringLiteral("/bare"), words_, 0.5, &written, &error));
        QCOMPARE(written.back(), out_ + QStringLiteral("/bare-3-dog.png"));
        // A folder that is not there: the error names the file, nothing is listed.
        written.clear();
        QVERIFY(!writeMasks(out_ + QStringLiteral("/absent/m.png"), words_, 0.5, &written, &error));
        QVERIFY2(error.contains(QStringLiteral("m-2-cat.png")), qPrintable(error));
        QVERIFY(written.isEmpty());
    }

    void mapValuesAsNpyAndSafetensors() {
        QStringList written;
        QString error;
        QVERIFY2(writeMapValues(out_ + QStringLiteral("/v.npy"), MapValuesFormat::Npy, words_, {}, &written, &error),
                 qPrintable(error));
        QCOMPARE(written, (QStringList{out_ + QStringLiteral("/v-2-cat.npy"), out_ + QStringLiteral("/v-3-dog.npy")}));
        QFile npy(written[1]);
        QVERIFY(npy.open(QIODevice::ReadOnly));
        const QByteArray bytes = npy.readAll();
        QVERIFY(bytes.endsWith(QByteArray(reinterpret_cast<const char*>(dog_.values.data()), 16 * 16 * 4)));

        written.clear();
        const QString st = out_ + QStringLiteral("/v.safetensors");
        const MapValuesRecord record{QStringLiteral("a cat dog"), Normalization::Share, 1, 3};
        QVERIFY2(writeMapValues(st, MapValuesFormat::Safetensors, words_, record, &written, &error), qPrintable(error));
        QCOMPARE(written, QStringList{st});
        const auto file = daam::SafetensorsFile::open(st.toStdString());
        QCOMPARE(file->metadata().at("format"), std::string("daam-studio-word-maps"));
        QCOMPARE(file->metadata().at("prompt"), std::string("a cat dog"));
        QCOMPARE(file->metadata().at("normalization"), std::string("share"));
        QCOMPARE(file->metadata().at("unet_calls"), std::string("1:3"));
        const auto* cat = file->find("2-cat");
        QVERIFY(cat && file->find("3-dog"));
        QCOMPARE(cat->shape, (std::vector<int64_t>{16, 16}));
        QVERIFY(std::memcmp(file->data(*cat), cat_.values.data(), 16 * 16 * sizeof(float)) == 0);
    }
};

DAAM_TEST_MAIN(TestExporter)
#include "test_exporter.moc"
