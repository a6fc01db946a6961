// SPDX-License-Identifier: GPL-3.0-or-later
// Checks ClipTokenizer against transformers 4.30's slow CLIPTokenizer (with ftfy): ids and token texts of
// the 20 reference prompts with the SD1 (pad <|endoftext|>) and SD2 (pad "!") tokenizers, token spans in
// the original prompt, word grouping, truncation, and errors for broken tokenizer files.
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daam/text/ClipTokenizer.h"
#include "daam/text/TextFixer.h"
#include "daam/text/Utf8.h"
#include "daam/util/Error.h"

#include "TestMain.h"

#include "TestSupport.h"

using daam::ClipTokenizer;

namespace {

nlohmann::json loadCases() {
    std::ifstream in(daam::test::referencePath("tokenizer/prompts.json"));
    return nlohmann::json::parse(in);
}

std::string tokenizerDir(const char* pipeline) {
    return daam::test::referencePath(std::string("pipelines/") + pipeline + "/tokenizer");
}

std::string join(const std::vector<int64_t>& ids) {
    std::string out;
    for (int64_t id : ids)
        out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
}

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

void copyFile(const std::string& from, const std::string& to) {
    std::ifstream in(from, std::ios::binary);
    std::ofstream(to, std::ios::binary) << in.rdbuf();
}

// The word of `prompt` that covers code point `at`.
const daam::Word* wordAt(const daam::TokenizedPrompt& p, int64_t at) {
    for (const auto& w : p.words)
        if (w.begin <= at && at < w.end) return &w;
    return nullptr;
}

} // namespace

class TestClipTokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void referenceIds_data();
    void referenceIds();
    void spans();
    void words();
    void truncation();
    void tokenizeToStrings();
    void specialTokensInText();
    void textFixer_data();
    void textFixer();
    void malformedFiles();
    void arbitraryInput();
};

void TestClipTokenizer::referenceIds_data() {
    QTest::addColumn<int>("index");
    if (daam::test::referenceDir().empty()) {
        QTest::newRow("no-reference") << -1;
        return;
    }
    const auto cases = loadCases()["cases"];
    for (size_t i = 0; i < cases.size(); ++i) {
        const std::string text = cases[i]["text"].get<std::string>();
        const std::string tag = std::to_string(i) + ": " + text.substr(0, 40);
        QTest::newRow(tag.c_str()) << int(i);
    }
}

void TestClipTokenizer::referenceIds() {
    DAAM_REQUIRE_REFERENCE();
    QFETCH(int, index);
    const auto c = loadCases()["cases"][size_t(index)];
    const std::string text = c["text"].get<std::string>();
    const auto expectedTokens = c["tokens"].get<std::vector<std::string>>();

    const ClipTokenizer sd1(tokenizerDir("sd1-tiny"));
    const ClipTokenizer sd2(tokenizerDir("sd2-tiny"));
    const auto p1 = sd1.encode(text);
    const auto p2 = sd2.encode(text);
    const auto eos = c["input_ids_pad_eos"].get<std::vector<int64_t>>();
    const auto bang = c["input_ids_pad_bang"].get<std::vector<int64_t>>();
    QVERIFY2(p1.ids == eos, ("sd1 ids\n got " + join(p1.ids) + "\nwant " + join(eos)).c_str());
    QVERIFY2(p2.ids == bang, ("sd2 ids\n got " + join(p2.ids) + "\nwant " + join(bang)).c_str());

    // Token texts: BOS, the reference tokens up to truncation, EOS.
    QCOMPARE(p1.promptTokens, int(expectedTokens.size()));
    QCOMPARE(p1.truncated, c["truncated"].get<bool>());
    const size_t kept = std::min(expectedTokens.size(), size_t(sd1.promptCapacity()));
    QCOMPARE(p1.tokens.size(), kept + 2);
    QCOMPARE(p1.tokens.front().text, std::string("<|startoftext|>"));
    QCOMPARE(p1.tokens.back().text, std::string("<|endoftext|>"));
    for (size_t i = 0; i < kept; ++i) {
        QVERIFY2(
            p1.tokens[i + 1].text == expectedTokens[i],
            ("token " + std::to_string(i) + ": got '" + p1.tokens[i + 1].text + "' want '" + expectedTokens[i] + "'")
                .c_str());
        QCOMPARE(sd1.tokenText(p1.ids[i + 1]), expectedTokens[i]);
    }
    QCOMPARE(sd1.tokenizeToStrings(text), expectedTokens);
}

