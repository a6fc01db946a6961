// SPDX-License-Identifier: GPL-3.0-or-later
// PNDM in its PLMS form (skip_prk_steps = true), as diffusers 0.21.2's PNDMScheduler.step_plms: linear
// multistep on the stored model outputs. N steps take N + 1 UNet calls: the second call re-evaluates the
// second timestep to finish the first step with a 2-point average (timesteps [801, 601, 601, 401, ...]).
#pragma once

#include "daam/sched/Scheduler.h"

#include <vector>

namespace daam {

class PNDMScheduler : public Scheduler {
public:
    explicit PNDMScheduler(SchedulerConfig config);
    std::string className() const override { return "PNDMScheduler"; }
    void setTimesteps(int steps) override;
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;
    torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const override;

private:
    torch::Tensor previousSample(const torch::Tensor& sample, long t, long prevT, torch::Tensor modelOutput) const;

    torch::Tensor alphasCumprod_;
    torch::Tensor finalAlphaCumprod_;
    std::vector<torch::Tensor> ets_; // stored model outputs (the repeated call's output is never stored)
    torch::Tensor curSample_;
    int counter_ = 0;   // calls stepped since setTimesteps()
    int firstCall_ = 0; // the first of them
};

} // namespace daam
