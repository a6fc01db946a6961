// SPDX-License-Identifier: GPL-3.0-or-later
// Writing and reading generation parameters in PNG text chunks: A1111's text, ComfyUI's graphs and our JSON.
#include "daam/pipeline/GenerationParameters.h"

#include "daam/util/AsciiText.h"
#include "daam/util/Error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

namespace fs = std::filesystem;

namespace daam {

namespace {

using nlohmann::json;

constexpr int kDaamFormatVersion = 1;
constexpr const char* kDaamFormat = "daam-studio-png";
// Links between ComfyUI nodes followed from a sampler before giving up (a cycle would otherwise never end).
constexpr int kMaxLinkHops = 16;
constexpr int64_t kMaxSide = 65535;

struct SamplerName {
    const char* ours;
    const char* a1111;
    const char* comfy; // ComfyUI's sampler_name ("" where it has none)
};
// DPM++ 2M Karras is DPM++ 2M on Karras sigmas: ComfyUI says so in its scheduler, not its sampler name.
constexpr SamplerName kSamplers[] = {{"ddim", "DDIM", "ddim"},
                                     {"pndm", "PLMS", ""},
                                     {"euler", "Euler", "euler"},
                                     {"euler-a", "Euler a", "euler_ancestral"},
                                     {"lms", "LMS", "lms"},
                                     {"dpm++2m", "DPM++ 2M", "dpmpp_2m"},
                                     {"dpm++2m-karras", "DPM++ 2M Karras", ""}};

// diffusers' class names, as a model's scheduler_config.json names its default (and the record then holds it).
std::string ourSchedulerName(const std::string& name) {
    static const std::map<std::string, std::string> classes = {{"DDIMScheduler", "ddim"},
                                                               {"PNDMScheduler", "pndm"},
                                                               {"EulerDiscreteScheduler", "euler"},
                                                               {"EulerAncestralDiscreteScheduler", "euler-a"},
                                                               {"DPMSolverMultistepScheduler", "dpm++2m"},
                                                               {"LMSDiscreteScheduler", "lms"}};
    const auto it = classes.find(name);
    return it != classes.end() ? it->second : name;
}

bool isOurScheduler(const std::string& name) {
    return std::any_of(std::begin(kSamplers), std::end(kSamplers), [&](const auto& s) { return name == s.ours; });
}

// Shortest text that reads back as the same double, whatever the C locale (a German one writes "7,5").
std::string formatNumber(double value) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof(buf), value);
    return std::string(buf, r.ptr);
}

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// A whole number of digits only, at most `max`.
std::optional<uint64_t> parseWhole(const std::string& text, uint64_t max) {
    uint64_t value = 0;
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

std::optional<double> parseNumber(const std::string& text) {
    double value = 0;
    const char* begin = text.data() + (startsWith(text, "+") ? 1 : 0);
    const auto r = std::from_chars(begin, text.data() + text.size(), value);
    if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// A1111 quotes a value with a comma, a colon or a line break as a JSON string; so do we, and also one that a
// reader would otherwise change: one that starts with a quote or has spaces at either end.
std::string quoteA1111(const std::string& value) {
    const bool plain = value.find_first_of(",:\n\r") == std::string::npos && value == trimWhitespace(value) &&
                       (value.empty() || value.front() != '"');
    return plain ? value : json(value).dump(-1, ' ', false, json::error_handler_t::replace);
}

const json* member(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(key);
    return it != j.end() ? &*it : nullptr;
}

std::string stringMember(const json& j, const char* key) {
    const json* v = member(j, key);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The scheduler name and the notes for a sampler on a schedule other than its own. `karras`: the PNG asks for
// Karras sigmas; `otherSchedule`: it asks for a schedule we do not have (its name).
void setSampler(GenerationParameters& p, const std::string& ours, bool karras, const std::string& otherSchedule) {
    p.scheduler = ours;
    if (karras && ours == "dpm++2m") {
        p.scheduler = "dpm++2m-karras";
    } else if (karras || !otherSchedule.empty()) {
        p.notes.push_back("the schedule '" + excerpt(karras ? std::string("Karras") : otherSchedule, 40) +
                          "' is not one of ours: " + ours + " runs on its own");
    }
}

void unknownSampler(GenerationParameters& p) {
    p.notes.push_back("the sampler '" + excerpt(p.sampler, 60) + "' has no counterpart here");
}

// ---- A1111 ----------------------------------------------------------------------------------------------------

struct Setting {
    std::string key, value;
};

// The settings line, "Key: value, Key: "quoted, value", Flag": items that are neither are kept as written, for
// extensions write odd ones; a quoted value that does not end, or is not a JSON string, is malformed.
std::vector<Setting> splitSettings(const std::string& line, const std::string& png) {
    std::vector<Setting> items;
    size_t i = 0;
    const size_t n = line.size();
    while (i < n) {
        while (i < n && line[i] == ' ')
            ++i;
        if (i >= n) break;
        const size_t comma = line.find(',', i);
        const size_t colon = line.find(':', i);
        if (colon == std::string::npos || (comma != std::string::npos && comma < colon)) {
            const std::string item = trimWhitespace(line.substr(i, comma == std::string::npos ? n - i : comma - i));
            if (!item.empty()) items.push_back({item, item});
            i = comma == std::string::npos ? n : comma + 1;
            continue;
        }
        Setting s;
        s.key = trimWhitespace(line.substr(i, colon - i));
        i = colon + 1;
        while (i < n && line[i] == ' ')
            ++i;
        if (i < n && line[i] == '"') {
            size_t j = i + 1;
            while (j < n && line[j] != '"')
                j += line[j] == '\\' ? 2 : 1;
            if (j >= n)
                throw FileError(png, "parameters chunk: the quoted value of " + excerpt(s.key, 40) + " never ends");
            try {
                s.value = json::parse(line.substr(i, j - i + 1)).get<std::string>();
            } catch (const json::exception&) {
                throw FileError(png, "parameters chunk: the quoted value of " + excerpt(s.key, 40) +
                                         " is not a valid JSON string");
            }
            i = j + 1;
            while (i < n && line[i] == ' ')
                ++i;
            if (i < n && line[i] != ',')
                throw FileError(png, "parameters chunk: text follows the quoted value of " + excerpt(s.key, 40));
            ++i;
        } else {
            const size_t end = comma == std::string::npos ? n : comma;
            s.value = trimWhitespace(line.substr(i, end - i));
            i = end + 1;
        }
        items.push_back(std::move(s));
    }
    return items;
}

bool looksLikeSettings(const std::string& line) {
    if (startsWith(line, "Steps:")) return true;
    // A1111's own test: three "Key: value" items at least. Prompts with two colons stay prompts.
    int found = 0;
    for (size_t i = 0; (i = line.find(": ", i)) != std::string::npos; i += 2)
        ++found;
    return found >= 3;
}

void applyA1111Setting(GenerationParameters& p, const Setting& s, const std::string& png, std::string& scheduleType) {
    auto bad = [&](const std::string& what) {
        throw FileError(png, "parameters chunk: " + s.key + " " + what + " ('" + excerpt(s.value, 40) + "')");
    };
    if (s.key == "Steps") {
        const auto v = parseWhole(s.value, std::numeric_limits<int>::max());
        if (!v) bad("is not a whole number");
        p.steps = static_cast<int>(*v);
    } else if (s.key == "CFG scale") {
        if (!(p.guidance = parseNumber(s.value))) bad("is not a number");
    } else if (s.key == "Eta") {
        if (!(p.eta = parseNumber(s.value))) bad("is not a number");
    } else if (s.key == "Seed") {
        if (!(p.seed = parseWhole(s.value, std::numeric_limits<uint64_t>::max())))
            bad("is not a whole number from 0 up");
    } else if (s.key == "Size") {
        const auto x = s.value.find('x');
        const auto w = x == std::string::npos ? std::nullopt : parseWhole(s.value.substr(0, x), kMaxSide);
        const auto h = x == std::string::npos ? std::nullopt : parseWhole(s.value.substr(x + 1), kMaxSide);
        if (!w || !h || *w == 0 || *h == 0) bad("is not WIDTHxHEIGHT");
        p.width = static_cast<int>(*w);
        p.height = static_cast<int>(*h);
    } else if (s.key == "Sampler") {
        p.sampler = s.value;
    } else if (s.key == "Schedule type") {
        scheduleType = s.value;
    } else if (s.key == "Model") {
        if (!s.value.empty()) p.modelName = s.value;
    } else if (s.key == "Model hash") {
        if (!s.value.empty()) p.modelHash = s.value;
    } else {
        p.other.emplace_back(s.key, s.value);
    }
}

void mapA1111Sampler(GenerationParameters& p, const std::string& scheduleType) {
    if (p.sampler.empty()) return;
    std::string name = p.sampler;
    bool karras = scheduleType == "Karras";
    // Before A1111 1.9 the schedule was part of the name ("DPM++ 2M Karras"); since, "Schedule type: Karras".
    const std::string suffix = " Karras";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        name.resize(name.size() - suffix.size());
        karras = true;
    }
    const bool ownSchedule = scheduleType.empty() || scheduleType == "Automatic" || scheduleType == "Karras";
    for (const auto& s : kSamplers)
        if (name == s.a1111) return setSampler(p, s.ours, karras, ownSchedule ? std::string() : scheduleType);
    unknownSampler(p);
}

// ---- ComfyUI ----------------------------------------------------------------------------------------------------

json parseJsonChunk(const std::string& text, const std::string& png, const char* key) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw FileError(png, std::string(key) + " chunk: not JSON: " + jsonErrorText(e.what()));
    }
}

