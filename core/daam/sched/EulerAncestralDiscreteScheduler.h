// Ancestral Euler as diffusers 0.21.2's EulerAncestralDiscreteScheduler: an Euler step to sigma_down plus
// fresh noise of scale sigma_up, drawn from the shared noise source every step. Timesteps float32.
#pragma once

#include "daam/sched/Scheduler.h"

namespace daam {

class EulerAncestralDiscreteScheduler : public Scheduler {
public:
    explicit EulerAncestralDiscreteScheduler(SchedulerConfig config);
    std::string className() const override { return "EulerAncestralDiscreteScheduler"; }
    void setTimesteps(int steps) override;
    torch::Tensor sigmas() const override { return sigmas_; }
    double initNoiseSigma() const override { return initNoiseSigma_; }
    torch::Tensor scaleModelInput(const torch::Tensor& sample, int callIndex) override;
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;

private:
    torch::Tensor alphasCumprod_;
    torch::Tensor sigmas_;
    double initNoiseSigma_ = 1.0;
};

} // namespace daam
