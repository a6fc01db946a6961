// SPDX-License-Identifier: GPL-3.0-or-later
// Finding diffusers pipelines in the Hugging Face hub cache by repo id, without the network.
#include "daam/io/HubCache.h"

#include "daam/util/Error.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>

namespace fs = std::filesystem;

namespace daam {

namespace {

constexpr std::string_view kRepoPrefix = "models--";
constexpr std::string_view kSeparator = "--";

std::optional<std::string> envVar(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

std::string homeDir() {
    if (auto home = envVar("HOME")) return *home;
    // Python's expanduser falls back to the password database too (services often run without HOME).
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
    return {};
}

// "~" and "~user" at the start, as os.path.expanduser; left as is when the user is unknown.
std::string expandUser(const std::string& path) {
    if (path.empty() || path[0] != '~') return path;
    const size_t slash = path.find('/');
    const std::string user = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    std::string home;
    if (user.empty()) {
        home = homeDir();
    } else if (const passwd* pw = ::getpwnam(user.c_str()); pw && pw->pw_dir) {
        home = pw->pw_dir;
    }
    if (home.empty()) return path;
    return home + (slash == std::string::npos ? std::string() : path.substr(slash));
}

bool isWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// "$NAME" and "${NAME}", as os.path.expandvars: unknown variables are left as written, and a substituted value
// is not expanded again.
std::string expandVars(const std::string& text) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '$') {
            out += text[i++];
            continue;
        }
        std::string name;
        size_t end = i + 1;
        if (end < text.size() && text[end] == '{') {
            const size_t close = text.find('}', end + 1);
            if (close != std::string::npos) {
                name = text.substr(end + 1, close - end - 1);
                end = close + 1;
            }
        } else {
            while (end < text.size() && isWordChar(text[end]))
                ++end;
            name = text.substr(i + 1, end - i - 1);
        }
        const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
        if (value) {
            out += value;
            i = end;
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string expandPath(const std::string& path) {
    return expandVars(expandUser(path));
}

// One part of a repo id: letters, digits, '-', '_', '.', starting and ending with a letter, digit or '_' (the
// word boundaries of huggingface_hub's REPO_ID_REGEX).
bool isRepoIdPart(std::string_view part) {
    if (part.empty() || part.size() > 96) return false;
    for (char c : part)
        if (!isWordChar(c) && c != '-' && c != '.') return false;
    return isWordChar(part.front()) && isWordChar(part.back());
}

bool isRepoIdSyntax(const std::string& text) {
    const size_t slash = text.find('/');
    if (slash == std::string::npos || text.find('/', slash + 1) != std::string::npos) return false;
    if (!isRepoIdPart(std::string_view(text).substr(0, slash)) ||
        !isRepoIdPart(std::string_view(text).substr(slash + 1)))
        return false;
    // "--" would make the cache folder name ambiguous; the hub forbids both.
    if (text.find("--") != std::string::npos || text.find("..") != std::string::npos) return false;
    return text.size() < 4 || text.compare(text.size() - 4, 4, ".git") != 0;
}

std::string repoFolderName(const std::string& repoId) {
    std::string name(kRepoPrefix);
    for (char c : repoId)
        name += c == '/' ? std::string(kSeparator) : std::string(1, c);
    return name;
}

bool isHex(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool isCommitHash(std::string_view text) {
    return text.size() == 40 && isHex(text);
}

std::string toLower(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// A ref name is a path under refs/ ("refs/pr/1"): it must stay there.
bool isSafeRefName(const std::string& name) {
    if (name.empty() || name.front() == '/' || name.back() == '/' || name.find('\\') != std::string::npos ||
        name.find('\0') != std::string::npos)
        return false;
    std::istringstream parts(name);
    for (std::string part; std::getline(parts, part, '/');)
        if (part.empty() || part == "." || part == "..") return false;
    return true;
}

std::string downloadCommand(const std::string& repoId, const std::string& revision = {}) {
    const bool plain = revision.empty() || revision == "main";
    return "`hf download " + repoId + (plain ? "" : " --revision " + revision) + "`";
}

// The refs a repo folder holds ("main", "refs/pr/1"), for telling the user what is there.
std::string cachedRefs(const fs::path& refsDir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(refsDir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec)) names.push_back(it->path().lexically_relative(refsDir).generic_string());
    std::sort(names.begin(), names.end());
    std::string list;
    for (size_t i = 0; i < names.size() && i < 8; ++i)
        list += (i ? ", " : "") + excerpt(names[i], 40);
    if (names.size() > 8) list += " and " + std::to_string(names.size() - 8) + " more";
    return list;
}

// Users type `StabilityAI/...` where the cache has `stabilityai/...`: the hub treats ids case-insensitively, the
// cache folder does not.
std::string caseHint(const fs::path& cacheDir, const std::string& folderName) {
    std::error_code ec;
    const std::string wanted = toLower(folderName);
    for (fs::directory_iterator it(cacheDir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name != folderName && toLower(name) == wanted) {
            std::string id = name.substr(kRepoPrefix.size());
            id.replace(id.find(kSeparator), kSeparator.size(), "/");
            return " (the cache holds " + id + ": repo ids are case-sensitive here)";
        }
    }
    return {};
}

std::string readRef(const fs::path& refPath) {
    std::ifstream in(refPath, std::ios::binary);
    if (!in) throw FileError(refPath.string(), "cannot be read");
    std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw FileError(refPath.string(), "cannot be read");
    // huggingface_hub writes the bare hash; a hand-edited ref may end in a newline.
    const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!value.empty() && space(value.back()))
        value.pop_back();
    value.erase(value.begin(), std::find_if_not(value.begin(), value.end(), space));
    return value;
}

// The one cached snapshot whose commit hash starts with `prefix`, or "" when none does.
std::string snapshotByPrefix(const fs::path& snapshotsDir, const std::string& prefix) {
    std::vector<std::string> found;
    std::error_code ec;
    for (fs::directory_iterator it(snapshotsDir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (isCommitHash(name) && name.compare(0, prefix.size(), prefix) == 0) found.push_back(name);
    }
    if (found.size() > 1)
        throw FileError(snapshotsDir.string(), "holds " + std::to_string(found.size()) +
                                                   " snapshots whose commit hash starts with " + prefix +
                                                   ": name more digits of the revision");
    return found.empty() ? std::string() : found.front();
}

void throwIfDangling(const fs::path& path, const std::string& repoId) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(path, ec))) return;
    if (fs::exists(path, ec)) return;
    const fs::path target = fs::read_symlink(path, ec);
    const std::string blob = ec ? std::string("a file") : (path.parent_path() / target).lexically_normal().string();
    throw FileError(path.string(), "links to " + blob + ", which is missing: the download of " + repoId +
                                       " is incomplete or its files were deleted; download it again with " +
                                       downloadCommand(repoId));
}

// A weights file whose blob is gone would otherwise surface later as "no weights" in a folder that seems to hold
// them. Only what a pipeline reads is checked: model_index.json and the component folders.
void checkPipelineFiles(const fs::path& snapshot, const std::string& repoId) {
    std::error_code ec;
    for (fs::directory_iterator top(snapshot, ec), end; !ec && top != end; top.increment(ec)) {
        const fs::path& path = top->path();
        std::error_code typeEc;
        if (path.filename() == "model_index.json") {
            throwIfDangling(path, repoId);
        } else if (top->is_directory(typeEc)) {
            std::error_code subEc;
            for (fs::recursive_directory_iterator it(path, subEc), subEnd; !subEc && it != subEnd; it.increment(subEc))
                throwIfDangling(it->path(), repoId);
            if (subEc) throw FileError(path.string(), "cannot be read: " + subEc.message());
        }
    }
    if (ec) throw FileError(snapshot.string(), "cannot be read: " + ec.message());
}

} // namespace

