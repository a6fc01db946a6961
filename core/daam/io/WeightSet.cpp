// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/io/WeightSet.h"

#include "daam/io/Safetensors.h"
#include "daam/io/WeightsFiles.h"
#include "daam/util/Error.h"
#include "daam/util/ProcessMemory.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace daam {

namespace {

std::string listNames(const std::vector<std::string>& names, size_t limit = 12) {
    std::ostringstream s;
    for (size_t i = 0; i < names.size() && i < limit; ++i)
        s << (i ? ", " : "") << excerpt(names[i], 120);
    if (names.size() > limit) s << " and " << (names.size() - limit) << " more";
    return s.str();
}

enum class DTypeKind { Floating, Integer, Boolean, Other };

DTypeKind kindOf(torch::ScalarType type) {
    if (type == torch::kBool) return DTypeKind::Boolean;
    if (torch::isFloatingType(type)) return DTypeKind::Floating;
    if (torch::isIntegralType(type, /*includeBool=*/false)) return DTypeKind::Integer;
    return DTypeKind::Other;
}

const char* acceptedDTypes(DTypeKind kind) {
    switch (kind) {
    case DTypeKind::Floating:
        return "floating point: F16, BF16, F32 or F64";
    case DTypeKind::Integer:
        return "integer: I64, I32, I16, I8 or U8";
    case DTypeKind::Boolean:
        return "BOOL";
    case DTypeKind::Other:
        break;
    }
    return "no safetensors dtype";
}

std::string dtypeNameOf(torch::ScalarType type) {
    try {
        return dtypeName(fromScalarType(type));
    } catch (const Error&) {
        return c10::toString(type);
    }
}

} // namespace

WeightSet WeightSet::openFile(const std::string& path) {
    WeightSet set;
    set.source_ = path;
    auto file = SafetensorsFile::open(path);
    for (const auto& e : file->entries())
        set.tensors_[e.name] = {file, &e};
    return set;
}

WeightSet WeightSet::open(const std::string& componentDir, const std::string& baseName, const std::string& variant) {
    const auto location = locateWeights(componentDir, baseName, variant);
    if (!location.single.empty()) return openFile(location.single);
    const std::string indexName = fs::path(location.index).filename().string();
    WeightSet set;
    set.source_ = location.index;
    std::map<std::string, std::shared_ptr<const SafetensorsFile>> shards;
    for (const auto& [tensor, shardName] : readWeightMap(location.index)) {
        auto& shard = shards[shardName];
        if (!shard) shard = SafetensorsFile::open((fs::path(componentDir) / shardName).string());
        const TensorEntry* e = shard->find(tensor);
        if (!e)
            throw FileError(shard->path(),
                            "tensor '" + excerpt(tensor) + "' listed in " + indexName + " is not in this shard");
        set.tensors_[tensor] = {shard, e};
    }
    // Tensors in shards but not in the map would be silently ignored otherwise.
    for (const auto& [name, shard] : shards)
        for (const auto& e : shard->entries())
            if (!set.tensors_.count(e.name))
                throw FileError(shard->path(), "tensor '" + excerpt(e.name) + "' is not listed in " + indexName);
    return set;
}

std::vector<std::string> WeightSet::names() const {
    std::vector<std::string> out;
    out.reserve(tensors_.size());
    for (const auto& [name, _] : tensors_)
        out.push_back(name);
    return out;
}

bool WeightSet::contains(const std::string& name) const {
    return tensors_.count(name) != 0;
}

const TensorEntry& WeightSet::entry(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw FileError(source_, "no tensor '" + name + "'");
    return *it->second.entry;
}

torch::Tensor WeightSet::tensor(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw FileError(source_, "no tensor '" + name + "'");
    if (!it->second.transposed) return tensorView(it->second.file, *it->second.entry);
    // The entry carries the transposed shape; the file holds the other one.
    TensorEntry stored = *it->second.entry;
    std::reverse(stored.shape.begin(), stored.shape.end());
    return tensorView(it->second.file, stored).t().contiguous();
}

void WeightSet::releasePages(const std::string& name) const {
    const auto& located = locate(name);
    located.file->releasePages(*located.entry);
}

const WeightSet::Located& WeightSet::locate(const std::string& from) const {
    auto it = tensors_.find(from);
    if (it == tensors_.end()) throw FileError(source_, "no tensor '" + excerpt(from, 160) + "'");
    return it->second;
}

const TensorEntry& WeightSet::derivedEntry(TensorEntry entry) {
    if (!derived_) derived_ = std::make_shared<std::vector<std::unique_ptr<TensorEntry>>>();
    derived_->push_back(std::make_unique<TensorEntry>(std::move(entry)));
    return *derived_->back();
}