// The API graph: {"<id>": {"class_type": "...", "inputs": {name: value or [linked id, output]}}}.
class ComfyGraph {
public:
    ComfyGraph(const json& graph, const std::string& png) : graph_(graph), png_(png) {
        if (!graph.is_object() || graph.empty()) fail("not a ComfyUI graph (an object of nodes)");
        for (const auto& [id, node] : graph.items()) {
            if (!node.is_object() || !member(node, "class_type") || !node["class_type"].is_string())
                fail("node " + quoted(id) + " has no class_type");
            const json* inputs = member(node, "inputs");
            if (inputs && !inputs->is_object()) fail("the inputs of node " + quoted(id) + " are not an object");
        }
    }

    [[noreturn]] void fail(const std::string& what) const { throw FileError(png_, "prompt chunk: " + what); }
    static std::string quoted(const std::string& id) { return "'" + excerpt(id, 20) + "'"; }

    std::string classOf(const std::string& id) const { return graph_.at(id).at("class_type").get<std::string>(); }

    const json* input(const std::string& id, const char* name) const {
        const json* inputs = member(graph_.at(id), "inputs");
        return inputs ? member(*inputs, name) : nullptr;
    }

    static bool isLink(const json& v) {
        return v.is_array() && v.size() == 2 && (v[0].is_string() || v[0].is_number_integer());
    }

