// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the safetensors header validator: any byte string must either parse into
// entries whose spans lie inside the input, or throw daam::Error with a short message (it quotes at most
// excerpts of the header). Crashes, overreads (ASan), other exception types and long messages are failures.
#include "daam/io/SafetensorsFile.h"
#include "daam/util/Error.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        auto file = daam::SafetensorsFile::fromBytes(data, size, "<fuzz>");
        uint64_t sum = 0;
        for (const auto& entry : file->entries()) {
            const uint8_t* p = file->data(entry);
            if (p < data || p + entry.byteSize() > data + size) std::abort();
            for (uint64_t i = 0; i < entry.byteSize(); ++i)
                sum += p[i];
        }
        return sum == 0xdeadbeef ? 0 : 0;
    } catch (const daam::Error& e) {
        if (std::strlen(e.what()) > 600) std::abort();
        return 0;
    }
}
