// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/trace/Session.h"

#include "daam/io/Safetensors.h"
#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>

namespace fs = std::filesystem;

namespace daam {

namespace {

const char* const kNegativePrefix = "negative.";

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
                          {"downscale", l.downscale},
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
                tensors.emplace_back(prefix + sessionLayerKey(l, "maps"), trace.layerMaps(static_cast<int>(l)));
                tensors.emplace_back(prefix + sessionLayerKey(l, "head_totals"), trace.headTotals(static_cast<int>(l)));
                if (trace.hasHeadMaps())
                    tensors.emplace_back(prefix + sessionLayerKey(l, "head_maps"),
                                         trace.layerHeadMaps(static_cast<int>(l)));
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
    nlohmann::json generation = readSessionGeneration(dir);
    const std::string genPath = (root / "generation.json").string();
    SessionHeader header = parseSessionHeader(generation, genPath);

    Session session;
    session.prompt = std::move(header.prompt);
    session.tokens = std::move(header.tokens);
    session.words = std::move(header.words);
    session.gridSide = header.gridSide;
    session.negativePrompt = std::move(header.negativePrompt);
    session.negativeTokens = std::move(header.negativeTokens);
    session.negativeWords = std::move(header.negativeWords);

    const std::string tracePath = (root / "trace.safetensors").string();
    if (!fs::exists(tracePath)) throw FileError(tracePath, "missing");
    auto file = SafetensorsFile::open(tracePath);
    checkTraceFormat(*file);
    const auto storageType = header.storage == "float16" ? torch::kFloat16 : torch::kFloat32;
    // Every tensor is checked against the layer table (traceEntries) before it is viewed.
    auto loadTrace = [&](const std::string& prefix, int rows) {
        std::vector<torch::Tensor> maps, totals, headMaps;
        for (const auto& entries : traceEntries(*file, header, prefix, rows)) {
            maps.push_back(tensorView(file, *entries.maps));
            totals.push_back(tensorView(file, *entries.headTotals));
            if (entries.headMaps) headMaps.push_back(tensorView(file, *entries.headMaps));
        }
        auto trace = std::make_shared<AttentionTrace>(header.layers, rows,
                                                      AttentionTraceOptions{storageType, header.perHeadMaps});
        trace->restore(header.calls, maps, totals, headMaps);
        return trace;
    };
    session.trace = loadTrace("", header.traceTokens);
    if (header.negativeTraceTokens > 0) session.negativeTrace = loadTrace(kNegativePrefix, header.negativeTraceTokens);
    checkTraceEntryCount(*file, header);

    session.image = readPng((root / "image.png").string());
    if (fs::exists(root / "input.png")) session.inputImage = readPng((root / "input.png").string());
    if (fs::exists(root / "annotations" / "annotations.json"))
        session.annotations = readSessionAnnotations((root / "annotations").string(), session.words.size(),
                                                     session.image.width, session.image.height);
    session.generation = std::move(generation);
    return session;
}

} // namespace daam
