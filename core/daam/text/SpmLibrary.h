// SPDX-License-Identifier: GPL-3.0-or-later
// Access to sentencepiece through libdaam_spm, the wrapper library that alone links it (core/spm).
// SpmLibrary finds and dlopen()s the wrapper on first use; SpmModel is a loaded .model file and
// trainSentencePiece() runs the trainer. Nothing here includes sentencepiece or protobuf headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct daam_spm;

namespace daam {

// The resolved C API of the wrapper. Loading happens once per process, on the first instance() call.
class SpmLibrary {
public:
    // Throws daam::Error listing every path tried when the wrapper cannot be loaded.
    static const SpmLibrary& instance();
    // Whether instance() has already loaded the wrapper (it is never unloaded).
    static bool isLoaded();
    // Where the wrapper is looked for, in order.
    static std::vector<std::string> candidatePaths();

    const std::string& path() const { return path_; }

    int (*abiVersion)(void) = nullptr;
    daam_spm* (*load)(const char*, char*, size_t) = nullptr;
    void (*freeModel)(daam_spm*) = nullptr;
    int (*encode)(const daam_spm*, const char*, size_t,
                  void (*)(void*, int32_t, const char*, size_t, uint32_t, uint32_t), void*, char*, size_t) = nullptr;
    int32_t (*vocabSize)(const daam_spm*) = nullptr;
    int32_t (*bosId)(const daam_spm*) = nullptr;
    int32_t (*eosId)(const daam_spm*) = nullptr;
    int32_t (*padId)(const daam_spm*) = nullptr;
    int32_t (*unkId)(const daam_spm*) = nullptr;
    int32_t (*idToPiece)(const daam_spm*, int32_t, char*, size_t) = nullptr;
    int (*train)(const char*, char*, size_t) = nullptr;

private:
    SpmLibrary();
    std::string path_;
    void* handle_ = nullptr;
};

// One piece of an encoded text: its vocabulary id, the piece ("▁" marks a word start) and the byte span
// [begin, end) of the input it covers.
struct SpmPiece {
    int32_t id = 0;
    std::string text;
    uint32_t begin = 0;
    uint32_t end = 0;
};

// A loaded sentencepiece model (RAII over the wrapper's handle). Thread-safe for concurrent encode().
class SpmModel {
public:
    // Throws FileError naming `path` when it cannot be read or parsed.
    explicit SpmModel(const std::string& path);
    ~SpmModel();
    SpmModel(const SpmModel&) = delete;
    SpmModel& operator=(const SpmModel&) = delete;
    SpmModel(SpmModel&& other) noexcept;
    SpmModel& operator=(SpmModel&& other) noexcept;

    std::vector<SpmPiece> encode(const std::string& text) const;
    int32_t vocabSize() const;
    // -1 when the model defines no such token.
    int32_t bosId() const;
    int32_t eosId() const;
    int32_t padId() const;
    int32_t unkId() const;
    // "" for an id out of range.
    std::string idToPiece(int32_t id) const;
    const std::string& path() const { return path_; }

private:
    std::string path_;
    daam_spm* model_ = nullptr;
};

// Runs SentencePieceTrainer with its command-line style flags, e.g.
// "--input=captions.txt --model_prefix=/tmp/m --vocab_size=60 --model_type=unigram". Throws daam::Error.
void trainSentencePiece(const std::string& args);

} // namespace daam
