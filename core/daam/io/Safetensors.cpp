// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/io/Safetensors.h"

#include "daam/util/Error.h"

#include <torch/torch.h>

namespace daam {

torch::ScalarType toScalarType(DType dtype) {
    switch (dtype) {
    case DType::F64:
        return torch::kFloat64;
    case DType::F32:
        return torch::kFloat32;
    case DType::F16:
        return torch::kFloat16;
    case DType::BF16:
        return torch::kBFloat16;
    case DType::I64:
        return torch::kInt64;
    case DType::I32:
        return torch::kInt32;
    case DType::I16:
        return torch::kInt16;
    case DType::I8:
        return torch::kInt8;
    case DType::U8:
        return torch::kUInt8;
    case DType::BOOL:
        return torch::kBool;
    }
    throw Error("unknown dtype");
}

DType fromScalarType(torch::ScalarType type) {
    switch (type) {
    case torch::kFloat64:
        return DType::F64;
    case torch::kFloat32:
        return DType::F32;
    case torch::kFloat16:
        return DType::F16;
    case torch::kBFloat16:
        return DType::BF16;
    case torch::kInt64:
        return DType::I64;
    case torch::kInt32:
        return DType::I32;
    case torch::kInt16:
        return DType::I16;
    case torch::kInt8:
        return DType::I8;
    case torch::kUInt8:
        return DType::U8;
    case torch::kBool:
        return DType::BOOL;
    default:
        throw Error(std::string("tensor type ") + c10::toString(type) + " cannot be stored in safetensors");
    }
}

torch::Tensor tensorView(const std::shared_ptr<const SafetensorsFile>& file, const TensorEntry& entry) {
    const auto type = toScalarType(entry.dtype);
    auto options = torch::TensorOptions().dtype(type).device(torch::kCPU);
    uint8_t* data = file->data(entry);
    if (entry.byteSize() == 0) return torch::empty(entry.shape, options);
    if (reinterpret_cast<uintptr_t>(data) % dtypeSize(entry.dtype) != 0) {
        // A misaligned span (legal in the format) cannot back a typed tensor: copy it.
        auto out = torch::empty(entry.shape, options);
        std::memcpy(out.data_ptr(), data, entry.byteSize());
        return out;
    }
    std::shared_ptr<const SafetensorsFile> keepAlive = file;
    return torch::from_blob(
        data, entry.shape, [keepAlive](void*) mutable { keepAlive.reset(); }, options);
}

std::map<std::string, torch::Tensor> loadSafetensors(const std::string& path) {
    auto file = SafetensorsFile::open(path);
    std::map<std::string, torch::Tensor> out;
    for (const auto& entry : file->entries())
        out.emplace(entry.name, tensorView(file, entry));
    return out;
}

void saveSafetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                     const std::map<std::string, std::string>& metadata) {
    std::vector<torch::Tensor> keep;
    std::vector<RawTensor> raw;
    keep.reserve(tensors.size());
    raw.reserve(tensors.size());
    for (const auto& [name, tensor] : tensors) {
        if (!tensor.defined()) throw FileError(path, "tensor '" + name + "' is undefined");
        auto t = tensor.detach().to(torch::kCPU).contiguous();
        keep.push_back(t);
        RawTensor r;
        r.name = name;
        r.dtype = fromScalarType(t.scalar_type());
        r.shape.assign(t.sizes().begin(), t.sizes().end());
        r.data = t.data_ptr();
        r.bytes = t.numel() * t.element_size();
        raw.push_back(std::move(r));
    }
    writeSafetensors(path, raw, metadata);
}

} // namespace daam
