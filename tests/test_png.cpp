// SPDX-License-Identifier: GPL-3.0-or-later
// PNG reading and writing through libpng: round trips, the reference images, and damaged files; text chunks
// (tEXt, zTXt, iTXt) before and after the image data, and the limits on their sizes.
#include "daam/io/PngImage.h"
#include "daam/util/Error.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace {

std::string pngFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct PngChunk {
    std::string type, data;
};

std::vector<PngChunk> pngChunksOf(const std::string& png) {
    std::vector<PngChunk> chunks;
    for (size_t i = 8; i + 12 <= png.size();) {
        const auto* p = reinterpret_cast<const unsigned char*>(png.data() + i);
        const size_t length = (size_t(p[0]) << 24) | (size_t(p[1]) << 16) | (size_t(p[2]) << 8) | p[3];
        chunks.push_back({png.substr(i + 4, 4), png.substr(i + 8, length)});
        i += 12 + length;
    }
    return chunks;
}

std::string encodePngChunk(const PngChunk& c, size_t claimedLength) {
    std::string out(4, '\0');
    for (int k = 0; k < 4; ++k)
        out[size_t(k)] = char((claimedLength >> (24 - 8 * k)) & 0xFF);
    const std::string body = c.type + c.data;
    out += body;
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()));
    for (int k = 0; k < 4; ++k)
        out += char((crc >> (24 - 8 * k)) & 0xFF);
    return out;
}

// A 4x4 grey PNG with `before` between IHDR and IDAT and `after` between IDAT and IEND.
std::string pngWithChunks(const std::vector<PngChunk>& before, const std::vector<PngChunk>& after = {}) {
    const auto path = daam::test::makeTempDir("png-chunks") + "/base.png";
    daam::writePng(path, daam::PngImage{4, 4, 1, std::vector<uint8_t>(16, 50)});
    const auto chunks = pngChunksOf(pngFileBytes(path));
    std::string out = "\x89PNG\r\n\x1a\n";
    for (const auto& c : chunks) {
        if (c.type == "IDAT")
            for (const auto& b : before)
                out += encodePngChunk(b, b.data.size());
        if (c.type == "IEND")
            for (const auto& a : after)
                out += encodePngChunk(a, a.data.size());
        out += encodePngChunk(c, c.data.size());
    }
    return out;
}

std::string deflated(const std::string& text) {
    uLongf size = compressBound(uLong(text.size()));
    std::string out(size, '\0');
    compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
             uLong(text.size()));
    out.resize(size);
    return out;
}

std::string writePngBytes(const std::string& name, const std::string& bytes) {
    const auto path = daam::test::makeTempDir("png-text") + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

// Runs `read` and checks it throws a FileError naming `path` whose message contains `words`.
template <class Read> QString expectPngError(const std::string& path, const char* words, Read read) {
    try {
        read();
    } catch (const daam::FileError& e) {
        const QString message = QString::fromStdString(e.what());
        if (e.path() != path || !message.contains(QString::fromUtf8(words))) return message;
        return {};
    }
    return QStringLiteral("no error");
}

} // namespace

