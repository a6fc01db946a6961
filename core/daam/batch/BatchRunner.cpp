// SPDX-License-Identifier: GPL-3.0-or-later
// Runs batch items into session folders with one loaded pipeline; resumes; joins shards.
#include "daam/batch/BatchRunner.h"

#include "daam/pipeline/GenerationSession.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace daam {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool isFinishedSession(const fs::path& dir) {
    return fs::is_regular_file(dir / "generation.json");
}

bool isEmptyOrAbsent(const std::string& dir) {
    std::error_code ec;
    return !fs::exists(dir, ec) || (fs::is_directory(dir, ec) && fs::is_empty(dir, ec));
}

// The first line of an exception's text: LibTorch's carry a C++ backtrace after it.
std::string errorLine(const std::exception& e) {
    std::string text = e.what();
    if (const auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
    return excerpt(text, 300);
}

json itemRow(const BatchItem& item) {
    json row = {{"item", item.index}, {"line", item.line}};
    if (!item.id.empty()) row["id"] = item.id;
    row["prompt"] = item.request.prompt;
    if (!item.request.negativePrompt.empty()) row["negative_prompt"] = item.request.negativePrompt;
    row["seed"] = item.request.seed;
    return row;
}

// Refuses a folder that holds something other than this batch's shard.
void checkBatchFolder(const std::string& dir, const BatchPlan& plan, const ShardSpec& shard) {
    if (isEmptyOrAbsent(dir)) return;
    if (!fs::is_directory(dir)) throw FileError(dir, "exists and is not a folder; choose another --out");
    const auto manifest = readBatchManifest(dir);
    const auto path = (fs::path(dir) / "batch.json").string();
    if (!manifest) throw FileError(dir, "exists and is not a batch folder (no batch.json); choose another --out");
    if ((*manifest)["fingerprint"] != plan.fingerprint || (*manifest)["items"] != plan.items.size())
        throw FileError(path, "holds another batch (other prompts, seeds, options, model or trace options); "
                              "choose another --out to run this one");
    const auto& s = (*manifest)["shard"];
    if (s["index"] != shard.index || s["count"] != shard.count)
        throw FileError(path, "holds shard " + s["index"].dump() + "/" + s["count"].dump() + " of this batch, not " +
                                  shard.toString());
}

// Appends one line and nothing else: a killed process leaves at most that line torn.
class IndexAppender {
public:
    explicit IndexAppender(std::string path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw FileError(path_, "cannot open for appending");
    }
    ~IndexAppender() { ::close(fd_); }
    IndexAppender(const IndexAppender&) = delete;
    IndexAppender& operator=(const IndexAppender&) = delete;
    void append(const json& row) {
        const auto line = row.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
        writeAll(fd_, line.data(), line.size(), path_);
    }

private:
    std::string path_;
    int fd_ = -1;
};

class ItemCallbacks : public GenerationCallbacks {
public:
    ItemCallbacks(BatchRunObserver* observer, const BatchItem& item) : observer_(observer), item_(item) {}
    void onStep(const StepProgress& p) override {
        if (observer_) observer_->onStep(item_, p);
    }

private:
    BatchRunObserver* observer_;
    const BatchItem& item_;
};

} // namespace

std::map<int, json> readBatchIndex(const std::string& path) {
    std::map<int, json> rows;
    std::ifstream in(path, std::ios::binary);
    if (!in) return rows;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto at = path + ":" + std::to_string(i + 1);
        json row;
        try {
            row = json::parse(lines[i]);
        } catch (const json::exception& e) {
            if (i + 1 == lines.size()) break; // torn by a killed run: that item is redone
            throw FileError(at, std::string("malformed JSON: ") + jsonErrorText(e.what()));
        }
        if (!row.is_object() || !row.contains("item") || !row["item"].is_number_unsigned() || !row.contains("status") ||
            !row["status"].is_string())
            throw FileError(at, "an index row needs \"item\" (a whole number) and \"status\"");
        if (row["status"] == "done" && (!row.contains("session") || !row["session"].is_string()))
            throw FileError(at, "a finished item's row needs \"session\"");
        const int item = row["item"].get<int>();
        rows[item] = std::move(row); // a later row of the same item supersedes an earlier one
    }
    return rows;
}

