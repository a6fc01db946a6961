// SPDX-License-Identifier: GPL-3.0-or-later
// What a batch generates: the rows of a prompts file (plain lines, CSV or JSONL, with per-row options) times
// the seeds asked for, as numbered items, and the shard of them that one process runs. A batch folder records
// the plan's fingerprint in batch.json, so that a rerun resumes only the batch it started and a merge joins only
// shards of one batch.
#pragma once

#include "daam/pipeline/GenerationRequest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace daam {

// One row of a prompts file: where it is, and the request options it sets (a JSON object with the keys of
// GenerationRequest::toJson, plus "id", the user's own name for the row, kept in the index).
struct PromptRow {
    int line = 0; // 1-based line where the row starts
    nlohmann::json fields = nlohmann::json::object();
};

// Reads FILE by its extension: .csv (a header row naming the columns), .jsonl / .ndjson (one object per line),
// anything else one prompt per line. Blank lines are skipped. Columns and keys: prompt (required),
// negative_prompt (or negative), seed, steps, guidance, scheduler, eta, width, height, id. Throws FileError
// naming the file, the line and the problem (an unknown column, a malformed value, no prompt, no rows at all).
std::vector<PromptRow> readPromptRows(const std::string& path);

struct BatchItem {
    int index = 0;  // position in the whole batch, from 0
    int line = 0;   // the prompts file's line
    std::string id; // the row's "id", when it gave one
    GenerationRequest request;
    std::string session; // the session folder, relative to the batch folder: sessions/NNNNN
};

// `--shard I/N`: the items whose index is I modulo N.
struct ShardSpec {
    int index = 0;
    int count = 1;
    bool contains(int item) const { return item % count == index; }
    std::string toString() const { return std::to_string(index) + "/" + std::to_string(count); }
};
// "I/N" with 0 <= I < N; throws Error quoting the text otherwise.
ShardSpec parseShardSpec(const std::string& text);

struct BatchPlan {
    std::string promptsFile;
    std::vector<BatchItem> items;
    // FNV-1a of everything that decides the outputs: the items' requests (less the device, which may differ
    // between the machines of a sharded run), the model's fingerprint and the trace options.
    std::string fingerprint;
};

// Items: every row once per seed. A row that gives its own seed makes one item. `seeds` is empty only when
// every row gives a seed. Each row's fields are applied over `base` and the request validated (FileError naming
// the line when a value is out of range).
BatchPlan makeBatchPlan(const std::string& promptsFile, const std::vector<PromptRow>& rows,
                        const GenerationRequest& base, const std::vector<uint64_t>& seeds,
                        const std::string& modelFingerprint, const nlohmann::json& traceOptions);

// batch.json: what a batch folder holds (format, fingerprint, item count, shard, prompts file, model, trace).
nlohmann::json batchManifest(const BatchPlan& plan, const ShardSpec& shard, const std::string& modelPath,
                             const nlohmann::json& traceOptions);
// Reads DIR/batch.json; nullopt when the folder has none. Throws FileError when it is malformed.
std::optional<nlohmann::json> readBatchManifest(const std::string& dir);

} // namespace daam
