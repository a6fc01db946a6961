// SPDX-License-Identifier: GPL-3.0-or-later
// Errors the core reports to its front ends. Every message names the file (or input) and the thing in
// it that is wrong, so that the CLI can print it and the GUI can show it without adding context.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace daam {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// "<file>: <problem>" — the one format for errors about a file.
class FileError : public Error {
public:
    FileError(const std::string& path, const std::string& problem)
        : Error(path + ": " + problem), path_(path), problem_(problem) {}
    const std::string& path() const { return path_; }
    const std::string& problem() const { return problem_; }

private:
    std::string path_;
    std::string problem_;
};

// The most characters of a file's content an error message quotes (tensor names of real models are shorter).
constexpr size_t kExcerptChars = 80;

// `text` (a file's content: a value, a name, a line) as an error message may quote it: at most about `limit`
// characters, a longer text cut to its beginning and end around "...", line breaks and tabs shown as \n, \r
// and \t, other control characters and broken UTF-8 as '?'.
std::string excerpt(std::string_view text, size_t limit = kExcerptChars);

// A JSON library's exception text (nlohmann's e.what()) fit for a message: without its "[json.exception...]"
// tag, and with the file text it quotes ("last read: '...'") shortened to an excerpt.
std::string jsonErrorText(std::string_view what);

} // namespace daam