void TestClipTokenizer::spans() {
    DAAM_REQUIRE_REFERENCE();
    const ClipTokenizer tok(tokenizerDir("sd1-tiny"));
    {
        const auto p = tok.encode("A Red Dog");
        const auto* dog = wordAt(p, 6);
        QVERIFY(dog);
        QCOMPARE(dog->begin, int64_t(6));
        QCOMPARE(dog->end, int64_t(9));
        QCOMPARE(dog->text, std::string("Dog"));
        QCOMPARE(p.tokens.front().begin, int64_t(0));
        QCOMPARE(p.tokens.front().end, int64_t(0));
        QCOMPARE(p.tokens.back().begin, int64_t(9));
        QCOMPARE(p.tokens.back().end, int64_t(9));
    }
    {
        const auto p = tok.encode("&amp; x");
        QCOMPARE(p.tokens[1].text, std::string("&</w>"));
        QCOMPARE(p.tokens[1].begin, int64_t(0));
        QCOMPARE(p.tokens[1].end, int64_t(5));
        QCOMPARE(p.tokens[2].begin, int64_t(6));
        QCOMPARE(p.tokens[2].end, int64_t(7));
    }
    {
        // Code points, not bytes; a ligature's expansion maps back to the one original character; collapsed
        // whitespace does not shift later spans.
        const auto p = tok.encode("é  \uFB01ne");
        QCOMPARE(p.words.size(), size_t(2));
        QCOMPARE(p.words[0].begin, int64_t(0));
        QCOMPARE(p.words[0].end, int64_t(1));
        QCOMPARE(p.words[1].begin, int64_t(3));
        QCOMPARE(p.words[1].end, int64_t(6));
        QCOMPARE(p.words[1].text, std::string("\uFB01ne"));
        QCOMPARE(p.tokens.back().begin, int64_t(6));
    }
    {
        // A decomposed accent composes under NFC; the composed character covers both original code points.
        const auto p = tok.encode("e\u0301 \u201Cx\u201D");
        QCOMPARE(p.words[0].begin, int64_t(0));
        QCOMPARE(p.words[0].end, int64_t(2));
        QCOMPARE(p.tokens[1].text.substr(0, 2), std::string("\u00C3")); // first byte of U+00E9 as a byte symbol
        QCOMPARE(p.words[1].text, std::string("\u201C"));
        QVERIFY(p.words[1].punctuation);
    }
}

void TestClipTokenizer::words() {
    DAAM_REQUIRE_REFERENCE();
    const ClipTokenizer tok(tokenizerDir("sd1-tiny"));
    auto describe = [&](const daam::TokenizedPrompt& p) {
        std::string out;
        for (const auto& w : p.words) {
            if (!out.empty()) out += " | ";
            out += (w.punctuation ? "P:" : "") + w.text + "[";
            for (size_t k = 0; k < w.tokens.size(); ++k)
                out += (k ? " " : "") + p.tokens[size_t(w.tokens[k])].text;
            out += "]";
        }
        return QString::fromStdString(out);
    };
    QCOMPARE(describe(tok.encode("dog's bluebird")),
             QStringLiteral("dog's[dog</w> ' s</w>] | bluebird[blu e bird</w>]"));
    QCOMPARE(describe(tok.encode("1234567")), QStringLiteral("1234567[1</w> 2</w> 3</w> 4</w> 5</w> 6</w> 7</w>]"));
    QCOMPARE(describe(tok.encode("3.14")), QStringLiteral("3[3</w>] | P:.[.</w>] | 14[1</w> 4</w>]"));
    QCOMPARE(describe(tok.encode("A red dog!!!")),
             QStringLiteral("A[a</w>] | red[red</w>] | dog[dog</w>] | P:!!![! ! !</w>]"));
    QVERIFY(describe(tok.encode("")).isEmpty());

    // Positions count from the start token.
    const auto p = tok.encode("a red dog");
    QCOMPARE(p.words.size(), size_t(3));
    QCOMPARE(p.words[2].tokens, std::vector<int>{3});
    QCOMPARE(p.ids[3], p.tokens[3].id);
}

