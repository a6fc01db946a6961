// SPDX-License-Identifier: GPL-3.0-or-later
// PNDMScheduler (PLMS only): step_plms and _get_prev_sample of diffusers 0.21.2 in float32 tensor arithmetic.
#include "daam/sched/PNDMScheduler.h"

#include "daam/sched/SchedulerMath.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <algorithm>

namespace daam {

PNDMScheduler::PNDMScheduler(SchedulerConfig config) : Scheduler(std::move(config)) {
    if (!config_.skipPrkSteps.value_or(false))
        throw Error("PNDMScheduler: only the PLMS variant is implemented; the config needs skip_prk_steps = true");
    alphasCumprod_ = schedmath::alphasCumprod(config_, className());
    finalAlphaCumprod_ = config_.setAlphaToOne.value_or(false) ? torch::tensor(1.0f) : alphasCumprod_[0];
    timestepDtype_ = torch::kInt64;
}

void PNDMScheduler::setTimesteps(int steps) {
    const int n = config_.numTrainTimesteps;
    if (steps < 2 || steps > n)
        throw Error("PNDMScheduler: num_inference_steps must be in 2.." + std::to_string(n) + ", got " +
                    std::to_string(steps));
    numInferenceSteps_ = steps;
    // _timesteps, ascending.
    std::vector<double> base;
    const std::string spacing = config_.spacingOr("leading");
    if (spacing == "linspace") {
        for (double v : schedmath::linspace(0, n - 1, steps))
            base.push_back(schedmath::roundHalfEven(v));
    } else if (spacing == "leading") {
        const int ratio = n / steps;
        for (int i = 0; i < steps; ++i)
            base.push_back(double(i * ratio + config_.stepsOffset));
    } else {
        const double ratio = double(n) / steps;
        for (double v : schedmath::arange(n, 0, -ratio))
            base.push_back(schedmath::roundHalfEven(v) - 1);
        std::reverse(base.begin(), base.end());
    }
    // plms_timesteps = concat([_t[:-1], _t[-2:-1], _t[-1:]])[::-1]: the second-to-last repeats.
    std::vector<double> plms(base.begin(), base.end() - 1);
    plms.push_back(base[base.size() - 2]);
    plms.push_back(base.back());
    std::reverse(plms.begin(), plms.end());
    timesteps_ = plms;
    ets_.clear();
    curSample_ = torch::Tensor();
    counter_ = 0;
}

torch::Tensor PNDMScheduler::step(const torch::Tensor& modelOutputIn, int callIndex, const torch::Tensor& sampleIn,
                                  NoiseSource* /*noise*/) {
    checkCall(callIndex);
    // The multistep history counts calls from the first one run, as diffusers' counter does when image-to-image
    // starts in the middle of the schedule.
    if (counter_ == 0) firstCall_ = callIndex;
    if (callIndex != firstCall_ + counter_)
        throw Error("PNDMScheduler: step() calls must come in order; expected call " +
                    std::to_string(firstCall_ + counter_) + ", got " + std::to_string(callIndex));
    const long ratio = config_.numTrainTimesteps / numInferenceSteps_;
    long t = static_cast<long>(timesteps_[callIndex]);
    long prevT = t - ratio;
    if (counter_ != 1) {
        if (ets_.size() > 3) ets_.erase(ets_.begin(), ets_.end() - 3);
        ets_.push_back(modelOutputIn);
    } else {
        // The repeated call finishes the first step: from the stored sample, at the first timestep.
        prevT = t;
        t = t + ratio;
    }

    torch::Tensor modelOutput = modelOutputIn;
    torch::Tensor sample = sampleIn;
    const size_t k = ets_.size();
    if (k == 1 && counter_ == 0) {
        curSample_ = sampleIn;
    } else if (k == 1 && counter_ == 1) {
        modelOutput = (modelOutputIn + ets_[0]) / 2;
        sample = curSample_;
        curSample_ = torch::Tensor();
    } else if (k == 2) {
        modelOutput = (3 * ets_[1] - ets_[0]) / 2;
    } else if (k == 3) {
        modelOutput = (23 * ets_[2] - 16 * ets_[1] + 5 * ets_[0]) / 12;
    } else {
        modelOutput = (1.0 / 24) * (55 * ets_[k - 1] - 59 * ets_[k - 2] + 37 * ets_[k - 3] - 9 * ets_[k - 4]);
    }
    auto prev = previousSample(sample, t, prevT, modelOutput);
    ++counter_;
    return prev;
}

torch::Tensor PNDMScheduler::previousSample(const torch::Tensor& sample, long t, long prevT,
                                            torch::Tensor modelOutput) const {
    // Eq. (9) of the PNDM paper: x_{t-δ} from x_t and the (combined) epsilon.
    const auto alphaProdT = alphasCumprod_[t];
    const auto alphaProdTPrev = prevT >= 0 ? alphasCumprod_[prevT] : finalAlphaCumprod_;
    const auto betaProdT = 1 - alphaProdT;
    const auto betaProdTPrev = 1 - alphaProdTPrev;
    if (config_.predictionType == "v_prediction")
        modelOutput = alphaProdT.pow(0.5) * modelOutput + betaProdT.pow(0.5) * sample;
    else if (config_.predictionType != "epsilon")
        throw Error("PNDMScheduler: prediction_type '" + config_.predictionType + "' is not supported");
    const auto sampleCoeff = (alphaProdTPrev / alphaProdT).pow(0.5);
    const auto denom = alphaProdT * betaProdTPrev.pow(0.5) + (alphaProdT * betaProdT * alphaProdTPrev).pow(0.5);
    return sampleCoeff * sample - (alphaProdTPrev - alphaProdT) * modelOutput / denom;
}

torch::Tensor PNDMScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise, int callIndex) const {
    checkCall(callIndex);
    return schedmath::addNoiseAtTimestep(alphasCumprod_, static_cast<long>(timesteps_[callIndex]), original, noise);
}

} // namespace daam
