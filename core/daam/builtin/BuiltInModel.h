// SPDX-License-Identifier: GPL-3.0-or-later
// Where the built-in shape-world model (trained by daam-cli train-demo, shipped in resources/demo-model)
// is, so that daam-cli and the app work with no model named.
#pragma once

#include <string>

namespace daam::builtin {

// The first folder holding a model_index.json of: $DAAM_BUILTIN_MODEL; <executable>/../share/daam-studio/
// demo-model (an installed package); the source tree's resources/demo-model (a build tree). Empty when
// none does.
std::string builtInModelDir();

// builtInModelDir(), or an Error saying where it was looked for.
std::string requireBuiltInModelDir();

} // namespace daam::builtin
