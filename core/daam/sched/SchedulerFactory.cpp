// SPDX-License-Identifier: GPL-3.0-or-later
// makeScheduler: the name → class table and the folder loader.
#include "daam/sched/SchedulerFactory.h"

#include "daam/sched/DDIMScheduler.h"
#include "daam/sched/DPMSolverMultistepScheduler.h"
#include "daam/sched/EulerAncestralDiscreteScheduler.h"
#include "daam/sched/EulerDiscreteScheduler.h"
#include "daam/sched/LMSDiscreteScheduler.h"
#include "daam/sched/PNDMScheduler.h"
#include "daam/util/Error.h"

#include <filesystem>

namespace daam {

std::vector<std::string> schedulerNames() {
    return {"ddim",
            "pndm",
            "euler",
            "euler-a",
            "dpm++2m",
            "dpm++2m-karras",
            "lms",
            "DDIMScheduler",
            "PNDMScheduler",
            "EulerDiscreteScheduler",
            "EulerAncestralDiscreteScheduler",
            "DPMSolverMultistepScheduler",
            "LMSDiscreteScheduler"};
}

std::unique_ptr<Scheduler> makeScheduler(const std::string& name, const SchedulerConfig& config) {
    if (name == "ddim" || name == "DDIMScheduler") return std::make_unique<DDIMScheduler>(config);
    if (name == "pndm" || name == "PNDMScheduler") return std::make_unique<PNDMScheduler>(config);
    if (name == "euler" || name == "EulerDiscreteScheduler") return std::make_unique<EulerDiscreteScheduler>(config);
    if (name == "euler-a" || name == "EulerAncestralDiscreteScheduler")
        return std::make_unique<EulerAncestralDiscreteScheduler>(config);
    if (name == "dpm++2m" || name == "DPMSolverMultistepScheduler")
        return std::make_unique<DPMSolverMultistepScheduler>(config);
    if (name == "dpm++2m-karras") {
        SchedulerConfig karras = config;
        karras.useKarrasSigmas = true;
        return std::make_unique<DPMSolverMultistepScheduler>(karras);
    }
    if (name == "lms" || name == "LMSDiscreteScheduler") return std::make_unique<LMSDiscreteScheduler>(config);
    std::string valid;
    for (const auto& n : schedulerNames())
        valid += (valid.empty() ? "" : ", ") + n;
    throw Error("unknown scheduler '" + excerpt(name, 40) + "' (valid: " + valid + ")");
}

std::unique_ptr<Scheduler> makeScheduler(const std::string& folderOrFile) {
    namespace fs = std::filesystem;
    const fs::path p(folderOrFile);
    const std::string file = fs::is_directory(p) ? (p / "scheduler_config.json").string() : p.string();
    const auto config = SchedulerConfig::load(file);
    if (config.className.empty()) throw FileError(file, "key '_class_name' is missing");
    try {
        return makeScheduler(config.className, config);
    } catch (const FileError&) {
        throw;
    } catch (const Error& e) {
        throw FileError(file, std::string("_class_name: ") + e.what());
    }
}

} // namespace daam
