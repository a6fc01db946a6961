// SPDX-License-Identifier: GPL-3.0-or-later
// Layer selections by name, block, map size and index, and the presets derived from a layer table.
#include "daam/trace/LayerSelection.h"
#include "daam/util/Error.h"

#include "TestSupport.h"

#include "TestMain.h"

namespace {
// SD 1.5's layout: down 0-2 (two each at 64, 32, 16), mid (8), up 1-3 (three each at 16, 32, 64).
daam::CrossAttentionLayerTable sd15() {
    daam::CrossAttentionLayerTable t;
    auto add = [&](daam::UNetBlock b, int index, int count, int side) {
        for (int a = 0; a < count; ++a) {
            daam::CrossAttentionLayer l;
            l.block = b;
            l.blockIndex = index;
            l.attentionIndex = a;
            l.heads = 8;
            l.height = l.width = side;
            t.push_back(l);
        }
    };
    add(daam::UNetBlock::Down, 0, 2, 64);
    add(daam::UNetBlock::Down, 1, 2, 32);
    add(daam::UNetBlock::Down, 2, 2, 16);
    add(daam::UNetBlock::Mid, 0, 1, 8);
    add(daam::UNetBlock::Up, 1, 3, 16);
    add(daam::UNetBlock::Up, 2, 3, 32);
    add(daam::UNetBlock::Up, 3, 3, 64);
    return t;
}
} // namespace

class TestLayerSelection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void selects() {
        const auto t = sd15();
        std::vector<int> def;
        for (int i = 0; i < 16; ++i)
            if (i != 6) def.push_back(i);
        QCOMPARE(daam::selectLayers(t, "all", def).size(), size_t(16));
        QCOMPARE(daam::selectLayers(t, "default", def), def);
        QCOMPARE(daam::selectLayers(t, "mid", def), (std::vector<int>{6}));
        QCOMPARE(daam::selectLayers(t, "up", def), (std::vector<int>{7, 8, 9, 10, 11, 12, 13, 14, 15}));
        QCOMPARE(daam::selectLayers(t, "up3", def), (std::vector<int>{13, 14, 15}));
        QCOMPARE(daam::selectLayers(t, "64x64", def), (std::vector<int>{0, 1, 13, 14, 15}));
        QCOMPARE(daam::selectLayers(t, "down0, #6 ,8x8", def), (std::vector<int>{0, 1, 6}));
    }
    void rejects_data() {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown") << "sideways"
                                 << "unknown layer selection 'sideways'";
        QTest::newRow("no such size") << "12x12"
                                      << "matches no cross-attention layer";
        QTest::newRow("no such block") << "down7"
                                       << "matches no cross-attention layer";
        QTest::newRow("no such index") << "#16"
                                       << "layer #16 does not exist";
        QTest::newRow("empty part") << "up,,mid"
                                    << "empty part";
    }
    void rejects() {
        QFETCH(QString, spec);
        QFETCH(QString, message);
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::selectLayers(sd15(), spec.toStdString(), {}), message);
    }
    void presets() {
        const auto p = daam::layerPresets(sd15());
        std::vector<std::string> labels;
        for (const auto& [label, spec] : p)
            labels.push_back(label);
        QCOMPARE(labels,
                 (std::vector<std::string>{"all", "default", "down", "mid", "up", "64x64", "32x32", "16x16", "8x8"}));
    }
};

DAAM_TEST_APPLESS_MAIN(TestLayerSelection)
#include "test_layer_selection.moc"
