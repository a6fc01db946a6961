// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/util/AtomicFile.h"

#include "daam/util/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace daam {

void writeAll(int fd, const void* data, size_t size, const std::string& path) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw FileError(path, std::string("write failed: ") + std::strerror(errno));
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
}

void writeFileAtomically(const std::string& path, const std::function<void(int fd)>& write) {
    std::string tmpl = path + ".tmp-XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = ::mkstemp(name.data());
    if (fd < 0) throw FileError(path, std::string("cannot create a temporary file: ") + std::strerror(errno));
    const std::string tmpPath(name.data());
    try {
        write(fd);
        if (::fsync(fd) != 0) throw FileError(path, std::string("fsync failed: ") + std::strerror(errno));
        // mkstemp creates 0600; user files should get the usual permissions.
        mode_t mask = ::umask(0);
        ::umask(mask);
        ::fchmod(fd, 0666 & ~mask);
        if (::close(fd) != 0) {
            fd = -1;
            throw FileError(path, std::string("close failed: ") + std::strerror(errno));
        }
        fd = -1;
        if (::rename(tmpPath.c_str(), path.c_str()) != 0)
            throw FileError(path, std::string("rename failed: ") + std::strerror(errno));
    } catch (...) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmpPath.c_str());
        throw;
    }
}

void writeFileAtomically(const std::string& path, std::string_view contents) {
    writeFileAtomically(path, [&](int fd) { writeAll(fd, contents.data(), contents.size(), path); });
}

} // namespace daam
