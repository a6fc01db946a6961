// SPDX-License-Identifier: GPL-3.0-or-later
// Annotation masks for scoring DAAM maps against ground truth (the paper's Table 1): per image and word, read
// from a folder of PNGs (DIR/<key>/<word>.png) or from COCO-style JSON (polygons, or RLE as pycocotools writes it).
#pragma once

#include "daam/trace/Session.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace daam {

// One image's masks by word (lower case): uint8 [H, W] of 0/1. `source` names where each came from, for errors.
struct ImageMasks {
    std::string key;
    std::map<std::string, torch::Tensor> byWord;
    std::map<std::string, std::string> source;
};

class MaskAnnotations {
public:
    // A folder of per-image folders of PNG masks (readMaskPng: alpha, else any non-zero colour), or a COCO JSON
    // file: images {id, file_name, width, height}, categories {id, name}, annotations {image_id, category_id,
    // segmentation: polygons [[x, y, ...], ...] or RLE {size: [h, w], counts}}. Masks of one word in one image
    // are joined. Throws FileError naming the file and the problem. Masks are read when asked for (a data set's
    // masks need not fit in memory).
    static MaskAnnotations open(const std::string& path);

    // The masks of the image known by any of `keys` (a session folder's name, an item number, a row's id): the
    // first key that has some; nullopt when none has. Throws FileError for an unreadable mask.
    std::optional<ImageMasks> find(const std::vector<std::string>& keys) const;
    const std::string& path() const { return path_; }
    size_t images() const { return images_.size(); }

private:
    struct Entry {
        std::map<std::string, std::vector<std::string>> pngs; // word -> files (a folder)
        std::vector<const nlohmann::json*> annotations;       // COCO
        int height = 0, width = 0;                            // COCO's image size
        std::string name;                                     // COCO: where the image is, for errors
    };
    ImageMasks load(const std::string& key, const Entry& entry) const;

    std::string path_;
    std::shared_ptr<nlohmann::json> coco_;
    std::map<std::string, std::string> categories_; // COCO category id -> word
    std::map<std::string, Entry> images_;
    std::map<std::string, std::string> aliases_; // COCO file name stem -> image id
};

// The masks drawn in a session (Session::annotations, the app's Annotate tools), by word text in lower case;
// none when it has none. `dir` names the files in errors.
std::optional<ImageMasks> sessionMasks(const Session& session, const std::string& dir);

// Pixels whose centres lie inside the polygon (x0, y0, x1, y1, ...; even-odd rule): uint8 [height, width].
torch::Tensor rasterizePolygon(const std::vector<double>& xy, int height, int width);
// COCO's run-length encoding: counts alternate background and foreground, column by column; `counts` is the
// list of numbers or pycocotools' compressed string. Throws Error when the runs do not fill height x width.
torch::Tensor decodeCocoRle(const std::vector<int64_t>& counts, int height, int width);
std::vector<int64_t> parseCocoRleString(const std::string& counts);

} // namespace daam
