// Errors the core reports to its front ends. Every message names the file (or input) and the thing in
// it that is wrong, so that the CLI can print it and the GUI can show it without adding context.
#pragma once

#include <stdexcept>
#include <string>

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

} // namespace daam
