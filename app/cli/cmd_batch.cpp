// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli batch: many prompts and seeds with one loaded model, a session per item and an index, resumable and
// shardable; daam-cli batch-merge: the shards of a batch joined into one batch folder.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"
#include "ProgressBar.h"

#include "daam/batch/BatchRunner.h"
#include "daam/pipeline/StableDiffusionPipeline.h"

#include <cstdio>
#include <sstream>

namespace daam::cli {
namespace {

// "--seeds N" from --seed on, or "--seed-list 1,5,9".
std::vector<uint64_t> seedsFrom(const Args& args) {
    if (args.has("seeds") && args.has("seed-list")) throw UsageError("give --seeds or --seed-list, not both");
    if (auto list = args.value("seed-list")) {
        std::vector<uint64_t> seeds;
        std::stringstream in(*list);
        for (std::string part; std::getline(in, part, ',');) {
            if (part.empty() || part.size() > 19 || part.find_first_not_of("0123456789") != std::string::npos)
                throw UsageError("--seed-list takes whole numbers separated by commas (got '" + *list + "')");
            seeds.push_back(std::stoull(part));
        }
        if (seeds.empty()) throw UsageError("--seed-list is empty");
        return seeds;
    }
    const auto count = args.getInt("seeds");
    if (count < 1 || count > 100000) throw UsageError("--seeds must be 1..100000");
    const auto first = args.getInt("seed");
    if (first < 0) throw UsageError("--seed must not be negative");
    std::vector<uint64_t> seeds;
    for (long long i = 0; i < count; ++i)
        seeds.push_back(static_cast<uint64_t>(first + i));
    return seeds;
}

// A bar with the estimate on a terminal; one plain line per item otherwise (logs of cluster jobs).
class BatchProgress : public BatchRunObserver {
public:
    void onItemStart(const BatchItem& item, int done, int total) override {
        if (!started_) bar_.startFrom(done); // the items an earlier run finished took no time of this one
        started_ = true;
        done_ = done;
        total_ = total;
        bar_.update(done, total, label(item));
    }
    void onStep(const BatchItem&, const StepProgress& p) override {
        if (!bar_.enabled()) return;
        char step[48];
        std::snprintf(step, sizeof(step), " step %d/%d", p.call, p.calls);
        bar_.update(done_, total_, current_ + step);
    }
    void onItemEnd(const BatchItem& item, const nlohmann::json& row, int done, int total) override {
        done_ = done;
        total_ = total;
        if (bar_.enabled()) {
            bar_.update(done, total, label(item));
            if (row["status"] != "done") {
                bar_.finish();
                std::fprintf(stderr, "item %d failed: %s\n", item.index, row["error"].get<std::string>().c_str());
            }
            return;
        }
        if (row["status"] == "done")
            std::fprintf(stderr, "[%d/%d] item %d done in %.1f s: %s\n", done, total, item.index,
                         row["seconds"]["item"].get<double>(), row["session"].get<std::string>().c_str());
        else
            std::fprintf(stderr, "[%d/%d] item %d failed: %s\n", done, total, item.index,
                         row["error"].get<std::string>().c_str());
    }
    void finish() { bar_.finish(); }

private:
    std::string label(const BatchItem& item) {
        current_ = "item " + std::to_string(item.index);
        return current_;
    }
    ProgressBar bar_{"batch"};
    std::string current_;
    int done_ = 0, total_ = 0;
    bool started_ = false;
};

int runBatchCommand(const std::vector<std::string>& argv) {
    Args args("batch",
              "Generate every prompt of FILE at every seed with one loaded model, writing DIR/sessions/NNNNN (a\n"
              "session per item), DIR/index.jsonl (one row per item: item, line, id, prompt, seed, session, status,\n"
              "error, seconds) and DIR/batch.json. FILE: one prompt per line, or .csv (a header row) / .jsonl rows\n"
              "with prompt, negative_prompt, seed, steps, guidance, scheduler, eta, width, height and id; a row's\n"
              "options win over the command line's. Rerun the same command to resume: finished items are kept.\n"
              "Exit status 1 when an item failed (its error is in the index; a rerun tries it again).",
              argv);
    args.option("prompts", "FILE", "The prompts file.");
    args.option("out", "DIR", "The batch folder (new, empty, or this batch's to resume it).");
    args.option("seeds", "N", "Seeds per prompt: --seed, --seed + 1, ... (rows with a seed of their own make one).",
                "1");
    args.option("seed-list", "LIST", "Seeds per prompt as a list, e.g. 0,42,1234.");
    args.option("shard", "I/N",
                "Run only items I, I+N, I+2N, ... (0 <= I < N): one shard of a batch split over N processes or "
                "machines, e.g. a Slurm array task with I=$SLURM_ARRAY_TASK_ID. Join them with batch-merge.",
                "0/1");
    declareGenerationOptions(args);
    args.flag("keep-heads", "Keep every call's per-head maps in the traces (exact time-range queries; larger).");
    args.option("trace-dtype", "T", "Storage of the per-call maps: fp16 or fp32.", "fp16");
    if (!args.parse()) return 0;
    if (args.has("prompt")) throw UsageError("batch reads its prompts from --prompts FILE, not --prompt");
    const auto promptsFile = args.require("prompts");
    const auto out = args.require("out");
    const auto traceDType = args.get("trace-dtype");
    if (traceDType != "fp16" && traceDType != "fp32") throw UsageError("--trace-dtype must be fp16 or fp32");
    ShardSpec shard;
    try {
        shard = parseShardSpec(args.get("shard"));
    } catch (const Error& e) {
        throw UsageError(std::string("--shard: ") + e.what());
    }
    const auto seeds = seedsFrom(args);
    const auto base = generationRequestFrom(args, false);
    const auto rows = readPromptRows(promptsFile);

    BatchRunOptions options;
    options.outDir = out;
    options.shard = shard;
    options.trace.storage = traceDType == "fp32" ? torch::kFloat32 : torch::kFloat16;
    options.trace.keepHeads = args.flagSet("keep-heads");
    auto pipeline = loadPipeline(modelFolder(args), base, args.get("variant"));
    options.modelPath = pipeline->modelPath();
    const auto plan =
        makeBatchPlan(promptsFile, rows, base, seeds, pipeline->fingerprint(), traceOptionsJson(options.trace));

    BatchProgress progress;
    const auto summary = runBatch(*pipeline, plan, options, &progress);
    progress.finish();
    std::fprintf(stderr, "%d items in shard %s: %d done now, %d done before, %d failed\n", summary.shardItems,
                 shard.toString().c_str(), summary.done, summary.skipped, summary.failed);
    if (summary.generateSeconds > 0)
        std::fprintf(stderr,
                     "time per item: generation %.3f s, whole item %.3f s (sessions and index: %+.1f %% over the "
                     "generation)\n",
                     summary.generateSeconds / (summary.done + summary.failed),
                     summary.itemSeconds / (summary.done + summary.failed),
                     100 * (summary.itemSeconds / summary.generateSeconds - 1));
    if (summary.failed > 0) {
        std::fprintf(stderr, "daam-cli batch: %d of %d items failed (see %s/index.jsonl); rerun to try them again\n",
                     summary.failed, summary.shardItems, out.c_str());
        return 1;
    }
    return 0;
}

int runBatchMerge(const std::vector<std::string>& argv) {
    Args args("batch-merge",
              "Join the shard folders of one batch (each made by `batch --shard I/N` with the same prompts and\n"
              "options) into one batch folder DIR, as one unsharded run would have written it. Checks that every\n"
              "shard is there once and every item has its row and session.",
              argv);
    args.option("out", "DIR", "The merged batch folder (new or empty).");
    args.flag("move", "Move the sessions out of the shard folders instead of copying them.");
    args.positional("SHARD_DIR...", "The shard folders.", true, true);
    if (!args.parse()) return 0;
    const auto out = args.require("out");
    if (args.positionals().empty()) throw UsageError("give the shard folders to merge");
    const auto summary = mergeBatchShards(out, args.positionals(), args.flagSet("move"));
    std::fprintf(stderr, "merged %zu shards: %d items (%d failed) in %s\n", args.positionals().size(), summary.items,
                 summary.failed, out.c_str());
    return summary.failed > 0 ? 1 : 0;
}

} // namespace
DAAM_CLI_COMMAND(batch, "batch", "Generate a prompts file at many seeds: sessions and an index, resumable.",
                 runBatchCommand);
DAAM_CLI_COMMAND(batch_merge, "batch-merge", "Join the shards of a batch into one batch folder.", runBatchMerge);
} // namespace daam::cli
