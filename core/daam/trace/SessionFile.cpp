// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/SessionFile.h"

#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <type_traits>

namespace fs = std::filesystem;

namespace daam {

namespace {

template <class T> struct IsIntegerList : std::false_type {};
template <class T> struct IsIntegerList<std::vector<T>> : std::is_integral<T> {};

// An integer in T's range. nlohmann's get<T>() would convert a boolean, truncate a fraction, wrap an integer past
// T's range, and a float past it is undefined behaviour: each of these is an error here.
template <class T> T integerValue(const nlohmann::json& v, const std::string& file, const std::string& name) {
    static_assert(std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) <= sizeof(int64_t));
    if (!v.is_number_integer()) throw FileError(file, "\"" + name + "\" has the wrong type");
    const bool inRange = v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max())
                                                : v.get<int64_t>() >= int64_t(std::numeric_limits<T>::min()) &&
                                                      v.get<int64_t>() <= int64_t(std::numeric_limits<T>::max());
    if (!inRange) throw FileError(file, "\"" + name + "\" is out of range");
    return static_cast<T>(v.get<int64_t>());
}

// Reads key `k` of object `j` as T, or throws naming the file and the key path. Integers (and lists of them) must
// be integers in T's range, a floating-point value a number: no boolean or fraction stands in for them.
template <class T> T field(const nlohmann::json& j, const char* k, const std::string& file, const std::string& where) {
    if (!j.is_object() || !j.contains(k)) throw FileError(file, "missing \"" + where + k + "\"");
    const auto& v = j.at(k);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        return integerValue<T>(v, file, where + k);
    } else if constexpr (IsIntegerList<T>::value) {
        if (!v.is_array()) throw FileError(file, "\"" + where + k + "\" has the wrong type");
        T out;
        out.reserve(v.size());
        for (const auto& e : v)
            out.push_back(integerValue<typename T::value_type>(e, file, where + k));
        return out;
    } else {
        if constexpr (std::is_floating_point_v<T>)
            if (!v.is_number()) throw FileError(file, "\"" + where + k + "\" has the wrong type");
        try {
            return v.get<T>();
        } catch (const nlohmann::json::exception&) {
            throw FileError(file, "\"" + where + k + "\" has the wrong type");
        }
    }
}

// The list under key `k` of object `j`, or throws naming the file and the key path.
const nlohmann::json& listField(const nlohmann::json& j, const char* k, const std::string& file,
                                const std::string& where) {
    if (!j.is_object() || !j.contains(k)) throw FileError(file, "missing \"" + where + k + "\"");
    const auto& list = j.at(k);
    if (!list.is_array()) throw FileError(file, "\"" + where + k + "\" is not a list");
    return list;
}

std::vector<Token> parseTokens(const nlohmann::json& list, const std::string& file, const std::string& where) {
    if (!list.is_array()) throw FileError(file, "\"" + where + "tokens\" is not a list");
    std::vector<Token> tokens;
    for (const auto& t : list) {
        Token token;
        token.id = field<int64_t>(t, "id", file, where + "tokens[].");
        token.text = field<std::string>(t, "text", file, where + "tokens[].");
        const auto span = field<std::vector<int64_t>>(t, "span", file, where + "tokens[].");
        if (span.size() != 2) throw FileError(file, "a token span is not [begin, end]");
        token.begin = span[0];
        token.end = span[1];
        tokens.push_back(token);
    }
    return tokens;
}

// Words whose token rows must lie inside a trace of `rows` rows (row 0 is the start token).
std::vector<Word> parseWords(const nlohmann::json& list, int rows, const std::string& file, const std::string& where) {
    if (!list.is_array()) throw FileError(file, "\"" + where + "words\" is not a list");
    std::vector<Word> words;
    for (const auto& w : list) {
        Word word;
        word.text = field<std::string>(w, "text", file, where + "words[].");
        const auto span = field<std::vector<int64_t>>(w, "span", file, where + "words[].");
        if (span.size() != 2) throw FileError(file, "a word span is not [begin, end]");
        word.begin = span[0];
        word.end = span[1];
        word.tokens = field<std::vector<int>>(w, "tokens", file, where + "words[].");
        for (int t : word.tokens)
            if (t <= 0 || t >= rows)
                throw FileError(file, "word '" + excerpt(word.text) + "' names token " + std::to_string(t) +
                                          " outside the trace");
        if (w.contains("punctuation")) word.punctuation = field<bool>(w, "punctuation", file, where + "words[].");
        if (w.contains("weight")) {
            word.weight = field<double>(w, "weight", file, where + "words[].");
            if (!std::isfinite(word.weight)) throw FileError(file, "word '" + excerpt(word.text) + "' has no weight");
        }
        words.push_back(word);
    }
    return words;
}

