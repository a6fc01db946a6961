// SPDX-License-Identifier: GPL-3.0-or-later
// LMSDiscreteScheduler: diffusers 0.21.2's step() with exact Lagrange-basis integrals.
#include "daam/sched/LMSDiscreteScheduler.h"

#include "daam/sched/SchedulerMath.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace daam {

// LMS spaces timesteps in float64 (np.linspace(..., dtype=float)) before interpolating the sigmas.
LMSDiscreteScheduler::LMSDiscreteScheduler(SchedulerConfig config, int order)
    : SigmaScheduler(std::move(config), /*spacingFloat32=*/false, /*allowKarras=*/true), order_(order) {
    initTrainingSchedule();
}

void LMSDiscreteScheduler::onScheduleSet() {
    sigmaValues_ = schedmath::toDoubles(sigmas_);
    derivatives_.clear();
}

double LMSDiscreteScheduler::lmsCoefficient(int order, int t, int currentOrder) const {
    const auto& s = sigmaValues_;
    auto basis = [&](double tau) {
        double prod = 1.0;
        for (int k = 0; k < order; ++k) {
            if (k == currentOrder) continue;
            prod *= (tau - s[t - k]) / (s[t - currentOrder] - s[t - k]);
        }
        return prod;
    };
    // 5-point Gauss-Legendre is exact for polynomials up to degree 9; the basis has degree order - 1 <= 3.
    static const double nodes[5] = {0.0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640,
                                    0.9061798459386640};
    static const double weights[5] = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891,
                                      0.2369268850561891};
    const double a = s[t], b = s[t + 1];
    const double half = (b - a) / 2, mid = (a + b) / 2;
    double sum = 0;
    for (int i = 0; i < 5; ++i)
        sum += weights[i] * basis(mid + half * nodes[i]);
    return sum * half;
}

torch::Tensor LMSDiscreteScheduler::step(const torch::Tensor& modelOutput, int callIndex, const torch::Tensor& sample,
                                         NoiseSource* /*noise*/) {
    checkCall(callIndex);
    const auto sigma = sigmas_[callIndex];
    const auto predOriginal = predictOriginal(modelOutput, sigma, sample, /*samplePrediction=*/false);
    const auto derivative = (sample - predOriginal) / sigma;
    derivatives_.push_back(derivative);
    if (static_cast<int>(derivatives_.size()) > order_) derivatives_.pop_front();

    const int order = std::min(callIndex + 1, order_);
    // prev = sample + sum(coeff_k * derivative_{newest - k}); Python's sum() starts from 0. diffusers zips the
    // coefficients with the derivatives it holds: an image-to-image run that starts at a late call has fewer
    // than `order` of them, and the coefficients past them go unused.
    const int terms = std::min(order, static_cast<int>(derivatives_.size()));
    torch::Tensor acc;
    for (int k = 0; k < terms; ++k) {
        const double coeff = lmsCoefficient(order, callIndex, k);
        const auto term = coeff * derivatives_[derivatives_.size() - 1 - k];
        acc = k == 0 ? term : acc + term;
    }
    return sample + acc;
}

} // namespace daam
