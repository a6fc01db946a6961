// SPDX-License-Identifier: GPL-3.0-or-later
// Seeded Gaussian noise identical to Python's
//   g = torch.Generator('cpu').manual_seed(seed); torch.randn(shape, generator=g)
// One source feeds, in order, the pipeline's initial latents and every normal draw a scheduler makes
// (EulerDiscrete/EulerAncestral each step, DDIM only when eta > 0), as diffusers shares one generator.
#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>

namespace daam {

class NoiseSource {
public:
    explicit NoiseSource(uint64_t seed);

    // Next standard-normal tensor of `shape` (CPU, float32 unless told), advancing the generator.
    torch::Tensor randn(at::IntArrayRef shape, torch::ScalarType dtype = torch::kFloat32);

    uint64_t seed() const { return seed_; }
    // How many tensors have been drawn so far (lets callers check the diffusers draw order).
    int draws() const { return draws_; }

private:
    uint64_t seed_;
    at::Generator generator_;
    int draws_ = 0;
};

} // namespace daam
