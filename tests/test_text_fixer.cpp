// SPDX-License-Identifier: GPL-3.0-or-later
// Checks TextFixer against ftfy 6.1.1's fix_text on tests/data/ftfy/fix_text.json (tools/make_ftfy_goldens.py):
// mojibake of many kinds, text that must stay as it is, and the other steps meeting mojibake; and the spans
// that repaired mojibake maps back to.
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "daam/text/TextFixer.h"
#include "daam/text/Utf8.h"

#include "TestMain.h"

#include "TestSupport.h"

namespace {

QString textFixerQString(const std::u32string& text) {
    return QString::fromStdString(daam::utf8::encode(text));
}

// "begin-end" per code point, space separated.
QString textFixerSpans(const daam::MappedText& m) {
    QStringList parts;
    for (size_t i = 0; i < m.text.size(); ++i)
        parts << QStringLiteral("%1-%2").arg(m.begin[i]).arg(m.end[i]);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestTextFixer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ftfyGoldens_data();
    void ftfyGoldens();
    void mojibakeSpans_data();
    void mojibakeSpans();
    void fixEncodingAlone_data();
    void fixEncodingAlone();
};

void TestTextFixer::ftfyGoldens_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("problem");
    const std::string path = daam::test::testDataDir() + "/ftfy/fix_text.json";
    std::ifstream file(path);
    nlohmann::json doc = nlohmann::json::parse(file, nullptr, false);
    if (doc.is_discarded() || !doc.contains("cases") || doc["cases"].size() < 80) {
        // A missing or truncated golden file must fail, not leave the test without rows.
        QTest::newRow("golden-file") << QString() << QString()
                                     << QString::fromStdString("cannot read 80 or more cases from " + path);
        return;
    }
    for (const auto& c : doc["cases"]) {
        const std::string name = c.at("name").get<std::string>();
        QTest::newRow(name.c_str()) << QString::fromStdString(c.at("input").get<std::string>())
                                    << QString::fromStdString(c.at("output").get<std::string>()) << QString();
    }
}

void TestTextFixer::ftfyGoldens() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, problem);
    if (!problem.isEmpty()) QFAIL(qPrintable(problem));
    const std::u32string in = daam::utf8::decode(input.toStdString());
    const daam::MappedText out = daam::TextFixer::fixText(in);
    QCOMPARE(textFixerQString(out.text), expected);
    QCOMPARE(out.begin.size(), out.text.size());
    QCOMPARE(out.end.size(), out.text.size());
    for (size_t i = 0; i < out.text.size(); ++i) {
        QVERIFY(out.begin[i] >= 0 && out.begin[i] < out.end[i] && out.end[i] <= int64_t(in.size()));
        if (i > 0) QVERIFY(out.begin[i] >= out.begin[i - 1]);
    }
}

// A character decoded from a run of mojibake spans the whole run; an 0xA0 byte put back for a space belongs
// to the character before it, not to the space.
void TestTextFixer::mojibakeSpans_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("spans");
    QTest::newRow("two-to-one") << QStringLiteral("\u00C3\u00A9") << QStringLiteral("\u00E9") << QStringLiteral("0-2");
    QTest::newRow("quotes") << QStringLiteral("\u00E2\u20AC\u0153hello\u00E2\u20AC\u009D")
                            << QStringLiteral("\"hello\"") << QStringLiteral("0-3 3-4 4-5 5-6 6-7 7-8 8-11");
    QTest::newRow("emoji") << QStringLiteral("\u00F0\u0178\u02DC\u20AC x") << QStringLiteral("\U0001F600 x")
                           << QStringLiteral("0-4 4-5 5-6");
    QTest::newRow("restored-a0") << QStringLiteral("voil\u00C3 le") << QStringLiteral("voil\u00E0 le")
                                 << QStringLiteral("0-1 1-2 2-3 3-4 4-5 5-6 6-7 7-8");
    QTest::newRow("entities-then-mojibake")
        << QStringLiteral("&Atilde;&copy;t") << QStringLiteral("\u00E9t") << QStringLiteral("0-14 14-15");
    QTest::newRow("lossy") << QStringLiteral("\u00E2\u20AC\u0153 x \u00E2\u20AC\uFFFD") << QStringLiteral("\" x \uFFFD")
                           << QStringLiteral("0-3 3-4 4-5 5-6 6-9");
    QTest::newRow("inconsistent") << QStringLiteral("na\u00EFve caf\u00C3\u00A9")
                                  << QStringLiteral("na\u00EFve caf\u00E9")
                                  << QStringLiteral("0-1 1-2 2-3 3-4 4-5 5-6 6-7 7-8 8-9 9-11");
    QTest::newRow("cesu8") << QStringLiteral("ok \u00ED\u00A0\u00BD\u00ED\u00B8\u008A")
                           << QStringLiteral("ok \U0001F60A") << QStringLiteral("0-1 1-2 2-3 3-9");
    QTest::newRow("line-feed-eaten") << QStringLiteral("\u00C3\u00A9 \u00C0\nab") << QStringLiteral("\u00E9 ab")
                                     << QStringLiteral("0-2 2-3 5-6 6-7");
}

void TestTextFixer::mojibakeSpans() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, spans);
    const daam::MappedText out = daam::TextFixer::fixText(daam::utf8::decode(input.toStdString()));
    QCOMPARE(textFixerQString(out.text), expected);
    QCOMPARE(textFixerSpans(out), spans);
}

// ftfy.fix_encoding on its own: the mojibake repair without the steps after it (quotes stay curly).
void TestTextFixer::fixEncodingAlone_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("curly-quotes") << QStringLiteral("\u00E2\u20AC\u0153hi\u00E2\u20AC\u009D")
                                  << QStringLiteral("\u201Chi\u201D");
    QTest::newRow("entities-untouched") << QStringLiteral("&Atilde;&copy;") << QStringLiteral("&Atilde;&copy;");
    QTest::newRow("ascii") << QStringLiteral("a photo of a cat") << QStringLiteral("a photo of a cat");
    QTest::newRow("real-latin1") << QStringLiteral("fa\u00E7ade na\u00EFve")
                                 << QStringLiteral("fa\u00E7ade na\u00EFve");
    QTest::newRow("c1-as-cp1252") << QStringLiteral("\u0093x\u0094") << QStringLiteral("\u201Cx\u201D");
    QTest::newRow("java-null") << QStringLiteral("\u00C3\u00A9 \u00C0\n") << QStringLiteral("\u00E9 ").append(QChar(0));
}

void TestTextFixer::fixEncodingAlone() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    const auto in = daam::MappedText::identity(daam::utf8::decode(input.toStdString()));
    QCOMPARE(textFixerQString(daam::TextFixer::fixEncoding(in).text), expected);
}

DAAM_TEST_APPLESS_MAIN(TestTextFixer)
#include "test_text_fixer.moc"
