// SPDX-License-Identifier: GPL-3.0-or-later
// Linear multistep (order 4) in sigma space as diffusers 0.21.2's LMSDiscreteScheduler. The coefficient of
// each stored derivative is the integral over [sigma_t, sigma_{t+1}] of its Lagrange basis polynomial; diffusers
// integrates it numerically with scipy.integrate.quad, here it is integrated exactly with Gauss-Legendre nodes.
#pragma once

#include "daam/sched/SigmaScheduler.h"

#include <deque>

namespace daam {

class LMSDiscreteScheduler : public SigmaScheduler {
public:
    explicit LMSDiscreteScheduler(SchedulerConfig config, int order = 4);
    std::string className() const override { return "LMSDiscreteScheduler"; }
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;

    // ∫_{σ_t}^{σ_{t+1}} Π_{k≠current} (τ − σ_{t−k}) / (σ_{t−current} − σ_{t−k}) dτ.
    double lmsCoefficient(int order, int t, int currentOrder) const;

private:
    void onScheduleSet() override;

    int order_;
    std::vector<double> sigmaValues_; // sigmas_ as doubles, for the coefficients
    std::deque<torch::Tensor> derivatives_;
};

} // namespace daam
