// SPDX-License-Identifier: GPL-3.0-or-later
#include "LayerTreeModel.h"

#include <QStringList>

#include <algorithm>
#include <map>
#include <tuple>

namespace daam::ui {

namespace {

QString blockTitle(daam::UNetBlock block, int index) {
    switch (block) {
    case daam::UNetBlock::Down:
        return LayerTreeModel::tr("Down block %1").arg(index);
    case daam::UNetBlock::Mid:
        return LayerTreeModel::tr("Mid block");
    case daam::UNetBlock::Up:
        return LayerTreeModel::tr("Up block %1").arg(index);
    }
    return {};
}

QString sizeText(int height, int width) {
    return QStringLiteral("%1×%2").arg(height).arg(width);
}

} // namespace

LayerTreeModel::LayerTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

QString LayerTreeModel::layerTitle(int layer) const {
    const auto& l = table_.at(size_t(layer));
    QString block;
    switch (l.block) {
    case daam::UNetBlock::Down:
        block = tr("down %1").arg(l.blockIndex);
        break;
    case daam::UNetBlock::Mid:
        block = tr("mid");
        break;
    case daam::UNetBlock::Up:
        block = tr("up %1").arg(l.blockIndex);
        break;
    }
    QString title = block + QStringLiteral(" · ") + sizeText(l.height, l.width);
    // Name the attention and transformer block only where the block has several layers of this size.
    int attentions = 0, transformers = 0;
    for (const auto& other : table_)
        if (other.block == l.block && other.blockIndex == l.blockIndex && other.height == l.height) {
            attentions = std::max(attentions, other.attentionIndex + 1);
            if (other.attentionIndex == l.attentionIndex)
                transformers = std::max(transformers, other.transformerIndex + 1);
        }
    if (attentions > 1) title += QStringLiteral(" · ") + tr("attention %1").arg(l.attentionIndex + 1);
    if (transformers > 1) title += QStringLiteral(" · ") + tr("block %1").arg(l.transformerIndex + 1);
    return title;
}

void LayerTreeModel::setLayers(const daam::CrossAttentionLayerTable& table) {
    beginResetModel();
    table_ = table;
    nodes_.clear();
    blocks_.clear();
    layerNodes_.assign(table.size(), -1);
    checked_.assign(table.size(), false);
    layerHeads_.clear();
    auto addNode = [this](int parent, int layer, QString title) {
        Node node;
        node.parent = parent;
        node.row = int(childrenOf(parent).size());
        node.layer = layer;
        node.title = std::move(title);
        nodes_.push_back(std::move(node));
        const int id = int(nodes_.size()) - 1;
        (parent < 0 ? blocks_ : nodes_[size_t(parent)].children).push_back(id);
        return id;
    };
    // Block -> resolution -> layers, in forward order.
    std::map<std::tuple<int, int>, int> blockNodes;
    std::map<std::tuple<int, int, int, int>, int> sizeNodes;
    for (size_t i = 0; i < table.size(); ++i) {
        const auto& l = table[i];
        const auto blockKey = std::make_tuple(int(l.block), l.blockIndex);
        auto found = blockNodes.find(blockKey);
        if (found == blockNodes.end())
            found = blockNodes.emplace(blockKey, addNode(-1, -1, blockTitle(l.block, l.blockIndex))).first;
        const auto sizeKey = std::make_tuple(int(l.block), l.blockIndex, l.height, l.width);
        auto size = sizeNodes.find(sizeKey);
        if (size == sizeNodes.end())
            size =
                sizeNodes.emplace(sizeKey, addNode(found->second, -1, tr("%1 maps").arg(sizeText(l.height, l.width))))
                    .first;
        layerNodes_[i] = addNode(size->second, int(i), QString());
    }
    for (size_t i = 0; i < table.size(); ++i)
        nodes_[size_t(layerNodes_[i])].title = layerTitle(int(i));
    endResetModel();
}

void LayerTreeModel::setChecked(const std::vector<int>& layers) {
    std::vector<bool> next(table_.size(), false);
    for (int l : layers)
        if (l >= 0 && size_t(l) < next.size()) next[size_t(l)] = true;
    for (size_t i = 0; i < next.size(); ++i)
        if (next[i] != checked_[i]) {
            checked_[i] = next[i];
            notifyUpTo(layerNodes_[i]);
        }
}

std::vector<int> LayerTreeModel::checked() const {
    std::vector<int> out;
    for (size_t i = 0; i < checked_.size(); ++i)
        if (checked_[i]) out.push_back(int(i));
    return out;
}

QModelIndex LayerTreeModel::layerIndex(int layer) const {
    if (layer < 0 || size_t(layer) >= layerNodes_.size()) return {};
    const int node = layerNodes_[size_t(layer)];
    return createIndex(nodes_[size_t(node)].row, 0, quintptr(node));
}

void LayerTreeModel::setLayerHeads(int layer, const std::optional<std::vector<int>>& heads) {
    if (layer < 0 || layer >= static_cast<int>(table_.size())) return;
    if (heads)
        layerHeads_[layer] = *heads;
    else
        layerHeads_.erase(layer);
    const auto index = layerIndex(layer);
    Q_EMIT dataChanged(index, index, {Qt::DisplayRole});
}

std::optional<std::vector<int>> LayerTreeModel::layerHeads(int layer) const {
    const auto it = layerHeads_.find(layer);
    if (it == layerHeads_.end()) return std::nullopt;
    return it->second;
}

QModelIndex LayerTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (column != 0 || row < 0 || (parent.isValid() && parent.column() != 0)) return {};
    const auto& children = childrenOf(nodeOf(parent));
    if (size_t(row) >= children.size()) return {};
    return createIndex(row, 0, quintptr(children[size_t(row)]));
}

