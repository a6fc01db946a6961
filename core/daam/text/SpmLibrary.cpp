// SPDX-License-Identifier: GPL-3.0-or-later
// Loading of libdaam_spm and the C++ wrappers over its C API.
//
// Why a dlopen()ed wrapper: Debian's libsentencepiece and libtorch each link a different libprotobuf
// (sentencepiece a system one, torch its own). Linked into one executable, the dynamic linker binds every
// protobuf symbol to whichever copy comes first, and the other library's generated code then runs against
// the wrong protobuf runtime: the process crashes during static initialisation. So daam_core never links
// sentencepiece. It opens the wrapper with RTLD_DEEPBIND, which makes the wrapper (and the libraries it
// pulls in) resolve symbols in its own dependency tree before the global scope, so sentencepiece binds to
// its own protobuf; RTLD_LOCAL keeps those symbols from leaking into the rest of the process. This file is
// the only place that knows about it.
#include "daam/text/SpmLibrary.h"

#include "daam/util/Error.h"
#include "spm/SpmApi.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

namespace daam {
namespace {

std::atomic<bool> g_loaded{false};

std::string errorText(const char* buffer) {
    return buffer[0] ? std::string(buffer) : std::string("unknown error");
}

template <typename Fn> void resolve(void* handle, const std::string& path, const char* name, Fn& out) {
    dlerror();
    void* symbol = dlsym(handle, name);
    if (!symbol) {
        const char* why = dlerror();
        throw Error(path + ": the sentencepiece wrapper lacks symbol " + name +
                    (why ? std::string(" (") + why + ")" : ""));
    }
    out = reinterpret_cast<Fn>(symbol);
}

} // namespace

std::vector<std::string> SpmLibrary::candidatePaths() {
    namespace fs = std::filesystem;
    std::vector<std::string> paths;
    if (const char* env = std::getenv("DAAM_SPM_WRAPPER"); env && *env) paths.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    // The build tree puts it where it is installed, relative to the executables (see CMakeLists.txt).
    if (!ec)
        paths.push_back(
            (exe.parent_path() / DAAM_BIN_TO_PRIVATE_LIBDIR / DAAM_SPM_WRAPPER_NAME).lexically_normal().string());
    return paths;
}

SpmLibrary::SpmLibrary() {
    namespace fs = std::filesystem;
    std::string tried;
    for (const std::string& candidate : candidatePaths()) {
        std::error_code ec;
        if (!fs::exists(candidate, ec)) {
            tried += "\n  " + candidate + " (absent)";
            continue;
        }
        handle_ = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (!handle_) {
            const char* why = dlerror();
            tried += "\n  " + candidate + " (" + (why ? why : "dlopen failed") + ")";
            continue;
        }
        path_ = candidate;
        break;
    }
    if (!handle_)
        throw Error("cannot load the sentencepiece wrapper " DAAM_SPM_WRAPPER_NAME
                    " (set DAAM_SPM_WRAPPER to its path); tried:" +
                    tried);

    resolve(handle_, path_, "daam_spm_abi_version", abiVersion);
    const int abi = abiVersion();
    if (abi != DAAM_SPM_ABI_VERSION)
        throw Error(path_ + ": sentencepiece wrapper ABI version " + std::to_string(abi) + ", expected " +
                    std::to_string(DAAM_SPM_ABI_VERSION));
    resolve(handle_, path_, "daam_spm_load", load);
    resolve(handle_, path_, "daam_spm_free", freeModel);
    resolve(handle_, path_, "daam_spm_encode", encode);
    resolve(handle_, path_, "daam_spm_vocab_size", vocabSize);
    resolve(handle_, path_, "daam_spm_bos_id", bosId);
    resolve(handle_, path_, "daam_spm_eos_id", eosId);
    resolve(handle_, path_, "daam_spm_pad_id", padId);
    resolve(handle_, path_, "daam_spm_unk_id", unkId);
    resolve(handle_, path_, "daam_spm_id_to_piece", idToPiece);
    resolve(handle_, path_, "daam_spm_train", train);
    g_loaded = true;
}

const SpmLibrary& SpmLibrary::instance() {
    // A throwing constructor leaves the static uninitialised, so a later call tries again; the handle of a
    // wrapper with the wrong ABI stays open, which is harmless.
    static const SpmLibrary library;
    return library;
}

bool SpmLibrary::isLoaded() {
    return g_loaded;
}

SpmModel::SpmModel(const std::string& path) : path_(path) {
    const SpmLibrary& lib = SpmLibrary::instance();
    char err[1024] = {0};
    model_ = lib.load(path.c_str(), err, sizeof err);
    if (!model_) throw FileError(path, "cannot load the sentencepiece model: " + errorText(err));
}

SpmModel::~SpmModel() {
    if (model_) SpmLibrary::instance().freeModel(model_);
}

SpmModel::SpmModel(SpmModel&& other) noexcept
    : path_(std::move(other.path_)), model_(std::exchange(other.model_, nullptr)) {}

SpmModel& SpmModel::operator=(SpmModel&& other) noexcept {
    if (this != &other) {
        if (model_) SpmLibrary::instance().freeModel(model_);
        path_ = std::move(other.path_);
        model_ = std::exchange(other.model_, nullptr);
    }
    return *this;
}

std::vector<SpmPiece> SpmModel::encode(const std::string& text) const {
    std::vector<SpmPiece> pieces;
    auto emit = [](void* ctx, int32_t id, const char* piece, size_t len, uint32_t begin, uint32_t end) {
        static_cast<std::vector<SpmPiece>*>(ctx)->push_back(SpmPiece{id, std::string(piece, len), begin, end});
    };
    char err[1024] = {0};
    if (SpmLibrary::instance().encode(model_, text.data(), text.size(), emit, &pieces, err, sizeof err) != 0)
        throw FileError(path_, "cannot encode \"" + excerpt(text) + "\": " + excerpt(errorText(err), 200));
    return pieces;
}

int32_t SpmModel::vocabSize() const {
    return SpmLibrary::instance().vocabSize(model_);
}
int32_t SpmModel::bosId() const {
    return SpmLibrary::instance().bosId(model_);
}
int32_t SpmModel::eosId() const {
    return SpmLibrary::instance().eosId(model_);
}
int32_t SpmModel::padId() const {
    return SpmLibrary::instance().padId(model_);
}
int32_t SpmModel::unkId() const {
    return SpmLibrary::instance().unkId(model_);
}

std::string SpmModel::idToPiece(int32_t id) const {
    const SpmLibrary& lib = SpmLibrary::instance();
    const int32_t len = lib.idToPiece(model_, id, nullptr, 0);
    if (len < 0) return {};
    std::string piece(static_cast<size_t>(len) + 1, '\0');
    lib.idToPiece(model_, id, piece.data(), piece.size());
    piece.resize(static_cast<size_t>(len));
    return piece;
}

void trainSentencePiece(const std::string& args) {
    char err[2048] = {0};
    if (SpmLibrary::instance().train(args.c_str(), err, sizeof err) != 0)
        throw Error("sentencepiece training failed (" + args + "): " + errorText(err));
}

} // namespace daam