    // The node a link points to (its id).
    std::string target(const json& link, const std::string& from) const {
        const std::string id =
            link[0].is_string() ? link[0].get<std::string>() : std::to_string(link[0].get<int64_t>());
        if (!graph_.contains(id)) fail("node " + quoted(from) + " links to node " + quoted(id) + ", which is absent");
        return id;
    }

    // Input `name` of node `id`, following links through the first of `through` each linked node has (a
    // primitive or a pass-through node). Null when absent or when the chain ends elsewhere.
    const json* resolve(const std::string& id, const char* name, std::initializer_list<const char*> through) const {
        const json* v = input(id, name);
        std::string at = id;
        for (int hop = 0; v && isLink(*v); ++hop) {
            if (hop == kMaxLinkHops) return nullptr;
            at = target(*v, at);
            v = nullptr;
            for (const char* next : through)
                if ((v = input(at, next))) break;
        }
        return v;
    }

    // The node reached from input `name` of node `id` through `through` inputs that holds all of `wanted`, short of
    // another sampler.
    std::optional<std::string> find(const std::string& id, const char* name, std::initializer_list<const char*> through,
                                    std::initializer_list<const char*> wanted) const {
        const json* v = input(id, name);
        std::string at = id;
        for (int hop = 0; v && isLink(*v) && hop < kMaxLinkHops; ++hop) {
            at = target(*v, at);
            if (isSampler(at)) return std::nullopt; // what lies behind belongs to an earlier pass
            if (std::all_of(wanted.begin(), wanted.end(), [&](const char* w) { return input(at, w) != nullptr; }))
                return at;
            v = nullptr;
            for (const char* next : through)
                if ((v = input(at, next))) break;
        }
        return std::nullopt;
    }

    bool isSampler(const std::string& id) const {
        const std::string type = classOf(id);
        return type == "KSampler" || type == "KSamplerAdvanced";
    }

private:
    const json& graph_;
    const std::string& png_;
};

bool numericIdLess(const std::string& a, const std::string& b) {
    const auto na = parseWhole(a, std::numeric_limits<uint64_t>::max());
    const auto nb = parseWhole(b, std::numeric_limits<uint64_t>::max());
    if (na && nb) return *na < *nb;
    return a < b;
}

void mapComfySampler(GenerationParameters& p, const std::string& sampler, const std::string& schedule) {
    p.sampler = schedule.empty() ? sampler : sampler + " " + schedule;
    const bool karras = schedule == "karras";
    // "normal" and "simple" space the model's own timesteps as diffusers does; "ddim_uniform" is DDIM's own.
    const bool own = schedule.empty() || schedule == "normal" || schedule == "simple" || schedule == "karras" ||
                     (schedule == "ddim_uniform" && sampler == "ddim");
    for (const auto& s : kSamplers)
        if (*s.comfy && sampler == s.comfy) return setSampler(p, s.ours, karras, own ? std::string() : schedule);
    unknownSampler(p);
}

