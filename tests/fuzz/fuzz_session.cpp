// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for a session folder's files, read as loadSession reads them up to the tensors
// (trace/SessionFile.h). An input is generation.json, optionally followed by a separator line and the trace
// (trace.safetensors), and by another and annotations/annotations.json:
//   <generation.json> "\n--8<-- trace\n" <trace.safetensors> "\n--8<-- annotations\n" <annotations.json>
// Each file must be accepted or throw daam::Error with a short message. What is accepted must keep the promises
// loadSession relies on before it allocates: sizes in range, every word's tokens inside its trace, every tensor of
// the layer table present with the shape and type the header implies and its bytes inside the file. Crashes,
// sanitizer reports, other exception types, long messages and broken promises are failures.
#include "daam/io/PngImage.h"
#include "daam/io/SafetensorsFile.h"
#include "daam/trace/SessionFile.h"
#include "daam/util/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTraceSeparator = "\n--8<-- trace\n";
constexpr std::string_view kAnnotationsSeparator = "\n--8<-- annotations\n";
constexpr int kImageSide = 2; // the size of the image annotations' masks must have

// A session folder of this process, with annotations/mask-0.png (a valid 2x2 mask) for annotations to name.
const std::string& sessionDir() {
    static const std::string dir = [] {
        const std::string d = "/tmp/daam-fuzz-session-" + std::to_string(::getpid());
        fs::create_directories(fs::path(d) / "annotations");
        daam::writePng(d + "/annotations/mask-0.png",
                       daam::PngImage{kImageSide, kImageSide, 1, std::vector<uint8_t>(kImageSide * kImageSide, 255)});
        return d;
    }();
    // Registered once `dir` is made, so that it is removed before `dir` is destroyed.
    static const bool removedAtExit = std::atexit([] {
                                          std::error_code ec;
                                          fs::remove_all(sessionDir(), ec);
                                      }) == 0;
    (void)removedAtExit;
    return dir;
}

void writeFile(const std::string& path, std::string_view bytes) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (!file) std::abort();
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) std::abort();
    std::fclose(file);
}

void expect(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "broken promise: %s\n", what);
    std::abort();
}

template <class Read> auto acceptedOrError(Read read) -> std::optional<decltype(read())> {
    try {
        return read();
    } catch (const daam::Error& e) {
        if (std::strlen(e.what()) > 600) {
            std::fprintf(stderr, "message too long: %s\n", e.what());
            std::abort();
        }
        return std::nullopt;
    }
}

void checkWords(const std::vector<daam::Word>& words, int rows) {
    for (const auto& w : words)
        for (int t : w.tokens)
            expect(t > 0 && t < rows, "a word's token outside its trace");
}

void checkHeader(const daam::SessionHeader& h) {
    expect(h.calls >= 0 && h.calls <= 100000, "calls in range");
    expect(h.traceTokens > 0 && h.traceTokens <= 1000, "trace tokens in range");
    expect(h.gridSide > 0 && h.gridSide <= 4096, "grid in range");
    expect(h.storage == "float16" || h.storage == "float32", "a known storage type");
    expect(h.negativeTraceTokens >= 0 && h.negativeTraceTokens <= 1000, "negative trace tokens in range");
    checkWords(h.words, h.traceTokens);
    checkWords(h.negativeWords, h.negativeTraceTokens);
    for (const auto& l : h.layers)
        expect(l.heads > 0 && l.heads <= 1024 && l.height > 0 && l.height <= 4096 && l.width > 0 && l.width <= 4096,
               "layer sizes in range");
}

