// SPDX-License-Identifier: GPL-3.0-or-later
// One training step (forward, MSE loss, backward) of UNet designs, as train-demo runs them, in one run:
//
//   bench_unet_train_step [--batch N] [--tokens T] [--channels-last] [--profile] CONFIG.json [CONFIG.json ...]
//
// Each CONFIG is a UNet config.json (a pipeline's unet/config.json, or a training folder's
// checkpoint/unet-config.json); the weights are random. Prints the seconds per step of each design and its ratio
// to the first's; --profile then prints each design's ops by self time (forward and backward together), which is
// where a design's extra cost shows up. --channels-last puts the 4-D weights and the input in that memory format.
#include "daam/config/UNet2DConditionConfig.h"
#include "daam/nn/UNet2DConditionModel.h"
#include "daam/util/OpProfile.h"
#include "daam/util/Runtime.h"

#include "BestTime.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using daam::bench::bestTime;

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    int64_t batch = 32, tokens = 16;
    bool profile = false, channelsLast = false;
    std::vector<std::string> configs;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--batch" && i + 1 < argc)
            batch = std::atoll(argv[++i]);
        else if (arg == "--tokens" && i + 1 < argc)
            tokens = std::atoll(argv[++i]);
        else if (arg == "--profile")
            profile = true;
        else if (arg == "--channels-last")
            channelsLast = true;
        else
            configs.push_back(arg);
    }
    if (configs.empty() || batch < 1 || tokens < 1) {
        std::fprintf(stderr, "usage: %s [--batch N] [--tokens T] [--profile] UNET_CONFIG.json...\n", argv[0]);
        return 2;
    }
    std::printf("threads: %d, BLAS kernels %s, batch %lld, %lld text tokens\n", runtime.threads,
                runtime.blasCore.c_str(), (long long)batch, (long long)tokens);
    double first = 0;
    for (const auto& path : configs) {
        const auto config = daam::UNet2DConditionConfig::fromFile(path);
        torch::manual_seed(0);
        daam::UNet2DConditionModel unet(config);
        unet->train();
        const auto size = config.sampleSize;
        auto x = torch::randn({batch, config.inChannels, size, size});
        if (channelsLast) {
            torch::NoGradGuard noGrad;
            for (auto& p : unet->parameters())
                if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
            x = x.contiguous(torch::MemoryFormat::ChannelsLast);
        }
        const auto t = torch::randint(1000, {batch}, torch::kInt64);
        const auto text = torch::randn({batch, tokens, config.crossAttentionDim.at(0)});
        const auto noise = torch::randn_like(x);
        const auto step = [&] {
            unet->zero_grad();
            torch::mse_loss(unet->forward(x, t, text), noise).backward();
        };
        const double seconds = bestTime(step, 3);
        if (first == 0) first = seconds;
        std::printf("%-60s %8.3f s per step  %6.2fx the first\n", path.c_str(), seconds, seconds / first);
        if (profile) {
            const auto p = daam::profileOps(step);
            std::printf("  profile: %.2f s (profiled), %.2f s inside ops\n", p.wallSeconds, p.opSeconds());
            for (size_t i = 0; i < p.ops.size() && i < 25; ++i)
                std::printf("  %-45s %8.3f %6.1f%% %8lld\n", p.ops[i].name.c_str(), p.ops[i].selfSeconds,
                            100 * p.ops[i].selfSeconds / p.wallSeconds, p.ops[i].calls);
        }
    }
    return 0;
}