// ComfyUI text encoders: CLIPTextEncode's `text`, SDXL's `text_g` (the larger encoder's prompt).
const char* const kTextInputs[] = {"text",   "text_g",       "string",         "value",
                                   "text_a", "conditioning", "conditioning_1", "conditioning_to"};

std::optional<std::string> comfyText(const ComfyGraph& g, const std::string& sampler, const char* input) {
    const json* v = g.resolve(sampler, input,
                              {kTextInputs[0], kTextInputs[1], kTextInputs[2], kTextInputs[3], kTextInputs[4],
                               kTextInputs[5], kTextInputs[6], kTextInputs[7]});
    if (v && v->is_string()) return v->get<std::string>();
    return std::nullopt;
}

template <class T> std::optional<T> comfyNumber(const ComfyGraph& g, const std::string& sampler, const char* input) {
    const json* v = g.resolve(sampler, input, {input, "value", "seed", "noise_seed", "int", "float", "number"});
    if (!v) return std::nullopt;
    const std::string where = g.classOf(sampler) + " node " + ComfyGraph::quoted(sampler) + ": " + input;
    if constexpr (std::is_integral_v<T>) {
        if (!v->is_number_integer()) g.fail(where + " is not a whole number");
        if (!v->is_number_unsigned() && v->get<int64_t>() < 0) g.fail(where + " is negative");
        const uint64_t u = v->get<uint64_t>();
        if (u > uint64_t(std::numeric_limits<T>::max())) g.fail(where + " is out of range");
        return static_cast<T>(u);
    } else {
        if (!v->is_number() || !std::isfinite(v->get<double>())) g.fail(where + " is not a number");
        return v->get<double>();
    }
}

std::string comfyString(const ComfyGraph& g, const std::string& sampler, const char* input) {
    const json* v = g.resolve(sampler, input, {input, "value", "string", "sampler_name", "scheduler"});
    if (!v) return {};
    if (!v->is_string())
        g.fail(g.classOf(sampler) + " node " + ComfyGraph::quoted(sampler) + ": " + input + " is not text");
    return v->get<std::string>();
}

// ---- ComfyUI's editor graph ---------------------------------------------------------------------------------

// {"nodes": [{"id", "type", "inputs": [{"name", "link"}], "widgets_values": [...]}], "links": [[id, from node,
// from slot, to node, to slot, type]]}: settings are widget values, in the order the node shows them.
class ComfyWorkflow {
public:
    ComfyWorkflow(const json& workflow, const std::string& png) : png_(png) {
        const json* nodes = member(workflow, "nodes");
        if (!nodes || !nodes->is_array()) fail("not a ComfyUI workflow (no list of nodes)");
        for (const auto& node : *nodes) {
            const json* id = member(node, "id");
            const json* type = member(node, "type");
            if (!id || !id->is_number_integer() || !type || !type->is_string())
                fail("a node has no whole-number id or no type");
            nodes_[id->get<int64_t>()] = &node;
        }
        if (const json* links = member(workflow, "links"); links && links->is_array())
            for (const auto& link : *links) {
                // Arrays in most versions; objects {id, origin_id, ...} in some.
                const json* id = link.is_array() && link.size() >= 2 ? &link[0] : member(link, "id");
                const json* from = link.is_array() && link.size() >= 2 ? &link[1] : member(link, "origin_id");
                if (id && from && id->is_number_integer() && from->is_number_integer())
                    links_[id->get<int64_t>()] = from->get<int64_t>();
            }
    }

    [[noreturn]] void fail(const std::string& what) const { throw FileError(png_, "workflow chunk: " + what); }

    std::vector<const json*> ofType(std::initializer_list<const char*> types) const {
        std::vector<const json*> found;
        for (const auto& [id, node] : nodes_)
            for (const char* t : types)
                if (node->at("type") == t) found.push_back(node);
        return found;
    }

    // The node linked to input `name` of `node`.
    const json* linked(const json& node, const char* name) const {
        const json* inputs = member(node, "inputs");
        if (!inputs || !inputs->is_array()) return nullptr;
        for (const auto& in : *inputs) {
            if (stringMember(in, "name") != name) continue;
            const json* link = member(in, "link");
            if (!link || !link->is_number_integer()) return nullptr;
            const auto from = links_.find(link->get<int64_t>());
            if (from == links_.end()) return nullptr;
            const auto node = nodes_.find(from->second);
            return node != nodes_.end() ? node->second : nullptr;
        }
        return nullptr;
    }

