// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli bench: seconds per step, peak memory, page faults per UNet call and the cost of DAAM capture,
// measured in one run (untraced and traced generations of the same request, alternating).
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"

#include "daam/pipeline/GenerationSession.h"
#include "daam/pipeline/OriginalCheckpointWriter.h"
#include "daam/pipeline/RandomPipeline.h"
#include "daam/util/CpuPeak.h"
#include "daam/util/OpProfile.h"
#include "daam/util/ProcessMemory.h"
#include "daam/util/Runtime.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sys/resource.h>

namespace fs = std::filesystem;

namespace daam::cli {
namespace {

long minorFaults() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

// Times every UNet call and counts the page faults it took.
class CallTimer : public GenerationCallbacks {
public:
    void onStep(const StepProgress& p) override {
        const auto now = std::chrono::steady_clock::now();
        const long faults = minorFaults();
        if (p.call > 1) { // the first call also holds the text encoder and the noise
            seconds.push_back(std::chrono::duration<double>(now - last_).count());
            faultsPerCall.push_back(faults - lastFaults_);
        }
        last_ = now;
        lastFaults_ = faults;
    }
    std::vector<double> seconds;
    std::vector<long> faultsPerCall;

private:
    std::chrono::steady_clock::time_point last_;
    long lastFaults_ = 0;
};

template <class T> double median(std::vector<T> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return static_cast<double>(v[v.size() / 2]);
}

struct RunFigures {
    double secondsPerCall = 0, faultsPerCall = 0, totalSeconds = 0;
    size_t traceBytes = 0, perCallBytes = 0;
    int calls = 0, tokens = 0;
};

RunFigures runOnce(StableDiffusionPipeline& pipeline, const GenerationRequest& request, bool traced) {
    CallTimer timer;
    RunFigures f;
    const auto start = std::chrono::steady_clock::now();
    if (traced) {
        const auto out = generateTraced(pipeline, request, &timer);
        f.traceBytes = out.session.trace->bytes();
        f.perCallBytes = out.session.trace->bytesPerCall();
        f.tokens = out.session.trace->tokens();
        f.calls = out.session.trace->calls();
    } else {
        f.calls = static_cast<int>(pipeline.generate(request, &timer).timesteps.size());
    }
    f.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    f.secondsPerCall = median(timer.seconds);
    f.faultsPerCall = median(timer.faultsPerCall);
    return f;
}

// The folder and the same model as one checkpoint file (original layout, no YAML), loaded and run in turn: load
// seconds, resident memory with the model loaded and after a generation, and how far the images differ.
int compareSingleFile(const std::string& folder, GenerationRequest request) {
    const std::string file = fs::path(folder).lexically_normal().string() + ".safetensors";
    if (!fs::exists(file)) {
        std::fprintf(stderr, "writing %s (original layout, no YAML) ...\n", file.c_str());
        OriginalCheckpointOptions options;
        options.yaml = false;
        writeOriginalCheckpoint(folder, file, options);
    }
    struct Figures {
        double loadSeconds = 0, loadedGb = 0, afterGb = 0;
        torch::Tensor image;
    };
    auto measure = [&](const std::string& model) {
        Figures f;
        releaseFreedMemory();
        const double before = double(procStatusBytes("VmRSS"));
        const auto start = std::chrono::steady_clock::now();
        auto pipeline = loadPipeline(model, request);
        f.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        f.loadedGb = (double(procStatusBytes("VmRSS")) - before) / 1e9;
        f.image = pipeline->generate(request).image;
        f.afterGb = (double(procStatusBytes("VmRSS")) - before) / 1e9;
        return f;
    };
    // Twice each, alternating, so that neither profits alone from a warm page cache.
    Figures a, b;
    for (int round = 0; round < 2; ++round) {
        a = measure(folder);
        b = measure(file);
    }
    const double diff = (b.image.to(torch::kFloat64) - a.image.to(torch::kFloat64)).norm().item<double>() /
                        a.image.to(torch::kFloat64).norm().item<double>();
    std::printf("folder:      load %.2f s, +%.2f GB resident loaded, +%.2f GB after one generation\n", a.loadSeconds,
                a.loadedGb, a.afterGb);
    std::printf("single file: load %.2f s, +%.2f GB resident loaded, +%.2f GB after one generation\n", b.loadSeconds,
                b.loadedGb, b.afterGb);
    std::printf("single file / folder: load time %.3f, resident after generation %.3f; image relative error %.3g\n",
                b.loadSeconds / a.loadSeconds, a.afterGb > 0 ? b.afterGb / a.afterGb : 0.0, diff);
    return 0;
}

int runBench(const std::vector<std::string>& argv) {
    Args args("bench",
              "After one warm-up run, generate the same request untraced and traced, alternating, and print the median "
              "seconds per\n"
              "UNet call (one guided denoising step), the minor page faults per call (memory handed back to the\n"
              "OS between steps shows up here), peak resident memory, and traced/untraced time ratios.\n"
              "--sd15-shapes DIR writes a pipeline with Stable Diffusion 1.5's exact shapes and random weights\n"
              "into DIR (once; about 4.3 GB) and benchmarks it at 512x512.",
              argv);
    declareGenerationOptions(args);
    args.option("sd15-shapes", "DIR", "Benchmark a random-weight SD 1.5-shaped pipeline written to DIR.");
    args.option("repeat", "N", "Untraced/traced pairs to run.", "1");
    args.flag("single-file", "Instead, compare the model folder with the same model written as one checkpoint "
                             "file in the original layout (no YAML): load time, resident memory, image.");
    args.option("tflop-per-step", "F", "Model FLOPs of one guided UNet call, to print GFLOP/s (SD 1.5: 1.6).");
    args.flag("profile", "Then run one more untraced generation under LibTorch's profiler and print the ops that "
                         "took the most time (self time: without the ops they call).");
    if (!args.parse()) return 0;

    std::string model;
    if (auto dir = args.value("sd15-shapes")) {
        model = *dir;
        if (!fs::exists(fs::path(model) / "model_index.json")) {
            std::fprintf(stderr, "writing a random SD 1.5-shaped pipeline to %s ...\n", model.c_str());
            writeRandomPipeline(model, sd15RandomSpec());
        }
    }
    if (model.empty()) model = modelFolder(args);
    auto request = generationRequestFrom(args);
    if (args.flagSet("single-file")) return compareSingleFile(model, request);
    const auto loadStart = std::chrono::steady_clock::now();
    auto pipeline = loadPipeline(model, request);
    const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - loadStart).count();
    const double loadedGb = double(procStatusBytes("VmRSS")) / 1e9, loadPeakGb = double(procStatusBytes("VmHWM")) / 1e9;
    request = pipeline->resolve(request);
    std::printf("model %s: %dx%d, %d steps, scheduler %s, %s on %s, %d threads, BLAS kernels %s; load %.2f s\n",
                model.c_str(), request.width, request.height, request.steps, request.scheduler.c_str(),
                request.dtype.c_str(), request.device.c_str(), at::get_num_threads(), daam::blasKernelsInUse().c_str(),
                loadSeconds);

