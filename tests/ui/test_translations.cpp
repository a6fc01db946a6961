// SPDX-License-Identifier: GPL-3.0-or-later
// Translations: the embedded .qm files load, every .ts in the source tree is fully translated with its
// placeholders and mnemonics kept, the language setting picks the right file, and a real main window
// comes up in German with the German translator installed.
#include "GenerationPanel.h"
#include "MainWindow.h"
#include "Translations.h"

#include "TestMain.h"
#include <QDir>
#include <QFile>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace daam::ui;

namespace {

QSet<QString> placeholders(const QString& text) {
    QSet<QString> found;
    static const QRegularExpression arg(QStringLiteral("%(\\d+|n)"));
    for (auto it = arg.globalMatch(text); it.hasNext();)
        found.insert(it.next().captured());
    return found;
}

// A single '&' marks a mnemonic; "&&" is a literal ampersand.
bool hasMnemonic(const QString& text) {
    return QString(text).remove(QStringLiteral("&&")).contains(QLatin1Char('&'));
}

// Removes the translators installTranslations() parented to the application.
void uninstallTranslations() {
    for (QTranslator* translator : qApp->findChildren<QTranslator*>(Qt::FindDirectChildrenOnly)) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings in a test location, cleared below
        QSettings().clear();
    }
    void cleanup() {
        uninstallTranslations();
        QSettings().clear();
    }

    void shippedTranslationsLoad() {
        const QStringList shipped = languages();
        QVERIFY2(shipped.contains(QStringLiteral("de")), qPrintable(shipped.join(u' ')));
        QVERIFY2(shipped.contains(QStringLiteral("zh_CN")), qPrintable(shipped.join(u' ')));
        for (const QString& language : shipped) {
            QTranslator translator;
            QVERIFY2(translator.load(translationFile(language)), qPrintable(translationFile(language)));
            QVERIFY(!translator.isEmpty());
            QVERIFY(!translator.translate("daam::ui::MainWindow", "&File").isEmpty());
        }
        QCOMPARE(translationFile(QStringLiteral("de")), QStringLiteral(":/i18n/daam_studio_de.qm"));
    }

