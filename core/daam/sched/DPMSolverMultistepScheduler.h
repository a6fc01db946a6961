// SPDX-License-Identifier: GPL-3.0-or-later
// DPM-Solver++ (2M) as diffusers 0.21.2's DPMSolverMultistepScheduler with algorithm_type "dpmsolver++",
// solver_order 1 or 2, midpoint/heun second-order update, lower_order_final and optional Karras timesteps.
// The model output is converted to a data (x0) prediction; alpha_t, sigma_t and lambda_t are indexed by the
// integer timestep. Timesteps int64; no input scaling; init_noise_sigma 1.
#pragma once

#include "daam/sched/Scheduler.h"

#include <vector>

namespace daam {

class DPMSolverMultistepScheduler : public Scheduler {
public:
    explicit DPMSolverMultistepScheduler(SchedulerConfig config);
    std::string className() const override { return "DPMSolverMultistepScheduler"; }
    void setTimesteps(int steps) override;
    torch::Tensor sigmas() const override { return sigmas_; }
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;
    torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const override;

private:
    torch::Tensor convertModelOutput(const torch::Tensor& modelOutput, long t, const torch::Tensor& sample) const;

    torch::Tensor alphasCumprod_, alphaT_, sigmaT_, lambdaT_; // [T] float32
    torch::Tensor sigmas_;
    std::vector<torch::Tensor> modelOutputs_; // last solver_order x0 predictions, oldest first
    int lowerOrderNums_ = 0;
};

} // namespace daam
