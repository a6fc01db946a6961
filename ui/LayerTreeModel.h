// SPDX-License-Identifier: GPL-3.0-or-later
// The UNet's cross-attention layers as a checkable tree for a view: blocks (down 1, mid, up 2, ...), under each
// the resolutions of its maps, under each its layers. Only layers hold a check state; a block or resolution
// shows whether all, some or none of the layers below it are checked, and checking it checks them all.
#pragma once

#include "daam/config/CrossAttentionLayer.h"

#include <QAbstractItemModel>

#include <map>
#include <optional>
#include <vector>

namespace daam::ui {

class LayerTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    // The table index of a layer row (-1 for a block or resolution row).
    static constexpr int LayerIndexRole = Qt::UserRole;

    explicit LayerTreeModel(QObject* parent = nullptr);

    // Replaces the tree (a model reset); every layer unchecked.
    void setLayers(const daam::CrossAttentionLayerTable& table);
    // Checks exactly these layers, without checkedChanged().
    void setChecked(const std::vector<int>& layers);
    std::vector<int> checked() const;
    // The row of a layer of the table.
    QModelIndex layerIndex(int layer) const;
    // "down 1 · 16×16", with the attention and transformer block where a block has several at that size.
    QString layerTitle(int layer) const;
    // The heads chosen for one layer (std::nullopt: none, so the panel's Heads box applies; an empty list: all its
    // heads), shown after its title. setLayers() clears them.
    void setLayerHeads(int layer, const std::optional<std::vector<int>>& heads);
    std::optional<std::vector<int>> layerHeads(int layer) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

Q_SIGNALS:
    // The user checked or unchecked rows (once per edit, however many layers it changed).
    void checkedChanged(const std::vector<int>& layers);

private:
    struct Node {
        int parent = -1; // node index; -1 for a block
        int row = 0;     // row under its parent
        int layer = -1;  // table index for a layer node
        QString title;
        std::vector<int> children; // node indices
    };
    int nodeOf(const QModelIndex& index) const { return index.isValid() ? int(index.internalId()) : -1; }
    const std::vector<int>& childrenOf(int node) const { return node < 0 ? blocks_ : nodes_[size_t(node)].children; }
    Qt::CheckState checkState(int node) const;
    void setLayerChecked(int node, bool on); // the node and every layer below it
    void notifyUpTo(int node);               // dataChanged for the node and its ancestors

    daam::CrossAttentionLayerTable table_;
    std::vector<Node> nodes_;
    std::vector<int> blocks_;     // top-level node indices
    std::vector<int> layerNodes_; // node index of each layer of the table
    std::vector<bool> checked_;   // per layer of the table
    std::map<int, std::vector<int>> layerHeads_;
};

} // namespace daam::ui