void TestClipTokenizer::truncation() {
    DAAM_REQUIRE_REFERENCE();
    const ClipTokenizer tok(tokenizerDir("sd1-tiny"));
    std::string prompt;
    for (int i = 0; i < 74; ++i)
        prompt += "a ";
    prompt += "bluebird dog"; // bluebird = 3 tokens: the 75th token is its first, "dog" is dropped
    const auto p = tok.encode(prompt);
    QVERIFY(p.truncated);
    QCOMPARE(p.promptTokens, 74 + 3 + 1);
    QCOMPARE(p.ids.size(), size_t(77));
    QCOMPARE(p.tokens.size(), size_t(77));
    QCOMPARE(p.ids.back(), tok.endId());
    QCOMPARE(p.words.size(), size_t(75));
    QCOMPARE(p.words.back().text, std::string("blu")); // the surviving part of the partial word
    QCOMPARE(p.words.back().tokens, std::vector<int>{75});

    const auto shortPrompt = tok.encode("a dog");
    QVERIFY(!shortPrompt.truncated);
    QCOMPARE(shortPrompt.ids.size(), size_t(77));
}

void TestClipTokenizer::tokenizeToStrings() {
    DAAM_REQUIRE_REFERENCE();
    const ClipTokenizer tok(tokenizerDir("sd2-tiny"));
    // Python's lower(): final sigma (after a cased letter, case-ignorables skipped, none following) and
    // U+0130 -> "i" + U+0307.
    QCOMPARE(tok.tokenizeToStrings("\u039F\u03A3' \u03A3\u039F"), tok.tokenizeToStrings("\u03BF\u03C2' \u03C3\u03BF"));
    QVERIFY(tok.tokenizeToStrings("\u039F\u03A3'") != tok.tokenizeToStrings("\u03BF\u03C3'"));
    QCOMPARE(tok.tokenizeToStrings("\u0130"), tok.tokenizeToStrings("i\u0307"));
    QCOMPARE(tok.tokenizeToStrings("Dog"), (std::vector<std::string>{"dog</w>"}));
    QCOMPARE(tok.tokenizeToStrings("<|endoftext|>"), (std::vector<std::string>{"<|endoftext|>"}));
    QVERIFY(tok.tokenizeToStrings("  ").empty());
    QCOMPARE(tok.padId(), int64_t(0));
    QCOMPARE(tok.maxLength(), 77);
}

void TestClipTokenizer::specialTokensInText() {
    DAAM_REQUIRE_REFERENCE();
    const ClipTokenizer tok(tokenizerDir("sd1-tiny"));
    // Verbatim special tokens are split off before cleanup, so the symbol run before one stays separate.
    QCOMPARE(tok.tokenizeToStrings("x!<|endoftext|>y"),
             (std::vector<std::string>{"x</w>", "!</w>", "<|endoftext|>", "y</w>"}));
    // Written in capitals they only become special tokens after lower(), through the pre-tokenization regex.
    QCOMPARE(tok.tokenizeToStrings("a <|ENDOFTEXT|>"), (std::vector<std::string>{"a</w>", "<|endoftext|>"}));
    const auto p = tok.encode("x!<|endoftext|>y");
    QCOMPARE(p.ids[3], tok.endId());
    QCOMPARE(p.tokens[3].begin, int64_t(2));
    QCOMPARE(p.tokens[3].end, int64_t(15));
    QCOMPARE(p.words.size(), size_t(4));
    QVERIFY(!p.words[2].punctuation);
}

