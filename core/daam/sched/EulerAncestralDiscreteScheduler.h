// SPDX-License-Identifier: GPL-3.0-or-later
// Ancestral Euler as diffusers 0.21.2's EulerAncestralDiscreteScheduler: an Euler step to sigma_down plus
// fresh noise of scale sigma_up, drawn from the shared noise source every step. Timesteps float32.
#pragma once

#include "daam/sched/SigmaScheduler.h"

namespace daam {

class EulerAncestralDiscreteScheduler : public SigmaScheduler {
public:
    explicit EulerAncestralDiscreteScheduler(SchedulerConfig config);
    std::string className() const override { return "EulerAncestralDiscreteScheduler"; }
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;
};

} // namespace daam
