// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/Session.h"

#include "daam/io/Safetensors.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace daam {

namespace {

const char* const kNegativePrefix = "negative.";

std::string layerKey(size_t layer, const char* what) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "layer%02zu.", layer);
    return buf + std::string(what);
}

nlohmann::json tokensJson(const std::vector<Token>& tokens) {
    auto j = nlohmann::json::array();
    for (const auto& t : tokens)
        j.push_back({{"id", t.id}, {"text", t.text}, {"span", {t.begin, t.end}}});
    return j;
}

nlohmann::json wordsJson(const std::vector<Word>& words) {
    auto j = nlohmann::json::array();
    for (const auto& w : words) {
        j.push_back(
            {{"text", w.text}, {"span", {w.begin, w.end}}, {"tokens", w.tokens}, {"punctuation", w.punctuation}});
        if (w.weight != 1.0) j.back()["weight"] = w.weight; // A1111's emphasis
    }
    return j;
}

nlohmann::json sessionJson(const Session& s) {
    nlohmann::json j;
    j["format_version"] = Session::kFormatVersion;
    j["prompt"] = s.prompt;
    j["tokens"] = tokensJson(s.tokens);
    j["words"] = wordsJson(s.words);
    if (s.negativeTrace)
        j["negative"] = {{"prompt", s.negativePrompt},
                         {"tokens", tokensJson(s.negativeTokens)},
                         {"words", wordsJson(s.negativeWords)},
                         {"trace_tokens", s.negativeTrace->tokens()}};
    auto& layers = j["layers"] = nlohmann::json::array();
    for (const auto& l : s.trace->layers())
        layers.push_back({{"path", l.path},
                          {"block", blockName(l.block)},
                          {"block_index", l.blockIndex},
                          {"attention_index", l.attentionIndex},
                          {"transformer_index", l.transformerIndex},
                          {"heads", l.heads},
                          {"height", l.height},
                          {"width", l.width}});
    j["trace"] = {{"calls", s.trace->calls()},
                  {"tokens", s.trace->tokens()},
                  {"grid", s.gridSide},
                  {"storage", s.trace->options().storage == torch::kFloat16 ? "float16" : "float32"},
                  {"per_head_maps", s.trace->hasHeadMaps()}};
    return j;
}

// annotations/annotations.json names each annotated word (index and text), its rating and its mask file.
void writeAnnotations(const fs::path& dir, const Session& session) {
    fs::create_directories(dir);
    auto words = nlohmann::json::array();
    for (const auto& [index, a] : session.annotations) {
        if (index < 0 || index >= static_cast<int>(session.words.size()))
            throw Error("an annotation names word " + std::to_string(index) + ", which the prompt does not have");
        if (a.rating < 0 || a.rating > 5) throw Error("a rating must be from 1 to 5");
        nlohmann::json w = {{"word", index}, {"text", session.words[size_t(index)].text}, {"rating", a.rating}};
        if (a.mask.width > 0) {
            if (a.mask.width != session.image.width || a.mask.height != session.image.height)
                throw Error("the mask of word '" + session.words[size_t(index)].text + "' is not the image's size");
            const std::string file = "mask-" + std::to_string(index) + ".png";
            writePng((dir / file).string(), a.mask);
            w["mask"] = file;
        }
        words.push_back(std::move(w));
    }
    writeFileAtomically(
        (dir / "annotations.json").string(),
        nlohmann::json{{"format", "daam-studio-annotations"}, {"format_version", 1}, {"words", words}}.dump(1));
}

// Reads key `k` of object `j` as T, or throws naming the file and the key path.
template <class T> T field(const nlohmann::json& j, const char* k, const std::string& file, const std::string& where) {
    if (!j.is_object() || !j.contains(k)) throw FileError(file, "missing \"" + where + k + "\"");
    try {
        return j.at(k).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw FileError(file, "\"" + where + k + "\" has the wrong type");
    }
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
        word.punctuation = w.value("punctuation", false);
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
    const auto newest = std::to_string(Session::kFormatVersion);
    if (found.is_number_unsigned() ? found.get<uint64_t>() > uint64_t(Session::kFormatVersion)
                                   : found.get<int64_t>() > Session::kFormatVersion)
        throw FileError(file, "written by a newer DAAM Studio (format " + found.dump() + ", this build reads " +
                                  newest + ")");
    if (found.get<int64_t>() != Session::kFormatVersion)
        throw FileError(file, where + " " + found.dump() + " is not supported (this build reads " + newest + ")");
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

} // namespace

