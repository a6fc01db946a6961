// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the model and scheduler configs: any byte string, read as a UNet, VAE, text-encoder and
// scheduler config.json, must either give a config or throw daam::Error with a short message. Crashes,
// sanitizer reports, other exception types (a raw JSON library error) and long messages are failures.
#include "daam/config/AutoencoderKLConfig.h"
#include "daam/config/CLIPTextConfig.h"
#include "daam/config/UNet2DConditionConfig.h"
#include "daam/sched/SchedulerConfig.h"
#include "daam/util/Error.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

namespace {

// One file per fuzzing process, rewritten for every input: the readers take paths.
const std::string& configPath() {
    static const std::string path = "/tmp/daam-fuzz-config-" + std::to_string(::getpid()) + ".json";
    return path;
}

template <class Read> void expectConfigOrError(Read read) {
    try {
        read();
    } catch (const daam::Error& e) {
        if (std::strlen(e.what()) > 600) std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = configPath();
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (!file) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
    std::fclose(file);
    expectConfigOrError([&] { daam::UNet2DConditionConfig::fromFile(path); });
    expectConfigOrError([&] { daam::AutoencoderKLConfig::fromFile(path); });
    expectConfigOrError([&] { daam::CLIPTextConfig::load(path); });
    expectConfigOrError([&] { daam::SchedulerConfig::load(path); });
    return 0;
}
