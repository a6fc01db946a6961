// SPDX-License-Identifier: GPL-3.0-or-later
// DDIM (Song et al. 2020) as diffusers 0.21.2's DDIMScheduler: deterministic for eta = 0, with eta > 0 it adds
// variance noise drawn from the shared NoiseSource. Timesteps int64; no input scaling; init_noise_sigma 1.
#pragma once

#include "daam/sched/Scheduler.h"

namespace daam {

class DDIMScheduler : public Scheduler {
public:
    explicit DDIMScheduler(SchedulerConfig config);
    std::string className() const override { return "DDIMScheduler"; }
    void setTimesteps(int steps) override;
    torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                       NoiseSource* noise) override;
    torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const override;
    void setEta(double eta) override { eta_ = eta; }
    double eta() const { return eta_; }

private:
    torch::Tensor alphasCumprod_;     // [T] float32
    torch::Tensor finalAlphaCumprod_; // 0-d float32: "previous" alpha of the last step
    double eta_ = 0.0;
};

} // namespace daam
