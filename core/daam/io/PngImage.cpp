// SPDX-License-Identifier: GPL-3.0-or-later
#include "daam/io/PngImage.h"

#include "daam/util/AtomicFile.h"
#include "daam/util/Error.h"

#include <png.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <unistd.h>

namespace daam {

namespace {

// libpng reports errors through longjmp by default; these handlers turn them into exceptions that the
// callers below catch at the libpng boundary (png_* functions are C, so we longjmp out and rethrow).
// The text chunks are parsed here rather than by libpng, so that their sizes are bounded in all (libpng
// bounds each chunk only) and a damaged one is an error rather than a warning that drops it.
struct PngState {
    std::FILE* file = nullptr; // reading
    std::string message;
    std::string textError; // why a text chunk was refused; takes precedence over `message`
    PngTextEntries text;
    size_t textBytes = 0;
};

void onPngError(png_structp png, png_const_charp message) {
    auto* state = static_cast<PngState*>(png_get_error_ptr(png));
    if (state) state->message = message;
    png_longjmp(png, 1);
}

void onPngWarning(png_structp, png_const_charp) {}

constexpr int kMaxSide = 1 << 15; // refuse absurd sizes before allocating
constexpr size_t kMaxKeyword = 79;

std::string latin1ToUtf8(const uint8_t* bytes, size_t size) {
    std::string out;
    out.reserve(size);
    for (size_t i = 0; i < size; ++i) {
        const uint8_t c = bytes[i];
        if (c < 0x80) {
            out += char(c);
        } else {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        }
    }
    return out;
}

// The Latin-1 bytes of UTF-8 `text`; false when it is not valid UTF-8 or has a character past U+00FF.
bool utf8ToLatin1(const std::string& text, std::string& out) {
    out.clear();
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<uint8_t>(text[i]);
        if (c < 0x80) {
            out += char(c);
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size() &&
                   (static_cast<uint8_t>(text[i + 1]) & 0xC0) == 0x80) {
            out += char(((c & 0x03) << 6) | (static_cast<uint8_t>(text[i + 1]) & 0x3F));
            ++i;
        } else {
            return false;
        }
    }
    return true;
}

} // namespace

bool isValidUtf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<uint8_t>(text[i]);
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4) || i + n > text.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<uint8_t>(text[i + k]) & 0xC0) != 0x80) return false;
        const auto c1 = static_cast<uint8_t>(n > 1 ? text[i + 1] : 0);
        if ((n == 3 && c == 0xE0 && c1 < 0xA0) || (n == 3 && c == 0xED && c1 >= 0xA0) ||
            (n == 4 && c == 0xF0 && c1 < 0x90) || (n == 4 && c == 0xF4 && c1 >= 0x90))
            return false; // overlong forms, surrogates, past U+10FFFF
        i += n;
    }
    return true;
}

namespace {

// Inflates a zlib stream of a text chunk, stopping past `limit` bytes (the caller refuses a text that long);
// `error` says why the stream is unreadable.
std::string inflateText(const uint8_t* data, size_t size, size_t limit, std::string& error) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK) {
        error = "zlib cannot start";
        return {};
    }
    std::string out;
    z.next_in = const_cast<Bytef*>(data);
    z.avail_in = static_cast<uInt>(size);
    int ret = Z_OK;
    while (ret != Z_STREAM_END) {
        if (out.size() >= limit + 1) break;
        const size_t chunk = std::min<size_t>(limit + 1 - out.size(), 256 * 1024);
        const size_t before = out.size();
        out.resize(before + chunk);
        z.next_out = reinterpret_cast<Bytef*>(&out[before]);
        z.avail_out = static_cast<uInt>(chunk);
        ret = inflate(&z, Z_NO_FLUSH);
        out.resize(before + (chunk - z.avail_out));
        if (ret == Z_STREAM_END) break;
        if (ret == Z_BUF_ERROR || (ret == Z_OK && z.avail_in == 0 && z.avail_out != 0)) {
            error = "its compressed text is cut short";
            break;
        }
        if (ret != Z_OK) {
            error = std::string("its compressed text is damaged (") + (z.msg ? z.msg : "zlib error") + ")";
            break;
        }
    }
    inflateEnd(&z);
    return error.empty() ? out : std::string();
}

