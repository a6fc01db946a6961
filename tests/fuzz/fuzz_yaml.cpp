// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the YAML reader of model configs: any byte string must either parse or throw daam::Error
// whose message names the input and, for the size aside, a line. Crashes, sanitizer reports, other exception
// types, long messages, and a result that does not survive JSON (nlohmann's dump() throws on broken UTF-8, and
// the JSON it writes is YAML that must read back as the same value) are failures.
#include "daam/util/Error.h"
#include "daam/util/Yaml.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

const std::string kLabel = "fuzz.yaml";

bool finite(const nlohmann::json& j) {
    if (j.is_number_float()) return std::isfinite(j.get<double>());
    if (j.is_structured()) {
        for (const auto& item : j)
            if (!finite(item)) return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    nlohmann::json j;
    try {
        j = daam::parseYaml(text, kLabel);
    } catch (const daam::Error& e) {
        const std::string message = e.what();
        if (message.size() > 600) std::abort();
        if (message.rfind(kLabel + ": line ", 0) != 0 && message.rfind(kLabel + ": larger than", 0) != 0) std::abort();
        return 0;
    }
    const std::string dumped = j.dump();
    // JSON has no infinity or NaN (dump() writes null), so only finite values can come back the same.
    if (finite(j) && daam::parseYaml(dumped, kLabel) != j) std::abort();
    return 0;
}
