// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/io/PngImage.h"

#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"

#include <png.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <unistd.h>

namespace daam {

namespace {

// libpng reports errors through longjmp by default; these handlers turn them into exceptions that the
// callers below catch at the libpng boundary (png_* functions are C, so we longjmp out and rethrow).
struct PngErrorState {
    std::string message;
};

void onPngError(png_structp png, png_const_charp message) {
    auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
    if (state) state->message = message;
    png_longjmp(png, 1);
}

void onPngWarning(png_structp, png_const_charp) {}

constexpr int kMaxSide = 1 << 15; // refuse absurd sizes before allocating

} // namespace

PngImage readPng(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw FileError(path, std::string("cannot open: ") + std::strerror(errno));
    unsigned char signature[8] = {};
    if (std::fread(signature, 1, 8, file.get()) != 8 || png_sig_cmp(signature, 0, 8) != 0)
        throw FileError(path, "not a PNG file");

    PngErrorState state;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, onPngError, onPngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw FileError(path, "out of memory reading PNG");
    }
    PngImage image;
    std::vector<png_bytep> rows;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw FileError(path, "damaged PNG: " + state.message);
    }
    png_init_io(png, file.get());
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    const auto width = png_get_image_width(png, info);
    const auto height = png_get_image_height(png, info);
    if (width == 0 || height == 0 || width > kMaxSide || height > kMaxSide) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw FileError(path, "PNG size " + std::to_string(width) + "x" + std::to_string(height) + " is out of range");
    }
    const int colorType = png_get_color_type(png, info);
    if (png_get_bit_depth(png, info) == 16) png_set_strip_16(png);
    if (colorType == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colorType == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
    image.channels = png_get_channels(png, info);
    const size_t rowBytes = png_get_rowbytes(png, info);
    image.pixels.resize(rowBytes * height);
    rows.resize(height);
    for (png_uint_32 y = 0; y < height; ++y)
        rows[y] = image.pixels.data() + y * rowBytes;
    png_read_image(png, rows.data());
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);
    return image;
}

void writePng(const std::string& path, const PngImage& image) {
    if (image.width <= 0 || image.height <= 0 || image.width > kMaxSide || image.height > kMaxSide)
        throw FileError(path,
                        "cannot write a " + std::to_string(image.width) + "x" + std::to_string(image.height) + " PNG");
    int colorType = 0;
    switch (image.channels) {
    case 1:
        colorType = PNG_COLOR_TYPE_GRAY;
        break;
    case 2:
        colorType = PNG_COLOR_TYPE_GRAY_ALPHA;
        break;
    case 3:
        colorType = PNG_COLOR_TYPE_RGB;
        break;
    case 4:
        colorType = PNG_COLOR_TYPE_RGBA;
        break;
    default:
        throw FileError(path, "cannot write a PNG with " + std::to_string(image.channels) + " channels");
    }
    const size_t rowBytes = static_cast<size_t>(image.width) * image.channels;
    if (image.pixels.size() != rowBytes * image.height)
        throw FileError(path, "pixel buffer does not match the image size");

    writeFileAtomically(path, [&](int fd) {
        FILE* out = fdopen(dup(fd), "wb");
        if (!out) throw FileError(path, "cannot open for writing");
        PngErrorState state;
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, onPngError, onPngWarning);
        png_infop info = png ? png_create_info_struct(png) : nullptr;
        std::vector<png_bytep> rows(image.height);
        if (!png || !info || setjmp(png_jmpbuf(png))) {
            png_destroy_write_struct(&png, &info);
            std::fclose(out);
            throw FileError(path, "PNG encoding failed: " + state.message);
        }
        png_init_io(png, out);
        png_set_IHDR(png, info, image.width, image.height, 8, colorType, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_write_info(png, info);
        for (int y = 0; y < image.height; ++y)
            rows[y] = const_cast<png_bytep>(image.pixels.data() + y * rowBytes);
        png_write_image(png, rows.data());
        png_write_end(png, nullptr);
        png_destroy_write_struct(&png, &info);
        if (std::fflush(out) != 0 || std::fclose(out) != 0) throw FileError(path, "write failed");
    });
}

} // namespace daam