// Parses one tEXt, zTXt or iTXt chunk into `state.text`; false with `state.textError` set when it is refused.
// Never throws: it runs inside a libpng callback, which may only leave by returning or by png_error.
bool readTextChunk(PngState& state, const std::string& type, const uint8_t* data, size_t size) {
    try {
        if (size == 0) { // libpng hands an empty chunk over as a null pointer
            state.textError = type + " chunk: empty, without even a keyword";
            return false;
        }
        const uint8_t* end = data + size;
        const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
        if (!nul || nul == data || size_t(nul - data) > kMaxKeyword) {
            state.textError = type + " chunk: its keyword is missing or longer than 79 characters";
            return false;
        }
        const std::string key = latin1ToUtf8(data, size_t(nul - data));
        const std::string named = type + " chunk '" + excerpt(key, 40) + "'";
        if (state.text.size() >= kMaxPngTextChunks) {
            state.textError = named + ": more than " + std::to_string(kMaxPngTextChunks) + " text chunks";
            return false;
        }
        const size_t budget = std::min(kMaxPngTextChunkBytes, kMaxPngTextBytes - state.textBytes);
        const uint8_t* p = nul + 1;
        std::string text, error;
        if (type == "tEXt") {
            text = latin1ToUtf8(p, size_t(end - p));
        } else if (type == "zTXt") {
            if (p >= end || *p != 0) {
                state.textError = named + ": unknown compression method";
                return false;
            }
            const std::string latin1 = inflateText(p + 1, size_t(end - p - 1), budget, error);
            text = latin1ToUtf8(reinterpret_cast<const uint8_t*>(latin1.data()), latin1.size());
        } else { // iTXt: flag, method, language tag NUL, translated keyword NUL, UTF-8 text
            if (end - p < 2 || p[0] > 1 || (p[0] == 1 && p[1] != 0)) {
                state.textError = named + ": unknown compression flag or method";
                return false;
            }
            const bool compressed = p[0] == 1;
            p += 2;
            for (int field = 0; field < 2; ++field) {
                const auto* fieldEnd = static_cast<const uint8_t*>(std::memchr(p, 0, size_t(end - p)));
                if (!fieldEnd) {
                    state.textError = named + ": its language fields are not terminated";
                    return false;
                }
                p = fieldEnd + 1;
            }
            if (compressed)
                text = inflateText(p, size_t(end - p), budget, error);
            else
                text.assign(reinterpret_cast<const char*>(p), size_t(end - p));
        }
        if (error.empty() && text.size() > budget)
            error = text.size() > kMaxPngTextChunkBytes
                        ? "its text is longer than " + std::to_string(kMaxPngTextChunkBytes >> 20) + " MiB"
                        : "the text chunks together pass " + std::to_string(kMaxPngTextBytes >> 20) + " MiB";
        if (!error.empty()) {
            state.textError = named + ": " + error;
            return false;
        }
        state.textBytes += text.size();
        state.text.emplace_back(key, std::move(text));
        return true;
    } catch (const std::exception& e) {
        state.textError = type + " chunk: " + e.what();
        return false;
    }
}

bool isTextChunk(const png_byte* type) {
    return std::memcmp(type, "tEXt", 4) == 0 || std::memcmp(type, "zTXt", 4) == 0 || std::memcmp(type, "iTXt", 4) == 0;
}

// libpng skips an ancillary chunk past its memory limit without a word: a text chunk that long is refused here,
// from its header, before libpng reads it. False with `state.textError` set when it is.
bool acceptChunkHeader(PngState& state, const png_byte* header) {
    const uint32_t length = png_get_uint_32(header);
    if (!isTextChunk(header + 4) || length <= kMaxPngTextChunkBytes) return true;
    state.textError = std::string(reinterpret_cast<const char*>(header + 4), 4) + " chunk of " +
                      std::to_string(length) + " bytes: longer than the " +
                      std::to_string(kMaxPngTextChunkBytes >> 20) + " MiB a text chunk may take";
    return false;
}

void onPngRead(png_structp png, png_bytep data, size_t length) {
    auto* state = static_cast<PngState*>(png_get_io_ptr(png));
    if (std::fread(data, 1, length, state->file) != length) png_error(png, "the file ends early");
    if ((png_get_io_state(png) & PNG_IO_CHUNK_HDR) && length == 8 && !acceptChunkHeader(*state, data))
        png_error(png, "text chunk refused");
}

int onUserChunk(png_structp png, png_unknown_chunkp chunk) {
    auto* state = static_cast<PngState*>(png_get_user_chunk_ptr(png));
    if (!isTextChunk(chunk->name)) return 0; // libpng's default for chunks it does not know
    if (!readTextChunk(*state, std::string(reinterpret_cast<const char*>(chunk->name), 4), chunk->data, chunk->size))
        png_error(png, "text chunk refused");
    return 1;
}

