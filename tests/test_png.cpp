// SPDX-License-Identifier: GPL-3.0-or-later
// PNG reading and writing through libpng: round trips, the reference images, and damaged files.
#include "daam/io/PngImage.h"
#include "daam/util/Error.h"

#include "TestSupport.h"

#include "TestMain.h"

#include <filesystem>
#include <fstream>

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
        QVERIFY_THROWS_EXCEPTION(daam::FileError, daam::writePng(dir + "/bad.png", daam::PngImage{0, 5, 3, {}}));
        QVERIFY_THROWS_EXCEPTION(daam::FileError, daam::writePng(dir + "/bad.png", daam::PngImage{4, 4, 3, {1, 2}}));
        QVERIFY(!std::filesystem::exists(dir + "/bad.png"));
    }
};

DAAM_TEST_APPLESS_MAIN(TestPng)
#include "test_png.moc"
