// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in shape-world models (trained by daam-cli train-demo, shipped in resources/models), so that
// daam-cli and the app work with no model named. Two are shipped, of one design and one autoencoder: the plain
// one, trained as Stable Diffusion is, and one whose cross-attention was also taught where each object is (the
// grounding loss). The second's maps are what it was taught, so the plain one is the default: its maps say
// what DAAM finds in a model that nobody showed where to look.
#pragma once

#include <string>
#include <vector>

namespace daam::builtin {

struct BuiltInModel {
    std::string id;   // what --model takes in place of a path: "shapes-plain"
    std::string name; // what a user reads: "Shapes (plain)"
    std::string dir;  // the pipeline folder
};

// The shipped models found in the data folders (share/daam-studio/models/<id>, installed or in the build tree),
// the default first; those missing are left out.
std::vector<BuiltInModel> builtInModels();

// The shipped model with this id, when it is found; else nullptr.
const BuiltInModel* findBuiltInModel(const std::vector<BuiltInModel>& models, const std::string& id);

// The default model's folder: $DAAM_BUILTIN_MODEL when it holds a model_index.json, else the first of
// builtInModels(). Empty when none is found.
std::string builtInModelDir();

// builtInModelDir(), or an Error saying where it was looked for.
std::string requireBuiltInModelDir();

// What a --model value names: a built-in model's id when no file or folder of that name exists (its folder is
// returned), else the value itself.
std::string resolveModelArgument(const std::string& value);

} // namespace daam::builtin