// Expected outputs follow ftfy 6.1's documented rules (fixes.py / chardata.py) for each step.
void TestClipTokenizer::textFixer_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("entities") << QStringLiteral("&lt;3 &#x41;&#66; &AMP; &Eacute; &EACUTE; &nosuch; &#abc;")
                              << QStringLiteral("<3 AB & \u00C9 \u00C9 &nosuch; &#abc;");
    QTest::newRow("entities-repeat") << QStringLiteral("&amp;amp;") << QStringLiteral("&");
    QTest::newRow("numeric-cp1252") << QStringLiteral("&#150;&#0;") << QStringLiteral("\u2013\uFFFD");
    QTest::newRow("html-left-alone") << QStringLiteral("a < b &amp; c") << QStringLiteral("a < b &amp; c");
    QTest::newRow("html-from-line-on") << QStringLiteral("x &amp;\n<b>\n&amp;") << QStringLiteral("x &\n<b>\n&amp;");
    QTest::newRow("width") << QStringLiteral("\uFF21\uFF42\uFF11\u3000\uFF01") << QStringLiteral("Ab1 !");
    QTest::newRow("ligatures") << QStringLiteral("\uFB03 \u0133 \u01C6") << QStringLiteral("ffi ij d\u017E");
    QTest::newRow("quotes") << QStringLiteral("\u2018a\u2019 \u201Cb\u201D \u201E \u02BC")
                            << QStringLiteral("'a' \"b\" \" '");
    QTest::newRow("line-breaks") << QStringLiteral("a\r\nb\rc\u2028d") << QStringLiteral("a\nb\nc\nd");
    QTest::newRow("c1-controls") << QStringLiteral("\u0085\u0093x\u0094") << QStringLiteral("\u2026\"x\"");
    QTest::newRow("terminal-escapes") << QStringLiteral("\u001B[31mred\u001B[0m") << QStringLiteral("red");
    QTest::newRow("control-chars") << QStringLiteral("a\u0001b\uFEFFc\u000Bd\te\u000Cf")
                                   << QStringLiteral("abcd\te\u000Cf");
    QTest::newRow("nfc") << QStringLiteral("e\u0301 \u212B") << QStringLiteral("\u00E9 \u00C5");
}

void TestClipTokenizer::textFixer() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    const std::u32string in = daam::utf8::decode(input.toStdString());
    const daam::MappedText out = daam::TextFixer::fixText(in);
    QCOMPARE(QString::fromStdString(daam::utf8::encode(out.text)), expected);
    QCOMPARE(out.begin.size(), out.text.size());
    QCOMPARE(out.end.size(), out.text.size());
    for (size_t i = 0; i < out.text.size(); ++i) {
        QVERIFY(out.begin[i] >= 0 && out.begin[i] < out.end[i] && out.end[i] <= int64_t(in.size()));
        if (i > 0) QVERIFY(out.begin[i] >= out.begin[i - 1]);
    }
}

