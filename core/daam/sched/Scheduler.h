// SPDX-License-Identifier: GPL-3.0-or-later
// The interface every sampler implements, shaped after diffusers' schedulers but indexed by UNet call:
// PNDM evaluates the UNet twice at one timestep, so "call index" (not timestep) identifies a step.
// Per call c the pipeline does
//   x_in = scheduler.scaleModelInput(cat([latents] * batch), c)
//   eps  = unet(x_in, scheduler.timestepTensor(c), ...)  (then classifier-free guidance)
//   latents = scheduler.step(eps, c, latents, &noise)
#pragma once

#include "daam/sched/SchedulerConfig.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace daam {

class NoiseSource;

class Scheduler {
public:
    explicit Scheduler(SchedulerConfig config) : config_(std::move(config)) {}
    virtual ~Scheduler() = default;
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // The diffusers class name, e.g. "DDIMScheduler".
    virtual std::string className() const = 0;
    const SchedulerConfig& config() const { return config_; }

    // Prepares a run of `steps` inference steps and resets the multistep history.
    virtual void setTimesteps(int steps) = 0;
    // One timestep per UNet call (PNDM repeats one), as diffusers' scheduler.timesteps.
    const std::vector<double>& timesteps() const { return timesteps_; }
    int numCalls() const { return static_cast<int>(timesteps_.size()); }
    int numInferenceSteps() const { return numInferenceSteps_; }
    // The dtype diffusers keeps timesteps in (int64 for DDIM/PNDM/DPM-Solver, float32 for Euler/LMS); the
    // UNet's time embedding sees exactly this value.
    torch::ScalarType timestepDtype() const { return timestepDtype_; }
    // timesteps()[callIndex] as a 0-d tensor of timestepDtype().
    torch::Tensor timestepTensor(int callIndex) const;
    // All timesteps as a 1-d tensor of timestepDtype() (what diffusers exposes as scheduler.timesteps).
    torch::Tensor timestepsTensor() const;
    // The scheduler's sigmas (float32) where it has them, else an undefined tensor.
    virtual torch::Tensor sigmas() const { return {}; }

    // Multiplier of the initial unit noise.
    virtual double initNoiseSigma() const { return 1.0; }
    virtual torch::Tensor scaleModelInput(const torch::Tensor& sample, int callIndex);
    // Latents after UNet call `callIndex` given its (guided) output. Calls must come in order from the first
    // call run (0, or a later one for image-to-image) on. `noise` may be null for schedulers that draw none.
    virtual torch::Tensor step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                               NoiseSource* noise) = 0;
    // diffusers' add_noise: `original` noised to the timestep of call `callIndex`, where image-to-image starts.
    virtual torch::Tensor addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const = 0;
    // DDIM's eta (the pipelines pass it only to schedulers whose step() takes it; others ignore it).
    virtual void setEta(double /*eta*/) {}

protected:
    void checkCall(int callIndex) const;

    SchedulerConfig config_;
    std::vector<double> timesteps_;
    torch::ScalarType timestepDtype_ = torch::kInt64;
    int numInferenceSteps_ = 0;
};

} // namespace daam
