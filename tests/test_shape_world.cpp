// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in model's synthetic world: deterministic scenes, exact masks, captions that name what is drawn.
#include "daam/builtin/ShapeWorld.h"

#include <torch/torch.h>

#include "TestSupport.h"

#include "TestMain.h"

#include <set>

using namespace daam::builtin;

class TestShapeWorld : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameSeedAndIndexGiveTheSameScene() {
        const ShapeWorld a(11), b(11), c(12);
        const auto s1 = a.scene(5), s2 = b.scene(5), s3 = c.scene(5), s4 = a.scene(6);
        QCOMPARE(s1.caption, s2.caption);
        QVERIFY(torch::equal(s1.image, s2.image));
        QVERIFY(torch::equal(s1.masks, s2.masks));
        QVERIFY(!torch::equal(s1.image, s3.image) || s1.caption != s3.caption);
        QVERIFY(!torch::equal(s1.image, s4.image));
    }

    void masksAreExactAndDisjoint() {
        const ShapeWorld world(3);
        std::set<int> counts;
        for (uint64_t i = 0; i < 200; ++i) {
            const auto s = world.scene(i);
            QCOMPARE(s.image.sizes().vec(), (std::vector<int64_t>{64, 64, 3}));
            QCOMPARE(s.masks.size(0), static_cast<int64_t>(s.objects.size()));
            QVERIFY(!s.objects.empty() && s.objects.size() <= 3);
            counts.insert(static_cast<int>(s.objects.size()));
            QVERIFY(s.masks.sum(0).max().item<int>() <= 1); // no pixel belongs to two objects
            for (size_t k = 0; k < s.objects.size(); ++k) {
                const auto mask = s.masks[k].to(torch::kBool);
                QVERIFY(mask.sum().item<int64_t>() > 20);
                uint8_t rgb[3];
                colourRgb(s.objects[k].colour, rgb);
                // Every pixel of the mask has the object's colour, and no pixel outside any mask does.
                for (int c = 0; c < 3; ++c) {
                    const auto channel = s.image.select(2, c);
                    QVERIFY(channel.masked_select(mask).eq(rgb[c]).all().item<bool>());
                }
                const auto outside = s.masks.sum(0).eq(0);
                const auto sameColour =
                    s.image.select(2, 0).eq(rgb[0]) & s.image.select(2, 1).eq(rgb[1]) & s.image.select(2, 2).eq(rgb[2]);
                QVERIFY(!(sameColour & outside).any().item<bool>());
            }
        }
        QCOMPARE(counts, (std::set<int>{1, 2, 3}));
    }

    void captionsNameEveryObjectInOrder() {
        const ShapeWorld world(4);
        bool sawAn = false, sawSize = false, sawPosition = false;
        for (uint64_t i = 0; i < 300; ++i) {
            const auto s = world.scene(i);
            size_t at = 0;
            for (const auto& o : s.objects) {
                const auto words = std::string(colourName(o.colour)) + " " + shapeName(o.shape);
                const auto pos = s.caption.find(words, at);
                QVERIFY2(pos != std::string::npos, s.caption.c_str());
                at = pos + words.size();
            }
            sawAn |= s.caption.rfind("an orange", 0) == 0;
            QVERIFY2(s.caption.find("a orange") == std::string::npos, s.caption.c_str());
            sawSize |= s.caption.find("small ") != std::string::npos || s.caption.find("large ") != std::string::npos;
            sawPosition |=
                s.caption.find(" on the ") != std::string::npos || s.caption.find(" at the ") != std::string::npos;
        }
        QVERIFY(sawAn && sawSize && sawPosition);
    }

    void aboutOneCaptionInTenIsHeldOut() {
        const ShapeWorld world(5);
        int held = 0;
        for (uint64_t i = 0; i < 2000; ++i)
            held += isHeldOut(world.scene(i).caption) ? 1 : 0;
        QVERIFY2(held > 100 && held < 300, qPrintable(QString::number(held)));
        QCOMPARE(isHeldOut("a red circle"), isHeldOut("a red circle"));
    }
};

DAAM_TEST_APPLESS_MAIN(TestShapeWorld)
#include "test_shape_world.moc"
