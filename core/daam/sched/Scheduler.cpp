// SPDX-License-Identifier: GPL-3.0-or-later
// Scheduler: the parts every sampler shares (timestep tensors, call-index checks, identity input scaling).
#include "daam/sched/Scheduler.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

torch::Tensor Scheduler::timestepTensor(int callIndex) const {
    checkCall(callIndex);
    return torch::tensor(timesteps_[callIndex], torch::TensorOptions().dtype(torch::kFloat64)).to(timestepDtype_);
}

torch::Tensor Scheduler::timestepsTensor() const {
    return torch::tensor(timesteps_, torch::TensorOptions().dtype(torch::kFloat64)).to(timestepDtype_);
}

torch::Tensor Scheduler::scaleModelInput(const torch::Tensor& sample, int callIndex) {
    checkCall(callIndex);
    return sample;
}

void Scheduler::checkCall(int callIndex) const {
    if (timesteps_.empty()) throw Error(className() + ": setTimesteps() must be called before sampling");
    if (callIndex < 0 || callIndex >= numCalls())
        throw Error(className() + ": call index " + std::to_string(callIndex) + " out of range (0.." +
                    std::to_string(numCalls() - 1) + ")");
}

} // namespace daam
