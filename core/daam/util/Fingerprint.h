// SPDX-License-Identifier: GPL-3.0-or-later
// FNV-1a, 64 bits: a cheap, stable identity for what a model or a batch is made of (not a cryptographic hash).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace daam {

class Fingerprint {
public:
    void mix(std::string_view bytes) {
        for (unsigned char c : bytes)
            h_ = (h_ ^ c) * 1099511628211ull;
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h_));
        return buf;
    }

private:
    uint64_t h_ = 1469598103934665603ull;
};

} // namespace daam
