// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for a sentencepiece model file (spiece.model, tokenizer.model) as users hand it over, loaded and
// used the way the project does: SentencePieceTokenizer over SpmModel over libdaam_spm's C interface (SpmWrapper.cpp,
// linked in here) over Debian's libsentencepiece. The input is one byte of options (BOS token, model_max_length, the
// prompt) and the model's bytes. Each model must load or throw daam::Error with a short message; a loaded model must
// encode the prompts into ids of its vocabulary, with spans inside the prompt and words of the tokens it made.
// Crashes, sanitizer reports, other exception types, long messages and broken promises are failures.
//
// The project dlopen()s libdaam_spm with RTLD_DEEPBIND (SpmLibrary.cpp), which AddressSanitizer refuses; here the
// wrapper is linked in and SpmLibrary's dlopen/dlsym find its functions in this executable. Only our code is
// instrumented: libsentencepiece and its protobuf report crashes, not coverage.
#include <dlfcn.h>

#include "daam/text/SentencePieceTokenizer.h"
#include "daam/util/Error.h"
#include "spm/SpmApi.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace {

// SpmLibrary's dlopen, dlsym and dlerror: the wrapper is this executable.
void* fuzzDlopen(const char*, int) {
    static int handle;
    return &handle;
}
const char* fuzzDlerror() {
    return nullptr;
}
void* fuzzDlsym(void*, const char* name) {
    static const struct {
        const char* name;
        void* function;
    } table[] = {{"daam_spm_abi_version", reinterpret_cast<void*>(&daam_spm_abi_version)},
                 {"daam_spm_load", reinterpret_cast<void*>(&daam_spm_load)},
                 {"daam_spm_free", reinterpret_cast<void*>(&daam_spm_free)},
                 {"daam_spm_encode", reinterpret_cast<void*>(&daam_spm_encode)},
                 {"daam_spm_vocab_size", reinterpret_cast<void*>(&daam_spm_vocab_size)},
                 {"daam_spm_bos_id", reinterpret_cast<void*>(&daam_spm_bos_id)},
                 {"daam_spm_eos_id", reinterpret_cast<void*>(&daam_spm_eos_id)},
                 {"daam_spm_pad_id", reinterpret_cast<void*>(&daam_spm_pad_id)},
                 {"daam_spm_unk_id", reinterpret_cast<void*>(&daam_spm_unk_id)},
                 {"daam_spm_id_to_piece", reinterpret_cast<void*>(&daam_spm_id_to_piece)},
                 {"daam_spm_train", reinterpret_cast<void*>(&daam_spm_train)}};
    for (const auto& entry : table)
        if (std::strcmp(entry.name, name) == 0) return entry.function;
    return nullptr;
}

} // namespace

#define dlopen fuzzDlopen
#define dlsym fuzzDlsym
#define dlerror fuzzDlerror
#define DAAM_SPM_WRAPPER_NAME "libdaam_spm.so"
#define DAAM_BIN_TO_PRIVATE_LIBDIR "."
#include "daam/text/SpmLibrary.cpp"
#undef dlopen
#undef dlsym
#undef dlerror

namespace {

const char* const kPrompts[] = {
    "a red circle, (big) TRIANGLE!",
    "  two\tblue  squares \n",
    "caf\xC3\xA9 \xE2\x98\x95 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82 \xE2\x96\x81x",
    "",
    "ABC\xEF\xBC\x81\xE3\x80\x80<sep>x",
    "a red circle and a blue square and a green star and a small white ring and a tiny cross and a big red star",
    "\xFF\xFE a \xC3",
    "a<sep>b<unk></s><s><pad>",
};
const int kMaxLengths[] = {77, 8, 3, 2};

const std::string& modelPath() {
    static const std::string path = [] {
        // SpmLibrary looks for the wrapper at $DAAM_SPM_WRAPPER first; any existing file will do.
        setenv("DAAM_SPM_WRAPPER", "/proc/self/exe", 1);
        return "/tmp/daam-fuzz-sentencepiece-" + std::to_string(::getpid()) + ".model";
    }();
    // Registered once `path` is made, so that the file is removed before `path` is destroyed.
    static const bool removedAtExit = std::atexit([] { std::remove(modelPath().c_str()); }) == 0;
    (void)removedAtExit;
    return path;
}

void expect(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "broken promise: %s\n", what);
    std::abort();
}

int64_t codePoints(const std::string& text) {
    int64_t n = 0;
    for (char c : text)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

void checkEncoding(const daam::SentencePieceTokenizer& tokenizer, const std::string& prompt, int capacity,
                   const daam::TokenizedPrompt& out) {
    const int64_t length = codePoints(prompt);
    const size_t specials = tokenizer.addsBos() ? 2 : 1;
    expect(out.tokens.size() >= specials, "start and end tokens");
    expect(out.tokens.size() - specials <= size_t(std::max(capacity, 0)), "no more tokens than room");
    expect(out.ids.size() == std::max(out.tokens.size(), size_t(tokenizer.maxLength())), "ids padded to maxLength");
    expect(out.truncated == (int(out.tokens.size() - specials) < out.promptTokens), "truncated when tokens dropped");
    for (size_t i = 0; i < out.tokens.size(); ++i) {
        const auto& t = out.tokens[i];
        expect(t.id == out.ids[i], "tokens[i] is the token at ids[i]");
        expect(0 <= t.begin && t.begin <= t.end && t.end <= length, "token spans inside the prompt");
        expect(t.id >= 0 && t.id < tokenizer.vocabSize(), "ids of the vocabulary");
    }
    for (size_t i = out.tokens.size(); i < out.ids.size(); ++i)
        expect(out.ids[i] == tokenizer.padId(), "padding");
    for (const auto& w : out.words) {
        expect(0 <= w.begin && w.begin <= w.end && w.end <= length, "word spans inside the prompt");
        expect(codePoints(w.text) == w.end - w.begin, "a word's text is its span");
        expect(!w.tokens.empty(), "a word has tokens");
        for (int p : w.tokens)
            expect(p > (tokenizer.addsBos() ? 0 : -1) && size_t(p) + 1 < out.tokens.size(), "word tokens");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t options = data[0];
    {
        std::ofstream out(modelPath(), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data) + 1, std::streamsize(size - 1));
    }
    const bool addBos = options & 1;
    const int maxLength = kMaxLengths[(options >> 1) & 3];
    const std::string prompt = kPrompts[(options >> 3) % (sizeof(kPrompts) / sizeof(kPrompts[0]))];
    try {
        daam::SentencePieceTokenizer tokenizer(modelPath(), maxLength, addBos);
        expect(tokenizer.vocabSize() > 0, "a vocabulary");
        expect(tokenizer.endId() >= 0 && tokenizer.endId() < tokenizer.vocabSize(), "an end token of the vocabulary");
        checkEncoding(tokenizer, prompt, tokenizer.promptCapacity(), tokenizer.encode(prompt));
        checkEncoding(tokenizer, prompt, 1000, tokenizer.encode(prompt, 1000));
        expect(tokenizer.tokenText(-1).empty() && tokenizer.tokenText(tokenizer.vocabSize()).empty(),
               "no text for ids outside the vocabulary");
    } catch (const daam::Error& e) {
        if (std::strlen(e.what()) > 600) {
            std::fprintf(stderr, "message too long: %s\n", e.what());
            std::abort();
        }
    }
    return 0;
}
