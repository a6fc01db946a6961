// SPDX-License-Identifier: GPL-3.0-or-later
// Prompts files (plain lines, CSV, JSONL) into numbered batch items; shard specs; batch.json.
#include "daam/batch/BatchPlan.h"

#include "daam/io/PngImage.h"
#include "daam/util/AsciiText.h"
#include "daam/util/Error.h"
#include "daam/util/Fingerprint.h"
#include "daam/util/JsonConfig.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace daam {

namespace {

// A prompts file past this is not a prompts file (a model or an archive given by mistake).
constexpr uintmax_t kMaxPromptsFileBytes = 256ull << 20;
// Items of one batch: the item numbers and folder names are sized for it.
constexpr size_t kMaxBatchItems = 10'000'000;

enum class FieldType { Text, Count, Seed, Number };

struct FieldSpec {
    const char* key;
    FieldType type;
};

// The request options a row may set, under the names GenerationRequest::toJson uses, and "id".
constexpr FieldSpec kRowFields[] = {{"prompt", FieldType::Text},     {"negative_prompt", FieldType::Text},
                                    {"seed", FieldType::Seed},       {"steps", FieldType::Count},
                                    {"guidance", FieldType::Number}, {"scheduler", FieldType::Text},
                                    {"eta", FieldType::Number},      {"width", FieldType::Count},
                                    {"height", FieldType::Count},    {"id", FieldType::Text}};

std::string where(const std::string& path, int line) {
    return path + ":" + std::to_string(line);
}

const FieldSpec* fieldSpec(const std::string& name) {
    const std::string key = name == "negative" ? "negative_prompt" : name;
    for (const auto& f : kRowFields)
        if (key == f.key) return &f;
    return nullptr;
}

std::string knownFields() {
    std::string s;
    for (const auto& f : kRowFields)
        s += (s.empty() ? "" : ", ") + std::string(f.key);
    return s;
}

// A CSV cell as the JSON value its column takes.
json cellValue(const FieldSpec& spec, const std::string& text, const std::string& at) {
    const auto value = trimWhitespace(text);
    auto bad = [&](const char* expected) {
        return FileError(at, std::string("column '") + spec.key + "': '" + excerpt(value, 40) + "' is not " + expected);
    };
    switch (spec.type) {
    case FieldType::Text:
        return text; // prompts keep their spaces: they are tokenized as given
    case FieldType::Seed:
    case FieldType::Count: {
        if (value.empty() || value.size() > 19 || value.find_first_not_of("0123456789") != std::string::npos)
            throw bad("a whole number");
        const auto n = std::strtoull(value.c_str(), nullptr, 10);
        if (spec.type == FieldType::Count && n > 1'000'000) throw bad("a number up to 1000000");
        return n;
    }
    case FieldType::Number: {
        char* end = nullptr;
        errno = 0;
        const double d = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(d)) throw bad("a number");
        return d;
    }
    }
    return nullptr;
}

// Checks a JSONL row's keys and value types; returns the fields under their canonical names.
json checkedJsonFields(const json& row, const std::string& at) {
    if (!row.is_object()) throw FileError(at, "a JSONL line must hold one JSON object");
    json fields = json::object();
    for (const auto& [key, value] : row.items()) {
        const auto* spec = fieldSpec(key);
        if (!spec) throw FileError(at, "unknown key \"" + excerpt(key, 40) + "\" (known: " + knownFields() + ")");
        const bool ok = spec->type == FieldType::Text ? value.is_string()
                        : spec->type == FieldType::Number
                            ? value.is_number()
                            : value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
        if (!ok)
            throw FileError(at, std::string("\"") + spec->key + "\" must be " +
                                    (spec->type == FieldType::Text     ? "a string"
                                     : spec->type == FieldType::Number ? "a number"
                                                                       : "a whole number that is not negative"));
        fields[spec->key] = value;
    }
    return fields;
}

std::string readWholeFile(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw FileError(path, "no such file");
    if (fs::file_size(path, ec) > kMaxPromptsFileBytes)
        throw FileError(path, "larger than 256 MiB: not a prompts file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError(path, "cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    auto s = text.str();
    if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3); // a spreadsheet's byte-order mark
    if (!isValidUtf8(s)) throw FileError(path, "not UTF-8 text");
    if (s.find('\0') != std::string::npos) throw FileError(path, "holds NUL bytes: not a text file");
    return s;
}

