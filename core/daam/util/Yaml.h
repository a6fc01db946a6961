// SPDX-License-Identifier: GPL-3.0-or-later
// A small YAML reader for the model configs beside single-file checkpoints (LDM's v1-inference.yaml,
// v2-inference-v.yaml, sgm's sd_xl_base.yaml): YAML in, nlohmann::json out, so that the config code reads it
// with the JSON helpers of JsonConfig.h.
//
// Read: block mappings and sequences (a sequence may sit at its key's indentation), flow collections over one or
// more lines, comments, plain scalars (also over several lines), single- and double-quoted strings with YAML's
// escapes, a leading "---" and a closing "...". Plain scalars are typed as YAML 1.2's core schema types them
// (null, ~ and an empty value are null; true/false in lower, Title or UPPER case are booleans; 10, -3, 0x1F, 0o17
// are integers; 1.0e-04, 1.e-6, 1., .5, .inf, -.inf, .nan are numbers with a fraction), anything else is a
// string: yes/no/on/off stay strings. Keys are strings (a plain key 1 is "1"). An integer beyond 64 bits becomes
// a floating-point number, as nlohmann's JSON parser makes it; a number beyond double's range is infinite or
// zero, as Python reads it.
//
// Refused with a FileError("<label>", "line N: ..."): anchors and aliases, tags, block scalars (| and >), explicit
// (?) and collection keys, directives, several documents, tabs in indentation, duplicate keys, inconsistent
// indentation, unterminated quotes and flow collections, nesting deeper than kMaxYamlDepth, more than
// kMaxYamlValues values, text that is not UTF-8 or holds control characters.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace daam {

// Model configs are a few kilobytes; the bounds keep a wrong or hostile file from costing much.
constexpr size_t kMaxYamlBytes = size_t(4) << 20;
constexpr int kMaxYamlDepth = 64;
constexpr size_t kMaxYamlValues = size_t(1) << 18;

// Parses one YAML document; an empty one is null. `label` names the text in error messages (a file's path).
nlohmann::json parseYaml(std::string_view text, const std::string& label);

// Parses a YAML file whose top level must be a mapping (as readJsonFile wants an object). Throws FileError naming
// `path` when the file is missing, unreadable, larger than kMaxYamlBytes or not such YAML.
nlohmann::json readYamlFile(const std::string& path);

} // namespace daam
