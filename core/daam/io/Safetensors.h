// SPDX-License-Identifier: GPL-3.0-or-later
// Torch tensors from and to .safetensors files. Reading is zero-copy: a tensor aliases the file's
// private mapping and keeps it alive; only spans misaligned for their dtype are copied.
#pragma once

#include "daam/io/SafetensorsFile.h"

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace daam {

torch::ScalarType toScalarType(DType dtype);
DType fromScalarType(torch::ScalarType type); // throws Error for types safetensors cannot hold

// A CPU tensor over the entry's bytes. Writing to it never changes the file (copy-on-write mapping).
torch::Tensor tensorView(const std::shared_ptr<const SafetensorsFile>& file, const TensorEntry& entry);

// Every tensor of a file, by name (zero-copy).
std::map<std::string, torch::Tensor> loadSafetensors(const std::string& path);

// Writes tensors (any device, any layout) atomically in the order given.
void saveSafetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                     const std::map<std::string, std::string>& metadata = {});

} // namespace daam
