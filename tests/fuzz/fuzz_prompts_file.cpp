// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for batch prompts files. The first byte picks the format (c: CSV, j: JSONL, anything else:
// plain lines); the rest is the file, read by readPromptRows and planned by makeBatchPlan at two seeds. Either
// gives items or throws daam::Error with a short message that names the file: crashes, sanitizer reports, other
// exception types, long or anonymous messages and plans that break their invariants (an item per row and seed, a
// row's own seed making one, a non-empty prompt, numbered folders) are failures.
#include "daam/batch/BatchPlan.h"
#include "daam/util/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <unistd.h>

namespace {

void fail(const char* what, const std::string& detail) {
    std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const char* extension = data[0] == 'c' ? ".csv" : data[0] == 'j' ? ".jsonl" : ".txt";
    const std::string path = "/tmp/daam-fuzz-prompts-" + std::to_string(::getpid()) + extension;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data + 1), std::streamsize(size - 1));
    try {
        const auto rows = daam::readPromptRows(path);
        daam::GenerationRequest base;
        base.steps = 4;
        const auto plan = daam::makeBatchPlan(path, rows, base, {0, 1}, "model", nlohmann::json::object());
        size_t expected = 0;
        for (const auto& row : rows)
            expected += row.fields.contains("seed") ? 1 : 2;
        if (plan.items.size() != expected) fail("items", std::to_string(plan.items.size()));
        for (size_t i = 0; i < plan.items.size(); ++i) {
            const auto& item = plan.items[i];
            if (item.index != int(i) || item.request.prompt.empty() || item.session.rfind("sessions/", 0) != 0)
                fail("item", std::to_string(i));
        }
    } catch (const daam::Error& e) {
        if (std::strlen(e.what()) > 600) fail("message too long", e.what());
        if (std::string(e.what()).rfind(path, 0) != 0) fail("message names no file", e.what());
    }
    return 0;
}
