// EulerDiscreteScheduler: diffusers 0.21.2's step() for s_churn = 0 in float32 tensor arithmetic.
#include "daam/sched/EulerDiscreteScheduler.h"

#include "daam/sched/NoiseSource.h"
#include "daam/sched/SchedulerMath.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

EulerDiscreteScheduler::EulerDiscreteScheduler(SchedulerConfig config) : Scheduler(std::move(config)) {
    alphasCumprod_ = schedmath::alphasCumprod(config_, className());
    timestepDtype_ = torch::kFloat32;
    // diffusers sets the full training schedule at construction; mirror it so initNoiseSigma() is defined.
    setTimesteps(config_.numTrainTimesteps);
    timesteps_.clear();
}

void EulerDiscreteScheduler::setTimesteps(int steps) {
    if (steps < 1 || steps > config_.numTrainTimesteps)
        throw Error(className() + ": num_inference_steps must be in 1.." + std::to_string(config_.numTrainTimesteps) +
                    ", got " + std::to_string(steps));
    numInferenceSteps_ = steps;
    auto schedule = schedmath::sigmaSchedule(config_, className(), alphasCumprod_, steps, true, true);
    timesteps_ = schedule.timesteps;
    timestepDtype_ = schedule.timestepDtype;
    sigmas_ = schedule.sigmas;
    initNoiseSigma_ = schedmath::sigmaInitNoise(sigmas_, config_.spacingOr("linspace"));
}

torch::Tensor EulerDiscreteScheduler::scaleModelInput(const torch::Tensor& sample, int callIndex) {
    checkCall(callIndex);
    const auto sigma = sigmas_[callIndex];
    return sample / (sigma.pow(2) + 1).pow(0.5);
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

    torch::Tensor predOriginal;
    if (config_.predictionType == "epsilon") {
        predOriginal = sample - sigmaHat * modelOutput;
    } else if (config_.predictionType == "v_prediction") {
        predOriginal = modelOutput * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (sample / (sigma.pow(2) + 1));
    } else {
        predOriginal = modelOutput;
    }
    const auto derivative = (sample - predOriginal) / sigmaHat;
    const auto dt = sigmas_[callIndex + 1] - sigmaHat;
    return sample + derivative * dt;
}

} // namespace daam