    static const json* widget(const json& node, size_t index) {
        const json* values = member(node, "widgets_values");
        return values && values->is_array() && index < values->size() ? &(*values)[index] : nullptr;
    }

    // The text of a CLIPTextEncode node, or of the primitive its text input is linked to.
    std::optional<std::string> text(const json* node) const {
        for (int hop = 0; node && hop < kMaxLinkHops; ++hop) {
            if (const json* next = linked(*node, "text")) {
                node = next;
                continue;
            }
            const json* v = widget(*node, 0);
            if (v && v->is_string()) return v->get<std::string>();
            return std::nullopt;
        }
        return std::nullopt;
    }

private:
    const std::string& png_;
    std::map<int64_t, const json*> nodes_;
    std::map<int64_t, int64_t> links_; // link id -> origin node id
};

// ---- ours -----------------------------------------------------------------------------------------------------

bool isPlainFolderName(const std::string& name) {
    return !name.empty() && name.size() <= 255 && name != "." && name != ".." &&
           name.find_first_of(std::string("/\\\0", 3)) == std::string::npos;
}

std::string folderName(const std::string& dir) {
    std::error_code ec;
    fs::path p = fs::absolute(dir, ec).lexically_normal();
    if (p.filename().empty()) p = p.parent_path(); // "dir/"
    return p.filename().string();
}

} // namespace

const char* toString(ParametersSource source) {
    switch (source) {
    case ParametersSource::DaamStudio:
        return "DAAM Studio";
    case ParametersSource::A1111:
        return "AUTOMATIC1111";
    case ParametersSource::ComfyUI:
        return "ComfyUI";
    }
    return "";
}

void GenerationParameters::applyTo(GenerationRequest& r) const {
    if (prompt) r.prompt = *prompt;
    if (negativePrompt) r.negativePrompt = *negativePrompt;
    if (promptSyntax) r.promptSyntax = *promptSyntax;
    if (seed) r.seed = *seed;
    if (steps) r.steps = *steps;
    if (guidance) r.guidance = *guidance;
    if (eta) r.eta = *eta;
    if (scheduler) r.scheduler = *scheduler;
    if (width) r.width = *width;
    if (height) r.height = *height;
}

std::string a1111SamplerName(const std::string& scheduler) {
    const std::string ours = ourSchedulerName(scheduler);
    for (const auto& s : kSamplers)
        if (ours == s.ours) return s.a1111;
    return scheduler;
}

std::string formatA1111Parameters(const json& record) {
    const json* request = member(record, "request");
    if (!request || !request->is_object()) return {};
    const json* model = member(record, "model");
    std::string text = stringMember(*request, "prompt");
    const std::string negative = stringMember(*request, "negative_prompt");
    if (!negative.empty()) text += "\nNegative prompt: " + negative;
    std::vector<std::pair<std::string, std::string>> settings;
    auto number = [&](const char* key, const char* name) {
        const json* v = member(*request, key);
        if (v && v->is_number()) settings.emplace_back(name, formatNumber(v->get<double>()));
    };
    if (const json* steps = member(*request, "steps"); steps && steps->is_number_integer())
        settings.emplace_back("Steps", std::to_string(steps->get<int64_t>()));
    if (const auto scheduler = stringMember(*request, "scheduler"); !scheduler.empty())
        settings.emplace_back("Sampler", a1111SamplerName(scheduler));
    number("guidance", "CFG scale");
    if (const json* seed = member(*request, "seed"); seed && seed->is_number_unsigned())
        settings.emplace_back("Seed", std::to_string(seed->get<uint64_t>()));
    const json* width = member(*request, "width");
    const json* height = member(*request, "height");
    if (width && height && width->is_number_integer() && height->is_number_integer())
        settings.emplace_back("Size",
                              std::to_string(width->get<int64_t>()) + "x" + std::to_string(height->get<int64_t>()));
    if (model) {
        if (const auto hash = stringMember(*model, "fingerprint"); !hash.empty())
            settings.emplace_back("Model hash", hash);
        if (const auto name = stringMember(*model, "name"); !name.empty()) settings.emplace_back("Model", name);
    }
    if (const json* eta = member(*request, "eta"); eta && eta->is_number() && eta->get<double>() != 0)
        number("eta", "Eta");
    std::string line;
    for (const auto& [key, value] : settings)
        line += (line.empty() ? "" : ", ") + key + ": " + quoteA1111(value);
    return trimWhitespace(text + "\n" + line);
}