    // One untimed run first: oneDNN builds its kernels and the allocator grows its heap on first use.
    runOnce(*pipeline, request, false);
    const int repeat = static_cast<int>(std::max<long long>(1, args.getInt("repeat")));
    std::vector<double> plainCall, tracedCall, plainTotal, tracedTotal, plainFaults, tracedFaults;
    RunFigures traced;
    for (int i = 0; i < repeat; ++i) {
        const auto p = runOnce(*pipeline, request, false);
        traced = runOnce(*pipeline, request, true);
        plainCall.push_back(p.secondsPerCall);
        tracedCall.push_back(traced.secondsPerCall);
        plainTotal.push_back(p.totalSeconds);
        tracedTotal.push_back(traced.totalSeconds);
        plainFaults.push_back(p.faultsPerCall);
        tracedFaults.push_back(traced.faultsPerCall);
    }
    const double call = median(plainCall), tcall = median(tracedCall);
    std::printf("untraced: %.4f s per UNet call (median), %.2f s per generation, %.0f minor page faults per call\n",
                call, median(plainTotal), median(plainFaults));
    std::printf("traced:   %.4f s per UNet call (median), %.2f s per generation, %.0f minor page faults per call\n",
                tcall, median(tracedTotal), median(tracedFaults));
    std::printf("capture overhead: traced/untraced = %.3f per call, %.3f per generation\n", call > 0 ? tcall / call : 0,
                median(tracedTotal) / median(plainTotal));
    const double fixed = double(traced.traceBytes) - double(traced.perCallBytes) * traced.calls;
    std::printf("trace: %.2f MB for %d calls of %d token rows (%.3f MB per call + %.2f MB per-head totals; "
                "50 PNDM steps = 51 calls: %.1f MB)\n",
                traced.traceBytes / 1e6, traced.calls, traced.tokens, traced.perCallBytes / 1e6, fixed / 1e6,
                (fixed + 51.0 * traced.perCallBytes) / 1e6);
    if (args.has("tflop-per-step") && call > 0) {
        const double gflops = args.getDouble("tflop-per-step") * 1e3 / call;
        // Winograd convolutions multiply less than the count says, so above 100 % of the peak is possible.
        std::printf("throughput: %.0f GFLOP/s (at %.2f TFLOP per guided UNet call, convolutions counted as direct)",
                    gflops, args.getDouble("tflop-per-step"));
        // The CPU's own limit, measured now, says how far a faster step could still go.
        if (request.device == "cpu") {
            const auto peak = measureCpuPeak(at::get_num_threads());
            const bool bf16 = request.dtype == "bf16" && peak.bf16Gflops > 0;
            const double limit = bf16 ? peak.bf16Gflops : peak.fp32Gflops;
            if (limit > 0)
                std::printf(" = %.0f%% of this CPU's measured %s peak, %.0f GFLOP/s on %d threads (%.2f s per call "
                            "at the peak)",
                            100 * gflops / limit, bf16 ? "bf16 dot-product" : "fp32 FMA", limit, at::get_num_threads(),
                            args.getDouble("tflop-per-step") * 1e3 / limit);
        }
        std::printf("\n");
    }
    std::printf("resident memory: %.2f GB once loaded (peak while loading %.2f GB); peak %.2f GB\n", loadedGb,
                loadPeakGb, double(procStatusBytes("VmHWM")) / 1e9);
    if (args.flagSet("profile")) {
        const auto profile = profileOps([&] { pipeline->generate(request); });
        std::printf("profile of one untraced generation: %.2f s (profiled), %.2f s inside ops\n", profile.wallSeconds,
                    profile.opSeconds());
        // Shares of the whole profiled run, or of the stage's own time.
        auto table = [&](const std::vector<OpTime>& ops, size_t rows, double total) {
            std::printf("  %-40s %10s %7s %8s\n", "op", "self s", "share", "calls");
            for (size_t i = 0; i < ops.size() && i < rows; ++i)
                std::printf("  %-40s %10.3f %6.1f%% %8lld\n", ops[i].name.c_str(), ops[i].selfSeconds,
                            100 * ops[i].selfSeconds / total, ops[i].calls);
        };
        table(profile.ops, 20, profile.wallSeconds);
        for (const auto& stage : profile.stages) {
            std::printf("stage %s: %lld x, %.2f s (%.3f s each), %.2f s outside ops\n", stage.name.c_str(), stage.calls,
                        stage.seconds, stage.seconds / double(stage.calls), stage.outsideOps);
            table(stage.ops, 10, stage.seconds);
        }
    }
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(bench, "bench", "Time generation (s/step, page faults, peak memory, capture overhead).", runBench);
} // namespace daam::cli
