// SPDX-License-Identifier: GPL-3.0-or-later
// Annotation masks from PNG folders and COCO JSON (polygons, RLE lists and pycocotools' compressed strings).
#include "daam/trace/MaskAnnotations.h"

#include "daam/trace/Measures.h"
#include "daam/util/AsciiText.h"
#include "daam/util/Error.h"
#include "daam/util/JsonConfig.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using nlohmann::json;

namespace daam {

namespace {

// Masks past this side are not of a generated image.
constexpr int kMaxMaskSide = 16384;

// COCO ids are numbers or strings; either is matched by its text.
std::string idText(const json& id) {
    return id.is_string() ? id.get<std::string>() : id.dump();
}

torch::Tensor cocoSegmentation(const json& segmentation, int height, int width, const std::string& at) {
    if (segmentation.is_array()) {
        auto mask = torch::zeros({height, width}, torch::kUInt8);
        for (const auto& polygon : segmentation) {
            if (!polygon.is_array() || polygon.size() < 6 || polygon.size() % 2 != 0)
                throw FileError(at, "a polygon must be a list of at least three x, y pairs");
            std::vector<double> xy;
            for (const auto& v : polygon) {
                if (!v.is_number()) throw FileError(at, "a polygon holds something other than numbers");
                xy.push_back(v.get<double>());
            }
            mask.bitwise_or_(rasterizePolygon(xy, height, width));
        }
        return mask;
    }
    if (segmentation.is_object() && segmentation.contains("counts") && segmentation.contains("size")) {
        const auto& size = segmentation["size"];
        if (!size.is_array() || size.size() != 2 || !size[0].is_number_integer() || !size[1].is_number_integer() ||
            size[0].get<int>() != height || size[1].get<int>() != width)
            throw FileError(at, "the RLE's size is not the image's " + std::to_string(height) + " x " +
                                    std::to_string(width));
        const auto& counts = segmentation["counts"];
        std::vector<int64_t> runs;
        try {
            if (counts.is_string())
                runs = parseCocoRleString(counts.get<std::string>());
            else
                runs = counts.get<std::vector<int64_t>>();
            return decodeCocoRle(runs, height, width);
        } catch (const json::exception&) {
            throw FileError(at, "RLE counts must be whole numbers or a compressed string");
        } catch (const Error& e) {
            throw FileError(at, e.what());
        }
    }
    throw FileError(at, "a segmentation must be a list of polygons or an RLE {size, counts}");
}

} // namespace

torch::Tensor rasterizePolygon(const std::vector<double>& xy, int height, int width) {
    auto mask = torch::zeros({height, width}, torch::kUInt8);
    auto* out = mask.data_ptr<uint8_t>();
    const size_t n = xy.size() / 2;
    std::vector<double> crossings;
    for (int y = 0; y < height; ++y) {
        const double cy = y + 0.5;
        crossings.clear();
        for (size_t i = 0, j = n - 1; i < n; j = i++) {
            const double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
            if ((yi > cy) != (yj > cy)) crossings.push_back(xi + (cy - yi) / (yj - yi) * (xj - xi));
        }
        std::sort(crossings.begin(), crossings.end());
        for (size_t k = 0; k + 1 < crossings.size(); k += 2) {
            // Pixels whose centre x + 0.5 lies in [left, right).
            const int from = std::max(0, static_cast<int>(std::ceil(crossings[k] - 0.5)));
            const int to = std::min(width, static_cast<int>(std::ceil(crossings[k + 1] - 0.5)));
            for (int x = from; x < to; ++x)
                out[static_cast<int64_t>(y) * width + x] = 1;
        }
    }
    return mask;
}

std::vector<int64_t> parseCocoRleString(const std::string& counts) {
    // pycocotools' rleFrString: each count in 5-bit groups, low first, 0x20 = more groups follow, 0x10 of the last
    // group = negative; from the third count on, each is stored as the difference to the count two before.
    std::vector<int64_t> runs;
    size_t p = 0;
    while (p < counts.size()) {
        int64_t x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= counts.size()) throw Error("the compressed RLE string ends inside a count");
            const int c = static_cast<unsigned char>(counts[p]) - 48;
            if (c < 0 || c > 63 || k > 12) throw Error("the compressed RLE string is malformed");
            x |= static_cast<int64_t>(c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            if (!more && (c & 0x10)) x |= -(int64_t(1) << (5 * k));
        }
        if (runs.size() > 2) x += runs[runs.size() - 2];
        runs.push_back(x);
    }
    return runs;
}

torch::Tensor decodeCocoRle(const std::vector<int64_t>& counts, int height, int width) {
    const int64_t total = static_cast<int64_t>(height) * width;
    auto columnMajor = torch::zeros({width, height}, torch::kUInt8);
    auto* out = columnMajor.data_ptr<uint8_t>();
    int64_t at = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] < 0 || counts[i] > total - at) throw Error("the RLE's runs overrun its size");
        if (i % 2 == 1) std::fill(out + at, out + at + counts[i], uint8_t(1));
        at += counts[i];
    }
    if (at != total)
        throw Error("the RLE's runs cover " + std::to_string(at) + " of " + std::to_string(total) + " pixels");
    return columnMajor.t().contiguous();
}

