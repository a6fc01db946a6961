// SPDX-License-Identifier: GPL-3.0-or-later
// The generation panel: its model list (the built-in model by name, the models of the model folders found in the
// background with their family, a pickle listed but not choosable, a found model chosen by its path), SDXL's
// size fields, and the device and precision choices.
#include "GenerationPanel.h"

#include "daam/pipeline/OriginalCheckpointWriter.h"

#include "TestSupport.h"

#include <QComboBox>
#include <QLineEdit>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>

#include <fstream>

#include "TestMain.h"

using namespace daam::ui;

class TestGenerationPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        DAAM_REQUIRE_REFERENCE();
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }
    void cleanupTestCase() { QSettings().clear(); }

    void listsTheModelsOfTheModelFolders() {
        const auto dir = daam::test::makeTempDir("model-picker");
        daam::writeOriginalCheckpoint(daam::test::referencePath("pipelines/sd1-tiny"), dir + "/tiny-sd1.safetensors");
        std::ofstream(dir + "/old.ckpt") << "PK\x03\x04 model.diffusion_model.input_blocks";
        QSettings().setValue(QStringLiteral("generation/modelFolders"), QStringList{QString::fromStdString(dir)});

        GenerationPanel panel;
        panel.restoreSettings();
        QComboBox* box = panel.modelBox();
        // The built-in model by its name, and chosen on a first run.
        if (!GenerationPanel::builtInModelDir().isEmpty()) {
            QCOMPARE(panel.modelPath(), GenerationPanel::builtInModelDir());
            QCOMPARE(box->currentText(), QStringLiteral("Shapes (plain)"));
            // Both built-in models are listed by name, the supervised one saying what it was taught.
            const int supervised = box->findText(QStringLiteral("Shapes (attention-supervised)"));
            QVERIFY(supervised >= 0);
            QVERIFY(box->itemData(supervised, Qt::ToolTipRole).toString().contains(QStringLiteral("taught")));
            QVERIFY(box->itemData(supervised, Qt::UserRole).toString().endsWith(QStringLiteral("shapes-supervised")));
        }
        const QString file = QString::fromStdString(dir + "/tiny-sd1.safetensors");
        QTRY_VERIFY_WITH_TIMEOUT(box->findData(file, Qt::UserRole) >= 0, 10000);
        const int found = box->findData(file, Qt::UserRole);
        QVERIFY2(box->itemText(found).contains(QStringLiteral("SD 1.x")), qPrintable(box->itemText(found)));
        QVERIFY(box->itemText(found).startsWith(QStringLiteral("tiny-sd1")));

        // The pickle is listed, with its reason, but cannot be chosen.
        const int pickle = box->findData(QString::fromStdString(dir + "/old.ckpt"), Qt::UserRole);
        QVERIFY(pickle >= 0);
        auto* items = qobject_cast<QStandardItemModel*>(box->model());
        QVERIFY(!items->item(pickle)->isEnabled());
        QVERIFY(box->itemData(pickle, Qt::ToolTipRole).toString().contains(QStringLiteral("pickle")));

        // Choosing the found model names its file; a typed path is taken as typed.
        box->setCurrentIndex(found);
        QCOMPARE(panel.settings().modelDir, file);
        panel.setModelDir(QStringLiteral("org/name"));
        QCOMPARE(panel.modelPath(), QStringLiteral("org/name"));
        panel.setModelDir(file);
        QCOMPARE(box->currentIndex(), found);

        // Found models are not saved as recent ones.
        panel.saveSettings();
        const auto recent = QSettings().value(QStringLiteral("generation/recentModels")).toStringList();
        QVERIFY(!recent.contains(file));
    }

    void sdxlSizesReachTheSettings() {
        GenerationPanel panel;
        auto fields = panel.findChildren<QLineEdit*>();
        QLineEdit *original = nullptr, *crop = nullptr, *target = nullptr;
        for (auto* f : fields) {
            if (f->placeholderText() == QStringLiteral("original")) original = f;
            if (f->placeholderText() == QStringLiteral("crop 0,0")) crop = f;
            if (f->placeholderText() == QStringLiteral("target")) target = f;
        }
        QVERIFY(original && crop && target);
        QCOMPARE(panel.settings().originalWidth, 0); // empty: diffusers' defaults
        QTest::keyClicks(original, QStringLiteral("1024x768"));
        QTest::keyClicks(crop, QStringLiteral("16,32"));
        QTest::keyClicks(target, QStringLiteral("abc")); // refused by the validator
        auto s = panel.settings();
        QCOMPARE(s.originalWidth, 1024);
        QCOMPARE(s.originalHeight, 768);
        QCOMPARE(s.cropTop, 16);
        QCOMPARE(s.cropLeft, 32);
        QCOMPARE(s.targetWidth, 0);
        // And back: settings shown as they were given.
        GenerationPanel other;
        other.setSettings(s);
        QCOMPARE(other.settings().originalHeight, 768);
        QCOMPARE(other.settings().cropLeft, 32);
    }

    void precisionFollowsTheDevice() {
        GenerationPanel panel;
        auto* device = panel.deviceBox();
        auto* precision = panel.precisionBox();
        QCOMPARE(device->count(), 1); // the CPU until the generation thread reports
        panel.setDevices({QStringLiteral("cpu"), QStringLiteral("cuda:0"), QStringLiteral("cuda:1")});
        QCOMPARE(device->count(), 3);
        QCOMPARE(device->itemText(2), QStringLiteral("CUDA GPU 1"));
        auto* items = qobject_cast<QStandardItemModel*>(precision->model());
        QVERIFY(items);
        const int fp16 = precision->findData(QStringLiteral("fp16"));
        QVERIFY(!items->item(fp16)->isEnabled()); // on the CPU

        device->setCurrentIndex(2);
        QVERIFY(items->item(fp16)->isEnabled());
        precision->setCurrentIndex(fp16);
        auto s = panel.settings();
        QCOMPARE(s.device, QStringLiteral("cuda:1"));
        QCOMPARE(s.dtype, QStringLiteral("fp16"));
        // Back to the CPU, which has no float16: its half-size format instead.
        device->setCurrentIndex(0);
        QVERIFY(!items->item(fp16)->isEnabled());
        QCOMPARE(panel.settings().dtype, QStringLiteral("bf16"));

        // Settings and the saved state carry both.
        GenerationPanel other;
        other.setDevices({QStringLiteral("cpu"), QStringLiteral("cuda:0"), QStringLiteral("cuda:1")});
        other.setSettings(s);
        QCOMPARE(other.settings().device, QStringLiteral("cuda:1"));
        QCOMPARE(other.settings().dtype, QStringLiteral("fp16"));
        other.saveSettings();
        QCOMPARE(QSettings().value(QStringLiteral("generation/dtype")).toString(), QStringLiteral("fp16"));
        GenerationPanel restored;
        restored.restoreSettings();
        QCOMPARE(restored.settings().device, QStringLiteral("cuda:1"));
        QCOMPARE(restored.settings().dtype, QStringLiteral("fp16"));
    }

    void aChosenDeviceThatIsNotFoundStaysChosen() {
        GenerationPanel panel;
        GenerationSettings s = panel.settings();
        s.device = QStringLiteral("cuda:1"); // saved on a machine with two GPUs
        s.dtype = QStringLiteral("fp16");
        panel.setSettings(s);
        QCOMPARE(panel.settings().device, QStringLiteral("cuda:1"));
        QCOMPARE(panel.settings().dtype, QStringLiteral("fp16"));
        panel.setDevices({QStringLiteral("cpu"), QStringLiteral("cuda:0")});
        QCOMPARE(panel.settings().device, QStringLiteral("cuda:1"));
        QCOMPARE(panel.deviceBox()->currentText(), QStringLiteral("CUDA GPU 1 (not found)"));
        QCOMPARE(panel.deviceBox()->count(), 3);
        // "cuda", as settings saved before devices were numbered say, is the first GPU.
        s.device = QStringLiteral("cuda");
        panel.setSettings(s);
        QCOMPARE(panel.settings().device, QStringLiteral("cuda:0"));
        QCOMPARE(panel.deviceBox()->currentText(), QStringLiteral("CUDA GPU 0"));
    }
};

DAAM_TEST_MAIN(TestGenerationPanel)
#include "test_generation_panel.moc"
