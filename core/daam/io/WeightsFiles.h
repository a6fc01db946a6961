// SPDX-License-Identifier: GPL-3.0-or-later
// Which files hold a diffusers component's weights: `<base>[.<variant>].safetensors`, or the shards its
// `.safetensors.index.json` names. LibTorch-free, so that listing models reads the same choice loading makes.
#pragma once

#include <map>
#include <string>

namespace daam {

struct WeightsLocation {
    std::string single; // the one .safetensors file, or empty
    std::string index;  // the sharded index, when there is no single file
};

// `variant` picks `<base>.<variant>.*`; empty: the plain files, or the only variant when the folder has nothing
// else. Throws FileError naming the folder: no weights (saying so when only PyTorch .bin files are there), or
// several variants and none chosen.
WeightsLocation locateWeights(const std::string& componentDir, const std::string& baseName,
                              const std::string& variant = {});

// The index's weight_map: tensor name -> shard file (a plain name in the index's folder). Throws FileError naming
// the index for a missing map, an entry that is not a file name, or one outside the folder.
std::map<std::string, std::string> readWeightMap(const std::string& indexPath);

} // namespace daam