std::optional<ImageMasks> sessionMasks(const Session& session, const std::string& dir) {
    ImageMasks masks;
    masks.key = fs::path(dir).filename().string();
    for (const auto& [index, a] : session.annotations) {
        if (a.mask.width == 0) continue;
        const auto& image = a.mask;
        auto pixels = torch::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                                       {image.height, image.width, image.channels}, torch::kUInt8);
        const auto word = asciiLower(session.words[size_t(index)].text);
        auto mask = pixels.ne(0).any(2).to(torch::kUInt8).clone();
        if (masks.byWord.count(word)) mask = mask.bitwise_or(masks.byWord[word]); // occurrences join
        masks.byWord[word] = mask;
        masks.source[word] = (fs::path(dir) / "annotations" / ("mask-" + std::to_string(index) + ".png")).string();
    }
    if (masks.byWord.empty()) return std::nullopt;
    return masks;
}

MaskAnnotations MaskAnnotations::open(const std::string& path) {
    MaskAnnotations a;
    a.path_ = path;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        for (const auto& dir : fs::directory_iterator(path)) {
            if (!dir.is_directory()) continue;
            Entry entry;
            for (const auto& file : fs::directory_iterator(dir.path()))
                if (file.is_regular_file() && asciiLower(file.path().extension().string()) == ".png")
                    entry.pngs[asciiLower(file.path().stem().string())].push_back(file.path().string());
            if (!entry.pngs.empty()) a.images_[dir.path().filename().string()] = std::move(entry);
        }
        if (a.images_.empty())
            throw FileError(path, "holds no masks (expected a folder per image: DIR/<item>/<word>.png)");
        return a;
    }
    if (!fs::is_regular_file(path, ec)) throw FileError(path, "no such file or folder");
    a.coco_ = std::make_shared<json>(readJsonFile(path));
    const json& coco = *a.coco_;
    for (const char* key : {"images", "annotations", "categories"})
        if (!coco.contains(key) || !coco[key].is_array())
            throw FileError(path, std::string("not COCO-style annotations: no \"") + key + "\" list");
    for (const auto& c : coco["categories"]) {
        if (!c.is_object() || !c.contains("id") || !c.contains("name") || !c["name"].is_string())
            throw FileError(path, "a category needs an id and a name");
        a.categories_[idText(c["id"])] = asciiLower(c["name"].get<std::string>());
    }
    for (const auto& image : coco["images"]) {
        if (!image.is_object() || !image.contains("id") || !image.value("height", json()).is_number_integer() ||
            !image.value("width", json()).is_number_integer())
            throw FileError(path, "an image needs an id, a width and a height");
        Entry entry;
        entry.height = image["height"].get<int>();
        entry.width = image["width"].get<int>();
        if (entry.height < 1 || entry.width < 1 || entry.height > kMaxMaskSide || entry.width > kMaxMaskSide)
            throw FileError(path, "image " + idText(image["id"]) + " has an absurd size");
        const auto id = idText(image["id"]);
        entry.name = path + ": image " + id;
        if (!a.images_.emplace(id, entry).second) throw FileError(path, "image " + id + " is listed twice");
        // An image is also found by its file name without the extension.
        if (image.contains("file_name") && image["file_name"].is_string()) {
            const auto stem = fs::path(image["file_name"].get<std::string>()).stem().string();
            if (!stem.empty() && stem != id) a.aliases_[stem] = id;
        }
    }
    for (const auto& annotation : coco["annotations"]) {
        if (!annotation.is_object() || !annotation.contains("image_id") || !annotation.contains("category_id") ||
            !annotation.contains("segmentation"))
            throw FileError(path, "an annotation needs image_id, category_id and segmentation");
        const auto id = idText(annotation["image_id"]);
        if (!a.images_.count(id)) throw FileError(path, "an annotation names image " + id + ", which is not listed");
        if (!a.categories_.count(idText(annotation["category_id"])))
            throw FileError(path, "an annotation names category " + idText(annotation["category_id"]) +
                                      ", which is not listed");
        a.images_[id].annotations.push_back(&annotation);
    }
    return a;
}

ImageMasks MaskAnnotations::load(const std::string& key, const Entry& entry) const {
    ImageMasks masks;
    masks.key = key;
    for (const auto& [word, files] : entry.pngs) {
        torch::Tensor joined;
        for (const auto& file : files) {
            auto mask = readMaskPng(file);
            if (joined.defined() && !mask.sizes().equals(joined.sizes()))
                throw FileError(file, "is not the size of the other masks of '" + word + "'");
            joined = joined.defined() ? joined.bitwise_or(mask) : mask;
        }
        masks.byWord[word] = joined;
        masks.source[word] = files.front();
    }
    for (const json* annotation : entry.annotations) {
        const auto word = categories_.at(idText((*annotation)["category_id"]));
        auto mask = cocoSegmentation((*annotation)["segmentation"], entry.height, entry.width, entry.name);
        auto& joined = masks.byWord[word];
        joined = joined.defined() ? joined.bitwise_or(mask) : mask;
        masks.source[word] = entry.name + ", category '" + word + "'";
    }
    return masks;
}

std::optional<ImageMasks> MaskAnnotations::find(const std::vector<std::string>& keys) const {
    for (const auto& key : keys) {
        if (const auto it = images_.find(key); it != images_.end()) return load(key, it->second);
        if (const auto alias = aliases_.find(key); alias != aliases_.end()) return load(key, images_.at(alias->second));
    }
    return std::nullopt;
}

} // namespace daam