    void sourceTranslationsFinished() {
        const QDir dir(QStringLiteral(DAAM_SOURCE_DIR "/translations"));
        const QStringList files = dir.entryList({QStringLiteral("*.ts")}, QDir::Files);
        QVERIFY(files.contains(QStringLiteral("daam_studio_de.ts")));
        QVERIFY(files.contains(QStringLiteral("daam_studio_zh_CN.ts")));
        for (const QString& name : files) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&file);
            int messages = 0;
            QString context, source, translation, type;
            QStringList forms;
            bool numerus = false;
            while (!xml.atEnd()) {
                xml.readNext();
                if (xml.isStartElement()) {
                    if (xml.name() == QLatin1String("name")) {
                        context = xml.readElementText();
                    } else if (xml.name() == QLatin1String("message")) {
                        numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
                        source.clear();
                        translation.clear();
                        forms.clear();
                    } else if (xml.name() == QLatin1String("source")) {
                        source = xml.readElementText();
                    } else if (xml.name() == QLatin1String("translation")) {
                        type = xml.attributes().value(QLatin1String("type")).toString();
                        if (!numerus) translation = xml.readElementText();
                    } else if (xml.name() == QLatin1String("numerusform")) {
                        forms << xml.readElementText();
                    }
                } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
                    ++messages;
                    const QString where = name + QStringLiteral(": ") + context + QStringLiteral(": ") + source;
                    // "unfinished", and the obsolete/vanished kinds that -no-obsolete should have dropped.
                    QVERIFY2(type.isEmpty(), qPrintable(where + QStringLiteral(" is ") + type));
                    if (!numerus) forms = {translation};
                    QVERIFY2(!forms.isEmpty(), qPrintable(where));
                    for (const QString& form : forms) {
                        QVERIFY2(!form.trimmed().isEmpty(), qPrintable(where + QStringLiteral(" is empty")));
                        QVERIFY2(placeholders(form) == placeholders(source),
                                 qPrintable(where + QStringLiteral(" changes placeholders: ") + form));
                        QVERIFY2(hasMnemonic(form) == hasMnemonic(source),
                                 qPrintable(where + QStringLiteral(" changes the mnemonic: ") + form));
                    }
                }
            }
            QVERIFY2(!xml.hasError(), qPrintable(name + QStringLiteral(": ") + xml.errorString()));
            QVERIFY2(messages > 100, qPrintable(name));
        }
    }

    void languageFollowsSetting_data() {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QString>("system");
        QTest::addColumn<QString>("expected");
        QTest::newRow("system German") << QString() << QStringLiteral("de_DE") << QStringLiteral("de");
        QTest::newRow("system Austrian German") << QString() << QStringLiteral("de_AT") << QStringLiteral("de");
        QTest::newRow("system Simplified Chinese") << QString() << QStringLiteral("zh_CN") << QStringLiteral("zh_CN");
        QTest::newRow("system Singapore Chinese") << QString() << QStringLiteral("zh_SG") << QStringLiteral("zh_CN");
        QTest::newRow("system Traditional Chinese") << QString() << QStringLiteral("zh_TW") << QString();
        QTest::newRow("system English") << QString() << QStringLiteral("en_US") << QString();
        QTest::newRow("system French") << QString() << QStringLiteral("fr_FR") << QString();
        QTest::newRow("English on German") << QStringLiteral("en") << QStringLiteral("de_DE") << QString();
        QTest::newRow("German on English") << QStringLiteral("de") << QStringLiteral("en_US") << QStringLiteral("de");
        QTest::newRow("Chinese on German")
            << QStringLiteral("zh_CN") << QStringLiteral("de_DE") << QStringLiteral("zh_CN");
        QTest::newRow("unknown setting") << QStringLiteral("xx") << QStringLiteral("de_DE") << QString();
    }
    void languageFollowsSetting() {
        QFETCH(QString, setting);
        QFETCH(QString, system);
        QFETCH(QString, expected);
        const QString language = languageFor(setting, QLocale(system), languages());
        QCOMPARE(language, expected);
        if (!language.isEmpty()) QVERIFY(QFile::exists(translationFile(language)));
    }

    void installFollowsSetting() {
        QSettings().setValue(languageSettingKey(), QStringLiteral("zh_CN"));
        QCOMPARE(installTranslations(*qApp), QStringLiteral("zh_CN"));
        QCOMPARE(QCoreApplication::translate("daam::ui::MainWindow", "&File"), QString::fromUtf8("文件(&F)"));
        uninstallTranslations();
        QSettings().setValue(languageSettingKey(), QStringLiteral("en"));
        QCOMPARE(installTranslations(*qApp), QString());
        QCOMPARE(QCoreApplication::translate("daam::ui::MainWindow", "&File"), QStringLiteral("&File"));
    }

    void mainWindowInGerman() {
        QSettings().setValue(languageSettingKey(), QStringLiteral("de"));
        QCOMPARE(installTranslations(*qApp), QStringLiteral("de"));
        MainWindow window;
        QCOMPARE(window.menuBar()->actions().value(0)->text(), QStringLiteral("&Datei"));
        QCOMPARE(window.generationPanel()->generateButton()->text(), QStringLiteral("&Erzeugen"));
        QCOMPARE(window.languageMenu()->title(), QStringLiteral("&Sprache"));

        // System, English, Deutsch, 简体中文, with the stored choice checked; choosing stores it.
        const QList<QAction*> choices = window.languageMenu()->actions();
        QCOMPARE(choices.size(), 4);
        QCOMPARE(choices.at(2)->text(), QStringLiteral("Deutsch"));
        QVERIFY(choices.at(2)->isChecked());
        window.setLanguage(QStringLiteral("zh_CN"));
        QCOMPARE(QSettings().value(languageSettingKey()).toString(), QStringLiteral("zh_CN"));
    }
};

DAAM_TEST_MAIN(TestTranslations)
#include "test_translations.moc"
