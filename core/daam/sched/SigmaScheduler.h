// SPDX-License-Identifier: GPL-3.0-or-later
// What diffusers 0.21.2's sigma-space schedulers (EulerDiscrete, EulerAncestralDiscrete, LMSDiscrete) share: the
// schedule of sigmas interpolated from the training alphas, init_noise_sigma, the UNet input divided by
// sqrt(sigma² + 1), and the prediction of the clean sample from the UNet's output. Each subclass is a step().
#pragma once

#include "daam/sched/Scheduler.h"

namespace daam {

class SigmaScheduler : public Scheduler {
public:
    void setTimesteps(int steps) override;
    torch::Tensor sigmas() const override { return sigmas_; }
    double initNoiseSigma() const override { return initNoiseSigma_; }
    torch::Tensor scaleModelInput(const torch::Tensor& sample, int callIndex) override;
    torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const override;

protected:
    // `spacingFloat32`: the timestep spacing is cast to float32 before the sigmas are interpolated (Euler; LMS
    // keeps float64). `allowKarras`: the class honours use_karras_sigmas (diffusers' Euler a does not).
    SigmaScheduler(SchedulerConfig config, bool spacingFloat32, bool allowKarras);
    // Sets the full training schedule, as diffusers' constructors do (so that initNoiseSigma() is defined),
    // and leaves no timesteps. Subclass constructors call it: it needs className().
    void initTrainingSchedule();
    // Called after every setTimesteps(), to reset what a subclass derives from the sigmas.
    virtual void onScheduleSet() {}
    // x0 from the UNet's output at `sigma`: epsilon and v_prediction; "sample" returns the output itself where
    // `samplePrediction` is true and is refused otherwise.
    torch::Tensor predictOriginal(const torch::Tensor& modelOutput, const torch::Tensor& sigma,
                                  const torch::Tensor& sample, bool samplePrediction) const;

    torch::Tensor sigmas_; // [steps + 1] float32, last 0

private:
    bool spacingFloat32_, allowKarras_;
    torch::Tensor alphasCumprod_;
    double initNoiseSigma_ = 1.0;
};

} // namespace daam