// A session file's format version: an integer no newer than this build reads. `found` is the version as
// written (a JSON value, or the text of a safetensors metadata entry); `where` names it in messages.
void checkFormatVersion(const nlohmann::json& found, const std::string& file, const std::string& where) {
    if (found.is_null()) throw FileError(file, "missing " + where + ": not a DAAM Studio session file");
    if (!found.is_number_integer())
        throw FileError(file, where + " must be an integer, got " + excerpt(found.dump(), 40));
    const auto newest = std::to_string(kSessionFormatVersion);
    if (found.is_number_unsigned() ? found.get<uint64_t>() > uint64_t(kSessionFormatVersion)
                                   : found.get<int64_t>() > kSessionFormatVersion)
        throw FileError(file, "written by a newer DAAM Studio (format " + found.dump() + ", this build reads " +
                                  newest + ")");
    if (found.get<int64_t>() != kSessionFormatVersion)
        throw FileError(file, where + " " + found.dump() + " is not supported (this build reads " + newest + ")");
}

// The entry `name` of the trace file, which must have `shape`.
const TensorEntry& traceEntry(const SafetensorsFile& file, const std::string& name, const std::vector<int64_t>& shape) {
    const auto* e = file.find(name);
    if (!e) throw FileError(file.path(), "tensor '" + name + "' is missing");
    if (e->shape != shape) {
        std::string expected;
        for (auto d : shape)
            expected += (expected.empty() ? "" : ", ") + std::to_string(d);
        throw FileError(file.path(), "tensor '" + name + "' should have shape [" + expected + "]");
    }
    return *e;
}

} // namespace

nlohmann::json readSessionGeneration(const std::string& dir) {
    const fs::path root(dir);
    if (!fs::is_directory(root)) throw FileError(dir, "not a session folder");
    const std::string genPath = (root / "generation.json").string();
    std::ifstream in(genPath);
    if (!in)
        throw FileError(genPath, "missing (a session folder holds generation.json, image.png and trace.safetensors)");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw FileError(genPath, std::string("malformed JSON: ") + jsonErrorText(e.what()));
    }
}

SessionHeader parseSessionHeader(const nlohmann::json& generation, const std::string& genPath) {
    if (!generation.is_object() || !generation.contains("session") || !generation["session"].is_object())
        throw FileError(genPath, "no \"session\" object: this is not a DAAM Studio session");
    const auto& s = generation["session"];
    checkFormatVersion(s.contains("format_version") ? s["format_version"] : nlohmann::json(), genPath,
                       "\"session.format_version\"");

    SessionHeader header;
    header.prompt = field<std::string>(s, "prompt", genPath, "session.");
    header.tokens = parseTokens(field<nlohmann::json>(s, "tokens", genPath, "session."), genPath, "session.");
    const auto& traceInfo = field<nlohmann::json>(s, "trace", genPath, "session.");
    header.calls = field<int>(traceInfo, "calls", genPath, "session.trace.");
    header.traceTokens = field<int>(traceInfo, "tokens", genPath, "session.trace.");
    header.gridSide = field<int>(traceInfo, "grid", genPath, "session.trace.");
    header.storage = field<std::string>(traceInfo, "storage", genPath, "session.trace.");
    header.perHeadMaps = field<bool>(traceInfo, "per_head_maps", genPath, "session.trace.");
    if (header.calls < 0 || header.calls > 100000 || header.traceTokens <= 0 || header.traceTokens > 1000 ||
        header.gridSide <= 0 || header.gridSide > 4096)
        throw FileError(genPath, "session.trace sizes are out of range");
    if (header.storage != "float16" && header.storage != "float32")
        throw FileError(genPath, "session.trace.storage must be float16 or float32");

    header.words =
        parseWords(field<nlohmann::json>(s, "words", genPath, "session."), header.traceTokens, genPath, "session.");
    if (s.contains("negative")) {
        const auto& n = s["negative"];
        header.negativePrompt = field<std::string>(n, "prompt", genPath, "session.negative.");
        header.negativeTokens =
            parseTokens(field<nlohmann::json>(n, "tokens", genPath, "session.negative."), genPath, "session.negative.");
        header.negativeTraceTokens = field<int>(n, "trace_tokens", genPath, "session.negative.");
        if (header.negativeTraceTokens <= 0 || header.negativeTraceTokens > 1000)
            throw FileError(genPath, "session.negative.trace_tokens is out of range");
        header.negativeWords = parseWords(field<nlohmann::json>(n, "words", genPath, "session.negative."),
                                          header.negativeTraceTokens, genPath, "session.negative.");
    }

    for (const auto& l : listField(s, "layers", genPath, "session.")) {
        CrossAttentionLayer layer;
        layer.path = field<std::string>(l, "path", genPath, "session.layers[].");
        if (!parseBlockName(field<std::string>(l, "block", genPath, "session.layers[]."), layer.block))
            throw FileError(genPath, "layer " + excerpt(layer.path) + " has an unknown block");
        layer.blockIndex = field<int>(l, "block_index", genPath, "session.layers[].");
        layer.attentionIndex = field<int>(l, "attention_index", genPath, "session.layers[].");
        layer.transformerIndex = field<int>(l, "transformer_index", genPath, "session.layers[].");
        layer.heads = field<int>(l, "heads", genPath, "session.layers[].");
        layer.height = field<int>(l, "height", genPath, "session.layers[].");
        layer.width = field<int>(l, "width", genPath, "session.layers[].");
        // Sessions written before the downscale was stored leave it unknown (0); nothing after the capture needs it.
        layer.downscale = l.contains("downscale") ? field<int>(l, "downscale", genPath, "session.layers[].") : 0;
        if (layer.heads <= 0 || layer.heads > 1024 || layer.height <= 0 || layer.width <= 0 || layer.height > 4096 ||
            layer.width > 4096 || layer.downscale < 0 || layer.downscale > 4096)
            throw FileError(genPath, "layer " + excerpt(layer.path) + " has out-of-range sizes");
        header.layers.push_back(layer);
    }
    return header;
}

