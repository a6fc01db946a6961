// SPDX-License-Identifier: GPL-3.0-or-later
// PNG files for the core (generated images, heat-map overlays, reference masks) without Qt, through
// libpng. Writing is atomic (temporary file, then rename). Text chunks (tEXt, zTXt, iTXt) are read and
// written as UTF-8 key/text pairs, in file order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace daam {

// Keyword and text, both UTF-8 (tEXt and zTXt are Latin-1 in the file and converted).
using PngTextEntries = std::vector<std::pair<std::string, std::string>>;

// Text a reader accepts: a ComfyUI workflow is tens to hundreds of kB; a zTXt that inflates past these is a
// decompression bomb, not metadata.
constexpr size_t kMaxPngTextChunkBytes = size_t(8) << 20; // one chunk's text, after decompression
constexpr size_t kMaxPngTextBytes = size_t(16) << 20;     // all text chunks together
constexpr size_t kMaxPngTextChunks = 256;

struct PngImage {
    int width = 0;
    int height = 0;
    int channels = 0;            // 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)
    std::vector<uint8_t> pixels; // row-major, interleaved channels, 8 bits each
    PngTextEntries text = {};    // an initializer, so that PngImage{w, h, c, pixels} leaves it out without a warning
};

// Reads any PNG (palette, 16-bit and grey forms are converted to 8 bits per channel) with its text chunks.
// Throws FileError, also for text past the limits above or a damaged compressed text chunk.
PngImage readPng(const std::string& path);
// Only the text chunks (the pixels are decoded a row at a time and dropped). Throws as readPng.
PngTextEntries readPngText(const std::string& path);

// Writes an 8-bit PNG atomically, its text as tEXt chunks where the text is Latin-1 and as iTXt where it is not,
// before the image data. Throws FileError, also for a keyword PNG does not allow (1-79 printable Latin-1
// characters, no leading, trailing or double spaces) and text with a NUL or past the limits above.
void writePng(const std::string& path, const PngImage& image);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), as iTXt text
// must be.
bool isValidUtf8(std::string_view text);

} // namespace daam