void TestClipTokenizer::malformedFiles() {
    DAAM_REQUIRE_REFERENCE();
    const std::string source = tokenizerDir("sd1-tiny");
    auto makeFolder = [&](const char* tag) {
        const std::string dir = daam::test::makeTempDir(tag);
        for (const char* f : {"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"})
            copyFile(source + "/" + f, dir + "/" + f);
        return dir;
    };
    auto expectError = [](const std::string& dir, const std::string& file, const std::string& detail) {
        try {
            ClipTokenizer tok(dir);
            QFAIL(("no error for a broken " + file).c_str());
        } catch (const daam::FileError& e) {
            QVERIFY2(e.path() == dir + "/" + file, e.what());
            QVERIFY2(std::string(e.what()).find(detail) != std::string::npos, e.what());
        }
    };
    {
        const auto dir = makeFolder("clip-vocab");
        writeFile(dir + "/vocab.json", "{\"a\": 1,");
        expectError(dir, "vocab.json", "malformed JSON");
    }
    {
        const auto dir = makeFolder("clip-vocab-missing");
        std::remove((dir + "/vocab.json").c_str());
        expectError(dir, "vocab.json", "cannot open");
    }
    {
        const auto dir = makeFolder("clip-merges");
        writeFile(dir + "/merges.txt", "#version: 0.2\ni n\nonlyone\n");
        expectError(dir, "merges.txt", "line 3");
    }
    {
        const auto dir = makeFolder("clip-merges-result");
        writeFile(dir + "/merges.txt", "#version: 0.2\ni n\nq z\n");
        expectError(dir, "merges.txt", "line 3");
    }
    {
        const auto dir = makeFolder("clip-config");
        writeFile(dir + "/special_tokens_map.json", "[1, 2");
        expectError(dir, "special_tokens_map.json", "malformed JSON");
    }
    {
        const auto dir = makeFolder("clip-pad");
        writeFile(dir + "/special_tokens_map.json", "{\"pad_token\": \"no-such-token\"}");
        expectError(dir, "vocab.json", "no-such-token");
    }
}

void TestClipTokenizer::arbitraryInput() {
    DAAM_REQUIRE_REFERENCE();
    const ClipTokenizer tok(tokenizerDir("sd1-tiny"));
    // Random bytes (invalid UTF-8 included) and random mixes of the characters the cleanup treats specially:
    // the result must stay well-formed whatever the input.
    const std::vector<std::string> alphabet = {"a",
                                               "B",
                                               "7",
                                               " ",
                                               "\t",
                                               "\n",
                                               "\r",
                                               "&",
                                               "amp;",
                                               "#",
                                               "x4",
                                               ";",
                                               "<",
                                               "'",
                                               "s",
                                               "ll",
                                               "!",
                                               "\u00E9",
                                               "e\u0301",
                                               "\uFB01",
                                               "\uFF21",
                                               "\u201C",
                                               "\u0085",
                                               "\u001B[1m",
                                               "\u0130",
                                               "\u03A3",
                                               "\u6771",
                                               "\U0001F600",
                                               "<|endoftext|>",
                                               "\xFF",
                                               "\xC3"};
    uint32_t state = 12345;
    auto next = [&] { return state = state * 1664525u + 1013904223u; };
    for (int round = 0; round < 400; ++round) {
        std::string prompt;
        const int n = int(next() % 60);
        for (int i = 0; i < n; ++i) {
            if (round % 2)
                prompt += char(next() >> 24);
            else
                prompt += alphabet[(next() >> 16) % alphabet.size()];
        }
        const auto p = tok.encode(prompt);
        const auto length = int64_t(daam::utf8::decode(prompt).size());
        QCOMPARE(p.ids.size(), size_t(77));
        QCOMPARE(p.tokens.size(), size_t(std::min(p.promptTokens, 75) + 2));
        QCOMPARE(p.truncated, p.promptTokens > 75);
        int covered = 0;
        for (size_t i = 0; i < p.tokens.size(); ++i) {
            QCOMPARE(p.ids[i], p.tokens[i].id);
            QVERIFY(0 <= p.tokens[i].begin && p.tokens[i].begin <= p.tokens[i].end && p.tokens[i].end <= length);
            if (i > 0 && i + 1 < p.tokens.size()) QVERIFY(p.tokens[i].begin < p.tokens[i].end);
        }
        for (const auto& w : p.words) {
            QVERIFY(!w.tokens.empty());
            QVERIFY(0 <= w.begin && w.begin < w.end && w.end <= length);
            for (int t : w.tokens)
                QCOMPARE(t, ++covered);
        }
        QCOMPARE(covered, int(p.tokens.size()) - 2);
    }
}

DAAM_TEST_APPLESS_MAIN(TestClipTokenizer)
#include "test_clip_tokenizer.moc"
