// SPDX-License-Identifier: GPL-3.0-or-later
// EulerDiscreteScheduler: diffusers 0.21.2's step() for s_churn = 0 in float32 tensor arithmetic.
#include "daam/sched/EulerDiscreteScheduler.h"

#include "daam/sched/NoiseSource.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

EulerDiscreteScheduler::EulerDiscreteScheduler(SchedulerConfig config)
    : SigmaScheduler(std::move(config), /*spacingFloat32=*/true, /*allowKarras=*/true) {
    initTrainingSchedule();
}

torch::Tensor EulerDiscreteScheduler::step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                                           NoiseSource* noise) {
    checkCall(callIndex);
    const auto sigma = sigmas_[callIndex];
    // gamma = 0 (s_churn = 0): the drawn noise only advances the generator, as in diffusers.
    if (!noise) throw Error(className() + ": step() needs the noise source (diffusers draws from it every step)");
    noise->randn(modelOutput.sizes(), modelOutput.scalar_type());
    const double gamma = 0.0;
    const auto sigmaHat = sigma * (gamma + 1);

    // diffusers predicts epsilon at sigma_hat and v at sigma; they are equal with gamma = 0.
    const auto predOriginal = predictOriginal(modelOutput, sigmaHat, sample, /*samplePrediction=*/true);
    const auto derivative = (sample - predOriginal) / sigmaHat;
    const auto dt = sigmas_[callIndex + 1] - sigmaHat;
    return sample + derivative * dt;
}

} // namespace daam