std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
    }
    return lines;
}

// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. Each record keeps the line
// it starts on.
std::vector<std::pair<int, std::vector<std::string>>> csvRecords(const std::string& text, const std::string& path) {
    std::vector<std::pair<int, std::vector<std::string>>> records;
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false, fieldWasQuoted = false, recordHasText = false;
    int line = 1, recordLine = 1;
    auto endRecord = [&] {
        fields.push_back(field);
        if (recordHasText || fields.size() > 1) records.emplace_back(recordLine, fields);
        fields.clear();
        field.clear();
        fieldWasQuoted = recordHasText = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"') {
            if (!trimWhitespace(field).empty() || fieldWasQuoted)
                throw FileError(where(path, line), "a quote inside an unquoted CSV field (quote the whole field)");
            field.clear();
            quoted = fieldWasQuoted = recordHasText = true;
        } else if (c == ',') {
            fields.push_back(field);
            field.clear();
            fieldWasQuoted = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            endRecord();
            recordLine = ++line;
        } else {
            if (fieldWasQuoted && c != ' ' && c != '\t')
                throw FileError(where(path, line), "text after a quoted CSV field's closing quote");
            if (c != ' ' && c != '\t') recordHasText = true;
            if (!fieldWasQuoted) field += c;
        }
    }
    if (quoted) throw FileError(where(path, recordLine), "a quoted CSV field is never closed");
    if (recordHasText || !fields.empty()) endRecord();
    return records;
}

std::vector<PromptRow> csvRows(const std::string& text, const std::string& path) {
    const auto records = csvRecords(text, path);
    if (records.empty()) throw FileError(path, "holds no header row and no prompts");
    std::vector<const FieldSpec*> columns;
    for (const auto& name : records.front().second) {
        const auto* spec = fieldSpec(asciiLower(trimWhitespace(name)));
        if (!spec)
            throw FileError(where(path, records.front().first), "unknown column '" + excerpt(trimWhitespace(name), 40) +
                                                                    "' (known: " + knownFields() + ")");
        if (std::find(columns.begin(), columns.end(), spec) != columns.end())
            throw FileError(where(path, records.front().first), std::string("column '") + spec->key + "' twice");
        columns.push_back(spec);
    }
    if (std::none_of(columns.begin(), columns.end(),
                     [](const FieldSpec* s) { return s->key == std::string("prompt"); }))
        throw FileError(where(path, records.front().first), "the header row names no 'prompt' column");
    std::vector<PromptRow> rows;
    for (size_t r = 1; r < records.size(); ++r) {
        const auto& [line, cells] = records[r];
        const auto at = where(path, line);
        if (cells.size() != columns.size())
            throw FileError(at, std::to_string(cells.size()) + " fields where the header has " +
                                    std::to_string(columns.size()));
        PromptRow row{line, json::object()};
        for (size_t c = 0; c < cells.size(); ++c)
            if (columns[c]->type == FieldType::Text ? !cells[c].empty() : !trimWhitespace(cells[c]).empty())
                row.fields[columns[c]->key] = cellValue(*columns[c], cells[c], at);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<PromptRow> jsonlRows(const std::string& text, const std::string& path) {
    std::vector<PromptRow> rows;
    const auto lines = splitLines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (trimWhitespace(lines[i]).empty()) continue;
        const int line = static_cast<int>(i) + 1;
        json row;
        try {
            row = json::parse(lines[i]);
        } catch (const json::exception& e) {
            throw FileError(where(path, line), std::string("malformed JSON: ") + jsonErrorText(e.what()));
        }
        rows.push_back({line, checkedJsonFields(row, where(path, line))});
    }
    return rows;
}

std::vector<PromptRow> textRows(const std::string& text) {
    std::vector<PromptRow> rows;
    const auto lines = splitLines(text);
    for (size_t i = 0; i < lines.size(); ++i)
        if (!trimWhitespace(lines[i]).empty())
            rows.push_back({static_cast<int>(i) + 1, {{"prompt", trimWhitespace(lines[i])}}});
    return rows;
}

} // namespace

std::vector<PromptRow> readPromptRows(const std::string& path) {
    const auto text = readWholeFile(path);
    const auto extension = asciiLower(fs::path(path).extension().string());
    auto rows = extension == ".csv"                               ? csvRows(text, path)
                : extension == ".jsonl" || extension == ".ndjson" ? jsonlRows(text, path)
                                                                  : textRows(text);
    if (rows.empty()) throw FileError(path, "holds no prompts");
    for (const auto& row : rows) {
        const auto prompt = row.fields.find("prompt");
        if (prompt == row.fields.end() || trimWhitespace(prompt->get<std::string>()).empty())
            throw FileError(where(path, row.line), "no prompt");
    }
    return rows;
}

