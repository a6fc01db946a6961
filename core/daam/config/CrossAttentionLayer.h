// SPDX-License-Identifier: GPL-3.0-or-later
// A UNet's cross-attention layers as DAAM sees them: where each layer sits in the UNet and the resolution of its
// attention maps. One type from the model to the window: the UNet's own table (from its config), the layer an
// attention call reports, a trace's table and the UI's layer list. Torch-free, so the UI can show and select layers.
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
    int downscale = 1; // the latents' height and width over this layer's query grid (2^depth); 0: unknown
    // The query grid for a given latent size: in a trace's table and in an attention call, the grid of that
    // generation (ceil(latent / downscale): stride-2 convolutions round up); 0 in the UNet's own table.
    int height = 0;
    int width = 0;
};

// "down_blocks.1.attentions.0.transformer_blocks.0.attn2", "mid_block.attentions.0.transformer_blocks.0.attn2".
std::string layerPath(UNetBlock block, int blockIndex, int attentionIndex, int transformerIndex);

// Fills block, blockIndex, attentionIndex and transformerIndex from a module path such as
// "up_blocks.1.attentions.0.transformer_blocks.0.attn2" or "mid_block.attentions.0.transformer_blocks.0.attn2".
// Returns false when the path is not of that form.
bool parseLayerPath(const std::string& path, CrossAttentionLayer& layer);

// Layers in UNet forward order (down, mid, up): the order the attention seam reports them in.
using CrossAttentionLayerTable = std::vector<CrossAttentionLayer>;

// `layers` (the UNet's table) with each layer's query grid for latents of the given size.
CrossAttentionLayerTable withLatentSize(CrossAttentionLayerTable layers, int latentHeight, int latentWidth);

} // namespace daam
