// SPDX-License-Identifier: GPL-3.0-or-later
// The table of a UNet's cross-attention layers as DAAM sees them: where each layer sits in the UNet and
// the resolution of its attention maps. Torch-free, so the UI can show and select layers.
#pragma once

#include <string>
#include <vector>

namespace daam {

enum class UNetBlock { Down, Mid, Up };

const char* blockName(UNetBlock block); // "down", "mid", "up"
bool parseBlockName(const std::string& name, UNetBlock& out);

struct CrossAttentionLayer {
    std::string path; // module path, e.g. "up_blocks.1.attentions.0.transformer_blocks.0.attn2"
    UNetBlock block = UNetBlock::Down;
    int blockIndex = 0;       // index among down_blocks / up_blocks (0 for mid)
    int attentionIndex = 0;   // index in the block's `attentions`
    int transformerIndex = 0; // index in the Transformer2DModel's `transformer_blocks`
    int heads = 0;
    int height = 0; // query grid of the layer (latent resolution / 2^depth)
    int width = 0;
};

// Fills block, blockIndex, attentionIndex and transformerIndex from a module path such as
// "up_blocks.1.attentions.0.transformer_blocks.0.attn2" or "mid_block.attentions.0.transformer_blocks.0.attn2".
// Returns false when the path is not of that form.
bool parseLayerPath(const std::string& path, CrossAttentionLayer& layer);

// Layers in UNet forward order (down, mid, up): the order the attention seam reports them in.
using CrossAttentionLayerTable = std::vector<CrossAttentionLayer>;

} // namespace daam
