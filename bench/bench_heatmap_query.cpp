// SPDX-License-Identifier: GPL-3.0-or-later
// DAAM query latency and trace memory at a real model's shapes, with random probabilities (softmax of noise):
// latency and memory depend on the shapes only. Prints trace memory, the aggregator's set-up time, and the median
// and 90th-percentile latency of typical interactive queries (word map at image size + mask).
//   (default) Stable Diffusion 1.5 at 512x512: 64x64 latents, 16 cross-attention layers (8 heads; 64, 32, 16 and
//             8 px grids), 50 PNDM steps (51 UNet calls). Targets (issue #4): trace <= 200 MB, median <= 10 ms.
//   --sdxl    SDXL at 1024x1024: 128x128 latents, 70 cross-attention layers (10 heads on 64 px grids, 20 heads on
//             32 px grids: down 1 and up 1 have 2 transformer blocks per attention, down 2, mid and up 0 have 10),
//             50 steps. Target (issue #41): median <= 10 ms.
// A prompt of 12 real tokens in both.
#include "ModelShapes.h"

#include "daam/trace/HeatMapAggregator.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace {

using daam::bench::sd15;
using daam::bench::sdxl;
using daam::bench::Shapes;

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
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

int main(int argc, char** argv) {
    daam::loadFasterBlasKernels(argv);
    const auto runtime = daam::initRuntime();
    const bool xl = argc > 1 && std::strcmp(argv[1], "--sdxl") == 0;
    if (argc > 1 && !xl) {
        std::fprintf(stderr, "usage: %s [--sdxl]\n", argv[0]);
        return 2;
    }
    const Shapes shapes = xl ? sdxl() : sd15();
    const int calls = shapes.calls, tokens = 12, image = shapes.imageSide;
    const auto& table = shapes.layers;
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
    daam::HeatMapAggregator aggregator(trace, shapes.latentSide, shapes.latentSide);
    const double setupMs = msSince(t0);
    t0 = std::chrono::steady_clock::now();
    trace->callPrefixSums();
    const double prefixMs = msSince(t0);
    t0 = std::chrono::steady_clock::now();
    trace->pixelMeans();
    const double pixelMeansMs = msSince(t0);

    const std::vector<int> word = {3};
    // All-call maps are computed per row on first use and kept: the first query of a word pays for them, and the
    // app's first query (every token, to draw all words) for all rows.
    t0 = std::chrono::steady_clock::now();
    aggregator.wordMap({}, word);
    const double firstWordMs = msSince(t0);
    double firstAllRowsMs = 0;
    {
        const daam::HeatMapAggregator fresh(trace, shapes.latentSide, shapes.latentSide);
        t0 = std::chrono::steady_clock::now();
        fresh.globalMaps({});
        firstAllRowsMs = msSince(t0);
    }
    const std::vector<int> twoTokenWord = {4, 5};
    daam::HeatMapQuery all, range, upOnly;
    range.callBegin = 10;
    range.callEnd = 40;
    for (int l : aggregator.defaultLayers())
        if (table[l].block == daam::UNetBlock::Up) upOnly.layers.push_back(l);

    auto full = [&](const daam::HeatMapQuery& q, const std::vector<int>& rows) {
        return [&aggregator, q, rows, image] {
            auto map = daam::expandToImage(aggregator.wordMap(q, rows), image, image);
            auto mask = daam::thresholdMask(map, 0.4);
            return mask.sum().item<int64_t>();
        };
    };
    const auto lGridAll = measure([&] { return aggregator.wordMap(all, word).sum().item<double>(); });
    const auto lGridRange = measure([&] { return aggregator.wordMap(range, word).sum().item<double>(); });
    const auto gridMap = aggregator.wordMap(range, word);
    const auto lExpand = measure([&] { return daam::expandToImage(gridMap, image, image).sum().item<double>(); });
    const auto lAll = measure(full(all, word));
    const auto lRange = measure(full(range, word));
    const auto lRange2 = measure(full(range, twoTokenWord));
    const auto lUp = measure(full(upOnly, word));
    const auto lPixel = measure([&] {
        return aggregator.globalMaps(range).index({torch::indexing::Slice(), 20, 30}).sum().item<double>();
    });

    std::printf("shapes: %s; threads: %d, BLAS kernels %s\n", shapes.name, runtime.threads, runtime.blasCore.c_str());
    std::printf("trace: %d UNet calls x %zu layers, %d tokens, heads summed (float16) + per-head totals (float32)\n",
                calls, table.size(), tokens);
    std::printf("trace memory: %.1f MB%s\n", trace->bytes() / 1e6, xl ? "" : " (target <= 200 MB)");
    std::printf("capture of the random trace: %.0f ms; aggregator set-up: %.0f ms; where the trace is made or read: "
                "prefix sums over calls (AttentionTrace::callPrefixSums) %.0f ms, per-layer mass "
                "(AttentionTrace::pixelMeans) %.0f ms\n",
                captureMs, setupMs, prefixMs, pixelMeansMs);
    std::printf("first all-steps query, computing the rows' maps: one word %.0f ms, every token %.0f ms\n", firstWordMs,
                firstAllRowsMs);
    std::printf("query latency, word map at %dx%d + mask (median / p90 ms; target: median <= 10 ms):\n", image, image);
    std::printf("  all steps, default layers (exact):        %6.2f / %6.2f\n", lAll.median, lAll.p90);
    std::printf("  steps 10-40, default layers:              %6.2f / %6.2f\n", lRange.median, lRange.p90);
    std::printf("  steps 10-40, a two-token word:            %6.2f / %6.2f\n", lRange2.median, lRange2.p90);
    std::printf("  all steps, up blocks only:                %6.2f / %6.2f\n", lUp.median, lUp.p90);
    std::printf("  steps 10-40, every token at one pixel:    %6.2f / %6.2f\n", lPixel.median, lPixel.p90);
    std::printf("its parts (median / p90 ms):\n");
    std::printf("  word map on the %dx%d grid, all steps:    %6.2f / %6.2f\n", shapes.latentSide, shapes.latentSide,
                lGridAll.median, lGridAll.p90);
    std::printf("  word map on the grid, steps 10-40:        %6.2f / %6.2f\n", lGridRange.median, lGridRange.p90);
    std::printf("  the grid's map to %dx%d (bicubic):      %6.2f / %6.2f\n", image, image, lExpand.median, lExpand.p90);
    return 0;
}