std::string sessionLayerKey(size_t layer, const char* what) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "layer%02zu.", layer);
    return buf + std::string(what);
}

// The trace file's metadata: {"format": "daam-studio-trace", "format_version": "<N>"}.
void checkTraceFormat(const SafetensorsFile& file) {
    const auto& metadata = file.metadata();
    const auto format = metadata.find("format");
    if (format == metadata.end() || format->second != "daam-studio-trace")
        throw FileError(file.path(), "not a DAAM Studio trace (its metadata \"format\" is " +
                                         (format == metadata.end() ? std::string("missing")
                                                                   : "'" + excerpt(format->second, 40) + "'") +
                                         ", not 'daam-studio-trace')");
    const auto version = metadata.find("format_version");
    nlohmann::json value; // null when missing
    if (version != metadata.end()) {
        // Written as the decimal text of an integer; anything else is shown as the string it is.
        const std::string& text = version->second;
        const bool digits =
            !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos;
        value = digits ? nlohmann::json(std::stoll(text)) : nlohmann::json(text);
    }
    checkFormatVersion(value, file.path(), "metadata \"format_version\"");
}

std::vector<TraceLayerEntries> traceEntries(const SafetensorsFile& file, const SessionHeader& header,
                                            const std::string& prefix, int rows) {
    const DType storageType = header.storage == "float16" ? DType::F16 : DType::F32;
    const int calls = header.calls;
    std::vector<TraceLayerEntries> out;
    for (size_t l = 0; l < header.layers.size(); ++l) {
        const auto& info = header.layers[l];
        const auto mapsKey = prefix + sessionLayerKey(l, "maps"),
                   totalsKey = prefix + sessionLayerKey(l, "head_totals");
        TraceLayerEntries entries;
        entries.maps = &traceEntry(file, mapsKey, {calls, rows, info.height, info.width});
        if (entries.maps->dtype != storageType)
            throw FileError(file.path(), "tensor '" + mapsKey + "' is not " + header.storage);
        entries.headTotals = &traceEntry(file, totalsKey, {info.heads, rows, info.height, info.width});
        if (entries.headTotals->dtype != DType::F32)
            throw FileError(file.path(), "tensor '" + totalsKey + "' is not float32");
        if (header.perHeadMaps)
            entries.headMaps = &traceEntry(file, prefix + sessionLayerKey(l, "head_maps"),
                                           {calls, info.heads, rows, info.height, info.width});
        out.push_back(entries);
    }
    return out;
}

void checkTraceEntryCount(const SafetensorsFile& file, const SessionHeader& header) {
    if (file.entries().size() !=
        header.layers.size() * (header.perHeadMaps ? 3 : 2) * (header.negativeTraceTokens > 0 ? 2 : 1))
        throw FileError(file.path(), "holds tensors that do not belong to the layer table in generation.json");
}

std::map<int, WordAnnotation> readSessionAnnotations(const std::string& dir, size_t words, int imageWidth,
                                                     int imageHeight) {
    const auto path = (fs::path(dir) / "annotations.json").string();
    const auto j = readJsonFile(path);
    if (!j.is_object() || !j.contains("format") || j["format"] != "daam-studio-annotations")
        throw FileError(path, "is not a DAAM Studio annotations file");
    checkFormatVersion(j.contains("format_version") ? j["format_version"] : nlohmann::json(), path, "format_version");
    std::map<int, WordAnnotation> out;
    for (const auto& w : listField(j, "words", path, "")) {
        const int index = field<int>(w, "word", path, "words[].");
        if (index < 0 || index >= static_cast<int>(words))
            throw FileError(path, "names word " + std::to_string(index) + ", which the prompt does not have");
        WordAnnotation a;
        a.rating = field<int>(w, "rating", path, "words[].");
        if (a.rating < 0 || a.rating > 5) throw FileError(path, "a rating must be from 1 to 5 (0: none)");
        if (w.contains("mask")) {
            const auto file = field<std::string>(w, "mask", path, "words[].");
            if (file.empty() || file.find('/') != std::string::npos || file.find("..") != std::string::npos)
                throw FileError(path, "a mask must be a file in the annotations folder");
            a.mask = readPng((fs::path(dir) / file).string());
            if (a.mask.width != imageWidth || a.mask.height != imageHeight)
                throw FileError((fs::path(dir) / file).string(), "is not the image's size");
        }
        out[index] = std::move(a);
    }
    return out;
}

} // namespace daam
