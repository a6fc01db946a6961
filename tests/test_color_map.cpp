// SPDX-License-Identifier: GPL-3.0-or-later
// Colour maps: the listed maps give matplotlib's cmap(x, bytes=True) exactly, ids round-trip, jet and gray
// keep the bytes they had before the listed maps came.
#include "daam/trace/ColorMap.h"

#include <array>
#include <cmath>
#include <limits>

#include "TestMain.h"

namespace {

using CmBytes = std::array<int, 3>;

CmBytes cmBytes(daam::Rgb8 c) {
    return {c.r, c.g, c.b};
}

CmBytes cmAt(daam::ColorMapName map, double x) {
    return cmBytes(daam::colorAt(map, x));
}

// One entry of a matplotlib table: its index, the floats of lib/matplotlib/_cm_listed.py (matplotlib 3.6.3)
// and the bytes matplotlib makes of them, (value * 255).astype(uint8), which truncates.
struct CmEntry {
    int index;
    double rgb[3];
    CmBytes bytes;
};

struct CmListed {
    daam::ColorMapName map;
    const char* id;
    CmEntry entries[5];
};

const CmListed cmListed[] = {
    {daam::ColorMapName::Viridis,
     "viridis",
     {{0, {0.267004, 0.004874, 0.329415}, {68, 1, 84}},
      {64, {0.229739, 0.322361, 0.545706}, {58, 82, 139}},
      {127, {0.128729, 0.563265, 0.551229}, {32, 143, 140}},
      {128, {0.127568, 0.566949, 0.550556}, {32, 144, 140}},
      {255, {0.993248, 0.906157, 0.143936}, {253, 231, 36}}}},
    {daam::ColorMapName::Inferno,
     "inferno",
     {{0, {0.001462, 0.000466, 0.013866}, {0, 0, 3}},
      {64, {0.341500, 0.062325, 0.429425}, {87, 15, 109}},
      {127, {0.729909, 0.212759, 0.333861}, {186, 54, 85}},
      {128, {0.735683, 0.215906, 0.330245}, {187, 55, 84}},
      {255, {0.988362, 0.998364, 0.644924}, {252, 254, 164}}}},
    {daam::ColorMapName::Magma,
     "magma",
     {{0, {0.001462, 0.000466, 0.013866}, {0, 0, 3}},
      {64, {0.316654, 0.071690, 0.485380}, {80, 18, 123}},
      {127, {0.709962, 0.212797, 0.477201}, {181, 54, 121}},
      {128, {0.716387, 0.214982, 0.475290}, {182, 54, 121}},
      {255, {0.987053, 0.991438, 0.749504}, {251, 252, 191}}}},
    {daam::ColorMapName::Plasma,
     "plasma",
     {{0, {0.050383, 0.029803, 0.527975}, {12, 7, 134}},
      {64, {0.494877, 0.011990, 0.657865}, {126, 3, 167}},
      {127, {0.794549, 0.275770, 0.473117}, {202, 70, 120}},
      {128, {0.798216, 0.280197, 0.469538}, {203, 71, 119}},
      {255, {0.940015, 0.975158, 0.131326}, {239, 248, 33}}}},
    {daam::ColorMapName::Cividis,
     "cividis",
     {{0, {0.000000, 0.135112, 0.304751}, {0, 34, 77}},
      {64, {0.263738, 0.307831, 0.422789}, {67, 78, 107}},
      {127, {0.485141, 0.482451, 0.470384}, {123, 123, 119}},
      {128, {0.488697, 0.485318, 0.471008}, {124, 123, 120}},
      {255, {0.995737, 0.909344, 0.217772}, {253, 231, 55}}}},
    {daam::ColorMapName::Turbo,
     "turbo",
     {{0, {0.18995, 0.07176, 0.23217}, {48, 18, 59}},
      {64, {0.15844, 0.73551, 0.92305}, {40, 187, 235}},
      {127, {0.63323, 0.99195, 0.23937}, {161, 252, 61}},
      {128, {0.64362, 0.98999, 0.23356}, {164, 252, 59}},
      {255, {0.4796, 0.01583, 0.01055}, {122, 4, 2}}}},
};

} // namespace

