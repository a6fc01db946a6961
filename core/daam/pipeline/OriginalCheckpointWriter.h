// SPDX-License-Identifier: GPL-3.0-or-later
// Writes a diffusers pipeline folder as a single-file checkpoint in the original Stability/LDM layout, with the
// LDM/sgm YAML that describes it: the files tests and benchmarks open as users open A1111's and ComfyUI's.
#pragma once

#include <torch/types.h>

#include <string>

namespace daam {

struct OriginalCheckpointOptions {
    torch::ScalarType dtype = torch::kFloat32; // floating-point tensors are stored as F32, F16 or BF16
    // Write NAME.yaml beside the file, and each text encoder's config.json and tokenizer in a folder the YAML
    // names (`version`). Without it, the file alone: its configuration must be inferred from the tensors.
    bool yaml = true;
    // SD 2.x: LDM reads the penultimate layer of OpenCLIP's 24 and diffusers stores the 23 it reads; the file
    // then holds one more layer (random weights the output must not depend on), as Stability's files do.
    bool addUnreadTextLayer = true;
};

// Writes `outFile` (and, with options.yaml, `<stem>.yaml` and `<stem>.text_encoder[_2]/` beside it) from the
// diffusers folder `folder`. Throws FileError naming the file and the problem.
void writeOriginalCheckpoint(const std::string& folder, const std::string& outFile,
                             const OriginalCheckpointOptions& options = {});

} // namespace daam