ShardSpec parseShardSpec(const std::string& text) {
    const auto slash = text.find('/');
    auto number = [&](const std::string& part) {
        if (part.empty() || part.size() > 6 || part.find_first_not_of("0123456789") != std::string::npos)
            throw Error("a shard is I/N with whole numbers, 0 <= I < N (got '" + excerpt(text, 40) + "')");
        return std::stoi(part);
    };
    if (slash == std::string::npos) number("");
    ShardSpec s{number(text.substr(0, slash)), number(text.substr(slash + 1))};
    if (s.count < 1 || s.index >= s.count)
        throw Error("a shard is I/N with 0 <= I < N (got '" + excerpt(text, 40) + "': there is no shard " +
                    std::to_string(s.index) + " of " + std::to_string(s.count) + ")");
    return s;
}

BatchPlan makeBatchPlan(const std::string& promptsFile, const std::vector<PromptRow>& rows,
                        const GenerationRequest& base, const std::vector<uint64_t>& seeds,
                        const std::string& modelFingerprint, const json& traceOptions) {
    BatchPlan plan;
    plan.promptsFile = promptsFile;
    for (const auto& row : rows) {
        json request = base.toJson();
        for (const auto& [key, value] : row.fields.items())
            if (key != "id") request[key] = value;
        const auto at = where(promptsFile, row.line);
        std::vector<uint64_t> rowSeeds = seeds;
        if (row.fields.contains("seed")) rowSeeds = {row.fields["seed"].get<uint64_t>()};
        if (rowSeeds.empty()) throw FileError(at, "the row gives no seed and no seeds were given");
        for (const auto seed : rowSeeds) {
            BatchItem item;
            item.index = static_cast<int>(plan.items.size());
            item.line = row.line;
            if (row.fields.contains("id")) item.id = row.fields["id"].get<std::string>();
            request["seed"] = seed;
            item.request = GenerationRequest::fromJson(request, at);
            try {
                item.request.validate();
            } catch (const Error& e) {
                throw FileError(at, e.what());
            }
            plan.items.push_back(std::move(item));
            if (plan.items.size() > kMaxBatchItems)
                throw FileError(promptsFile, "makes more than 10000000 items: split the batch");
        }
    }
    const size_t digits = std::max<size_t>(5, std::to_string(plan.items.size() - 1).size());
    Fingerprint f;
    f.mix(modelFingerprint);
    f.mix(traceOptions.dump());
    for (auto& item : plan.items) {
        const auto number = std::to_string(item.index);
        item.session = "sessions/" + std::string(digits - number.size(), '0') + number;
        json request = item.request.toJson();
        request.erase("device");
        f.mix(request.dump());
        f.mix(item.id);
        f.mix(item.session);
    }
    plan.fingerprint = f.hex();
    return plan;
}

json batchManifest(const BatchPlan& plan, const ShardSpec& shard, const std::string& modelPath,
                   const json& traceOptions) {
    return {{"format", "daam-studio-batch"},
            {"format_version", 1},
            {"fingerprint", plan.fingerprint},
            {"items", plan.items.size()},
            {"shard", {{"index", shard.index}, {"count", shard.count}}},
            {"prompts", plan.promptsFile},
            {"model", modelPath},
            {"trace", traceOptions}};
}

std::optional<json> readBatchManifest(const std::string& dir) {
    const auto path = (fs::path(dir) / "batch.json").string();
    if (!fs::exists(path)) return std::nullopt;
    auto j = readJsonFile(path);
    if (j.value("format", "") != "daam-studio-batch") throw FileError(path, "not a DAAM Studio batch manifest");
    const auto shard = j.find("shard");
    if (!j.contains("fingerprint") || !j["fingerprint"].is_string() || !j.contains("items") ||
        !j["items"].is_number_unsigned() || shard == j.end() || !shard->is_object() ||
        !shard->value("index", json()).is_number_unsigned() || !shard->value("count", json()).is_number_unsigned())
        throw FileError(path, "malformed: needs fingerprint, items and shard {index, count}");
    return j;
}

} // namespace daam
