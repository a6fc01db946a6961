// NoiseSource: a private CPU generator seeded like torch.Generator('cpu').manual_seed(seed).
#include "daam/sched/NoiseSource.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <mutex>

namespace daam {

NoiseSource::NoiseSource(uint64_t seed) : seed_(seed), generator_(at::make_generator<at::CPUGeneratorImpl>(seed)) {}

torch::Tensor NoiseSource::randn(at::IntArrayRef shape, torch::ScalarType dtype) {
    // Generators are not thread-safe; torch itself takes this lock around every draw.
    std::lock_guard<std::mutex> lock(generator_.mutex());
    ++draws_;
    return torch::randn(shape, generator_, torch::TensorOptions().dtype(dtype).device(torch::kCPU));
}

} // namespace daam
