// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/config/CrossAttentionLayer.h"

#include <cstdio>

namespace daam {

const char* blockName(UNetBlock block) {
    switch (block) {
    case UNetBlock::Down:
        return "down";
    case UNetBlock::Mid:
        return "mid";
    case UNetBlock::Up:
        return "up";
    }
    return "?";
}

bool parseBlockName(const std::string& name, UNetBlock& out) {
    if (name == "down")
        out = UNetBlock::Down;
    else if (name == "mid")
        out = UNetBlock::Mid;
    else if (name == "up")
        out = UNetBlock::Up;
    else
        return false;
    return true;
}

std::string layerPath(UNetBlock block, int blockIndex, int attentionIndex, int transformerIndex) {
    const std::string where =
        block == UNetBlock::Mid ? "mid_block" : std::string(blockName(block)) + "_blocks." + std::to_string(blockIndex);
    return where + ".attentions." + std::to_string(attentionIndex) + ".transformer_blocks." +
           std::to_string(transformerIndex) + ".attn2";
}

bool parseLayerPath(const std::string& path, CrossAttentionLayer& layer) {
    int block = 0, attention = 0, transformer = 0;
    char tail[8] = {};
    if (std::sscanf(path.c_str(), "down_blocks.%d.attentions.%d.transformer_blocks.%d.%7s", &block, &attention,
                    &transformer, tail) == 4) {
        layer.block = UNetBlock::Down;
    } else if (std::sscanf(path.c_str(), "up_blocks.%d.attentions.%d.transformer_blocks.%d.%7s", &block, &attention,
                           &transformer, tail) == 4) {
        layer.block = UNetBlock::Up;
    } else if (std::sscanf(path.c_str(), "mid_block.attentions.%d.transformer_blocks.%d.%7s", &attention, &transformer,
                           tail) == 3) {
        layer.block = UNetBlock::Mid;
        block = 0;
    } else {
        return false;
    }
    layer.path = path;
    layer.blockIndex = block;
    layer.attentionIndex = attention;
    layer.transformerIndex = transformer;
    return true;
}

CrossAttentionLayerTable withLatentSize(CrossAttentionLayerTable layers, int latentHeight, int latentWidth) {
    for (auto& l : layers) {
        l.height = (latentHeight + l.downscale - 1) / l.downscale;
        l.width = (latentWidth + l.downscale - 1) / l.downscale;
    }
    return layers;
}

} // namespace daam