PngTextEntries generationPngText(const json& record, const std::string& sessionFolder) {
    const json* request = member(record, "request");
    if (!request || !request->is_object()) return {};
    json ours = {{"format", kDaamFormat}, {"format_version", kDaamFormatVersion}};
    json& r = ours["request"] = json::object();
    for (const char* key : {"prompt", "negative_prompt", "prompt_syntax", "seed", "steps", "guidance", "scheduler",
                            "eta", "width", "height"})
        if (const json* v = member(*request, key)) r[key] = *v;
    if (const json* model = member(record, "model")) {
        json& m = ours["model"] = json::object();
        for (const char* key : {"name", "fingerprint", "family"})
            if (const json* v = member(*model, key)) m[key] = *v;
    }
    if (const auto folder = sessionFolder.empty() ? std::string() : folderName(sessionFolder);
        isPlainFolderName(folder))
        ours["session"] = folder;
    return {{kA1111ParametersKey, formatA1111Parameters(record)},
            {kDaamParametersKey, ours.dump(-1, ' ', false, json::error_handler_t::replace)}};
}

GenerationParameters recordParameters(const json& record, const std::string& source) {
    for (const auto& [key, text] : generationPngText(record, {}))
        if (key == kDaamParametersKey) return parseDaamParameters(text, source);
    throw FileError(source, "the generation record holds no request");
}

GenerationParameters parseA1111Parameters(const std::string& text, const std::string& png) {
    if (!isValidUtf8(text)) throw FileError(png, "parameters chunk: not UTF-8 text");
    GenerationParameters p;
    p.source = ParametersSource::A1111;
    p.promptSyntax = "a1111";
    std::vector<std::string> lines;
    for (size_t begin = 0; begin <= text.size();) {
        const size_t end = std::min(text.find('\n', begin), text.size());
        lines.push_back(trimWhitespace(text.substr(begin, end - begin)));
        begin = end + 1;
    }
    while (!lines.empty() && lines.back().empty())
        lines.pop_back();
    while (!lines.empty() && lines.front().empty())
        lines.erase(lines.begin());
    if (lines.empty()) throw FileError(png, "parameters chunk: empty");
    std::string scheduleType;
    if (looksLikeSettings(lines.back())) {
        const auto settings = splitSettings(lines.back(), png);
        // A prompt's last line may have colons too: the settings line names at least one setting A1111 always
        // writes.
        const bool known = std::any_of(settings.begin(), settings.end(), [](const Setting& s) {
            return s.key == "Steps" || s.key == "Sampler" || s.key == "CFG scale" || s.key == "Seed" || s.key == "Size";
        });
        if (known) {
            for (const auto& s : settings)
                applyA1111Setting(p, s, png, scheduleType);
            lines.pop_back();
        }
    }
    std::string prompt, negative;
    bool inNegative = false;
    const std::string marker = "Negative prompt:";
    for (const auto& line : lines) {
        std::string l = line;
        if (!inNegative && startsWith(l, marker)) {
            inNegative = true;
            l = trimWhitespace(l.substr(marker.size()));
        }
        std::string& to = inNegative ? negative : prompt;
        to += (to.empty() ? "" : "\n") + l;
    }
    p.prompt = prompt;
    p.negativePrompt = negative;
    mapA1111Sampler(p, scheduleType);
    return p;
}

