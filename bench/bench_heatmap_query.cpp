// SPDX-License-Identifier: GPL-3.0-or-later
// DAAM query latency and trace memory at Stable Diffusion 1.5 shapes: 512x512 (64x64 latents), the 16
// cross-attention layers of SD 1.5 (8 heads; 64, 32, 16 and 8 px grids), 50 PNDM steps (51 UNet calls)
// and a prompt of 12 real tokens. The probabilities are random (softmax of noise): latency and memory
// depend on the shapes only. Prints trace memory, the aggregator's set-up time, and the median and
// 90th-percentile latency of typical interactive queries (word map at image size + mask).
// Targets (issue #4): trace <= 200 MB with heads summed, median query <= 10 ms.
#include "daam/trace/HeatMapAggregator.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace {

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

daam::CrossAttentionLayerTable sd15Layers() {
    daam::CrossAttentionLayerTable table;
    auto add = [&](daam::UNetBlock block, int blockIndex, int attentions, int side) {
        for (int a = 0; a < attentions; ++a) {
            daam::CrossAttentionLayer l;
            l.block = block;
            l.blockIndex = blockIndex;
            l.attentionIndex = a;
            l.heads = 8;
            l.height = l.width = side;
            const char* prefix = block == daam::UNetBlock::Down ? "down_blocks." : "up_blocks.";
            l.path = block == daam::UNetBlock::Mid ? "mid_block.attentions.0.transformer_blocks.0.attn2"
                                                   : std::string(prefix) + std::to_string(blockIndex) + ".attentions." +
                                                         std::to_string(a) + ".transformer_blocks.0.attn2";
            table.push_back(l);
        }
    };
    add(daam::UNetBlock::Down, 0, 2, 64);
    add(daam::UNetBlock::Down, 1, 2, 32);
    add(daam::UNetBlock::Down, 2, 2, 16);
    add(daam::UNetBlock::Mid, 0, 1, 8);
    add(daam::UNetBlock::Up, 1, 3, 16);
    add(daam::UNetBlock::Up, 2, 3, 32);
    add(daam::UNetBlock::Up, 3, 3, 64);
    return table;
}

struct Latency {
    double median, p90;
};

template <class F> Latency measure(F&& query, int repeats = 40) {
    std::vector<double> ms;
    query(); // warm-up
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        query();
        ms.push_back(msSince(t0));
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[ms.size() * 9 / 10]};
}

} // namespace

int main(int, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    const int calls = 51, tokens = 12;
    const auto table = sd15Layers();
    auto trace = std::make_shared<daam::AttentionTrace>(table, tokens);

    torch::NoGradGuard noGrad;
    auto t0 = std::chrono::steady_clock::now();
    for (int c = 0; c < calls; ++c)
        for (size_t l = 0; l < table.size(); ++l) {
            const auto& info = table[l];
            auto probs = torch::softmax(torch::randn({info.heads, info.height * info.width, 77}), -1);
            trace->add(c, static_cast<int>(l), probs);
        }
    const double captureMs = msSince(t0);

    t0 = std::chrono::steady_clock::now();
    daam::HeatMapAggregator aggregator(trace, 64, 64);
    const double setupMs = msSince(t0);

    const std::vector<int> word = {3};
    const std::vector<int> twoTokenWord = {4, 5};
    daam::HeatMapQuery all, range, upOnly;
    range.callBegin = 10;
    range.callEnd = 40;
    for (int l : aggregator.defaultLayers())
        if (table[l].block == daam::UNetBlock::Up) upOnly.layers.push_back(l);

    auto full = [&](const daam::HeatMapQuery& q, const std::vector<int>& rows) {
        return [&aggregator, q, rows] {
            auto map = daam::expandToImage(aggregator.wordMap(q, rows), 512, 512);
            auto mask = daam::thresholdMask(map, 0.4);
            return mask.sum().item<int64_t>();
        };
    };
    const auto lAll = measure(full(all, word));
    const auto lRange = measure(full(range, word));
    const auto lRange2 = measure(full(range, twoTokenWord));
    const auto lUp = measure(full(upOnly, word));
    const auto lPixel = measure([&] {
        return aggregator.globalMaps(range).index({torch::indexing::Slice(), 20, 30}).sum().item<double>();
    });

    std::printf("threads: %d, BLAS kernels %s\n", runtime.threads, runtime.blasCore.c_str());
    std::printf("trace: %d UNet calls x %zu layers, %d tokens, heads summed (float16) + per-head totals (float32)\n",
                calls, table.size(), tokens);
    std::printf("trace memory: %.1f MB (target <= 200 MB)\n", trace->bytes() / 1e6);
    std::printf("capture of the random trace: %.0f ms; aggregator set-up (prefix sums): %.0f ms\n", captureMs, setupMs);
    std::printf("query latency, word map at 512x512 + mask (median / p90 ms):\n");
    std::printf("  all steps, default layers (exact):        %6.2f / %6.2f\n", lAll.median, lAll.p90);
    std::printf("  steps 10-40, default layers:              %6.2f / %6.2f\n", lRange.median, lRange.p90);
    std::printf("  steps 10-40, a two-token word:            %6.2f / %6.2f\n", lRange2.median, lRange2.p90);
    std::printf("  all steps, up blocks only:                %6.2f / %6.2f\n", lUp.median, lUp.p90);
    std::printf("  steps 10-40, every token at one pixel:    %6.2f / %6.2f\n", lPixel.median, lPixel.p90);
    return 0;
}
