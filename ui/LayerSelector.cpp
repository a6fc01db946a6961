#include "LayerSelector.h"

#include "daam/trace/LayerSelection.h"
#include "daam/util/Error.h"

#include <QComboBox>
#include <QLabel>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>

namespace daam::ui {

namespace {

QString blockTitle(daam::UNetBlock block, int index) {
    switch (block) {
    case daam::UNetBlock::Down:
        return LayerSelector::tr("Down block %1").arg(index);
    case daam::UNetBlock::Mid:
        return LayerSelector::tr("Mid block");
    case daam::UNetBlock::Up:
        return LayerSelector::tr("Up block %1").arg(index);
    }
    return {};
}

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
    : QWidget(parent), presets_(new QComboBox(this)), tree_(new QTreeWidget(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(tr("&Preset:"), this);
    label->setBuddy(presets_);
    auto* row = new QHBoxLayout;
    row->addWidget(label);
    row->addWidget(presets_, 1);
    layout->addLayout(row);
    layout->addWidget(tree_, 1);
    tree_->setHeaderHidden(true);
    tree_->setColumnCount(1);
    tree_->setUniformRowHeights(true);
    tree_->setToolTip(tr("Cross-attention layers whose maps are averaged"));
    presets_->setToolTip(
        tr("Choose a group of layers. Paper default: the down and up blocks without 8×8 maps, as castorini/daam "
           "averages them."));
    connect(presets_, &QComboBox::activated, this, [this](int index) {
        if (index < 0) return;
        applyPreset(presets_->itemData(index).toString());
    });
    connect(tree_, &QTreeWidget::itemChanged, this, &LayerSelector::onItemChanged);
}

void LayerSelector::setLayers(const daam::CrossAttentionLayerTable& table, const std::vector<int>& defaultLayers) {
    updating_ = true;
    table_ = table;
    defaults_ = defaultLayers;
    tree_->clear();
    leaves_.assign(table.size(), nullptr);
    presets_->clear();
    for (const auto& [label, spec] : daam::layerPresets(table))
        presets_->addItem(presetTitle(spec), QString::fromStdString(spec));

    // Block -> resolution -> layers, in forward order.
    std::map<std::tuple<int, int>, QTreeWidgetItem*> blocks;
    std::map<std::tuple<int, int, int, int>, QTreeWidgetItem*> sizes;
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& l = table[i];
        const auto blockKey = std::make_tuple(int(l.block), l.blockIndex);
        auto& block = blocks[blockKey];
        if (!block) {
            block = new QTreeWidgetItem(tree_, {blockTitle(l.block, l.blockIndex)});
            block->setFlags(block->flags() | Qt::ItemIsAutoTristate | Qt::ItemIsUserCheckable);
            block->setExpanded(true);
        }
        auto& size = sizes[std::make_tuple(int(l.block), l.blockIndex, l.height, l.width)];
        if (!size) {
            size = new QTreeWidgetItem(block, {tr("%1×%2 maps").arg(l.height).arg(l.width)});
            size->setFlags(size->flags() | Qt::ItemIsAutoTristate | Qt::ItemIsUserCheckable);
            size->setExpanded(true);
        }
        // No "%n head(s)": English plurals need an English translation file, which the project does not ship.
        auto* leaf = new QTreeWidgetItem(
            size,
            {tr("#%1 attention %2.%3 · heads: %4").arg(i).arg(l.attentionIndex).arg(l.transformerIndex).arg(l.heads)});
        leaf->setFlags(leaf->flags() | Qt::ItemIsUserCheckable);
        leaf->setData(0, Qt::UserRole, int(i));
        leaf->setToolTip(0, QString::fromStdString(l.path));
        leaf->setCheckState(0, Qt::Unchecked);
        leaves_[i] = leaf;
    }
    updating_ = false;
    setChecked(defaultLayers);
    presets_->setCurrentIndex(presets_->findData(QStringLiteral("default")));
}

void LayerSelector::setChecked(const std::vector<int>& layers) {
    updating_ = true;
    for (size_t i = 0; i < leaves_.size(); ++i)
        leaves_[i]->setCheckState(0, std::find(layers.begin(), layers.end(), int(i)) != layers.end() ? Qt::Checked
                                                                                                     : Qt::Unchecked);
    updating_ = false;
}

std::vector<int> LayerSelector::checked() const {
    std::vector<int> out;
    for (size_t i = 0; i < leaves_.size(); ++i)
        if (leaves_[i]->checkState(0) == Qt::Checked) out.push_back(int(i));
    return out;
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

void LayerSelector::onItemChanged(QTreeWidgetItem* item) {
    // Auto-tristate parents change their children one by one; react once the leaves settle.
    if (updating_ || item->childCount() > 0 || emitPending_) return;
    emitPending_ = true;
    QTimer::singleShot(0, this, [this] {
        emitPending_ = false;
        presets_->setCurrentIndex(-1);
        Q_EMIT layersChanged(checked());
    });
}

} // namespace daam::ui