QModelIndex LayerTreeModel::parent(const QModelIndex& child) const {
    const int node = nodeOf(child);
    if (node < 0) return {};
    const int parentNode = nodes_[size_t(node)].parent;
    if (parentNode < 0) return {};
    return createIndex(nodes_[size_t(parentNode)].row, 0, quintptr(parentNode));
}

int LayerTreeModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0) return 0;
    return int(childrenOf(nodeOf(parent)).size());
}

int LayerTreeModel::columnCount(const QModelIndex&) const {
    return 1;
}

Qt::CheckState LayerTreeModel::checkState(int node) const {
    const auto& n = nodes_[size_t(node)];
    if (n.layer >= 0) return checked_[size_t(n.layer)] ? Qt::Checked : Qt::Unchecked;
    bool any = false, all = true;
    for (int child : n.children) {
        const auto state = checkState(child);
        any = any || state != Qt::Unchecked;
        all = all && state == Qt::Checked;
    }
    return all ? Qt::Checked : any ? Qt::PartiallyChecked : Qt::Unchecked;
}

QVariant LayerTreeModel::data(const QModelIndex& index, int role) const {
    const int node = nodeOf(index);
    if (node < 0) return {};
    const auto& n = nodes_[size_t(node)];
    switch (role) {
    case Qt::DisplayRole: {
        const auto heads = n.layer >= 0 ? layerHeads_.find(n.layer) : layerHeads_.end();
        if (heads == layerHeads_.end()) return n.title;
        QStringList numbers;
        for (int h : heads->second)
            numbers << QString::number(h + 1);
        const QString choice = numbers.isEmpty()     ? tr("all heads")
                               : numbers.size() == 1 ? tr("head %1").arg(numbers.front())
                                                     : tr("heads %1").arg(numbers.join(QStringLiteral(", ")));
        return n.title + QStringLiteral(" · ") + choice;
    }
    case Qt::CheckStateRole:
        return int(checkState(node));
    case Qt::ToolTipRole:
        if (n.layer < 0) return {};
        // No "%n head(s)": English plurals need an English translation file, which the project does not ship.
        return tr("%1 (heads: %2)")
            .arg(QString::fromStdString(table_[size_t(n.layer)].path))
            .arg(table_[size_t(n.layer)].heads);
    case LayerIndexRole:
        return n.layer;
    default:
        return {};
    }
}

Qt::ItemFlags LayerTreeModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable;
}

void LayerTreeModel::setLayerChecked(int node, bool on) {
    const auto& n = nodes_[size_t(node)];
    if (n.layer >= 0) {
        checked_[size_t(n.layer)] = on;
        return;
    }
    for (int child : n.children)
        setLayerChecked(child, on);
}

void LayerTreeModel::notifyUpTo(int node) {
    for (; node >= 0; node = nodes_[size_t(node)].parent) {
        const auto index = createIndex(nodes_[size_t(node)].row, 0, quintptr(node));
        Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
    }
}

bool LayerTreeModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    const int node = nodeOf(index);
    if (node < 0 || role != Qt::CheckStateRole) return false;
    const bool on = Qt::CheckState(value.toInt()) != Qt::Unchecked;
    setLayerChecked(node, on);
    // Every row below the edited one changed too.
    std::vector<int> pending{node};
    while (!pending.empty()) {
        const int n = pending.back();
        pending.pop_back();
        const auto& children = nodes_[size_t(n)].children;
        if (!children.empty()) {
            Q_EMIT dataChanged(createIndex(0, 0, quintptr(children.front())),
                               createIndex(int(children.size()) - 1, 0, quintptr(children.back())),
                               {Qt::CheckStateRole});
            pending.insert(pending.end(), children.begin(), children.end());
        }
    }
    notifyUpTo(node);
    Q_EMIT checkedChanged(checked());
    return true;
}

} // namespace daam::ui