void WeightSet::addAlias(const std::string& name, const WeightSet& base, const std::string& from) {
    const Located& located = base.locate(from);
    // The entry may be one of base's views: keep base's store of them alive as long as this set.
    if (base.derived_ && base.derived_ != derived_) {
        if (!derived_) derived_ = std::make_shared<std::vector<std::unique_ptr<TensorEntry>>>();
        auto copy = std::make_unique<TensorEntry>(*located.entry);
        copy->name = name;
        tensors_[name] = {located.file, copy.get(), located.transposed};
        derived_->push_back(std::move(copy));
        return;
    }
    tensors_[name] = located;
}

void WeightSet::addRows(const std::string& name, const WeightSet& base, const std::string& from, int64_t part,
                        int64_t parts) {
    const Located& located = base.locate(from);
    if (located.transposed) throw Error("WeightSet::addRows: '" + from + "' is a transposed view");
    const TensorEntry& whole = *located.entry;
    if (whole.shape.empty() || parts <= 0 || part < 0 || part >= parts || whole.shape[0] % parts != 0) {
        std::ostringstream s;
        s << "tensor '" << excerpt(from, 160) << "' is " << c10::IntArrayRef(whole.shape) << ", not " << parts
          << " equal parts along its first dimension";
        throw FileError(located.file->path(), s.str());
    }
    // Rows of a row-major tensor are one contiguous byte range: the slice is another entry of the same file.
    TensorEntry slice = whole;
    slice.name = name;
    slice.shape[0] = whole.shape[0] / parts;
    const uint64_t bytes = whole.byteSize() / uint64_t(parts);
    slice.begin = whole.begin + bytes * uint64_t(part);
    slice.end = slice.begin + bytes;
    tensors_[name] = {located.file, &derivedEntry(std::move(slice)), false};
}

void WeightSet::addReshaped(const std::string& name, const WeightSet& base, const std::string& from,
                            std::vector<int64_t> shape) {
    const Located& located = base.locate(from);
    TensorEntry view = *located.entry;
    int64_t numel = 1;
    for (int64_t d : shape)
        numel *= d;
    if (located.transposed || numel != view.numel()) {
        std::ostringstream s;
        s << "tensor '" << excerpt(from, 160) << "' is " << c10::IntArrayRef(view.shape) << ", which cannot be read as "
          << c10::IntArrayRef(shape);
        throw FileError(located.file->path(), s.str());
    }
    view.name = name;
    view.shape = std::move(shape);
    tensors_[name] = {located.file, &derivedEntry(std::move(view)), false};
}

void WeightSet::addTransposed(const std::string& name, const WeightSet& base, const std::string& from) {
    const Located& located = base.locate(from);
    TensorEntry view = *located.entry;
    if (located.transposed || view.shape.size() != 2) {
        std::ostringstream s;
        s << "tensor '" << excerpt(from, 160) << "' is " << c10::IntArrayRef(view.shape) << ", not a matrix";
        throw FileError(located.file->path(), s.str());
    }
    view.name = name;
    std::swap(view.shape[0], view.shape[1]);
    tensors_[name] = {located.file, &derivedEntry(std::move(view)), true};
}

const std::string& WeightSet::fileOf(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw FileError(source_, "no tensor '" + name + "'");
    return it->second.file->path();
}

int64_t WeightSet::indexedCount(const std::string& prefix) const {
    int64_t count = 0;
    for (auto it = tensors_.lower_bound(prefix);
         it != tensors_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        // "<prefix>12.rest": digits up to a dot; other names under the prefix are not numbered items.
        const std::string& name = it->first;
        size_t end = prefix.size();
        int64_t n = 0;
        while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end])) && n < (int64_t(1) << 40))
            n = n * 10 + (name[end++] - '0');
        if (end == prefix.size() || end >= name.size() || name[end] != '.') continue;
        count = std::max(count, n + 1);
    }
    return count;
}

const ConfigShapeCheck& ConfigShapeCheck::dim(const std::string& name, size_t dim, int64_t expected,
                                              const std::string& key) const {
    if (!weights_.contains(name)) return *this;
    const auto& shape = weights_.entry(name).shape;
    if (dim < shape.size() && shape[dim] == expected) return *this;
    std::ostringstream s;
    s << "key \"" << key << "\" does not match the weights: tensor '" << name << "' in " << weights_.fileOf(name)
      << " is " << c10::IntArrayRef(shape) << ", this config needs " << expected << " in dimension " << dim;
    throw FileError(configPath_, s.str());
}

const ConfigShapeCheck& ConfigShapeCheck::count(const std::string& prefix, int64_t expected,
                                                const std::string& key) const {
    const int64_t found = weights_.indexedCount(prefix);
    if (found == 0 || found == expected) return *this;
    throw FileError(configPath_, "key \"" + key + "\" does not match the weights: " + weights_.source() + " holds " +
                                     std::to_string(found) + " of " + prefix + "N, this config needs " +
                                     std::to_string(expected));
}

