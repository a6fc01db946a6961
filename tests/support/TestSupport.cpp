// SPDX-License-Identifier: GPL-3.0-or-later
#include "TestSupport.h"

#include "daam/nn/WinogradConvolution.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <sstream>
#include <typeinfo>
#include <vector>
#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif

namespace fs = std::filesystem;

namespace daam::test {

std::string referenceDir() {
    std::string dir;
    if (const char* env = std::getenv("DAAM_REFERENCE_DIR"))
        dir = env;
    else
        dir = DAAM_REFERENCE_DEFAULT;
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) {
        // CI sets DAAM_REQUIRE_REFERENCE: there a reference test must fail, not pass by skipping.
        const char* required = std::getenv("DAAM_REQUIRE_REFERENCE");
        if (required && *required && std::string(required) != "0") {
            std::fprintf(stderr, "DAAM_REQUIRE_REFERENCE is set but the reference folder '%s' is absent\n",
                         dir.c_str());
            std::exit(1);
        }
        return {};
    }
    return fs::weakly_canonical(dir).string();
}

std::string referencePath(const std::string& relative) {
    const auto dir = referenceDir();
    return dir.empty() ? std::string() : (fs::path(dir) / relative).string();
}

std::string testDataDir() {
    return DAAM_TEST_DATA_DIR;
}

namespace {
// Never destroyed: the atexit handler below must still find it after static destructors have run.
std::vector<std::string>& tempDirs() {
    static auto* dirs = new std::vector<std::string>();
    return *dirs;
}
void removeTempDirs() {
    for (const auto& d : tempDirs()) {
        std::error_code ec;
        fs::remove_all(d, ec);
    }
}
} // namespace

std::string makeTempDir(const std::string& tag) {
    static std::once_flag once;
    // Construct the list before registering the handler, so that it is destroyed after the handler runs.
    std::call_once(once, [] {
        tempDirs();
        std::atexit(removeTempDirs);
    });
    std::string tmpl = (fs::temp_directory_path() / ("daam-" + tag + "-XXXXXX")).string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    tempDirs().emplace_back(buf.data());
    return tempDirs().back();
}

bool winogradExpected() {
    return daam::WinogradConvolution::compiledIn() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq");
}

double relativeError(const torch::Tensor& out, const torch::Tensor& ref) {
    if (!out.defined() || !ref.defined() || out.sizes() != ref.sizes()) return std::numeric_limits<double>::infinity();
    auto o = out.detach().to(torch::kCPU, torch::kFloat64);
    auto r = ref.detach().to(torch::kCPU, torch::kFloat64);
    const double denom = r.norm().item<double>();
    const double num = (o - r).norm().item<double>();
    if (denom == 0.0) return num == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    return num / denom;
}

QString describeDifference(const std::string& what, const torch::Tensor& out, const torch::Tensor& ref) {
    std::ostringstream s;
    s << what << ": ";
    if (!out.defined() || !ref.defined()) {
        s << "undefined tensor";
        return QString::fromStdString(s.str());
    }
    s << "shape " << out.sizes() << " vs reference " << ref.sizes();
    if (out.sizes() == ref.sizes()) {
        auto o = out.detach().to(torch::kCPU, torch::kFloat64).flatten();
        auto r = ref.detach().to(torch::kCPU, torch::kFloat64).flatten();
        s << ", relative error " << relativeError(out, ref) << ", max |diff| " << (o - r).abs().max().item<double>();
        const int64_t n = std::min<int64_t>(5, o.numel());
        s << "\n  out: ";
        for (int64_t i = 0; i < n; ++i)
            s << o[i].item<double>() << ' ';
        s << "\n  ref: ";
        for (int64_t i = 0; i < n; ++i)
            s << r[i].item<double>() << ' ';
    }
    return QString::fromStdString(s.str());
}

namespace {
std::string expectation(const char* errorType, std::initializer_list<MessageFragment> fragments) {
    std::string s = std::string("expected a ") + errorType + " naming";
    for (const auto& f : fragments)
        s += " \"" + f.text + "\"";
    return s;
}

std::string typeName(const std::exception& e) {
    const char* mangled = typeid(e).name();
#if __has_include(<cxxabi.h>)
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                     std::free);
    if (status == 0 && demangled) return demangled.get();
#endif
    return mangled;
}
} // namespace

std::string describeMissingFragments(const char* errorType, const std::string& message,
                                     std::initializer_list<MessageFragment> fragments) {
    if (fragments.size() == 0) return std::string("DAAM_VERIFY_THROWS_NAMING(") + errorType + ") names no fragment";
    std::string missing;
    for (const auto& f : fragments)
        if (message.find(f.text) == std::string::npos) missing += (missing.empty() ? "\"" : ", \"") + f.text + "\"";
    if (missing.empty()) return {};
    return expectation(errorType, fragments) + "; the error lacks " + missing + ": " + message;
}

std::string describeNoThrow(const char* errorType, std::initializer_list<MessageFragment> fragments) {
    return expectation(errorType, fragments) + "; nothing was thrown";
}

std::string describeOtherException(const char* errorType, const std::exception& thrown,
                                   std::initializer_list<MessageFragment> fragments) {
    return expectation(errorType, fragments) + "; " + typeName(thrown) + " was thrown: " + thrown.what();
}

} // namespace daam::test
