// EulerAncestralDiscreteScheduler: diffusers 0.21.2's step() in float32 tensor arithmetic.
#include "daam/sched/EulerAncestralDiscreteScheduler.h"

#include "daam/sched/NoiseSource.h"
#include "daam/sched/SchedulerMath.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

EulerAncestralDiscreteScheduler::EulerAncestralDiscreteScheduler(SchedulerConfig config)
    : Scheduler(std::move(config)) {
    alphasCumprod_ = schedmath::alphasCumprod(config_, className());
    setTimesteps(config_.numTrainTimesteps);
    timesteps_.clear();
}

void EulerAncestralDiscreteScheduler::setTimesteps(int steps) {
    if (steps < 1 || steps > config_.numTrainTimesteps)
        throw Error(className() + ": num_inference_steps must be in 1.." + std::to_string(config_.numTrainTimesteps) +
                    ", got " + std::to_string(steps));
    numInferenceSteps_ = steps;
    // diffusers 0.21.2's ancestral Euler has no Karras option.
    auto schedule = schedmath::sigmaSchedule(config_, className(), alphasCumprod_, steps, true, false);
    timesteps_ = schedule.timesteps;
    timestepDtype_ = schedule.timestepDtype;
    sigmas_ = schedule.sigmas;
    initNoiseSigma_ = schedmath::sigmaInitNoise(sigmas_, config_.spacingOr("linspace"));
}

torch::Tensor EulerAncestralDiscreteScheduler::scaleModelInput(const torch::Tensor& sample, int callIndex) {
    checkCall(callIndex);
    const auto sigma = sigmas_[callIndex];
    return sample / (sigma.pow(2) + 1).pow(0.5);
}

torch::Tensor EulerAncestralDiscreteScheduler::step(const torch::Tensor& modelOutput, int callIndex,
                                                    const torch::Tensor& sample, NoiseSource* noise) {
    checkCall(callIndex);
    if (!noise) throw Error(className() + ": step() needs the noise source");
    const auto sigma = sigmas_[callIndex];
    torch::Tensor predOriginal;
    if (config_.predictionType == "epsilon") {
        predOriginal = sample - sigma * modelOutput;
    } else if (config_.predictionType == "v_prediction") {
        predOriginal = modelOutput * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (sample / (sigma.pow(2) + 1));
    } else {
        throw Error(className() + ": prediction_type 'sample' is not supported");
    }
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
