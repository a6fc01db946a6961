// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/io/SafetensorsFile.h"

#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace daam {

namespace {

struct DTypeInfo {
    DType dtype;
    const char* name;
    size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4},   {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4},   {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

// nlohmann's parser recurses per nesting level; a header of a few MB of '[' would exhaust the stack.
// A safetensors header is two levels deep, so anything deeper than this is rejected before parsing.
constexpr int kMaxJsonDepth = 32;

bool jsonDepthWithin(std::string_view text, int limit) {
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit) return false;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return true;
}

uint64_t readLE64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

} // namespace

const char* dtypeName(DType dtype) {
    for (const auto& info : kDTypes)
        if (info.dtype == dtype) return info.name;
    return "?";
}

size_t dtypeSize(DType dtype) {
    for (const auto& info : kDTypes)
        if (info.dtype == dtype) return info.size;
    return 0;
}

bool parseDType(std::string_view name, DType& out) {
    for (const auto& info : kDTypes) {
        if (name == info.name) {
            out = info.dtype;
            return true;
        }
    }
    return false;
}

int64_t TensorEntry::numel() const {
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw FileError(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        throw FileError(path, std::string("cannot stat: ") + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw FileError(path, "not a regular file");
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size < 8) {
        ::close(fd);
        throw FileError(path, "file is " + std::to_string(size) + " bytes, too short for a safetensors header");
    }
    void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int err = errno;
    ::close(fd);
    if (base == MAP_FAILED) throw FileError(path, std::string("cannot map: ") + std::strerror(err));

    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = path;
    file->base_ = static_cast<uint8_t*>(base);
    file->size_ = size;
    file->mapped_ = true;
    file->parse();
    return file;
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::fromBytes(const void* data, size_t size,
                                                                  const std::string& label) {
    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
    file->path_ = label;
    file->base_ = static_cast<uint8_t*>(const_cast<void*>(data));
    file->size_ = size;
    file->parse();
    return file;
}

SafetensorsFile::~SafetensorsFile() {
    if (mapped_) ::munmap(base_, size_);
}

void SafetensorsFile::releasePages(const TensorEntry& entry) const {
    if (!mapped_) return;
    static const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = reinterpret_cast<uintptr_t>(data(entry));
    const uintptr_t first = (begin + page - 1) / page * page, last = (begin + entry.byteSize()) / page * page;
    // Only whole pages of this tensor: a page it shares with a neighbour may back a parameter that aliases the file.
    // The mapping is never written where tensors are converted, so the pages read back unchanged.
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

const TensorEntry* SafetensorsFile::find(std::string_view name) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                               [](const TensorEntry& e, std::string_view n) { return e.name < n; });
    if (it != entries_.end() && it->name == name) return &*it;
    return nullptr;
}

void SafetensorsFile::parse() {
    if (size_ < 8)
        throw FileError(path_, "file is " + std::to_string(size_) + " bytes, too short for a safetensors header");
    const uint64_t headerLen = readLE64(base_);
    if (headerLen > kMaxHeaderBytes)
        throw FileError(path_, "header length " + std::to_string(headerLen) + " exceeds the 100 MB limit");
    if (headerLen > size_ - 8)
        throw FileError(path_, "header length " + std::to_string(headerLen) + " runs past the end of the file (" +
                                   std::to_string(size_) + " bytes)");
    if (headerLen < 2) throw FileError(path_, "header of " + std::to_string(headerLen) + " bytes is not a JSON object");
    const std::string_view headerText(reinterpret_cast<const char*>(base_ + 8), headerLen);
    if (!jsonDepthWithin(headerText, kMaxJsonDepth)) throw FileError(path_, "header JSON is nested too deeply");

    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerText);
    } catch (const nlohmann::json::exception& e) {
        throw FileError(path_, std::string("header is not valid JSON: ") + jsonErrorText(e.what()));
    }
    if (!header.is_object()) throw FileError(path_, "header is not a JSON object");

    dataArea_ = base_ + 8 + headerLen;
    const uint64_t dataSize = size_ - 8 - headerLen;

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const nlohmann::json& value = it.value();
        if (name == "__metadata__") {
            if (!value.is_object()) throw FileError(path_, "__metadata__ is not an object");
            for (auto m = value.begin(); m != value.end(); ++m) {
                if (!m.value().is_string())
                    throw FileError(path_, "__metadata__ value of '" + excerpt(m.key()) + "' is not a string");
                metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor '" + excerpt(name) + "': ";
        if (!value.is_object()) throw FileError(path_, where + "entry is not an object");
        auto dtypeIt = value.find("dtype");
        auto shapeIt = value.find("shape");
        auto offsetsIt = value.find("data_offsets");
        if (dtypeIt == value.end() || !dtypeIt->is_string())
            throw FileError(path_, where + "missing or non-string dtype");
        if (shapeIt == value.end() || !shapeIt->is_array())
            throw FileError(path_, where + "missing or non-array shape");
        if (offsetsIt == value.end() || !offsetsIt->is_array() || offsetsIt->size() != 2)
            throw FileError(path_, where + "data_offsets must be an array of two integers");

        TensorEntry entry;
        entry.name = name;
        const auto dtypeText = dtypeIt->get<std::string>();
        if (!parseDType(dtypeText, entry.dtype))
            throw FileError(path_, where + "unknown dtype '" + excerpt(dtypeText, 20) + "'");

        // numel * element size must not overflow before it is compared with the byte span.
        uint64_t bytes = dtypeSize(entry.dtype);
        for (const auto& d : *shapeIt) {
            if (!d.is_number_unsigned())
                throw FileError(path_, where + "shape has a negative or non-integer dimension");
            const uint64_t dim = d.get<uint64_t>();
            if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                throw FileError(path_, where + "shape dimension " + std::to_string(dim) + " is too large");
            if (dim != 0 && bytes > std::numeric_limits<uint64_t>::max() / dim)
                throw FileError(path_, where + "shape is too large (size overflows)");
            bytes *= dim;
            entry.shape.push_back(static_cast<int64_t>(dim));
        }
        if (entry.shape.size() > 16) throw FileError(path_, where + "shape has more than 16 dimensions");
        for (const auto& o : *offsetsIt)
            if (!o.is_number_unsigned()) throw FileError(path_, where + "data_offsets must be non-negative integers");
        entry.begin = (*offsetsIt)[0].get<uint64_t>();
        entry.end = (*offsetsIt)[1].get<uint64_t>();
        if (entry.end < entry.begin)
            throw FileError(path_, where + "data_offsets are reversed (" + std::to_string(entry.begin) + " > " +
                                       std::to_string(entry.end) + ")");
        if (entry.end > dataSize)
            throw FileError(path_, where + "data_offsets end " + std::to_string(entry.end) +
                                       " lies outside the data area of " + std::to_string(dataSize) + " bytes");
        if (entry.end - entry.begin != bytes)
            throw FileError(path_, where + "shape and dtype " + dtypeText + " need " + std::to_string(bytes) +
                                       " bytes but data_offsets span " + std::to_string(entry.end - entry.begin));
        entries_.push_back(std::move(entry));
    }

    // Spans must tile the data area in order, as the reference writer produces them: no overlaps, no holes.
    std::vector<const TensorEntry*> byOffset;
    byOffset.reserve(entries_.size());
    for (const auto& e : entries_)
        byOffset.push_back(&e);
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorEntry* a, const TensorEntry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    uint64_t cursor = 0;
    const TensorEntry* previous = nullptr;
    for (const TensorEntry* e : byOffset) {
        if (e->begin < cursor)
            throw FileError(path_, "tensor '" + excerpt(e->name) + "': data_offsets overlap those of tensor '" +
                                       excerpt(previous->name) + "'");
        if (e->begin > cursor)
            throw FileError(path_, "tensor '" + excerpt(e->name) + "': " + std::to_string(e->begin - cursor) +
                                       " bytes before it belong to no tensor (spans out of order or with holes)");
        cursor = e->end;
        previous = e;
    }
    if (cursor != dataSize)
        throw FileError(path_,
                        std::to_string(dataSize - cursor) + " bytes at the end of the data area belong to no tensor");

    std::sort(entries_.begin(), entries_.end(),
              [](const TensorEntry& a, const TensorEntry& b) { return a.name < b.name; });
}

void writeSafetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        uint64_t expected = dtypeSize(t.dtype);
        for (int64_t d : t.shape) {
            if (d < 0) throw FileError(path, "tensor '" + t.name + "' has a negative dimension");
            expected *= static_cast<uint64_t>(d);
        }
        if (expected != t.bytes)
            throw FileError(path, "tensor '" + t.name + "' has " + std::to_string(t.bytes) +
                                      " bytes, its shape needs " + std::to_string(expected));
        if (header.contains(t.name)) throw FileError(path, "tensor '" + t.name + "' is written twice");
        header[t.name] = {
            {"dtype", dtypeName(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes}}};
        offset += t.bytes;
    }
    std::string text = header.dump();
    text.append((8 - (8 + text.size()) % 8) % 8, ' ');
    uint8_t len[8];
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<uint8_t>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);

    writeFileAtomically(path, [&](int fd) {
        writeAll(fd, len, sizeof(len), path);
        writeAll(fd, text.data(), text.size(), path);
        for (const auto& t : tensors)
            writeAll(fd, t.data, t.bytes, path);
    });
}

} // namespace daam