PngImage readPngFile(const std::string& path, bool keepPixels) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw FileError(path, std::string("cannot open: ") + std::strerror(errno));
    unsigned char signature[8] = {};
    if (std::fread(signature, 1, 8, file.get()) != 8 || png_sig_cmp(signature, 0, 8) != 0)
        throw FileError(path, "not a PNG file");

    PngState state;
    state.file = file.get();
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, onPngError, onPngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, nullptr);
        throw FileError(path, "out of memory reading PNG");
    }
    PngImage image;
    std::vector<png_bytep> rows;
    std::vector<uint8_t> row;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, nullptr);
        if (!state.textError.empty()) throw FileError(path, state.textError);
        throw FileError(path, "damaged PNG: " + state.message);
    }
    png_set_read_fn(png, &state, onPngRead);
    png_set_sig_bytes(png, 8);
    png_set_chunk_malloc_max(png, kMaxPngTextChunkBytes);
    static const png_byte textChunks[] = "tEXt\0zTXt\0iTXt";
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, textChunks, 3);
    png_set_read_user_chunk_fn(png, &state, onUserChunk);
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
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    const size_t rowBytes = png_get_rowbytes(png, info);
    if (keepPixels) {
        image.width = static_cast<int>(width);
        image.height = static_cast<int>(height);
        image.channels = png_get_channels(png, info);
        image.pixels.resize(rowBytes * height);
        rows.resize(height);
        for (png_uint_32 y = 0; y < height; ++y)
            rows[y] = image.pixels.data() + y * rowBytes;
        png_read_image(png, rows.data());
    } else {
        // Text may follow the image data, and libpng reaches it only through the rows: one row's memory will do.
        row.resize(rowBytes);
        for (int pass = 0; pass < passes; ++pass)
            for (png_uint_32 y = 0; y < height; ++y)
                png_read_row(png, row.data(), nullptr);
    }
    png_read_end(png, info);
    png_destroy_read_struct(&png, &info, nullptr);
    image.text = std::move(state.text);
    return image;
}

// A text entry converted for libpng: a Latin-1 keyword, and Latin-1 (tEXt) or UTF-8 (iTXt) text.
struct EncodedText {
    std::string key, text;
    bool latin1 = true;
};

EncodedText encodeText(const std::string& path, const std::string& key, const std::string& text) {
    EncodedText e;
    const std::string named = "text chunk '" + excerpt(key, 40) + "'";
    if (!utf8ToLatin1(key, e.key) || e.key.empty() || e.key.size() > kMaxKeyword)
        throw FileError(path, named + ": a PNG keyword is 1 to 79 Latin-1 characters");
    for (size_t i = 0; i < e.key.size(); ++i) {
        const auto c = static_cast<uint8_t>(e.key[i]);
        const bool printable = (c >= 32 && c <= 126) || c >= 161;
        const bool badSpace = c == ' ' && (i == 0 || i + 1 == e.key.size() || e.key[i + 1] == ' ');
        if (!printable || badSpace)
            throw FileError(path, named + ": a PNG keyword has printable characters and single inner spaces only");
    }
    if (text.find('\0') != std::string::npos) throw FileError(path, named + ": the text holds a NUL character");
    if (text.size() > kMaxPngTextChunkBytes)
        throw FileError(path,
                        named + ": the text is longer than " + std::to_string(kMaxPngTextChunkBytes >> 20) + " MiB");
    e.latin1 = utf8ToLatin1(text, e.text);
    if (!e.latin1) {
        if (!isValidUtf8(text)) throw FileError(path, named + ": the text is not UTF-8");
        e.text = text;
    }
    return e;
}

} // namespace

PngImage readPng(const std::string& path) {
    return readPngFile(path, true);
}

PngTextEntries readPngText(const std::string& path) {
    return readPngFile(path, false).text;
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
    if (image.text.size() > kMaxPngTextChunks)
        throw FileError(path, "more than " + std::to_string(kMaxPngTextChunks) + " text chunks");
    std::vector<EncodedText> encoded;
    size_t textBytes = 0;
    for (const auto& [key, text] : image.text) {
        encoded.push_back(encodeText(path, key, text));
        textBytes += text.size();
    }
    if (textBytes > kMaxPngTextBytes)
        throw FileError(path, "the text chunks together pass " + std::to_string(kMaxPngTextBytes >> 20) + " MiB");
    std::vector<png_text> chunks(encoded.size());
    for (size_t i = 0; i < encoded.size(); ++i) {
        auto& c = chunks[i];
        c.compression = encoded[i].latin1 ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
        c.key = encoded[i].key.data();
        c.text = encoded[i].text.data();
        if (encoded[i].latin1)
            c.text_length = encoded[i].text.size();
        else
            c.itxt_length = encoded[i].text.size();
    }

    writeFileAtomically(path, [&](int fd) {
        FILE* out = fdopen(dup(fd), "wb");
        if (!out) throw FileError(path, "cannot open for writing");
        PngState state;
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
        if (!chunks.empty()) png_set_text(png, info, chunks.data(), static_cast<int>(chunks.size()));
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
