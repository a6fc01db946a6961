// SPDX-License-Identifier: GPL-3.0-or-later
// The tokenizer of any model StableDiffusionPipeline::load takes (a diffusers folder, a single-file checkpoint, a
// hub repo id), without loading the model. LibTorch-free header, for the app's widgets.
#pragma once

#include "daam/text/Tokenizer.h"

#include <memory>
#include <string>

namespace daam {

// `which` 1: the tokenizer; 2: SDXL's second one. Throws FileError naming the file and the problem.
std::unique_ptr<Tokenizer> loadModelTokenizer(const std::string& model, int which = 1);
// A single-file checkpoint's text encoder's tokenizer (OriginalCheckpoint::TextEncoder): the folder its YAML
// names, or with none the standard CLIP tokenizer, padding with "!" (id 0) when `padWithZero`.
std::unique_ptr<Tokenizer> loadCheckpointTokenizer(const std::string& tokenizerDir, bool padWithZero);

} // namespace daam