void loadStateDict(torch::nn::Module& module, const WeightSet& weights, const LoadOptions& options) {
    std::map<std::string, torch::Tensor> targets;
    for (const auto& p : module.named_parameters(/*recurse=*/true))
        targets[p.key()] = p.value();
    for (const auto& b : module.named_buffers(/*recurse=*/true))
        targets[b.key()] = b.value();

    const std::set<std::string> optionalInFile(options.optionalInFile.begin(), options.optionalInFile.end());
    const std::set<std::string> optionalInModule(options.optionalInModule.begin(), options.optionalInModule.end());
    std::vector<std::string> missing, unexpected, wrongShape, wrongKind;
    for (const auto& [name, target] : targets) {
        if (!weights.contains(name)) {
            if (!optionalInModule.count(name)) missing.push_back(name);
            continue;
        }
        const auto& e = weights.entry(name);
        if (c10::IntArrayRef(e.shape) != target.sizes()) {
            std::ostringstream s;
            s << name << " (file " << c10::IntArrayRef(e.shape) << ", model " << target.sizes() << ")";
            wrongShape.push_back(s.str());
        }
        if (kindOf(toScalarType(e.dtype)) != kindOf(target.scalar_type())) wrongKind.push_back(name);
    }
    for (const auto& name : weights.names())
        if (!targets.count(name) && !optionalInFile.count(name)) unexpected.push_back(name);

    if (!missing.empty() || !unexpected.empty() || !wrongShape.empty()) {
        std::ostringstream s;
        s << "weights do not match the model's configuration:";
        if (!missing.empty()) s << " missing " << missing.size() << " [" << listNames(missing) << "];";
        if (!unexpected.empty()) s << " unexpected " << unexpected.size() << " [" << listNames(unexpected) << "];";
        if (!wrongShape.empty()) s << " wrong shape " << wrongShape.size() << " [" << listNames(wrongShape, 6) << "];";
        throw FileError(weights.source(), s.str());
    }
    // Integer data for a floating-point weight (or the reverse) would be converted without complaint: a file
    // that is not what it claims to be.
    if (!wrongKind.empty()) {
        const auto& name = wrongKind.front();
        const auto type = targets.at(name).scalar_type();
        std::string more;
        if (wrongKind.size() > 1)
            more = " (and " + std::to_string(wrongKind.size() - 1) +
                   " more tensors: " + listNames({wrongKind.begin() + 1, wrongKind.end()}, 3) + ")";
        throw FileError(weights.fileOf(name), "tensor '" + name + "' holds " + dtypeName(weights.entry(name).dtype) +
                                                  " data, but the model's parameter is " + dtypeNameOf(type) + " (" +
                                                  acceptedDTypes(kindOf(type)) + ")" + more);
    }

    torch::NoGradGuard noGrad;
    for (auto& [name, target] : targets) {
        if (!weights.contains(name)) continue;
        torch::Tensor source = weights.tensor(name);
        const bool floating = torch::isFloatingType(source.scalar_type());
        const bool keep = floating && options.device.is_cpu() && options.keepFileDtype && options.keepFileDtype(name);
        const auto dtype = keep ? source.scalar_type() : floating ? options.dtype : target.scalar_type();
        if (source.scalar_type() == dtype && options.device.is_cpu()) {
            target.set_data(source); // zero-copy: the parameter aliases the mapped file
        } else {
            target.set_data(source.to(options.device, dtype));
            // Converted (SD 1.5's fp32 UNet to bf16: 3.4 GB read for 1.7 GB kept): the file's pages go as we go.
            weights.releasePages(name);
        }
    }
}

std::size_t releaseCleanWeightPages(const torch::nn::Module& module) {
    std::size_t released = 0;
    auto release = [&](const torch::Tensor& t) {
        if (t.defined() && t.device().is_cpu() && t.has_storage() && t.nbytes() > 0)
            released += releaseCleanFilePages(t.data_ptr(), t.nbytes());
    };
    for (const auto& p : module.parameters(/*recurse=*/true))
        release(p);
    for (const auto& b : module.buffers(/*recurse=*/true))
        release(b);
    return released;
}

void saveStateDict(const torch::nn::Module& module, const std::string& path, torch::ScalarType floatDtype) {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    auto add = [&](const std::string& name, const torch::Tensor& t) {
        tensors.emplace_back(name, torch::isFloatingType(t.scalar_type()) ? t.detach().to(floatDtype) : t.detach());
    };
    for (const auto& p : module.named_parameters(/*recurse=*/true))
        add(p.key(), p.value());
    for (const auto& b : module.named_buffers(/*recurse=*/true))
        add(b.key(), b.value());
    saveSafetensors(path, tensors, {{"format", "pt"}});
}

} // namespace daam
