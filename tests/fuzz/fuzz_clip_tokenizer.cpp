// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for a CLIP tokenizer folder as users hand it over (vocab.json, merges.txt,
// tokenizer_config.json) and a prompt run through it. The input is those four texts separated by NUL bytes.
// Every failure must be a daam::Error that names the file, in a message of bounded length.
#include "daam/text/ClipTokenizer.h"
#include "daam/util/DataDir.h"
#include "daam/util/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

const std::string& scratchDir() {
    static const std::string dir = [] {
        char pattern[] = "/tmp/fuzz-clip-tokenizer-XXXXXX";
        const char* made = mkdtemp(pattern);
        if (!made) std::abort();
        return std::string(made);
    }();
    return dir;
}

void writeText(const std::string& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), std::streamsize(text.size()));
}

} // namespace

// The installed vocabulary is not what this target reads (folders are): no data folder.
namespace daam {
std::string findDataFile(const std::string&) {
    return {};
}
std::string dataDirsSearched() {
    return "nowhere (fuzzer)";
}
} // namespace daam

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view parts[4];
    for (int i = 0; i < 3; ++i) {
        const auto cut = input.find('\0');
        if (cut == std::string_view::npos) return 0;
        parts[i] = input.substr(0, cut);
        input.remove_prefix(cut + 1);
    }
    parts[3] = input;
    const std::string& dir = scratchDir();
    writeText(dir + "/vocab.json", parts[0]);
    writeText(dir + "/merges.txt", parts[1]);
    writeText(dir + "/tokenizer_config.json", parts[2]);
    try {
        daam::ClipTokenizer tokenizer(dir);
        const auto encoded = tokenizer.encode(std::string(parts[3]));
        if (encoded.ids.size() != size_t(tokenizer.maxLength())) std::abort(); // padded or cut to the length
        for (auto id : encoded.ids)
            if (id < 0 || id >= tokenizer.vocabSize()) std::abort();
        tokenizer.tokenizeToStrings(std::string(parts[3]));
    } catch (const daam::Error& e) {
        const std::string message = e.what();
        if (message.size() > 600 || message.compare(0, dir.size(), dir) != 0) {
            std::fprintf(stderr, "bad message: %s\n", message.substr(0, 200).c_str());
            std::abort();
        }
    }
    return 0;
}