std::string hubCacheDir() {
    if (auto dir = envVar("HF_HUB_CACHE")) return expandPath(*dir);
    if (auto dir = envVar("HUGGINGFACE_HUB_CACHE")) return expandPath(*dir);
    std::string hfHome;
    if (auto dir = envVar("HF_HOME")) {
        hfHome = expandPath(*dir);
    } else {
        std::string cache;
        if (auto xdg = envVar("XDG_CACHE_HOME")) {
            cache = *xdg;
        } else {
            const std::string home = homeDir();
            if (home.empty()) return {};
            cache = (fs::path(home) / ".cache").string();
        }
        hfHome = expandPath((fs::path(cache) / "huggingface").string());
    }
    if (hfHome.empty()) return {};
    return (fs::path(hfHome) / "hub").string();
}

bool looksLikeRepoId(const std::string& text) {
    if (!isRepoIdSyntax(text)) return false;
    std::error_code ec;
    return !fs::exists(fs::symlink_status(text, ec));
}

std::string resolveHubModel(const std::string& repoId, const std::string& revisionIn, const std::string& cacheDir) {
    if (!isRepoIdSyntax(repoId))
        throw FileError(excerpt(repoId),
                        "not a Hugging Face repo id (expected org/name: letters, digits, '-', '_' and '.')");
    if (cacheDir.empty())
        throw FileError(repoId, "no Hugging Face cache to look in: HF_HUB_CACHE, HF_HOME and HOME are unset; set "
                                "HF_HUB_CACHE to the cache folder");
    const std::string never = "DAAM Studio never downloads models: download it with " + downloadCommand(repoId);
    std::error_code ec;
    if (!fs::is_directory(cacheDir, ec))
        throw FileError(cacheDir, "no Hugging Face cache here, so " + repoId + " is not downloaded. " + never +
                                      ", or set HF_HUB_CACHE to the folder your cache is in");
    const std::string folderName = repoFolderName(repoId);
    const fs::path repoDir = fs::path(cacheDir) / folderName;
    if (!fs::is_directory(repoDir, ec))
        throw FileError(repoDir.string(), "not found: " + repoId + " is not downloaded to this cache" +
                                              caseHint(cacheDir, folderName) + ". " + never);

    const std::string revision = revisionIn.empty() ? std::string("main") : revisionIn;
    const fs::path snapshotsDir = repoDir / "snapshots";
    std::string commit;
    std::string refShown; // "refs/main", when the commit came from a ref
    if (isCommitHash(toLower(revision))) {
        // A full hash needs no ref, as in huggingface_hub: snapshot_download(revision=<hash>) writes none.
        commit = toLower(revision);
    } else {
        if (!isSafeRefName(revision))
            throw FileError((repoDir / "refs").string(),
                            "\"" + excerpt(revision, 60) + "\" is not a branch, tag or commit hash");
        const fs::path refPath = repoDir / "refs" / revision;
        refShown = "refs/" + revision;
        if (fs::is_regular_file(refPath, ec)) {
            commit = readRef(refPath);
            if (commit.empty())
                throw FileError(refPath.string(), "empty where huggingface_hub writes a commit hash: the cache is "
                                                  "damaged; download " +
                                                      repoId + " again with " + downloadCommand(repoId, revision));
            if (!isCommitHash(commit))
                throw FileError(refPath.string(), "holds \"" + excerpt(commit, 60) +
                                                      "\", not a 40-digit commit hash: the cache is damaged; "
                                                      "download " +
                                                      repoId + " again with " + downloadCommand(repoId, revision));
        } else {
            // The hub shows 7-digit hashes; huggingface_hub resolves them online, we among the cached snapshots.
            if (revision.size() >= 7 && revision.size() < 40 && isHex(toLower(revision))) {
                commit = snapshotByPrefix(snapshotsDir, toLower(revision));
                refShown.clear();
            }
            if (commit.empty()) {
                const std::string refs = cachedRefs(repoDir / "refs");
                throw FileError(refPath.string(), "not found: revision \"" + excerpt(revision, 60) + "\" of " + repoId +
                                                      " is not downloaded" +
                                                      (refs.empty() ? "" : " (the cache has " + refs + ")") +
                                                      ". DAAM Studio never downloads models: download it with " +
                                                      downloadCommand(repoId, revision));
            }
        }
    }

    const fs::path snapshot = snapshotsDir / commit;
    if (!fs::is_directory(snapshot, ec))
        throw FileError(snapshot.string(),
                        "not found: " +
                            (refShown.empty()
                                 ? "the cache holds no snapshot of this commit"
                                 : refShown + " names this commit, but the cache holds no snapshot of it") +
                            "; download it with " + downloadCommand(repoId, refShown.empty() ? commit : revision));

    const fs::path index = snapshot / "model_index.json";
    if (!fs::exists(fs::symlink_status(index, ec))) {
        // huggingface_hub records files the hub said a commit lacks under .no_exist/<commit>/.
        if (fs::exists(repoDir / ".no_exist" / commit / "model_index.json", ec))
            throw FileError(index.string(), "not found, and the hub has none: " + repoId +
                                                " is not a diffusers pipeline (DAAM Studio opens diffusers "
                                                "pipelines, which have a model_index.json)");
        throw FileError(index.string(), "not found: " + repoId +
                                            " is not a diffusers pipeline, or only some of its files were downloaded "
                                            "(download the whole pipeline with " +
                                            downloadCommand(repoId) + ")");
    }
    checkPipelineFiles(snapshot, repoId);
    return snapshot.string();
}

std::vector<HubModel> listHubModels(const std::string& cacheDir) {
    std::vector<HubModel> models;
    if (cacheDir.empty()) return models;
    std::error_code ec;
    for (fs::directory_iterator it(cacheDir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.compare(0, kRepoPrefix.size(), kRepoPrefix) != 0) continue;
        std::string repoId = name.substr(kRepoPrefix.size());
        // Valid ids hold no "--", so the first separator is the slash; another one fails the syntax check.
        const size_t sep = repoId.find(kSeparator);
        if (sep == std::string::npos) continue;
        repoId.replace(sep, kSeparator.size(), "/");
        if (!isRepoIdSyntax(repoId)) continue;
        try {
            const std::string snapshot = resolveHubModel(repoId, "main", cacheDir);
            models.push_back({repoId, snapshot, fs::path(snapshot).filename().string()});
        } catch (const Error&) {
        } catch (const fs::filesystem_error&) {
        }
    }
    std::sort(models.begin(), models.end(), [](const HubModel& a, const HubModel& b) { return a.repoId < b.repoId; });
    return models;
}

} // namespace daam