GenerationParameters parseComfyPrompt(const std::string& text, const std::string& png) {
    const json graph = parseJsonChunk(text, png, kComfyPromptKey);
    const ComfyGraph g(graph, png);
    std::vector<std::string> samplers;
    for (const auto& item : graph.items())
        if (g.isSampler(item.key())) samplers.push_back(item.key());
    if (samplers.empty())
        g.fail("the ComfyUI graph has no KSampler or KSamplerAdvanced node to read the settings from");
    const std::initializer_list<const char*> latentThrough = {"samples", "latent_image", "latent"};
    const std::initializer_list<const char*> size = {"width", "height"};
    // A second pass (hires fix, refiner) refines the first one's latents: the first pass, the one that starts from
    // an empty latent, is what generating from noise here repeats.
    std::sort(samplers.begin(), samplers.end(), [&](const std::string& a, const std::string& b) {
        const bool ea = g.find(a, "latent_image", latentThrough, size).has_value();
        const bool eb = g.find(b, "latent_image", latentThrough, size).has_value();
        return ea != eb ? ea : numericIdLess(a, b);
    });
    const std::string& k = samplers.front();
    GenerationParameters p;
    p.source = ParametersSource::ComfyUI;
    const bool advanced = g.classOf(k) == "KSamplerAdvanced";
    p.seed = comfyNumber<uint64_t>(g, k, advanced ? "noise_seed" : "seed");
    p.steps = comfyNumber<int>(g, k, "steps");
    p.guidance = comfyNumber<double>(g, k, "cfg");
    if (const auto sampler = comfyString(g, k, "sampler_name"); !sampler.empty())
        mapComfySampler(p, sampler, comfyString(g, k, "scheduler"));
    p.prompt = comfyText(g, k, "positive");
    p.negativePrompt = comfyText(g, k, "negative");
    if (const auto latent = g.find(k, "latent_image", latentThrough, size)) {
        p.width = comfyNumber<int>(g, *latent, "width");
        p.height = comfyNumber<int>(g, *latent, "height");
        if (*p.width <= 0 || *p.height <= 0 || *p.width > kMaxSide || *p.height > kMaxSide)
            g.fail("the latent size " + std::to_string(*p.width) + "x" + std::to_string(*p.height) +
                   " is out of range");
    }
    if (const auto loader = g.find(k, "model", {"model"}, {"ckpt_name"}))
        if (const json* name = g.input(*loader, "ckpt_name"); name && name->is_string())
            p.modelName = name->get<std::string>();
    if (!advanced)
        if (const auto denoise = comfyNumber<double>(g, k, "denoise"); denoise && *denoise < 1)
            p.notes.push_back("denoise " + formatNumber(*denoise) +
                              ": ComfyUI started from another image; this generates from noise");
    return p;
}

GenerationParameters parseComfyWorkflow(const std::string& text, const std::string& png) {
    const json workflow = parseJsonChunk(text, png, kComfyWorkflowKey);
    const ComfyWorkflow w(workflow, png);
    const auto samplers = w.ofType({"KSampler", "KSamplerAdvanced"});
    if (samplers.empty()) w.fail("the ComfyUI workflow has no KSampler or KSamplerAdvanced node");
    const json& k = *samplers.front();
    const bool advanced = k.at("type") == "KSamplerAdvanced";
    // KSampler: seed, [control after generate], steps, cfg, sampler, scheduler, denoise. KSamplerAdvanced starts
    // with add_noise.
    size_t at = advanced ? 1 : 0;
    GenerationParameters p;
    p.source = ParametersSource::ComfyUI;
    auto whole = [&](size_t index, const char* name, uint64_t max) -> std::optional<uint64_t> {
        const json* v = ComfyWorkflow::widget(k, index);
        if (!v) return std::nullopt;
        if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<int64_t>() < 0) || v->get<uint64_t>() > max)
            w.fail(k.at("type").get<std::string>() + ": " + name + " is not a whole number in range");
        return v->get<uint64_t>();
    };
    p.seed = whole(at++, "seed", std::numeric_limits<uint64_t>::max());
    if (const json* control = ComfyWorkflow::widget(k, at); control && control->is_string()) ++at;
    if (const auto steps = whole(at++, "steps", std::numeric_limits<int>::max())) p.steps = static_cast<int>(*steps);
    if (const json* cfg = ComfyWorkflow::widget(k, at++)) {
        if (!cfg->is_number() || !std::isfinite(cfg->get<double>()))
            w.fail(k.at("type").get<std::string>() + ": cfg is not a number");
        p.guidance = cfg->get<double>();
    }
    const json* sampler = ComfyWorkflow::widget(k, at++);
    const json* schedule = ComfyWorkflow::widget(k, at++);
    if (sampler && sampler->is_string())
        mapComfySampler(p, sampler->get<std::string>(),
                        schedule && schedule->is_string() ? schedule->get<std::string>() : std::string());
    p.prompt = w.text(w.linked(k, "positive"));
    p.negativePrompt = w.text(w.linked(k, "negative"));
    if (const json* latent = w.linked(k, "latent_image"); latent && latent->at("type") == "EmptyLatentImage") {
        const json* width = ComfyWorkflow::widget(*latent, 0);
        const json* height = ComfyWorkflow::widget(*latent, 1);
        auto side = [&](const json* v) {
            if (!v || !v->is_number_integer() || v->get<int64_t>() <= 0 || v->get<int64_t>() > kMaxSide)
                w.fail("EmptyLatentImage: the size is not two whole numbers in range");
            return static_cast<int>(v->get<int64_t>());
        };
        p.width = side(width);
        p.height = side(height);
    }
    return p;
}

