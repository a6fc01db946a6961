// SPDX-License-Identifier: GPL-3.0-or-later
// DDIMScheduler: the step of diffusers' DDIMScheduler.step, every scalar kept as a 0-d float32 tensor so the
// arithmetic rounds exactly as the Python code does.
#include "daam/sched/DDIMScheduler.h"

#include "daam/sched/NoiseSource.h"
#include "daam/sched/SchedulerMath.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <algorithm>

namespace daam {

DDIMScheduler::DDIMScheduler(SchedulerConfig config) : Scheduler(std::move(config)) {
    alphasCumprod_ = schedmath::alphasCumprod(config_, className());
    finalAlphaCumprod_ = config_.setAlphaToOne.value_or(true) ? torch::tensor(1.0f) : alphasCumprod_[0];
    if (config_.thresholding) throw Error("DDIMScheduler: thresholding is not supported");
    timestepDtype_ = torch::kInt64;
}

void DDIMScheduler::setTimesteps(int steps) {
    const int n = config_.numTrainTimesteps;
    if (steps < 1 || steps > n)
        throw Error("DDIMScheduler: num_inference_steps must be in 1.." + std::to_string(n) + ", got " +
                    std::to_string(steps));
    numInferenceSteps_ = steps;
    timesteps_.clear();
    const std::string spacing = config_.spacingOr("leading");
    if (spacing == "linspace") {
        for (double v : schedmath::linspace(0, n - 1, steps))
            timesteps_.push_back(schedmath::roundHalfEven(v));
        std::reverse(timesteps_.begin(), timesteps_.end());
    } else if (spacing == "leading") {
        const int ratio = n / steps;
        for (int i = steps - 1; i >= 0; --i)
            timesteps_.push_back(double(i * ratio + config_.stepsOffset));
    } else {
        const double ratio = double(n) / steps;
        for (double v : schedmath::arange(n, 0, -ratio))
            timesteps_.push_back(schedmath::roundHalfEven(v) - 1);
    }
}

torch::Tensor DDIMScheduler::step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                                  NoiseSource* noise) {
    checkCall(callIndex);
    const long t = static_cast<long>(timesteps_[callIndex]);
    const long prevT = t - config_.numTrainTimesteps / numInferenceSteps_;

    const auto alphaProdT = alphasCumprod_[t];
    const auto alphaProdTPrev = prevT >= 0 ? alphasCumprod_[prevT] : finalAlphaCumprod_;
    const auto betaProdT = 1 - alphaProdT;

    torch::Tensor predOriginal, predEpsilon;
    if (config_.predictionType == "epsilon") {
        predOriginal = (sample - betaProdT.pow(0.5) * modelOutput) / alphaProdT.pow(0.5);
        predEpsilon = modelOutput;
    } else if (config_.predictionType == "sample") {
        predOriginal = modelOutput;
        predEpsilon = (sample - alphaProdT.pow(0.5) * predOriginal) / betaProdT.pow(0.5);
    } else { // v_prediction
        predOriginal = alphaProdT.pow(0.5) * sample - betaProdT.pow(0.5) * modelOutput;
        predEpsilon = alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample;
    }
    if (config_.clipSample.value_or(true))
        predOriginal = predOriginal.clamp(-config_.clipSampleRange, config_.clipSampleRange);

    // _get_variance(t, prev_t), then sigma_t = eta * sqrt(variance).
    const auto betaProdTPrev = 1 - alphaProdTPrev;
    const auto variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev);
    const auto stdDevT = eta_ * variance.pow(0.5);

    const auto direction = (1 - alphaProdTPrev - stdDevT.pow(2)).pow(0.5) * predEpsilon;
    auto prevSample = alphaProdTPrev.pow(0.5) * predOriginal + direction;
    if (eta_ > 0) {
        if (!noise) throw Error("DDIMScheduler: eta > 0 needs a noise source");
        const auto varianceNoise =
            noise->randn(modelOutput.sizes(), modelOutput.scalar_type()).to(modelOutput.device());
        prevSample = prevSample + stdDevT * varianceNoise;
    }
    return prevSample;
}

torch::Tensor DDIMScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const {
    checkCall(callIndex);
    return schedmath::addNoiseAtTimestep(alphasCumprod_, static_cast<long>(timesteps_[callIndex]), original, noise);
}

} // namespace daam
