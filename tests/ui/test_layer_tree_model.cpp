// SPDX-License-Identifier: GPL-3.0-or-later
// The layer tree's model: consistent under QAbstractItemModelTester through resets and check edits, titles a
// user reads ("down 1 · 16×16"), group check states derived from the layers, one signal per edit.
#include "LayerTreeModel.h"

#include "TestMain.h"
#include <QAbstractItemModelTester>
#include <QSignalSpy>

using daam::ui::LayerTreeModel;

namespace {

// SD 1.5's layout in small: two attentions per down block, one transformer each; a mid block; an up block
// with two transformer blocks in one attention.
daam::CrossAttentionLayerTable sdLikeTable() {
    const char* paths[] = {
        "down_blocks.0.attentions.0.transformer_blocks.0.attn2",
        "down_blocks.0.attentions.1.transformer_blocks.0.attn2",
        "down_blocks.1.attentions.0.transformer_blocks.0.attn2",
        "mid_block.attentions.0.transformer_blocks.0.attn2",
        "up_blocks.1.attentions.0.transformer_blocks.0.attn2",
        "up_blocks.1.attentions.0.transformer_blocks.1.attn2",
    };
    const int sides[] = {16, 16, 8, 4, 8, 8};
    daam::CrossAttentionLayerTable table(6);
    for (int i = 0; i < 6; ++i) {
        if (!daam::parseLayerPath(paths[i], table[size_t(i)])) qFatal("bad path %s", paths[i]);
        table[size_t(i)].path = paths[i];
        table[size_t(i)].heads = 8;
        table[size_t(i)].height = table[size_t(i)].width = sides[i];
    }
    return table;
}

Qt::CheckState stateOf(const LayerTreeModel& model, const QModelIndex& index) {
    return Qt::CheckState(model.data(index, Qt::CheckStateRole).toInt());
}

} // namespace

class TestLayerTreeModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void consistentUnderTheModelTester() {
        LayerTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLayers(sdLikeTable());
        model.setChecked({0, 3});
        QVERIFY(model.setData(model.index(2, 0), int(Qt::Checked), Qt::CheckStateRole)); // the up block
        model.setLayers(sdLikeTable());
        model.setLayers({});
        QCOMPARE(model.rowCount(), 0);
    }

    void treeOfBlocksSizesAndLayers() {
        LayerTreeModel model;
        model.setLayers(sdLikeTable());
        QCOMPARE(model.rowCount(), 4); // down 0, down 1, mid, up 1
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("Down block 0"));
        QCOMPARE(model.data(model.index(2, 0)).toString(), QStringLiteral("Mid block"));
        const auto down0 = model.index(0, 0);
        QCOMPARE(model.rowCount(down0), 1); // one size
        QCOMPARE(model.data(model.index(0, 0, down0)).toString(), QString::fromUtf8("16×16 maps"));
        QCOMPARE(model.rowCount(model.index(0, 0, down0)), 2);
        QCOMPARE(model.parent(model.layerIndex(1)), model.index(0, 0, down0));
        QCOMPARE(model.data(model.layerIndex(1), LayerTreeModel::LayerIndexRole).toInt(), 1);
        QCOMPARE(model.data(down0, LayerTreeModel::LayerIndexRole).toInt(), -1);
    }

    void titlesNameWhatABlockHasSeveralOf() {
        LayerTreeModel model;
        model.setLayers(sdLikeTable());
        QCOMPARE(model.layerTitle(0), QString::fromUtf8("down 0 · 16×16 · attention 1"));
        QCOMPARE(model.layerTitle(1), QString::fromUtf8("down 0 · 16×16 · attention 2"));
        QCOMPARE(model.layerTitle(2), QString::fromUtf8("down 1 · 8×8"));
        QCOMPARE(model.layerTitle(3), QString::fromUtf8("mid · 4×4"));
        QCOMPARE(model.layerTitle(5), QString::fromUtf8("up 1 · 8×8 · block 2"));
        const auto tip = model.data(model.layerIndex(2), Qt::ToolTipRole).toString();
        QVERIFY(tip.contains(QStringLiteral("down_blocks.1.attentions.0.transformer_blocks.0.attn2")));
        QVERIFY(tip.contains(QStringLiteral("heads: 8")));
    }

    void groupsShowAndSetTheirLayers() {
        LayerTreeModel model;
        model.setLayers(sdLikeTable());
        QSignalSpy changed(&model, &LayerTreeModel::checkedChanged);
        model.setChecked({0});
        QCOMPARE(changed.count(), 0); // programmatic: no signal
        const auto down0 = model.index(0, 0);
        QCOMPARE(stateOf(model, down0), Qt::PartiallyChecked);
        QCOMPARE(stateOf(model, model.index(1, 0)), Qt::Unchecked);
        QVERIFY(model.setData(down0, int(Qt::Checked), Qt::CheckStateRole));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.front().front().value<std::vector<int>>(), (std::vector<int>{0, 1}));
        QCOMPARE(stateOf(model, down0), Qt::Checked);
        QCOMPARE(stateOf(model, model.layerIndex(1)), Qt::Checked);
        QVERIFY(model.setData(model.layerIndex(0), int(Qt::Unchecked), Qt::CheckStateRole));
        QCOMPARE(model.checked(), std::vector<int>{1});
        QCOMPARE(stateOf(model, down0), Qt::PartiallyChecked);
        QVERIFY(!model.setData(down0, QStringLiteral("x"), Qt::DisplayRole));
    }
};

DAAM_TEST_MAIN(TestLayerTreeModel)
#include "test_layer_tree_model.moc"
