// SPDX-License-Identifier: GPL-3.0-or-later
// Numerics shared by the schedulers, each reproducing the precision diffusers 0.21.2 computes it in:
// betas and alphas_cumprod as float32 torch tensors, timestep spacing and sigma interpolation as float64 numpy
// (np.linspace, np.arange, np.round = round-half-even, np.interp), Karras sigmas and sigma→t inversion.
#pragma once

#include "daam/sched/SchedulerConfig.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace daam::schedmath {

// cumprod(1 - betas) in float32, shape [num_train_timesteps]; betas from trained_betas or beta_schedule.
torch::Tensor alphasCumprod(const SchedulerConfig& config, const std::string& className);
// ((1 - ac) / ac) ** 0.5 in float32, ascending in t.
torch::Tensor trainSigmas(const torch::Tensor& alphasCumprod);

// numpy's linspace(start, stop, num) (float64, endpoint included).
std::vector<double> linspace(double start, double stop, int num);
// numpy's arange(start, stop, step) for a float step.
std::vector<double> arange(double start, double stop, double step);
// numpy's round(): half to even.
double roundHalfEven(double x);
// np.interp(x, arange(len(fp)), fp).
std::vector<double> interpOnIndex(const std::vector<double>& x, const std::vector<double>& fp);
// diffusers' _convert_to_karras (rho = 7) from in_sigmas[-1] (sigmaMin) and in_sigmas[0] (sigmaMax).
std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int steps);
// diffusers' _sigma_to_t: fractional timestep of `sigma` on the float32 log-sigma table.
double sigmaToT(double sigma, const std::vector<float>& logSigmas);

// add_noise of the schedulers indexed by timestep (DDIM, PNDM, DPM-Solver):
// alphas_cumprod[t] ** 0.5 * original + (1 - alphas_cumprod[t]) ** 0.5 * noise, in the samples' dtype.
torch::Tensor addNoiseAtTimestep(const torch::Tensor& alphasCumprod, long timestep, const torch::Tensor& original,
                                 const torch::Tensor& noise);

// Float copies of a 1-d tensor.
std::vector<double> toDoubles(const torch::Tensor& t);

// The sigma-space schedule of EulerDiscrete / EulerAncestral / LMSDiscrete: descending timesteps and
// sigmas (float32, one per step followed by 0).
struct SigmaSchedule {
    std::vector<double> timesteps;
    torch::ScalarType timestepDtype = torch::kFloat32;
    torch::Tensor sigmas;
};
// `spacingFloat32`: the spacing values are cast to float32 before interpolation (EulerDiscrete does, LMS not).
// `allowKarras`: whether the class honours use_karras_sigmas.
SigmaSchedule sigmaSchedule(const SchedulerConfig& config, const std::string& className,
                            const torch::Tensor& alphasCumprod, int steps, bool spacingFloat32, bool allowKarras);
// init_noise_sigma of the sigma-space schedulers: max sigma for linspace/trailing, else sqrt(max² + 1) (float32).
double sigmaInitNoise(const torch::Tensor& sigmas, const std::string& spacing);

} // namespace daam::schedmath