class TestPng : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrips_data() {
        QTest::addColumn<int>("channels");
        for (int c = 1; c <= 4; ++c)
            QTest::newRow(qPrintable(QString::number(c))) << c;
    }
    void roundTrips() {
        QFETCH(int, channels);
        daam::PngImage image;
        image.width = 37;
        image.height = 19;
        image.channels = channels;
        image.pixels.resize(static_cast<size_t>(37 * 19 * channels));
        for (size_t i = 0; i < image.pixels.size(); ++i)
            image.pixels[i] = static_cast<uint8_t>((i * 7919) % 251);
        const auto path = daam::test::makeTempDir("png") + "/x.png";
        daam::writePng(path, image);
        const auto back = daam::readPng(path);
        QCOMPARE(back.width, 37);
        QCOMPARE(back.height, 19);
        QCOMPARE(back.channels, channels);
        QVERIFY(back.pixels == image.pixels);
    }

    void readsReferenceImages() {
        DAAM_REQUIRE_REFERENCE();
        const auto image = daam::readPng(daam::test::referencePath("sd1-tiny/cases/ddim.png"));
        QCOMPARE(image.width, 64);
        QCOMPARE(image.height, 64);
        QVERIFY(image.channels == 3 || image.channels == 4);
    }

    void rejectsDamagedFiles() {
        const auto dir = daam::test::makeTempDir("png");
        daam::PngImage image{16, 16, 3, std::vector<uint8_t>(16 * 16 * 3, 128)};
        daam::writePng(dir + "/good.png", image);
        std::ifstream in(dir + "/good.png", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(dir + "/truncated.png", std::ios::binary).write(bytes.data(), 40);
        std::ofstream(dir + "/text.png") << "not an image";
        for (const char* name : {"truncated.png", "text.png", "absent.png"}) {
            const auto path = dir + "/" + name;
            try {
                daam::readPng(path);
                QFAIL(name);
            } catch (const daam::FileError& e) {
                QVERIFY2(std::string(e.what()).rfind(path + ": ", 0) == 0, e.what());
            }
        }
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::writePng(dir + "/bad.png", daam::PngImage{0, 5, 3, {}}),
                                  dir + "/bad.png", "cannot write a 0x5 PNG");
        DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::writePng(dir + "/bad.png", daam::PngImage{4, 4, 3, {1, 2}}),
                                  dir + "/bad.png", "pixel buffer does not match the image size");
        QVERIFY(!std::filesystem::exists(dir + "/bad.png"));
    }

    void textRoundTripsAsTextOrInternationalText() {
        daam::PngImage image{8, 8, 3, std::vector<uint8_t>(8 * 8 * 3, 90)};
        image.text = {{"parameters", "a café, by the sea\nNegative prompt: blurry\nSteps: 20"},
                      {"daam-studio", "{\"prompt\": \"一只猫\"}"},
                      {"Comment", ""}};
        const auto path = daam::test::makeTempDir("png-text") + "/t.png";
        daam::writePng(path, image);
        QVERIFY(daam::readPng(path).text == image.text);
        QVERIFY(daam::readPngText(path) == image.text);
        // Latin-1 text is tEXt (é as the one byte 0xE9), other text iTXt; all of it before the image data.
        const auto chunks = pngChunksOf(pngFileBytes(path));
        std::vector<std::string> types;
        for (const auto& c : chunks)
            types.push_back(c.type);
        QCOMPARE(types, (std::vector<std::string>{"IHDR", "tEXt", "iTXt", "tEXt", "IDAT", "IEND"}));
        QVERIFY(chunks[1].data.find("caf\xE9,") != std::string::npos);
        QVERIFY(chunks[2].data.find("一只猫") != std::string::npos);
    }

    void readsCompressedTextAndTextAfterTheImage() {
        const std::string iTXt = std::string("prompt\0\1\0en\0Eingabe\0", 20) + deflated("{\"3\": \"猫\"}");
        const auto path = writePngBytes(
            "late.png", pngWithChunks({{"zTXt", std::string("parameters\0\0", 12) + deflated("caf\xE9 au lait")},
                                       {"tEXt", std::string("Software\0GIMP", 13)}},
                                      {{"iTXt", iTXt}}));
        const daam::PngTextEntries expected = {
            {"parameters", "café au lait"}, {"Software", "GIMP"}, {"prompt", "{\"3\": \"猫\"}"}};
        QVERIFY(daam::readPngText(path) == expected);
        const auto image = daam::readPng(path);
        QVERIFY(image.text == expected);
        QCOMPARE(image.pixels, std::vector<uint8_t>(16, 50));
    }

    void refusesAbsurdOrDamagedText() {
        const std::string bomb = std::string("parameters\0\0", 12) + deflated(std::string(9 << 20, 'a'));
        std::string varied(2000, ' ');
        uint32_t x = 1;
        for (auto& c : varied) // pseudo-random letters: they compress to far more than the 30 bytes kept
            c = char('a' + ((x = x * 1103515245u + 12345u) >> 16) % 26);
        const std::string cut = std::string("parameters\0\0", 12) + deflated(varied).substr(0, 30);
        std::vector<PngChunk> many(300, PngChunk{"tEXt", std::string("k\0v", 3)});
        std::vector<PngChunk> large(3, PngChunk{"zTXt", std::string("k\0\0", 3) + deflated(std::string(7 << 20, 'c'))});
        const struct {
            const char* name;
            std::string bytes;
            const char* words;
        } cases[] = {
            {"bomb.png", pngWithChunks({{"zTXt", bomb}}), "zTXt chunk 'parameters': its text is longer than 8 MiB"},
            {"cut.png", pngWithChunks({{"zTXt", cut}}), "zTXt chunk 'parameters': its compressed text is cut short"},
            {"many.png", pngWithChunks(many), "more than 256 text chunks"},
            {"together.png", pngWithChunks(large), "the text chunks together pass 16 MiB"},
            {"nokey.png", pngWithChunks({{"tEXt", "no separator"}}), "tEXt chunk: its keyword is missing"},
            {"method.png", pngWithChunks({{"iTXt", std::string("k\0\1\7\0\0", 6)}}), "unknown compression"},
        };
        for (const auto& c : cases) {
            const auto path = writePngBytes(c.name, c.bytes);
            const auto problem = expectPngError(path, c.words, [&] { daam::readPngText(path); });
            QVERIFY2(problem.isEmpty(), qPrintable(QString::fromLatin1(c.name) + QStringLiteral(": ") + problem));
            QVERIFY(expectPngError(path, c.words, [&] { daam::readPng(path); }).isEmpty());
        }
        // A chunk that says it is 9 MiB long is refused from its header, before anything is read or allocated.
        std::string huge = pngWithChunks({});
        const size_t idat = huge.find("IDAT") - 4;
        huge.insert(idat, encodePngChunk({"tEXt", "k"}, 9u << 20));
        const auto hugePath = writePngBytes("huge.png", huge);
        const auto problem = expectPngError(hugePath, "tEXt chunk of 9437184 bytes: longer than the 8 MiB",
                                            [&] { daam::readPngText(hugePath); });
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void refusesTextPngCannotHold() {
        const auto dir = daam::test::makeTempDir("png-text");
        const std::pair<std::string, std::string> bad[] = {{"", "x"},
                                                           {" lead", "x"},
                                                           {"trail ", "x"},
                                                           {"two  spaces", "x"},
                                                           {std::string(80, 'k'), "x"},
                                                           {"猫", "x"},
                                                           {"tab\there", "x"},
                                                           {"nul", std::string("a\0b", 3)},
                                                           {"broken", "\xFF\xFE utf-8"}};
        for (const auto& entry : bad) {
            daam::PngImage image{2, 2, 1, std::vector<uint8_t>(4, 0)};
            image.text = {entry};
            const auto path = dir + "/bad.png";
            DAAM_VERIFY_THROWS_NAMING(daam::FileError, daam::writePng(path, image), path, "text chunk");
            QVERIFY(!std::filesystem::exists(path));
        }
    }
};

DAAM_TEST_APPLESS_MAIN(TestPng)
#include "test_png.moc"
