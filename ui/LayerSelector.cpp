// SPDX-License-Identifier: GPL-3.0-or-later
#include "LayerSelector.h"

#include "LayerTreeModel.h"

#include "daam/trace/LayerSelection.h"
#include "daam/util/Error.h"

#include <QActionGroup>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QTreeView>
#include <QVBoxLayout>

#include <memory>

namespace daam::ui {

namespace {

QString presetTitle(const std::string& spec) {
    if (spec == "all") return LayerSelector::tr("All layers");
    if (spec == "default") return LayerSelector::tr("Paper default");
    if (spec == "down") return LayerSelector::tr("Down blocks");
    if (spec == "mid") return LayerSelector::tr("Mid block");
    if (spec == "up") return LayerSelector::tr("Up blocks");
    return LayerSelector::tr("%1 maps").arg(QString::fromStdString(spec).replace(QLatin1Char('x'), QChar(0x00D7)));
}

} // namespace

LayerSelector::LayerSelector(QWidget* parent)
    : QWidget(parent), presets_(new QComboBox(this)), model_(new LayerTreeModel(this)), tree_(new QTreeView(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(tr("&Preset:"), this);
    label->setBuddy(presets_);
    auto* row = new QHBoxLayout;
    row->addWidget(label);
    row->addWidget(presets_, 1);
    layout->addLayout(row);
    layout->addWidget(tree_, 1);
    tree_->setModel(model_);
    tree_->setHeaderHidden(true);
    tree_->setUniformRowHeights(true);
    tree_->setToolTip(tr("Cross-attention layers whose maps are averaged. Right-click a layer to choose its heads."));
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(tree_, &QTreeView::customContextMenuRequested, this, [this](const QPoint& pos) {
        const int layer = tree_->indexAt(pos).data(LayerTreeModel::LayerIndexRole).toInt();
        if (!tree_->indexAt(pos).isValid() || layer < 0) return;
        std::unique_ptr<QMenu> menu(headMenu(layer, this));
        menu->exec(tree_->viewport()->mapToGlobal(pos));
    });
    presets_->setToolTip(
        tr("Choose a group of layers. Paper default: the down and up blocks without 8×8 maps, as castorini/daam "
           "averages them."));
    connect(presets_, &QComboBox::activated, this, [this](int index) {
        if (index < 0) return;
        applyPreset(presets_->itemData(index).toString());
    });
    connect(model_, &LayerTreeModel::checkedChanged, this, [this](const std::vector<int>& layers) {
        presets_->setCurrentIndex(-1);
        Q_EMIT layersChanged(layers);
    });
}

void LayerSelector::setLayers(const daam::CrossAttentionLayerTable& table, const std::vector<int>& defaultLayers) {
    table_ = table;
    defaults_ = defaultLayers;
    presets_->clear();
    for (const auto& [label, spec] : daam::layerPresets(table))
        presets_->addItem(presetTitle(spec), QString::fromStdString(spec));
    model_->setLayers(table);
    tree_->expandAll();
    setChecked(defaultLayers);
    presets_->setCurrentIndex(presets_->findData(QStringLiteral("default")));
}

void LayerSelector::setChecked(const std::vector<int>& layers) {
    model_->setChecked(layers);
}

std::vector<int> LayerSelector::checked() const {
    return model_->checked();
}

void LayerSelector::setLayerHeads(int layer, const std::optional<std::vector<int>>& heads) {
    if (model_->layerHeads(layer) == heads) return;
    model_->setLayerHeads(layer, heads);
    Q_EMIT layerHeadsChanged(layer, heads);
}

QMenu* LayerSelector::headMenu(int layer, QWidget* parent) {
    auto* menu = new QMenu(parent);
    menu->setTitle(tr("Heads in %1").arg(model_->layerTitle(layer)));
    auto* group = new QActionGroup(menu);
    const auto current = model_->layerHeads(layer);
    auto add = [&](const QString& text, const std::optional<std::vector<int>>& heads) {
        auto* action = menu->addAction(text);
        action->setCheckable(true);
        action->setChecked(current == heads);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, layer, heads] { setLayerHeads(layer, heads); });
    };
    add(tr("As the Heads box chooses"), std::nullopt);
    add(tr("All heads of this layer"), std::vector<int>{});
    menu->addSeparator();
    for (int h = 0; h < table_.at(size_t(layer)).heads; ++h)
        add(tr("Head %1").arg(h + 1), std::vector<int>{h});
    return menu;
}

bool LayerSelector::applyPreset(const QString& spec) {
    try {
        const auto layers = daam::selectLayers(table_, spec.toStdString(), defaults_);
        setChecked(layers);
        const int index = presets_->findData(spec);
        if (index >= 0) presets_->setCurrentIndex(index);
        Q_EMIT layersChanged(layers);
        return true;
    } catch (const daam::Error&) {
        return false;
    }
}

} // namespace daam::ui
