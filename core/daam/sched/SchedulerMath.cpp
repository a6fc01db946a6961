// SPDX-License-Identifier: GPL-3.0-or-later
// Shared scheduler numerics; see SchedulerMath.h for which precision each follows.
#include "daam/sched/SchedulerMath.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace daam::schedmath {

torch::Tensor alphasCumprod(const SchedulerConfig& c, const std::string& className) {
    const int n = c.numTrainTimesteps;
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    torch::Tensor betas;
    if (!c.trainedBetas.empty()) {
        betas = torch::tensor(c.trainedBetas, torch::TensorOptions().dtype(torch::kFloat64)).to(torch::kFloat32);
    } else if (c.betaSchedule == "linear") {
        betas = torch::linspace(c.betaStart, c.betaEnd, n, f32);
    } else if (c.betaSchedule == "scaled_linear") {
        // Python evaluates beta_start**0.5 in float64 before torch.linspace casts the ends.
        betas = torch::linspace(std::sqrt(c.betaStart), std::sqrt(c.betaEnd), n, f32).pow(2);
    } else if (c.betaSchedule == "squaredcos_cap_v2") {
        // betas_for_alpha_bar (cosine): built as Python floats, then torch.tensor(..., float32).
        auto alphaBar = [](double t) {
            const double v = std::cos((t + 0.008) / 1.008 * M_PI / 2);
            return v * v;
        };
        std::vector<double> b(n);
        for (int i = 0; i < n; ++i)
            b[i] = std::min(1.0 - alphaBar(double(i + 1) / n) / alphaBar(double(i) / n), 0.999);
        betas = torch::tensor(b, torch::TensorOptions().dtype(torch::kFloat64)).to(torch::kFloat32);
    } else {
        throw Error(className + ": beta_schedule '" + c.betaSchedule + "' is not implemented");
    }
    const auto alphas = 1.0 - betas;
    return torch::cumprod(alphas, 0);
}

torch::Tensor trainSigmas(const torch::Tensor& ac) {
    return ((1 - ac) / ac).pow(0.5);
}

std::vector<double> linspace(double start, double stop, int num) {
    std::vector<double> y(std::max(num, 0));
    if (num == 1) {
        y[0] = start;
        return y;
    }
    const double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; ++i)
        y[i] = i * step + start;
    if (num > 1) y[num - 1] = stop;
    return y;
}

std::vector<double> arange(double start, double stop, double step) {
    const double len = std::ceil((stop - start) / step);
    std::vector<double> y;
    for (long i = 0; i < static_cast<long>(len); ++i)
        y.push_back(start + i * step);
    return y;
}

double roundHalfEven(double x) {
    return std::nearbyint(x);
}

std::vector<double> interpOnIndex(const std::vector<double>& x, const std::vector<double>& fp) {
    const long n = static_cast<long>(fp.size());
    std::vector<double> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const double v = x[i];
        if (!(v > 0)) {
            out[i] = fp[0];
        } else if (v >= n - 1) {
            out[i] = fp[n - 1];
        } else {
            const long j = static_cast<long>(std::floor(v));
            const double slope = fp[j + 1] - fp[j]; // xp spacing is 1
            out[i] = (v == double(j)) ? fp[j] : slope * (v - j) + fp[j];
        }
    }
    return out;
}

std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int steps) {
    const double rho = 7.0;
    const auto ramp = linspace(0, 1, steps);
    const double minInvRho = std::pow(sigmaMin, 1 / rho);
    const double maxInvRho = std::pow(sigmaMax, 1 / rho);
    std::vector<double> sigmas(steps);
    for (int i = 0; i < steps; ++i)
        sigmas[i] = std::pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
    return sigmas;
}

double sigmaToT(double sigma, const std::vector<float>& logSigmas) {
    const double logSigma = std::log(sigma);
    const long n = static_cast<long>(logSigmas.size());
    // cumsum(dists >= 0).argmax(): the last index whose log-sigma is <= logSigma (0 when none).
    long count = 0, lastNonNeg = -1;
    for (long i = 0; i < n; ++i)
        if (logSigma - double(logSigmas[i]) >= 0) {
            ++count;
            lastNonNeg = i;
        }
    long low = 0;
    if (count > 0) {
        // argmax returns the first index reaching the final cumulative count.
        low = lastNonNeg;
    }
    low = std::min(low, n - 2);
    const long high = low + 1;
    const float lowV = logSigmas[low], highV = logSigmas[high];
    double w = (double(lowV) - logSigma) / double(lowV - highV);
    w = std::clamp(w, 0.0, 1.0);
    return (1 - w) * low + w * high;
}

torch::Tensor addNoiseAtTimestep(const torch::Tensor& alphasCumprod, long timestep, const torch::Tensor& original,
                                 const torch::Tensor& noise) {
    const auto alphaProd = alphasCumprod.to(original.device(), original.scalar_type())[timestep];
    return alphaProd.pow(0.5) * original + (1 - alphaProd).pow(0.5) * noise;
}

std::vector<double> toDoubles(const torch::Tensor& t) {
    const auto d = t.to(torch::kFloat64).contiguous();
    return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

SigmaSchedule sigmaSchedule(const SchedulerConfig& c, const std::string& className, const torch::Tensor& ac, int steps,
                            bool spacingFloat32, bool allowKarras) {
    const int n = c.numTrainTimesteps;
    const std::string spacing = c.spacingOr("linspace");
    auto castIf = [&](double v) { return spacingFloat32 ? double(float(v)) : v; };
    std::vector<double> ts;
    if (spacing == "linspace") {
        for (double v : linspace(0, n - 1, steps))
            ts.push_back(castIf(v));
        std::reverse(ts.begin(), ts.end());
    } else if (spacing == "leading") {
        const int ratio = n / steps;
        for (int i = steps - 1; i >= 0; --i)
            ts.push_back(castIf(roundHalfEven(double(i) * ratio)) + c.stepsOffset);
    } else { // trailing
        const double ratio = double(n) / steps;
        for (double v : arange(n, 0, -ratio))
            ts.push_back(castIf(roundHalfEven(v)) - 1);
    }
    const auto trainSig = trainSigmas(ac);
    const auto sig = toDoubles(trainSig);
    std::vector<double> sigmas = interpOnIndex(ts, sig);
    if (c.interpolationType != "linear")
        throw Error(className + ": interpolation_type '" + c.interpolationType + "' is not supported");
    SigmaSchedule out;
    if (allowKarras && c.useKarrasSigmas) {
        std::vector<float> logSigmas;
        for (double s : sig)
            logSigmas.push_back(std::log(float(s)));
        sigmas = karrasSigmas(sigmas.back(), sigmas.front(), steps);
        ts.clear();
        for (double s : sigmas)
            ts.push_back(sigmaToT(s, logSigmas));
        out.timestepDtype = torch::kFloat64;
    }
    sigmas.push_back(0.0);
    out.timesteps = ts;
    out.sigmas = torch::tensor(sigmas, torch::TensorOptions().dtype(torch::kFloat64)).to(torch::kFloat32);
    return out;
}

double sigmaInitNoise(const torch::Tensor& sigmas, const std::string& spacing) {
    const auto maxSigma = sigmas.max();
    if (spacing == "linspace" || spacing == "trailing") return maxSigma.item<double>();
    return (maxSigma.pow(2) + 1).pow(0.5).item<double>();
}

} // namespace daam::schedmath
