// SPDX-License-Identifier: GPL-3.0-or-later
// A memory-mapped .safetensors file (https://github.com/huggingface/safetensors format): 8 bytes of
// little-endian header length N, N bytes of JSON header, then the data area. The header is validated in
// full when the file is opened, so a hostile or damaged file is rejected with a FileError naming the
// file and the tensor, and no later access can read outside the mapping.
//
// This layer is torch-free (the fuzzer builds it alone); io/Safetensors.h hands out torch tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace daam {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// "F32", "BF16", ... as written in safetensors headers.
const char* dtypeName(DType dtype);
size_t dtypeSize(DType dtype);
// Returns false for a name safetensors does not define or this reader does not support.
bool parseDType(std::string_view name, DType& out);

struct TensorEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0; // byte offsets into the data area, begin <= end
    uint64_t end = 0;

    uint64_t byteSize() const { return end - begin; }
    int64_t numel() const;
};

class SafetensorsFile {
public:
    // Largest header the reader accepts (the Python reference uses the same bound).
    static constexpr uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;

    // Maps and validates `path`. Throws FileError on any problem.
    static std::shared_ptr<const SafetensorsFile> open(const std::string& path);

    // Validates an in-memory image of a file; `label` stands in for the path in errors. The bytes must
    // outlive the returned object. Used by the fuzzer and by tests.
    static std::shared_ptr<const SafetensorsFile> fromBytes(const void* data, size_t size, const std::string& label);

    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const { return path_; }
    // Entries sorted by name.
    const std::vector<TensorEntry>& entries() const { return entries_; }
    const TensorEntry* find(std::string_view name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // Start of a tensor's bytes. The mapping is private and writable (copy-on-write): writing through it
    // never changes the file.
    uint8_t* data(const TensorEntry& entry) const { return dataArea_ + entry.begin; }
    uint64_t fileSize() const { return size_; }
    // Gives back the resident pages that lie wholly inside a tensor's bytes once it has been copied out (a
    // converted dtype): they would otherwise stay resident beside the copy as long as the file is mapped. Read
    // again, they come back from the file. Nothing for a file read from memory.
    void releasePages(const TensorEntry& entry) const;

private:
    SafetensorsFile() = default;
    void parse();

    std::string path_;
    uint8_t* base_ = nullptr; // start of the file image
    uint64_t size_ = 0;
    uint8_t* dataArea_ = nullptr;
    bool mapped_ = false;
    std::vector<TensorEntry> entries_;
    std::map<std::string, std::string> metadata_;
};

// One tensor to write: raw little-endian bytes in C order.
struct RawTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    const void* data = nullptr;
    size_t bytes = 0;
};

// Writes a .safetensors file atomically (temporary file, then rename). Tensors are laid out in the order
// given; the header is padded with spaces to a multiple of 8 bytes so that every tensor is aligned.
void writeSafetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace daam
