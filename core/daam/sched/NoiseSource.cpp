// SPDX-License-Identifier: GPL-3.0-or-later
// NoiseSource: a private CPU generator seeded like torch.Generator('cpu').manual_seed(seed).
#include "daam/sched/NoiseSource.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace daam {

NoiseSource::NoiseSource(uint64_t seed) : seed_(seed), generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {}

torch::Tensor NoiseSource::randn(at::IntArrayRef shape, torch::ScalarType dtype) {
    // No lock here: torch's normal_ takes the generator's mutex itself (locking it again deadlocks).
    ++draws_;
    return torch::randn(shape, generator_, torch::TensorOptions().dtype(dtype).device(torch::kCPU));
}

} // namespace daam
