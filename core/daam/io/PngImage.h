// SPDX-License-Identifier: GPL-3.0-or-later
// PNG files for the core (generated images, heat-map overlays, reference masks) without Qt, through
// libpng. Writing is atomic (temporary file, then rename).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace daam {

struct PngImage {
    int width = 0;
    int height = 0;
    int channels = 0;            // 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)
    std::vector<uint8_t> pixels; // row-major, interleaved channels, 8 bits each
};

// Reads any PNG (palette, 16-bit and grey forms are converted to 8 bits per channel). Throws FileError.
PngImage readPng(const std::string& path);

// Writes an 8-bit PNG atomically. Throws FileError.
void writePng(const std::string& path, const PngImage& image);

} // namespace daam
