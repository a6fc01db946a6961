// SPDX-License-Identifier: GPL-3.0-or-later
// Naming sets of cross-attention layers, for the CLI's --layers and the app's layer presets.
// A selection is a comma-separated list whose parts are united:
//   all        every layer            default  the reference's (down and up blocks, no factor-8 maps)
//   down, mid, up                     a block kind
//   down<N>, up<N>                    one block, e.g. up1 = up_blocks.1
//   <H>x<W>    every layer with that map size, e.g. 16x16
//   #<I>       layer I of the table (forward order: down, mid, up)
#pragma once

#include "daam/config/CrossAttentionLayer.h"

#include <string>
#include <vector>

namespace daam {

// Indices into `table`, ascending. `defaultLayers` is what "default" means (HeatMapAggregator's).
// Throws daam::Error naming the part that matches nothing or is malformed.
std::vector<int> selectLayers(const CrossAttentionLayerTable& table, const std::string& spec,
                              const std::vector<int>& defaultLayers);

// The presets the app offers, as (label, spec): all, default, down, mid, up, and each map size present.
std::vector<std::pair<std::string, std::string>> layerPresets(const CrossAttentionLayerTable& table);

} // namespace daam