GenerationParameters parseDaamParameters(const std::string& text, const std::string& png) {
    const json j = parseJsonChunk(text, png, kDaamParametersKey);
    auto fail = [&](const std::string& what) {
        throw FileError(png, std::string(kDaamParametersKey) + " chunk: " + what);
    };
    if (!j.is_object() || stringMember(j, "format") != kDaamFormat) fail("not DAAM Studio's parameters (format)");
    const json* version = member(j, "format_version");
    if (!version || !version->is_number_integer()) fail("format_version is not a whole number");
    if (version->get<int64_t>() > kDaamFormatVersion)
        fail("written by a newer DAAM Studio (format " + std::to_string(version->get<int64_t>()) +
             ", this build reads " + std::to_string(kDaamFormatVersion) + ")");
    if (version->get<int64_t>() != kDaamFormatVersion) fail("format_version is not supported");
    const json* request = member(j, "request");
    if (!request || !request->is_object()) fail("request is not an object");
    GenerationParameters p;
    p.source = ParametersSource::DaamStudio;
    auto read = [&](const char* key, auto& out, auto check) {
        const json* v = member(*request, key);
        if (!v) return;
        using T = typename std::decay_t<decltype(out)>::value_type;
        bool ok = false;
        if constexpr (std::is_same_v<T, std::string>) {
            ok = v->is_string();
        } else if constexpr (std::is_same_v<T, double>) {
            ok = v->is_number() && std::isfinite(v->get<double>());
        } else {
            ok = v->is_number_unsigned() && v->get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max());
        }
        if (!ok || !check(v->get<T>())) fail("request." + std::string(key) + " has the wrong type or is out of range");
        out = v->get<T>();
    };
    const auto any = [](const auto&) { return true; };
    read("prompt", p.prompt, any);
    read("negative_prompt", p.negativePrompt, any);
    read("prompt_syntax", p.promptSyntax, [](const std::string& s) { return s.empty() || s == "a1111"; });
    if (!p.promptSyntax) p.promptSyntax = std::string(); // written before A1111's syntax: diffusers' reading
    read("seed", p.seed, any);
    read("steps", p.steps, any);
    read("guidance", p.guidance, any);
    read("eta", p.eta, any);
    read("width", p.width, [](int v) { return v <= kMaxSide; });
    read("height", p.height, [](int v) { return v <= kMaxSide; });
    std::optional<std::string> scheduler;
    read("scheduler", scheduler, any);
    if (scheduler && !scheduler->empty()) {
        p.sampler = *scheduler;
        const std::string ours = ourSchedulerName(*scheduler);
        if (isOurScheduler(ours))
            p.scheduler = ours;
        else
            unknownSampler(p);
    }
    if (const json* model = member(j, "model")) {
        if (const auto name = stringMember(*model, "name"); !name.empty()) p.modelName = name;
        if (const auto hash = stringMember(*model, "fingerprint"); !hash.empty()) p.modelHash = hash;
    }
    if (const json* session = member(j, "session")) {
        if (!session->is_string() || !isPlainFolderName(session->get<std::string>()))
            fail("session is not a folder name");
        p.sessionFolder = session->get<std::string>();
    }
    return p;
}

GenerationParameters parseGenerationParameters(const PngTextEntries& text, const std::string& png) {
    using Parser = GenerationParameters (*)(const std::string&, const std::string&);
    const std::pair<const char*, Parser> parsers[] = {{kDaamParametersKey, parseDaamParameters},
                                                      {kA1111ParametersKey, parseA1111Parameters},
                                                      {kComfyPromptKey, parseComfyPrompt},
                                                      {kComfyWorkflowKey, parseComfyWorkflow}};
    for (const auto& [key, parse] : parsers)
        for (const auto& [k, value] : text)
            if (k == key) return parse(value, png);
    throw FileError(png, "holds no generation parameters (no 'daam-studio', 'parameters', 'prompt' or 'workflow' "
                         "text chunk)");
}

GenerationParameters readGenerationParameters(const std::string& png) {
    return parseGenerationParameters(readPngText(png), png);
}

std::string sessionFolderOf(const std::string& png, const GenerationParameters& parameters) {
    if (!parameters.sessionFolder || !isPlainFolderName(*parameters.sessionFolder)) return {};
    std::error_code ec;
    const fs::path file = fs::absolute(png, ec);
    const fs::path holder = file.parent_path();
    // A session's own image.png still belongs to it after the folder was renamed.
    const bool ownImage = file.filename() == "image.png";
    for (const fs::path& candidate : {holder, holder / *parameters.sessionFolder})
        if ((candidate.filename() == *parameters.sessionFolder || (ownImage && candidate == holder)) &&
            fs::is_regular_file(candidate / "generation.json", ec))
            return candidate.string();
    return {};
}

} // namespace daam