void writeBatchIndex(const std::string& path, const std::map<int, json>& rows) {
    std::string text;
    for (const auto& [item, row] : rows)
        text += row.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    writeFileAtomically(path, text);
}

std::vector<FinishedItem> finishedItems(const std::string& indexPath) {
    std::error_code ec;
    if (!fs::is_regular_file(indexPath, ec)) throw FileError(indexPath, "no such file (a batch's index.jsonl)");
    std::vector<FinishedItem> items;
    for (const auto& [item, row] : readBatchIndex(indexPath)) {
        if (row["status"] != "done") continue;
        FinishedItem f;
        f.item = item;
        if (row.contains("id") && row["id"].is_string()) f.id = row["id"].get<std::string>();
        f.sessionDir = (fs::path(indexPath).parent_path() / row["session"].get<std::string>()).string();
        f.row = row;
        items.push_back(std::move(f));
    }
    if (items.empty()) throw FileError(indexPath, "has no finished items");
    return items;
}

json traceOptionsJson(const AttentionTraceOptions& options) {
    return {{"storage", options.storage == torch::kFloat32 ? "fp32" : "fp16"}, {"keep_heads", options.keepHeads}};
}

BatchRunSummary runBatch(StableDiffusionPipeline& pipeline, const BatchPlan& plan, const BatchRunOptions& options,
                         BatchRunObserver* observer) {
    const fs::path dir(options.outDir);
    checkBatchFolder(options.outDir, plan, options.shard);
    // The manifest first: a folder that holds anything of a batch says which batch it is.
    const auto manifestPath = (dir / "batch.json").string();
    if (!fs::exists(manifestPath))
        writeJsonFile(manifestPath,
                      batchManifest(plan, options.shard, options.modelPath, traceOptionsJson(options.trace)));
    fs::create_directories(dir / "sessions");
    // A run killed while saving a session leaves its temporary folder (see saveSession); the item is redone.
    for (const auto& entry : fs::directory_iterator(dir / "sessions"))
        if (entry.path().filename().string().find(".tmp-") != std::string::npos) fs::remove_all(entry.path());

    BatchRunSummary summary;
    std::vector<const BatchItem*> todo;
    const auto indexPath = (dir / "index.jsonl").string();
    auto earlier = readBatchIndex(indexPath);
    std::map<int, json> rows;
    for (const auto& item : plan.items) {
        if (!options.shard.contains(item.index)) continue;
        ++summary.shardItems;
        const auto found = earlier.find(item.index);
        if (found != earlier.end() && found->second["status"] == "done" && found->second["session"] == item.session &&
            isFinishedSession(dir / item.session)) {
            rows[item.index] = found->second;
            ++summary.skipped;
        } else {
            todo.push_back(&item);
        }
    }
    // Only finished rows stay, and a torn last line goes, before anything is appended after it.
    writeBatchIndex(indexPath, rows);

    IndexAppender index(indexPath);
    int finished = summary.skipped;
    for (const BatchItem* item : todo) {
        if (observer) observer->onItemStart(*item, finished, summary.shardItems);
        const auto start = std::chrono::steady_clock::now();
        json row = itemRow(*item);
        double generateSeconds = 0;
        try {
            ItemCallbacks callbacks(observer, *item);
            const auto traced = generateTraced(pipeline, item->request, &callbacks, options.trace);
            generateSeconds = traced.result.seconds;
            saveGeneratedSession((dir / item->session).string(), traced.session);
            row["session"] = item->session;
            row["status"] = "done";
            ++summary.done;
        } catch (const std::bad_alloc&) {
            throw Error("out of memory at item " + std::to_string(item->index) + " (rerun to resume)");
        } catch (const std::exception& e) {
            row["status"] = "failed";
            row["error"] = errorLine(e);
            ++summary.failed;
        }
        const double itemSeconds = secondsSince(start);
        row["seconds"] = {{"generate", generateSeconds}, {"item", itemSeconds}};
        index.append(row);
        summary.generateSeconds += generateSeconds;
        summary.itemSeconds += itemSeconds;
        rows[item->index] = row;
        ++finished;
        if (observer) observer->onItemEnd(*item, row, finished, summary.shardItems);
    }
    writeBatchIndex(indexPath, rows);
    return summary;
}