class TestColorMap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listedMapsAreMatplotlibsTables() {
        for (const CmListed& listed : cmListed)
            for (const CmEntry& e : listed.entries) {
                const QByteArray where = QByteArray(listed.id) + '[' + QByteArray::number(e.index) + ']';
                // The bytes written above are matplotlib's conversion of the floats written above.
                for (int c = 0; c < 3; ++c)
                    QVERIFY2(int(e.rgb[c] * 255) == e.bytes[c], where.constData());
                // colorTable's entry i is the table's entry i, and so is colorAt anywhere in its bin.
                QVERIFY2(cmBytes(daam::colorTable(listed.map)[e.index]) == e.bytes, where.constData());
                QVERIFY2(cmAt(listed.map, e.index / 256.0) == e.bytes, where.constData());
                QVERIFY2(cmAt(listed.map, (e.index + 0.5) / 256.0) == e.bytes, where.constData());
                QVERIFY2(cmAt(listed.map, std::nextafter((e.index + 1) / 256.0, 0.0)) == e.bytes, where.constData());
            }
    }

    void listedMapsIndexAsMatplotlib() {
        for (const CmListed& listed : cmListed) {
            const auto& at = listed.entries;
            // x * 256, truncated: 0 -> 0, 0.25 -> 64, 0.5 -> 128, and 1 (which would be 256) -> 255.
            QCOMPARE(cmAt(listed.map, 0.0), at[0].bytes);
            QCOMPARE(cmAt(listed.map, 0.25), at[1].bytes);
            QCOMPARE(cmAt(listed.map, 0.5), at[3].bytes);
            QCOMPARE(cmAt(listed.map, 1.0), at[4].bytes);
            // Between two entries, the lower: 0.498 * 256 = 127.49 -> 127; just under 0.5 is still 127.
            QCOMPARE(cmAt(listed.map, 0.498), at[2].bytes);
            QCOMPARE(cmAt(listed.map, std::nextafter(0.5, 0.0)), at[2].bytes);
            // Outside [0, 1] the ends (matplotlib's default under and over colours); NaN takes the low end.
            QCOMPARE(cmAt(listed.map, -0.5), at[0].bytes);
            QCOMPARE(cmAt(listed.map, 7.0), at[4].bytes);
            QCOMPARE(cmAt(listed.map, std::numeric_limits<double>::quiet_NaN()), at[0].bytes);
            // colorTable(map)[i] is colorAt(map, i / 255), which for a listed map is entry i.
            for (int i = 0; i < 256; ++i)
                QCOMPARE(cmBytes(daam::colorTable(listed.map)[i]), cmAt(listed.map, i / 255.0));
        }
    }

    void idsRoundTrip() {
        const daam::ColorMapName all[] = {daam::ColorMapName::Jet,     daam::ColorMapName::Viridis,
                                          daam::ColorMapName::Inferno, daam::ColorMapName::Gray,
                                          daam::ColorMapName::Magma,   daam::ColorMapName::Plasma,
                                          daam::ColorMapName::Cividis, daam::ColorMapName::Turbo};
        const char* ids[] = {"jet", "viridis", "inferno", "gray", "magma", "plasma", "cividis", "turbo"};
        for (int i = 0; i < 8; ++i) {
            QCOMPARE(daam::colorMapId(all[i]), ids[i]);
            daam::ColorMapName parsed = daam::ColorMapName::Gray;
            QVERIFY2(daam::parseColorMap(ids[i], parsed), ids[i]);
            QCOMPARE(int(parsed), int(all[i]));
        }
        // The GUI's settings store the enumerators' values: the first four keep theirs.
        QCOMPARE(int(daam::ColorMapName::Jet), 0);
        QCOMPARE(int(daam::ColorMapName::Viridis), 1);
        QCOMPARE(int(daam::ColorMapName::Inferno), 2);
        QCOMPARE(int(daam::ColorMapName::Gray), 3);
        daam::ColorMapName parsed = daam::ColorMapName::Jet;
        QVERIFY(!daam::parseColorMap("rainbow", parsed));
        QVERIFY(!daam::parseColorMap("Viridis", parsed));
        QVERIFY(!daam::parseColorMap("", parsed));
        QCOMPARE(int(parsed), int(daam::ColorMapName::Jet));
    }

    void jetAndGrayUnchanged() {
        // The bytes ColorMap.cpp gave before the listed maps came (jet: matplotlib's segment data, rounded).
        using daam::ColorMapName;
        QCOMPARE(cmAt(ColorMapName::Jet, 0.0), (CmBytes{0, 0, 128}));
        QCOMPARE(cmAt(ColorMapName::Jet, 0.25), (CmBytes{0, 128, 255}));
        QCOMPARE(cmAt(ColorMapName::Jet, 0.3), (CmBytes{0, 179, 255}));
        QCOMPARE(cmAt(ColorMapName::Jet, 0.5), (CmBytes{123, 255, 123}));
        QCOMPARE(cmAt(ColorMapName::Jet, 0.7), (CmBytes{255, 198, 0}));
        QCOMPARE(cmAt(ColorMapName::Jet, 0.75), (CmBytes{255, 151, 0}));
        QCOMPARE(cmAt(ColorMapName::Jet, 1.0), (CmBytes{128, 0, 0}));
        QCOMPARE(cmAt(ColorMapName::Jet, -1.0), (CmBytes{0, 0, 128}));
        QCOMPARE(cmAt(ColorMapName::Jet, 2.0), (CmBytes{128, 0, 0}));
        const auto& jet = daam::colorTable(ColorMapName::Jet);
        QCOMPARE(cmBytes(jet[0]), (CmBytes{0, 0, 128}));
        QCOMPARE(cmBytes(jet[32]), (CmBytes{0, 1, 255}));
        QCOMPARE(cmBytes(jet[64]), (CmBytes{0, 129, 255}));
        QCOMPARE(cmBytes(jet[128]), (CmBytes{125, 255, 122}));
        QCOMPARE(cmBytes(jet[200]), (CmBytes{255, 119, 0}));
        QCOMPARE(cmBytes(jet[255]), (CmBytes{128, 0, 0}));
        const auto& gray = daam::colorTable(ColorMapName::Gray);
        for (int i = 0; i < 256; ++i)
            QCOMPARE(cmBytes(gray[i]), (CmBytes{i, i, i}));
        QCOMPARE(cmAt(ColorMapName::Gray, 0.5), (CmBytes{128, 128, 128}));
    }
};

DAAM_TEST_APPLESS_MAIN(TestColorMap)
#include "test_color_map.moc"
