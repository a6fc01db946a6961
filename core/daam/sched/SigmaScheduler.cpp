// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/sched/SigmaScheduler.h"

#include "daam/sched/SchedulerMath.h"
#include "daam/util/Error.h"

#include <torch/types.h>

namespace daam {

SigmaScheduler::SigmaScheduler(SchedulerConfig config, bool spacingFloat32, bool allowKarras)
    : Scheduler(std::move(config)), spacingFloat32_(spacingFloat32), allowKarras_(allowKarras) {}

void SigmaScheduler::initTrainingSchedule() {
    alphasCumprod_ = schedmath::alphasCumprod(config_, className());
    setTimesteps(config_.numTrainTimesteps);
    timesteps_.clear();
}

void SigmaScheduler::setTimesteps(int steps) {
    if (steps < 1 || steps > config_.numTrainTimesteps)
        throw Error(className() + ": num_inference_steps must be in 1.." + std::to_string(config_.numTrainTimesteps) +
                    ", got " + std::to_string(steps));
    numInferenceSteps_ = steps;
    auto schedule =
        schedmath::sigmaSchedule(config_, className(), alphasCumprod_, steps, spacingFloat32_, allowKarras_);
    timesteps_ = schedule.timesteps;
    timestepDtype_ = schedule.timestepDtype;
    sigmas_ = schedule.sigmas;
    initNoiseSigma_ = schedmath::sigmaInitNoise(sigmas_, config_.spacingOr("linspace"));
    onScheduleSet();
}

torch::Tensor SigmaScheduler::scaleModelInput(const torch::Tensor& sample, int callIndex) {
    checkCall(callIndex);
    const auto sigma = sigmas_[callIndex];
    return sample / (sigma.pow(2) + 1).pow(0.5);
}

torch::Tensor SigmaScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const {
    checkCall(callIndex);
    const auto sigma = sigmas_.to(original.device(), original.scalar_type())[callIndex];
    return original + noise * sigma;
}

torch::Tensor SigmaScheduler::predictOriginal(const torch::Tensor& modelOutput, const torch::Tensor& sigma,
                                              const torch::Tensor& sample, bool samplePrediction) const {
    if (config_.predictionType == "epsilon") return sample - sigma * modelOutput;
    if (config_.predictionType == "v_prediction")
        return modelOutput * (-sigma / (sigma.pow(2) + 1).pow(0.5)) + (sample / (sigma.pow(2) + 1));
    if (!samplePrediction) throw Error(className() + ": prediction_type 'sample' is not supported");
    return modelOutput;
}

} // namespace daam