BatchMergeSummary mergeBatchShards(const std::string& outDir, const std::vector<std::string>& shardDirs, bool move) {
    if (shardDirs.empty()) throw Error("no shard folders to merge");
    if (!isEmptyOrAbsent(outDir)) throw FileError(outDir, "exists and is not empty; merge into a new folder");
    struct Shard {
        std::string dir;
        json manifest;
        std::map<int, json> rows;
    };
    std::vector<Shard> shards;
    std::map<int, std::string> byIndex;
    for (const auto& dir : shardDirs) {
        auto manifest = readBatchManifest(dir);
        if (!manifest) throw FileError(dir, "not a batch folder (no batch.json)");
        const auto& first = shards.empty() ? *manifest : shards.front().manifest;
        const auto manifestPath = (fs::path(dir) / "batch.json").string();
        if ((*manifest)["fingerprint"] != first["fingerprint"] || (*manifest)["items"] != first["items"])
            throw FileError(manifestPath, "belongs to another batch than " + shards.front().dir);
        if ((*manifest)["shard"]["count"] != first["shard"]["count"])
            throw FileError(manifestPath, "was run as one of " + (*manifest)["shard"]["count"].dump() + " shards, " +
                                              shards.front().dir + " as one of " + first["shard"]["count"].dump());
        const int index = (*manifest)["shard"]["index"].get<int>();
        if (const auto twice = byIndex.find(index); twice != byIndex.end())
            throw FileError(dir, "is shard " + std::to_string(index) + " again (as is " + twice->second + ")");
        byIndex[index] = dir;
        shards.push_back({dir, *manifest, readBatchIndex((fs::path(dir) / "index.jsonl").string())});
    }
    const auto& manifest = shards.front().manifest;
    const int count = manifest["shard"]["count"].get<int>();
    const int items = manifest["items"].get<int>();
    for (int i = 0; i < count; ++i)
        if (!byIndex.count(i))
            throw Error("shard " + std::to_string(i) + "/" + std::to_string(count) + " is missing from the merge");

    std::map<int, json> rows;
    std::map<int, const Shard*> owner;
    for (const auto& shard : shards) {
        const ShardSpec spec{shard.manifest["shard"]["index"].get<int>(), count};
        const auto indexPath = (fs::path(shard.dir) / "index.jsonl").string();
        for (const auto& [item, row] : shard.rows) {
            if (item >= items || !spec.contains(item))
                throw FileError(indexPath, "holds item " + std::to_string(item) + ", which is not shard " +
                                               spec.toString() + "'s");
            if (row["status"] == "done" && !isFinishedSession(fs::path(shard.dir) / row["session"].get<std::string>()))
                throw FileError(shard.dir, "item " + std::to_string(item) + "'s session " +
                                               row["session"].get<std::string>() + " is missing");
            rows[item] = row;
            owner[item] = &shard;
        }
    }
    for (int item = 0; item < items; ++item)
        if (!rows.count(item))
            throw FileError(byIndex[item % count],
                            "has no row for item " + std::to_string(item) + ": rerun that shard to finish it");

    // Built beside the destination and renamed into place: a merge that fails leaves no half batch.
    const fs::path target = fs::absolute(outDir).lexically_normal();
    if (target.has_parent_path()) fs::create_directories(target.parent_path());
    const fs::path tmp = target.string() + ".merging";
    fs::remove_all(tmp);
    fs::create_directories(tmp / "sessions");
    BatchMergeSummary summary;
    summary.items = items;
    try {
        for (const auto& [item, row] : rows) {
            if (row["status"] != "done") {
                ++summary.failed;
                continue;
            }
            const auto session = row["session"].get<std::string>();
            const auto from = fs::path(owner[item]->dir) / session;
            if (move)
                fs::rename(from, tmp / session);
            else
                fs::copy(from, tmp / session, fs::copy_options::recursive);
        }
        json merged = manifest;
        merged["shard"] = {{"index", 0}, {"count", 1}};
        writeJsonFile((tmp / "batch.json").string(), merged);
        writeBatchIndex((tmp / "index.jsonl").string(), rows);
        if (fs::exists(target)) fs::remove(target); // empty, checked above
        fs::rename(tmp, target);
    } catch (const fs::filesystem_error& e) {
        std::error_code ec;
        if (!move) fs::remove_all(tmp, ec);
        throw FileError(e.path1().string(), std::string("cannot merge: ") + e.code().message());
    }
    return summary;
}

} // namespace daam