// The entries of one trace: the shapes loadSession views them with, their bytes inside the input (read, so that
// ASan sees every byte).
uint64_t checkEntries(const daam::SafetensorsFile& file, const daam::SessionHeader& h,
                      const std::vector<daam::TraceLayerEntries>& entries, int rows, std::string_view input) {
    expect(entries.size() == h.layers.size(), "one set of entries per layer");
    const auto* begin = reinterpret_cast<const uint8_t*>(input.data());
    uint64_t sum = 0;
    auto check = [&](const daam::TensorEntry* e, std::vector<int64_t> shape, const char* what) {
        expect(e != nullptr, what);
        expect(e->shape == shape, what);
        expect(e->byteSize() == uint64_t(e->numel()) * daam::dtypeSize(e->dtype), "the bytes of its shape");
        const uint8_t* p = file.data(*e);
        expect(p >= begin && p + e->byteSize() <= begin + input.size(), "bytes inside the file");
        for (uint64_t i = 0; i < e->byteSize(); ++i)
            sum += p[i];
    };
    for (size_t l = 0; l < entries.size(); ++l) {
        const auto& info = h.layers[l];
        check(entries[l].maps, {h.calls, rows, info.height, info.width}, "maps of the layer's shape");
        expect(entries[l].maps->dtype == (h.storage == "float16" ? daam::DType::F16 : daam::DType::F32),
               "maps of the storage type");
        check(entries[l].headTotals, {info.heads, rows, info.height, info.width}, "head totals of the layer's shape");
        expect(entries[l].headTotals->dtype == daam::DType::F32, "float32 head totals");
        if (h.perHeadMaps)
            check(entries[l].headMaps, {h.calls, info.heads, rows, info.height, info.width},
                  "head maps of the layer's shape");
        else
            expect(entries[l].headMaps == nullptr, "no head maps unless captured");
    }
    return sum;
}

void readTrace(const daam::SessionHeader& h, std::string_view trace) {
    auto file = acceptedOrError([&] { return daam::SafetensorsFile::fromBytes(trace.data(), trace.size(), "trace"); });
    if (!file) return;
    acceptedOrError([&] {
        daam::checkTraceFormat(**file);
        uint64_t sum = checkEntries(**file, h, daam::traceEntries(**file, h, "", h.traceTokens), h.traceTokens, trace);
        if (h.negativeTraceTokens > 0)
            sum += checkEntries(**file, h, daam::traceEntries(**file, h, "negative.", h.negativeTraceTokens),
                                h.negativeTraceTokens, trace);
        daam::checkTraceEntryCount(**file, h);
        expect((*file)->entries().size() ==
                   h.layers.size() * (h.perHeadMaps ? 3 : 2) * (h.negativeTraceTokens > 0 ? 2 : 1),
               "only the layer table's tensors");
        return sum;
    });
}

void readAnnotations(size_t words, std::string_view json) {
    const std::string dir = sessionDir() + "/annotations";
    writeFile(dir + "/annotations.json", json);
    const auto annotations =
        acceptedOrError([&] { return daam::readSessionAnnotations(dir, words, kImageSide, kImageSide); });
    if (!annotations) return;
    for (const auto& [index, a] : *annotations) {
        expect(index >= 0 && size_t(index) < words, "annotations of the prompt's words");
        expect(a.rating >= 0 && a.rating <= 5, "a rating from 0 to 5");
        expect(a.mask.width == 0 || (a.mask.width == kImageSide && a.mask.height == kImageSide),
               "masks of the image's size");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::optional<std::string_view> trace, annotations;
    if (const auto at = input.find(kAnnotationsSeparator); at != std::string_view::npos) {
        annotations = input.substr(at + kAnnotationsSeparator.size());
        input = input.substr(0, at);
    }
    if (const auto at = input.find(kTraceSeparator); at != std::string_view::npos) {
        trace = input.substr(at + kTraceSeparator.size());
        input = input.substr(0, at);
    }

    const std::string& dir = sessionDir();
    writeFile(dir + "/generation.json", input);
    const auto generation = acceptedOrError([&] { return daam::readSessionGeneration(dir); });
    std::optional<daam::SessionHeader> header;
    if (generation) header = acceptedOrError([&] { return daam::parseSessionHeader(*generation, "generation.json"); });
    if (header) {
        checkHeader(*header);
        if (trace) readTrace(*header, *trace);
    }
    if (annotations) readAnnotations(header ? header->words.size() : 3, *annotations);
    return 0;
}
