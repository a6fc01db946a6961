// SPDX-License-Identifier: GPL-3.0-or-later
// The UNet's cross-attention layers as a tree grouped by block and map resolution (LayerTreeModel), each
// checkable, with presets from the core (all, the paper's default, down, mid, up, each resolution).
#pragma once

#include "daam/config/CrossAttentionLayer.h"

#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QMenu;
class QTreeView;

namespace daam::ui {

class LayerTreeModel;

class LayerSelector : public QWidget {
    Q_OBJECT
public:
    explicit LayerSelector(QWidget* parent = nullptr);

    void setLayers(const daam::CrossAttentionLayerTable& table, const std::vector<int>& defaultLayers);
    // Checks exactly these layers (no signal).
    void setChecked(const std::vector<int>& layers);
    std::vector<int> checked() const;
    // Applies a preset by its spec ("all", "default", "up", "16x16", ...); false if unknown.
    bool applyPreset(const QString& spec);
    QComboBox* presetBox() const { return presets_; }
    LayerTreeModel* model() const { return model_; }
    // The heads of one layer, in place of the Heads box's there (std::nullopt: the box's again; an empty list:
    // all of its heads). Emits layerHeadsChanged.
    void setLayerHeads(int layer, const std::optional<std::vector<int>>& heads);
    // What a layer row's context menu offers: the Heads box's choice, all heads, or one of its heads, the current
    // one checked. The caller owns the menu.
    QMenu* headMenu(int layer, QWidget* parent);

Q_SIGNALS:
    void layersChanged(const std::vector<int>& layers);
    void layerHeadsChanged(int layer, const std::optional<std::vector<int>>& heads);

private:
    QComboBox* presets_;
    LayerTreeModel* model_;
    QTreeView* tree_;
    daam::CrossAttentionLayerTable table_;
    std::vector<int> defaults_;
};

} // namespace daam::ui
