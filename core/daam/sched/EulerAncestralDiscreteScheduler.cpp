// SPDX-License-Identifier: GPL-3.0-or-later
// EulerAncestralDiscreteScheduler: diffusers 0.21.2's step() in float32 tensor arithmetic.
#include "daam/sched/EulerAncestralDiscreteScheduler.h"

#include "daam/sched/NoiseSource.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

// diffusers 0.21.2's ancestral Euler has no Karras option.
EulerAncestralDiscreteScheduler::EulerAncestralDiscreteScheduler(SchedulerConfig config)
    : SigmaScheduler(std::move(config), /*spacingFloat32=*/true, /*allowKarras=*/false) {
    initTrainingSchedule();
}

torch::Tensor EulerAncestralDiscreteScheduler::step(const torch::Tensor& modelOutput, int callIndex,
                                                    const torch::Tensor& sample, NoiseSource* noise) {
    checkCall(callIndex);
    if (!noise) throw Error(className() + ": step() needs the noise source");
    const auto sigma = sigmas_[callIndex];
    const auto predOriginal = predictOriginal(modelOutput, sigma, sample, /*samplePrediction=*/false);
    const auto sigmaFrom = sigmas_[callIndex];
    const auto sigmaTo = sigmas_[callIndex + 1];
    const auto sigmaUp = (sigmaTo.pow(2) * (sigmaFrom.pow(2) - sigmaTo.pow(2)) / sigmaFrom.pow(2)).pow(0.5);
    const auto sigmaDown = (sigmaTo.pow(2) - sigmaUp.pow(2)).pow(0.5);

    const auto derivative = (sample - predOriginal) / sigma;
    const auto dt = sigmaDown - sigma;
    auto prevSample = sample + derivative * dt;
    // Drawn on the CPU generator, as diffusers does with a CPU generator, then moved to the sample's device.
    const auto drawn = noise->randn(modelOutput.sizes(), modelOutput.scalar_type()).to(sample.device());
    return prevSample + drawn * sigmaUp;
}

} // namespace daam
