// SPDX-License-Identifier: GPL-3.0-or-later
// Running a batch plan with one loaded pipeline into a batch folder, resumably, and joining shards:
//   DIR/batch.json         the plan's fingerprint, item count, shard, model, trace options (BatchPlan.h)
//   DIR/sessions/NNNNN/    one session folder per item (trace/Session.h), each written whole or not at all
//   DIR/index.jsonl        one row per item: item, line, id, prompt, negative_prompt, seed, session, status
//                          ("done" or "failed"), error, seconds {generate, item}
// While a batch runs, each finished item appends its row (a killed run leaves at most a torn last line, which a
// rerun drops); at the end the index is rewritten in item order, one row per item.
#pragma once

#include "daam/batch/BatchPlan.h"
#include "daam/trace/AttentionTrace.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace daam {

class StableDiffusionPipeline;
struct StepProgress;

// index.jsonl's rows by item. A line that does not parse is dropped only when it is the last (a run killed while
// appending); elsewhere it is a FileError naming the line. Absent file: no rows.
std::map<int, nlohmann::json> readBatchIndex(const std::string& path);
// Writes the rows in item order, atomically.
void writeBatchIndex(const std::string& path, const std::map<int, nlohmann::json>& rows);

// A finished item of a batch, for commands that read a batch's sessions (eval-masks, syntax).
struct FinishedItem {
    int item = 0;
    std::string id;         // the row's id, when it had one
    std::string sessionDir; // the session folder (the index's folder joined with the row's session)
    nlohmann::json row;
};
// The "done" rows of an index.jsonl in item order. Throws FileError when the index is absent or has none.
std::vector<FinishedItem> finishedItems(const std::string& indexPath);

struct BatchRunOptions {
    std::string outDir;
    ShardSpec shard;
    AttentionTraceOptions trace;
    std::string modelPath;
};

// The trace options as batch.json records them (they are part of the plan's fingerprint).
nlohmann::json traceOptionsJson(const AttentionTraceOptions& options);

struct BatchRunObserver {
    virtual ~BatchRunObserver() = default;
    // Before each item this run generates: `done` of `total` items of the shard are finished (skipped included).
    virtual void onItemStart(const BatchItem& item, int done, int total) {}
    virtual void onStep(const BatchItem& item, const StepProgress& progress) {}
    virtual void onItemEnd(const BatchItem& item, const nlohmann::json& row, int done, int total) {}
};

struct BatchRunSummary {
    int shardItems = 0; // items of this shard
    int skipped = 0;    // finished by an earlier run
    int done = 0;       // finished by this run
    int failed = 0;
    double generateSeconds = 0; // the generations themselves (the pipeline's own timing)
    double itemSeconds = 0;     // the items from start to index row: generation, session, index
};

// Runs the shard's items that are not finished yet. The folder must be new, empty or a batch folder of the same
// plan and shard (FileError otherwise). An item that throws is recorded as failed with its error, and the batch
// goes on; a rerun tries it again.
BatchRunSummary runBatch(StableDiffusionPipeline& pipeline, const BatchPlan& plan, const BatchRunOptions& options,
                         BatchRunObserver* observer = nullptr);

struct BatchMergeSummary {
    int items = 0;
    int failed = 0;
};
// Joins shard folders of one batch into `outDir` (new or empty): checks that they share a fingerprint and a shard
// count, that each shard index appears once, and that every item has exactly one row, in the shard it belongs
// to, whose session is present; then copies (or, with `move`, renames) the sessions and writes batch.json and
// the index. Throws FileError naming the shard folder and the item when anything is missing or twice.
BatchMergeSummary mergeBatchShards(const std::string& outDir, const std::vector<std::string>& shardDirs, bool move);

} // namespace daam
