// SPDX-License-Identifier: GPL-3.0-or-later
// DPMSolverMultistepScheduler: diffusers 0.21.2's set_timesteps/step for dpmsolver++ in float32 tensor arithmetic.
#include "daam/sched/DPMSolverMultistepScheduler.h"

#include "daam/sched/SchedulerMath.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace daam {

DPMSolverMultistepScheduler::DPMSolverMultistepScheduler(SchedulerConfig config) : Scheduler(std::move(config)) {
    if (config_.algorithmType != "dpmsolver++")
        throw Error(className() + ": algorithm_type '" + config_.algorithmType +
                    "' is not supported (only dpmsolver++)");
    if (config_.solverOrder > 2)
        throw Error(className() + ": solver_order " + std::to_string(config_.solverOrder) +
                    " is not supported (1 or 2)");
    if (config_.thresholding) throw Error(className() + ": thresholding is not supported");
    alphasCumprod_ = schedmath::alphasCumprod(config_, className());
    alphaT_ = torch::sqrt(alphasCumprod_);
    sigmaT_ = torch::sqrt(1 - alphasCumprod_);
    lambdaT_ = torch::log(alphaT_) - torch::log(sigmaT_);
    sigmas_ = schedmath::trainSigmas(alphasCumprod_);
    timestepDtype_ = torch::kInt64;
}

void DPMSolverMultistepScheduler::setTimesteps(int steps) {
    const int n = config_.numTrainTimesteps;
    if (steps < 1 || steps > n)
        throw Error(className() + ": num_inference_steps must be in 1.." + std::to_string(n) + ", got " +
                    std::to_string(steps));
    // Clip the smallest lambdas (searchsorted over the ascending flipped lambda_t).
    const auto lambdas = schedmath::toDoubles(lambdaT_);
    const float clip = static_cast<float>(config_.lambdaMinClipped);
    int clippedIdx = 0;
    for (int i = n - 1; i >= 0 && float(lambdas[i]) < clip; --i)
        ++clippedIdx;
    const int lastTimestep = n - clippedIdx;

    std::vector<double> ts;
    const std::string spacing = config_.spacingOr("linspace");
    if (spacing == "linspace") {
        auto v = schedmath::linspace(0, lastTimestep - 1, steps + 1);
        for (int i = steps; i >= 1; --i)
            ts.push_back(schedmath::roundHalfEven(v[i]));
    } else if (spacing == "leading") {
        const int ratio = lastTimestep / (steps + 1);
        for (int i = steps; i >= 1; --i)
            ts.push_back(double(i * ratio + config_.stepsOffset));
    } else {
        const double ratio = double(n) / steps;
        for (double v : schedmath::arange(lastTimestep, 0, -ratio))
            ts.push_back(schedmath::roundHalfEven(v) - 1);
    }

    sigmas_ = schedmath::trainSigmas(alphasCumprod_);
    if (config_.useKarrasSigmas) {
        const auto sig = schedmath::toDoubles(sigmas_);
        std::vector<float> logSigmas;
        for (double s : sig)
            logSigmas.push_back(std::log(float(s)));
        // in_sigmas is the ascending training table: [-1] is the largest, [0] the smallest, so the Karras
        // ramp runs upward and the timesteps are flipped afterwards.
        const auto karras = schedmath::karrasSigmas(sig.back(), sig.front(), steps);
        ts.clear();
        for (double s : karras)
            ts.push_back(schedmath::roundHalfEven(schedmath::sigmaToT(s, logSigmas)));
        std::reverse(ts.begin(), ts.end());
        sigmas_ = torch::tensor(karras, torch::TensorOptions().dtype(torch::kFloat64));
    }
    // np.unique(return_index) keeps the first occurrence of each timestep, in order.
    std::set<double> seen;
    timesteps_.clear();
    for (double t : ts)
        if (seen.insert(t).second) timesteps_.push_back(t);
    numInferenceSteps_ = static_cast<int>(timesteps_.size());
    modelOutputs_.assign(config_.solverOrder, torch::Tensor());
    lowerOrderNums_ = 0;
}

torch::Tensor DPMSolverMultistepScheduler::convertModelOutput(const torch::Tensor& modelOutput, long t,
                                                              const torch::Tensor& sample) const {
    const auto alphaT = alphaT_[t], sigmaT = sigmaT_[t];
    if (config_.predictionType == "epsilon") return (sample - sigmaT * modelOutput) / alphaT;
    if (config_.predictionType == "sample") return modelOutput;
    return alphaT * sample - sigmaT * modelOutput; // v_prediction
}

torch::Tensor DPMSolverMultistepScheduler::step(const torch::Tensor& modelOutputIn, int callIndex,
                                                const torch::Tensor& sample, NoiseSource* /*noise*/) {
    checkCall(callIndex);
    const int last = numCalls() - 1;
    const long s0 = static_cast<long>(timesteps_[callIndex]);
    const long t = callIndex == last ? 0 : static_cast<long>(timesteps_[callIndex + 1]);
    const bool few = numCalls() < 15;
    const bool lowerOrderFinal = callIndex == last && config_.lowerOrderFinal && few;
    const bool lowerOrderSecond = callIndex == last - 1 && config_.lowerOrderFinal && few;
    (void)lowerOrderSecond; // only matters for third order

    const auto x0 = convertModelOutput(modelOutputIn, s0, sample);
    for (int i = 0; i + 1 < config_.solverOrder; ++i)
        modelOutputs_[i] = modelOutputs_[i + 1];
    modelOutputs_.back() = x0;

    const auto lambdaT = lambdaT_[t], lambdaS0 = lambdaT_[s0];
    const auto alphaT = alphaT_[t];
    const auto sigmaT = sigmaT_[t], sigmaS0 = sigmaT_[s0];
    const auto h = lambdaT - lambdaS0;

    torch::Tensor prev;
    if (config_.solverOrder == 1 || lowerOrderNums_ < 1 || lowerOrderFinal) {
        prev = (sigmaT / sigmaS0) * sample - (alphaT * (torch::exp(-h) - 1.0)) * x0;
    } else {
        const long s1 = static_cast<long>(timesteps_[callIndex - 1]);
        const auto& m0 = modelOutputs_[modelOutputs_.size() - 1];
        const auto& m1 = modelOutputs_[modelOutputs_.size() - 2];
        const auto lambdaS1 = lambdaT_[s1];
        const auto h0 = lambdaS0 - lambdaS1;
        const auto r0 = h0 / h;
        const auto d0 = m0;
        const auto d1 = (1.0 / r0) * (m0 - m1);
        if (config_.solverType == "midpoint") {
            prev = (sigmaT / sigmaS0) * sample - (alphaT * (torch::exp(-h) - 1.0)) * d0 -
                   0.5 * (alphaT * (torch::exp(-h) - 1.0)) * d1;
        } else { // heun
            prev = (sigmaT / sigmaS0) * sample - (alphaT * (torch::exp(-h) - 1.0)) * d0 +
                   (alphaT * ((torch::exp(-h) - 1.0) / h + 1.0)) * d1;
        }
    }
    if (lowerOrderNums_ < config_.solverOrder) ++lowerOrderNums_;
    return prev;
}

torch::Tensor DPMSolverMultistepScheduler::addNoise(const torch::Tensor& original, const torch::Tensor& noise,
                                                    int callIndex) const {
    checkCall(callIndex);
    return schedmath::addNoiseAtTimestep(alphasCumprod_, static_cast<long>(timesteps_[callIndex]), original, noise);
}

} // namespace daam
