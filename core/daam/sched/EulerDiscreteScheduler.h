// SPDX-License-Identifier: GPL-3.0-or-later
// Euler (Karras et al. 2022, Algorithm 2 with s_churn = 0) as diffusers 0.21.2's EulerDiscreteScheduler.
// Works in sigma space: the UNet input is divided by sqrt(sigma² + 1); timesteps are float32. Like diffusers,
// step() draws one normal tensor from the noise source every step although with s_churn = 0 it is unused,
// which keeps the generator in step with Python's.
#pragma once

#include "daam/sched/SigmaScheduler.h"

namespace daam {

class EulerDiscreteScheduler : public SigmaScheduler {
public:
    explicit EulerDiscreteScheduler(SchedulerConfig config);
    std::string className() const override { return "EulerDiscreteScheduler"; }
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;
};

} // namespace daam
