// SPDX-License-Identifier: GPL-3.0-or-later
// The cross-attention layer tables of real models, for benchmarks that build traces of their shapes with random
// probabilities (bench_heatmap_query, bench_ui_scrub).
//   sd15(): Stable Diffusion 1.5 at 512x512: 64x64 latents, 16 cross-attention layers (8 heads; 64, 32, 16 and 8 px
//           grids), 50 PNDM steps (51 UNet calls).
//   sdxl(): SDXL at 1024x1024: 128x128 latents, 70 cross-attention layers (10 heads on 64 px grids, 20 heads on 32 px
//           grids: down 1 and up 1 have 2 transformer blocks per attention, down 2, mid and up 0 have 10), 50 steps.
#pragma once

#include "daam/config/CrossAttentionLayer.h"

namespace daam::bench {

struct Shapes {
    const char* name;
    daam::CrossAttentionLayerTable layers; // in UNet forward order
    int latentSide, imageSide, calls;
};

// `attentions` attention modules of `transformers` transformer blocks each, at `latentSide / downscale`.
inline void addLayers(daam::CrossAttentionLayerTable& table, daam::UNetBlock block, int blockIndex, int attentions,
                      int transformers, int heads, int downscale, int latentSide) {
    for (int a = 0; a < attentions; ++a)
        for (int t = 0; t < transformers; ++t) {
            daam::CrossAttentionLayer l;
            l.block = block;
            l.blockIndex = blockIndex;
            l.attentionIndex = a;
            l.transformerIndex = t;
            l.heads = heads;
            l.downscale = downscale;
            l.height = l.width = latentSide / downscale;
            l.path = daam::layerPath(block, blockIndex, a, t);
            table.push_back(l);
        }
}

inline Shapes sd15() {
    Shapes s{"Stable Diffusion 1.5, 512x512", {}, 64, 512, 51};
    using B = daam::UNetBlock;
    addLayers(s.layers, B::Down, 0, 2, 1, 8, 1, 64);
    addLayers(s.layers, B::Down, 1, 2, 1, 8, 2, 64);
    addLayers(s.layers, B::Down, 2, 2, 1, 8, 4, 64);
    addLayers(s.layers, B::Mid, 0, 1, 1, 8, 8, 64);
    addLayers(s.layers, B::Up, 1, 3, 1, 8, 4, 64);
    addLayers(s.layers, B::Up, 2, 3, 1, 8, 2, 64);
    addLayers(s.layers, B::Up, 3, 3, 1, 8, 1, 64);
    return s;
}

inline Shapes sdxl() {
    Shapes s{"SDXL, 1024x1024", {}, 128, 1024, 50};
    using B = daam::UNetBlock;
    addLayers(s.layers, B::Down, 1, 2, 2, 10, 2, 128);
    addLayers(s.layers, B::Down, 2, 2, 10, 20, 4, 128);
    addLayers(s.layers, B::Mid, 0, 1, 10, 20, 4, 128);
    addLayers(s.layers, B::Up, 0, 3, 10, 20, 4, 128);
    addLayers(s.layers, B::Up, 1, 3, 2, 10, 2, 128);
    return s;
}

} // namespace daam::bench
