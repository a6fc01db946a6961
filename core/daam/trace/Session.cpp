#include "daam/trace/Session.h"

#include "daam/io/Safetensors.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace daam {

namespace {

std::string layerKey(size_t layer, const char* what) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "layer%02zu.", layer);
    return buf + std::string(what);
}

nlohmann::json sessionJson(const Session& s) {
    nlohmann::json j;
    j["format_version"] = Session::kFormatVersion;
    j["prompt"] = s.prompt;
    auto& tokens = j["tokens"] = nlohmann::json::array();
    for (const auto& t : s.tokens)
        tokens.push_back({{"id", t.id}, {"text", t.text}, {"span", {t.begin, t.end}}});
    auto& words = j["words"] = nlohmann::json::array();
    for (const auto& w : s.words)
        words.push_back(
            {{"text", w.text}, {"span", {w.begin, w.end}}, {"tokens", w.tokens}, {"punctuation", w.punctuation}});
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

// Reads key `k` of object `j` as T, or throws naming the file and the key path.
template <class T> T field(const nlohmann::json& j, const char* k, const std::string& file, const std::string& where) {
    if (!j.is_object() || !j.contains(k)) throw FileError(file, "missing \"" + where + k + "\"");
    try {
        return j.at(k).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw FileError(file, "\"" + where + k + "\" has the wrong type");
    }
}

} // namespace

void saveSession(const std::string& dir, const Session& session) {
    if (!session.trace) throw FileError(dir, "the session has no trace to save");
    const fs::path target = fs::absolute(dir);
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

        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        const auto& trace = *session.trace;
        for (size_t l = 0; l < trace.layers().size(); ++l) {
            tensors.emplace_back(layerKey(l, "maps"), trace.layerMaps(static_cast<int>(l)));
            tensors.emplace_back(layerKey(l, "head_totals"), trace.headTotals(static_cast<int>(l)));
            if (trace.hasHeadMaps())
                tensors.emplace_back(layerKey(l, "head_maps"), trace.layerHeadMaps(static_cast<int>(l)));
        }
        saveSafetensors((tmp / "trace.safetensors").string(), tensors,
                        {{"format", "daam-studio-trace"}, {"format_version", std::to_string(Session::kFormatVersion)}});

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
            throw FileError(genPath, std::string("malformed JSON: ") + e.what());
        }
    }
    if (!generation.is_object() || !generation.contains("session") || !generation["session"].is_object())
        throw FileError(genPath, "no \"session\" object: this is not a DAAM Studio session");
    const auto& s = generation["session"];
    const int version = field<int>(s, "format_version", genPath, "session.");
    if (version != Session::kFormatVersion)
        throw FileError(genPath, "session format version " + std::to_string(version) +
                                     " is not supported (this build reads " + std::to_string(Session::kFormatVersion) +
                                     ")");

    Session session;
    session.prompt = field<std::string>(s, "prompt", genPath, "session.");
    for (const auto& t : field<nlohmann::json>(s, "tokens", genPath, "session.")) {
        Token token;
        token.id = field<int64_t>(t, "id", genPath, "session.tokens[].");
        token.text = field<std::string>(t, "text", genPath, "session.tokens[].");
        const auto span = field<std::vector<int64_t>>(t, "span", genPath, "session.tokens[].");
        if (span.size() != 2) throw FileError(genPath, "a token span is not [begin, end]");
        token.begin = span[0];
        token.end = span[1];
        session.tokens.push_back(token);
    }
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

    for (const auto& w : field<nlohmann::json>(s, "words", genPath, "session.")) {
        Word word;
        word.text = field<std::string>(w, "text", genPath, "session.words[].");
        const auto span = field<std::vector<int64_t>>(w, "span", genPath, "session.words[].");
        if (span.size() != 2) throw FileError(genPath, "a word span is not [begin, end]");
        word.begin = span[0];
        word.end = span[1];
        word.tokens = field<std::vector<int>>(w, "tokens", genPath, "session.words[].");
        for (int t : word.tokens)
            if (t <= 0 || t >= tokens)
                throw FileError(genPath,
                                "word '" + word.text + "' names token " + std::to_string(t) + " outside the trace");
        word.punctuation = w.value("punctuation", false);
        session.words.push_back(word);
    }

    CrossAttentionLayerTable table;
    for (const auto& l : field<nlohmann::json>(s, "layers", genPath, "session.")) {
        CrossAttentionLayer layer;
        layer.path = field<std::string>(l, "path", genPath, "session.layers[].");
        if (!parseBlockName(field<std::string>(l, "block", genPath, "session.layers[]."), layer.block))
            throw FileError(genPath, "layer " + layer.path + " has an unknown block");
        layer.blockIndex = field<int>(l, "block_index", genPath, "session.layers[].");
        layer.attentionIndex = field<int>(l, "attention_index", genPath, "session.layers[].");
        layer.transformerIndex = field<int>(l, "transformer_index", genPath, "session.layers[].");
        layer.heads = field<int>(l, "heads", genPath, "session.layers[].");
        layer.height = field<int>(l, "height", genPath, "session.layers[].");
        layer.width = field<int>(l, "width", genPath, "session.layers[].");
        if (layer.heads <= 0 || layer.heads > 1024 || layer.height <= 0 || layer.width <= 0 || layer.height > 4096 ||
            layer.width > 4096)
            throw FileError(genPath, "layer " + layer.path + " has out-of-range sizes");
        table.push_back(layer);
    }

    const std::string tracePath = (root / "trace.safetensors").string();
    if (!fs::exists(tracePath)) throw FileError(tracePath, "missing");
    auto file = SafetensorsFile::open(tracePath);
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
    std::vector<torch::Tensor> maps, totals, headMaps;
    for (size_t l = 0; l < table.size(); ++l) {
        const auto& info = table[l];
        auto m = load(layerKey(l, "maps"), {calls, tokens, info.height, info.width});
        if (m.scalar_type() != storageType)
            throw FileError(tracePath, "tensor '" + layerKey(l, "maps") + "' is not " + storage);
        maps.push_back(m);
        auto t = load(layerKey(l, "head_totals"), {info.heads, tokens, info.height, info.width});
        if (t.scalar_type() != torch::kFloat32)
            throw FileError(tracePath, "tensor '" + layerKey(l, "head_totals") + "' is not float32");
        totals.push_back(t);
        if (perHead)
            headMaps.push_back(load(layerKey(l, "head_maps"), {calls, info.heads, tokens, info.height, info.width}));
    }
    if (file->entries().size() != table.size() * (perHead ? 3 : 2))
        throw FileError(tracePath, "holds tensors that do not belong to the layer table in generation.json");
    session.trace = std::make_shared<AttentionTrace>(table, tokens, AttentionTraceOptions{storageType, perHead});
    session.trace->restore(calls, maps, totals, headMaps);

    session.image = readPng((root / "image.png").string());
    session.generation = std::move(generation);
    return session;
}

} // namespace daam
