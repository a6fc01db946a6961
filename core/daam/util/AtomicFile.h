// SPDX-License-Identifier: GPL-3.0-or-later
// Writing user files so that they are never half-written: the bytes go to a temporary file in the same
// directory, which is flushed and then renamed over the destination (rename is atomic on POSIX).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace daam {

// Calls `write(fd)` to fill a temporary file next to `path`, fsyncs it and renames it to `path`.
// On any failure the temporary file is removed, `path` is left as it was, and a FileError is thrown.
void writeFileAtomically(const std::string& path, const std::function<void(int fd)>& write);

// Convenience for small files (JSON, text).
void writeFileAtomically(const std::string& path, std::string_view contents);

// Writes all of `size` bytes to `fd`, retrying short writes; throws FileError naming `path`.
void writeAll(int fd, const void* data, size_t size, const std::string& path);

} // namespace daam
