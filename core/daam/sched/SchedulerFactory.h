// SPDX-License-Identifier: GPL-3.0-or-later
// Builds a scheduler by short name or diffusers class name, like diffusers' XScheduler.from_config(config):
// the config's keys are kept and the named class supplies its own defaults for the rest.
#pragma once

#include "daam/sched/Scheduler.h"

#include <memory>
#include <string>
#include <vector>

namespace daam {

// Short names: ddim, pndm, euler, euler-a, dpm++2m, dpm++2m-karras (sets use_karras_sigmas), lms; also the
// diffusers class names (DDIMScheduler, ...). Unknown names throw daam::Error listing the valid ones.
std::unique_ptr<Scheduler> makeScheduler(const std::string& name, const SchedulerConfig& config);
// The scheduler a diffusers "scheduler" folder (or its scheduler_config.json) describes, by _class_name.
std::unique_ptr<Scheduler> makeScheduler(const std::string& schedulerFolderOrFile);
// The accepted names, short names first.
std::vector<std::string> schedulerNames();

} // namespace daam