MapSize mapSize(const Session& session) {
    return {session.image.height > 0 ? session.image.height : session.gridSide,
            session.image.width > 0 ? session.image.width : session.gridSide};
}

bool isReplaceableSessionFolder(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return false;
    if (fs::is_empty(dir, ec)) return true;
    return fs::is_regular_file(fs::path(dir) / "generation.json", ec);
}

void saveSession(const std::string& dir, const Session& session, const SessionExtraFiles& extraFiles) {
    if (!session.trace) throw FileError(dir, "the session has no trace to save");
    const fs::path target = fs::absolute(dir);
    // The swap below replaces the whole folder: never let that take a folder of the user's other files.
    if (fs::exists(target) && !isReplaceableSessionFolder(target))
        throw FileError(dir, "exists and is not a session folder (no generation.json); refusing to replace it");
    const fs::path parent = target.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    std::string tmpl = (parent / (target.filename().string() + ".tmp-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw FileError(dir, "cannot create a temporary folder next to it");
    const fs::path tmp(buf.data());
    try {
        nlohmann::json generation = session.generation.is_object() ? session.generation : nlohmann::json::object();
        generation["session"] = sessionJson(session);
        writeFileAtomically((tmp / "generation.json").string(), generation.dump(1));
        if (session.image.width > 0) writePng((tmp / "image.png").string(), session.image);
        if (session.inputImage.width > 0) writePng((tmp / "input.png").string(), session.inputImage);
        if (!session.annotations.empty()) writeAnnotations(tmp / "annotations", session);

        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        auto addTrace = [&](const std::string& prefix, const AttentionTrace& trace) {
            for (size_t l = 0; l < trace.layers().size(); ++l) {
                tensors.emplace_back(prefix + layerKey(l, "maps"), trace.layerMaps(static_cast<int>(l)));
                tensors.emplace_back(prefix + layerKey(l, "head_totals"), trace.headTotals(static_cast<int>(l)));
                if (trace.hasHeadMaps())
                    tensors.emplace_back(prefix + layerKey(l, "head_maps"), trace.layerHeadMaps(static_cast<int>(l)));
            }
        };
        addTrace("", *session.trace);
        if (session.negativeTrace) {
            if (session.negativeTrace->calls() != session.trace->calls() ||
                session.negativeTrace->layers().size() != session.trace->layers().size())
                throw FileError(dir, "the negative prompt's trace does not match the prompt's");
            addTrace(kNegativePrefix, *session.negativeTrace);
        }
        saveSafetensors((tmp / "trace.safetensors").string(), tensors,
                        {{"format", "daam-studio-trace"}, {"format_version", std::to_string(Session::kFormatVersion)}});
        if (extraFiles) extraFiles(tmp.string());

        // Swap the finished folder in atomically: readers see the old session or the new one, never a mix.
        if (fs::exists(target)) {
            if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
                throw FileError(dir, std::string("cannot replace the session: ") + std::strerror(errno));
            fs::remove_all(tmp, ec); // now holds the previous session
        } else if (::rename(tmp.c_str(), target.c_str()) != 0) {
            throw FileError(dir, std::string("cannot create the session folder: ") + std::strerror(errno));
        }
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(tmp, ec);
        throw FileError(dir, std::string("cannot save the session: ") + e.what());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

namespace {

std::map<int, WordAnnotation> readAnnotations(const fs::path& dir, const Session& session) {
    const auto path = (dir / "annotations.json").string();
    const auto j = readJsonFile(path);
    if (!j.is_object() || j.value("format", std::string()) != "daam-studio-annotations")
        throw FileError(path, "is not a DAAM Studio annotations file");
    checkFormatVersion(j.contains("format_version") ? j["format_version"] : nlohmann::json(), path, "format_version");
    std::map<int, WordAnnotation> out;
    for (const auto& w : field<nlohmann::json>(j, "words", path, "")) {
        const int index = field<int>(w, "word", path, "words[].");
        if (index < 0 || index >= static_cast<int>(session.words.size()))
            throw FileError(path, "names word " + std::to_string(index) + ", which the prompt does not have");
        WordAnnotation a;
        a.rating = field<int>(w, "rating", path, "words[].");
        if (a.rating < 0 || a.rating > 5) throw FileError(path, "a rating must be from 1 to 5 (0: none)");
        if (w.contains("mask")) {
            const auto file = field<std::string>(w, "mask", path, "words[].");
            if (file.empty() || file.find('/') != std::string::npos || file.find("..") != std::string::npos)
                throw FileError(path, "a mask must be a file in the annotations folder");
            a.mask = readPng((dir / file).string());
            if (a.mask.width != session.image.width || a.mask.height != session.image.height)
                throw FileError((dir / file).string(), "is not the image's size");
        }
        out[index] = std::move(a);
    }
    return out;
}

} // namespace

void saveSessionAnnotations(const std::string& dir, const Session& session) {
    const fs::path root(dir);
    if (!fs::exists(root / "generation.json")) throw FileError(dir, "is not a session folder (no generation.json)");
    // Written beside, then swapped in: a failed write leaves the annotations as they were.
    const fs::path fresh = root / "annotations.tmp";
    const fs::path old = root / "annotations.old";
    std::error_code ec;
    fs::remove_all(fresh, ec);
    fs::remove_all(old, ec);
    try {
        if (session.annotations.empty())
            fs::create_directories(fresh);
        else
            writeAnnotations(fresh, session);
        if (fs::exists(root / "annotations")) fs::rename(root / "annotations", old);
        if (session.annotations.empty())
            fs::remove_all(fresh);
        else
            fs::rename(fresh, root / "annotations");
        fs::remove_all(old, ec);
    } catch (const FileError&) {
        fs::remove_all(fresh, ec);
        throw;
    } catch (const std::exception& e) {
        fs::remove_all(fresh, ec);
        throw FileError((root / "annotations").string(), e.what());
    }
}

Session loadSession(const std::string& dir) {
    const fs::path root(dir);
    if (!fs::is_directory(root)) throw FileError(dir, "not a session folder");
    const std::string genPath = (root / "generation.json").string();
    nlohmann::json generation;
    {
        std::ifstream in(genPath);
        if (!in)
            throw FileError(genPath,
                            "missing (a session folder holds generation.json, image.png and trace.safetensors)");
        try {
            generation = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw FileError(genPath, std::string("malformed JSON: ") + jsonErrorText(e.what()));
        }
    }
    if (!generation.is_object() || !generation.contains("session") || !generation["session"].is_object())
        throw FileError(genPath, "no \"session\" object: this is not a DAAM Studio session");
    const auto& s = generation["session"];
    checkFormatVersion(s.contains("format_version") ? s["format_version"] : nlohmann::json(), genPath,
                       "\"session.format_version\"");

    Session session;
    session.prompt = field<std::string>(s, "prompt", genPath, "session.");
    session.tokens = parseTokens(field<nlohmann::json>(s, "tokens", genPath, "session."), genPath, "session.");
    const auto& traceInfo = field<nlohmann::json>(s, "trace", genPath, "session.");
    const int calls = field<int>(traceInfo, "calls", genPath, "session.trace.");
    const int tokens = field<int>(traceInfo, "tokens", genPath, "session.trace.");
    session.gridSide = field<int>(traceInfo, "grid", genPath, "session.trace.");
    const auto storage = field<std::string>(traceInfo, "storage", genPath, "session.trace.");
    const bool perHead = field<bool>(traceInfo, "per_head_maps", genPath, "session.trace.");
    if (calls < 0 || calls > 100000 || tokens <= 0 || tokens > 1000 || session.gridSide <= 0 || session.gridSide > 4096)
        throw FileError(genPath, "session.trace sizes are out of range");
    if (storage != "float16" && storage != "float32")
        throw FileError(genPath, "session.trace.storage must be float16 or float32");

    session.words = parseWords(field<nlohmann::json>(s, "words", genPath, "session."), tokens, genPath, "session.");
    int negativeTokens = 0;
    if (s.contains("negative")) {
        const auto& n = s["negative"];
        session.negativePrompt = field<std::string>(n, "prompt", genPath, "session.negative.");
        session.negativeTokens =
            parseTokens(field<nlohmann::json>(n, "tokens", genPath, "session.negative."), genPath, "session.negative.");
        negativeTokens = field<int>(n, "trace_tokens", genPath, "session.negative.");
        if (negativeTokens <= 0 || negativeTokens > 1000)
            throw FileError(genPath, "session.negative.trace_tokens is out of range");
        session.negativeWords = parseWords(field<nlohmann::json>(n, "words", genPath, "session.negative."),
                                           negativeTokens, genPath, "session.negative.");
    }

    CrossAttentionLayerTable table;
    for (const auto& l : field<nlohmann::json>(s, "layers", genPath, "session.")) {
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
        if (layer.heads <= 0 || layer.heads > 1024 || layer.height <= 0 || layer.width <= 0 || layer.height > 4096 ||
            layer.width > 4096)
            throw FileError(genPath, "layer " + excerpt(layer.path) + " has out-of-range sizes");
        table.push_back(layer);
    }

    const std::string tracePath = (root / "trace.safetensors").string();
    if (!fs::exists(tracePath)) throw FileError(tracePath, "missing");
    auto file = SafetensorsFile::open(tracePath);
    checkTraceFormat(*file);
    const auto storageType = storage == "float16" ? torch::kFloat16 : torch::kFloat32;
    auto load = [&](const std::string& name, std::vector<int64_t> shape) {
        const auto* e = file->find(name);
        if (!e) throw FileError(tracePath, "tensor '" + name + "' is missing");
        if (e->shape != shape) {
            std::string expected;
            for (auto d : shape)
                expected += (expected.empty() ? "" : ", ") + std::to_string(d);
            throw FileError(tracePath, "tensor '" + name + "' should have shape [" + expected + "]");
        }
        return tensorView(file, *e);
    };
    auto loadTrace = [&](const std::string& prefix, int rows) {
        std::vector<torch::Tensor> maps, totals, headMaps;
        for (size_t l = 0; l < table.size(); ++l) {
            const auto& info = table[l];
            const auto mapsKey = prefix + layerKey(l, "maps"), totalsKey = prefix + layerKey(l, "head_totals");
            auto m = load(mapsKey, {calls, rows, info.height, info.width});
            if (m.scalar_type() != storageType)
                throw FileError(tracePath, "tensor '" + mapsKey + "' is not " + storage);
            maps.push_back(m);
            auto t = load(totalsKey, {info.heads, rows, info.height, info.width});
            if (t.scalar_type() != torch::kFloat32)
                throw FileError(tracePath, "tensor '" + totalsKey + "' is not float32");
            totals.push_back(t);
            if (perHead)
                headMaps.push_back(
                    load(prefix + layerKey(l, "head_maps"), {calls, info.heads, rows, info.height, info.width}));
        }
        auto trace = std::make_shared<AttentionTrace>(table, rows, AttentionTraceOptions{storageType, perHead});
        trace->restore(calls, maps, totals, headMaps);
        return trace;
    };
    session.trace = loadTrace("", tokens);
    if (negativeTokens > 0) session.negativeTrace = loadTrace(kNegativePrefix, negativeTokens);
    if (file->entries().size() != table.size() * (perHead ? 3 : 2) * (negativeTokens > 0 ? 2 : 1))
        throw FileError(tracePath, "holds tensors that do not belong to the layer table in generation.json");

    session.image = readPng((root / "image.png").string());
    if (fs::exists(root / "input.png")) session.inputImage = readPng((root / "input.png").string());
    if (fs::exists(root / "annotations" / "annotations.json"))
        session.annotations = readAnnotations(root / "annotations", session);
    session.generation = std::move(generation);
    return session;
}

} // namespace daam
