// Euler (Karras et al. 2022, Algorithm 2 with s_churn = 0) as diffusers 0.21.2's EulerDiscreteScheduler.
// Works in sigma space: the UNet input is divided by sqrt(sigma² + 1); timesteps are float32. Like diffusers,
// step() draws one normal tensor from the noise source every step although with s_churn = 0 it is unused,
// which keeps the generator in step with Python's.
#pragma once

#include "daam/sched/Scheduler.h"

namespace daam {

class EulerDiscreteScheduler : public Scheduler {
public:
    explicit EulerDiscreteScheduler(SchedulerConfig config);
    std::string className() const override { return "EulerDiscreteScheduler"; }
    void setTimesteps(int steps) override;
    torch::Tensor sigmas() const override { return sigmas_; }
    double initNoiseSigma() const override { return initNoiseSigma_; }
    torch::Tensor scaleModelInput(const torch::Tensor& sample, int callIndex) override;
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;

private:
    torch::Tensor alphasCumprod_;
    torch::Tensor sigmas_; // [steps + 1] float32, last 0
    double initNoiseSigma_ = 1.0;
};

} // namespace daam
