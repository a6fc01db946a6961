// SPDX-License-Identifier: GPL-3.0-or-later
// Checks the A1111 prompt syntax (daam/text/PromptSyntax.h) against A1111's own rules: the doctest examples of
// parse_prompt_attention, where each fragment came from in the prompt, BREAK, chunk layouts worked out by hand
// from tokenize_line, and the "Original" emphasis on a small matrix.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "daam/text/PromptSyntax.h"
#include "daam/util/Error.h"

#include "TestMain.h"
#include "TestSupport.h"

using daam::PromptChunk;
using daam::PromptChunkSettings;
using daam::PromptToken;
using daam::WeightedText;

namespace {

struct PromptSyntaxExpected {
    std::string text;
    double weight;
};

// "" when `got` has these texts and weights. Weights must be equal, not close: A1111 merges fragments by
// exact equality, so anything less than its exact doubles would merge differently somewhere.
std::string promptSyntaxMismatch(const std::vector<WeightedText>& got, const std::vector<PromptSyntaxExpected>& want) {
    auto show = [](const std::string& text, double weight) {
        char number[32];
        std::snprintf(number, sizeof number, "%.17g", weight);
        return "['" + text + "', " + number + "]";
    };
    std::string gotText, wantText;
    for (const auto& f : got)
        gotText += show(f.text, f.weight);
    for (const auto& f : want)
        wantText += show(f.text, f.weight);
    bool same = got.size() == want.size();
    for (size_t i = 0; same && i < got.size(); ++i)
        same = got[i].text == want[i].text && got[i].weight == want[i].weight;
    return same ? std::string() : "\n got " + gotText + "\nwant " + wantText;
}

#define PROMPT_SYNTAX_EXPECT(prompt, ...)                                                                              \
    do {                                                                                                               \
        const std::string promptSyntaxDiff =                                                                           \
            promptSyntaxMismatch(daam::parsePromptAttention(prompt), std::vector<PromptSyntaxExpected> __VA_ARGS__);   \
        QVERIFY2(promptSyntaxDiff.empty(), (std::string(prompt) + promptSyntaxDiff).c_str());                          \
    } while (false)

constexpr int64_t kPromptSyntaxStart = 49406;
constexpr int64_t kPromptSyntaxEnd = 49407;
constexpr int64_t kPromptSyntaxComma = 267;

PromptChunkSettings promptSyntaxSettings() {
    PromptChunkSettings settings;
    settings.startId = kPromptSyntaxStart;
    settings.endId = kPromptSyntaxEnd;
    settings.commaId = kPromptSyntaxComma;
    return settings; // chunk length 75, backtrack 20: A1111's defaults
}

// `count` word tokens (ids 1000 + i), commas at `commas`.
std::vector<PromptToken> promptSyntaxWords(int count, const std::vector<int>& commas = {}) {
    std::vector<PromptToken> tokens;
    for (int i = 0; i < count; ++i)
        tokens.push_back({1000 + i, 1.0, 0, false});
    for (int at : commas)
        tokens[size_t(at)].id = kPromptSyntaxComma;
    return tokens;
}

PromptToken promptSyntaxBreak() {
    return {0, -1.0, 0, true};
}

std::vector<int> promptSyntaxRange(int first, int last) {
    std::vector<int> out;
    for (int i = first; i <= last; ++i)
        out.push_back(i);
    return out;
}

// "" when each chunk is start, the input tokens `want[c]` in order, end padding, end.
std::string promptSyntaxLayoutMismatch(const std::vector<PromptToken>& tokens, const std::vector<PromptChunk>& got,
                                       const std::vector<std::vector<int>>& want) {
    if (got.size() != want.size()) return std::to_string(got.size()) + " chunks, want " + std::to_string(want.size());
    for (size_t c = 0; c < got.size(); ++c) {
        const auto& chunk = got[c];
        const std::string where = "chunk " + std::to_string(c) + ": ";
        if (chunk.ids.size() != 77 || chunk.weights.size() != 77 || chunk.sourceTokens.size() != 77)
            return where + "not 77 positions";
        if (chunk.ids[0] != kPromptSyntaxStart || chunk.ids[76] != kPromptSyntaxEnd)
            return where + "not wrapped in start/end";
        for (size_t p = 0; p < 77; ++p) {
            const bool holdsToken = p >= 1 && p <= want[c].size();
            const int source = holdsToken ? want[c][p - 1] : -1;
            const int64_t id =
                holdsToken ? tokens[size_t(source)].id : (p == 0 ? kPromptSyntaxStart : kPromptSyntaxEnd);
            const double weight = holdsToken ? tokens[size_t(source)].weight : 1.0;
            if (chunk.sourceTokens[p] != source || chunk.ids[p] != id || chunk.weights[p] != weight)
                return where + "position " + std::to_string(p) + " holds token " +
                       std::to_string(chunk.sourceTokens[p]) + " (id " + std::to_string(chunk.ids[p]) + "), want " +
                       std::to_string(source) + " (id " + std::to_string(id) + ")";
        }
    }
    return {};
}

#define PROMPT_SYNTAX_LAYOUT(tokens, settings, ...)                                                                    \
    do {                                                                                                               \
        const std::string promptSyntaxDiff = promptSyntaxLayoutMismatch(                                               \
            tokens, daam::layoutPromptChunks(tokens, settings), std::vector<std::vector<int>> __VA_ARGS__);            \
        QVERIFY2(promptSyntaxDiff.empty(), promptSyntaxDiff.c_str());                                                  \
    } while (false)

} // namespace

class TestPromptSyntax : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void doctestExamples();
    void bracketsLeftOpenOrStray();
    void weights();
    void escapes();
    void sourceOffsets();
    void breaks();
    void emptyPrompts();
    void layoutLongPrompt();
    void layoutCommaBacktrack();
    void layoutBreak();
    void layoutExactChunk();
    void layoutEmpty();
    void layoutFromFragments();
    void encoderPadding();
    void emphasis();
};

void TestPromptSyntax::doctestExamples() {
    PROMPT_SYNTAX_EXPECT("normal text", {{"normal text", 1.0}});
    PROMPT_SYNTAX_EXPECT("an (important) word", {{"an ", 1.0}, {"important", 1.1}, {" word", 1.0}});
    PROMPT_SYNTAX_EXPECT("(unbalanced", {{"unbalanced", 1.1}});
    PROMPT_SYNTAX_EXPECT("\\(literal\\]", {{"(literal]", 1.0}});
    PROMPT_SYNTAX_EXPECT("(unnecessary)(parens)", {{"unnecessaryparens", 1.1}});
    // The doctest's Python reprs, which are the exact doubles: house is 1.3 * 1.1 * 1.1, sky 1.1^4, and "on"
    // (1/1.1 then the unclosed "(" of the start) comes back to exactly 1.0.
    PROMPT_SYNTAX_EXPECT("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).", {{"a ", 1.0},
                                                                                 {"house", 1.5730000000000004},
                                                                                 {" ", 1.1},
                                                                                 {"on", 1.0},
                                                                                 {" a ", 1.1},
                                                                                 {"hill", 0.55},
                                                                                 {", sun, ", 1.1},
                                                                                 {"sky", 1.4641000000000006},
                                                                                 {".", 1.1}});
}

void TestPromptSyntax::bracketsLeftOpenOrStray() {
    // A closing bracket with nothing to close, and a colon that is no weight, are text.
    PROMPT_SYNTAX_EXPECT("a)b]c:d", {{"a)b]c:d", 1.0}});
    PROMPT_SYNTAX_EXPECT("a :1.5) b", {{"a :1.5) b", 1.0}});
    // "(a:1.2" never closes: ":" and "1.2" are text inside an open "(".
    PROMPT_SYNTAX_EXPECT("(a:1.2", {{"a:1.2", 1.1}});
    PROMPT_SYNTAX_EXPECT("x [y", {{"x ", 1.0}, {"y", 1 / 1.1}});
    // Rounds close before squares at the end, whatever the order they opened in.
    PROMPT_SYNTAX_EXPECT("[(a", {{"a", 1.0 * 1.1 * (1 / 1.1)}});
    // "]" cannot close "(": it is text, and the "(" stays open.
    PROMPT_SYNTAX_EXPECT("(a]", {{"a]", 1.1}});
}

void TestPromptSyntax::weights() {
    PROMPT_SYNTAX_EXPECT("(a: 1.2 )", {{"a", 1.2}});
    PROMPT_SYNTAX_EXPECT("x (a:2.) y", {{"x ", 1.0}, {"a", 2.0}, {" y", 1.0}});
    PROMPT_SYNTAX_EXPECT("(a:+.5)", {{"a", 0.5}});
    PROMPT_SYNTAX_EXPECT("(a:-1)", {{"a", -1.0}});
    // Nesting multiplies, inner first: 1.5 * 1.1.
    PROMPT_SYNTAX_EXPECT("((a:1.5))", {{"a", 1.5 * 1.1}});
    // Python's \d and float() take any decimal digit: fullwidth "１.５".
    PROMPT_SYNTAX_EXPECT("(a:\xef\xbc\x91.\xef\xbc\x95)", {{"a", 1.5}});
    // No digits after the colon: no weight, so ":" and "-" are text in a plain "(".
    PROMPT_SYNTAX_EXPECT("(a:-)", {{"a:-", 1.1}});
    // Python's float() rejects these, and A1111 fails on the prompt.
    DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::parsePromptAttention("(a:.)"),
                              "the emphasis weight '.' is not a number");
    DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::parsePromptAttention("(a:1.2.3)"),
                              "the emphasis weight '1.2.3' is not a number");
}

void TestPromptSyntax::escapes() {
    PROMPT_SYNTAX_EXPECT("a \\\\ b", {{"a \\ b", 1.0}});
    // A lone backslash is dropped (an empty fragment, merged away).
    PROMPT_SYNTAX_EXPECT("a\\b", {{"ab", 1.0}});
    PROMPT_SYNTAX_EXPECT("a\\", {{"a", 1.0}});
    // An escaped bracket opens nothing.
    PROMPT_SYNTAX_EXPECT("\\(a) b", {{"(a) b", 1.0}});
}

void TestPromptSyntax::sourceOffsets() {
    {
        // a0 ' '1 \2 (3 b4 \5 )6 ' '7 c8: one fragment "a (b) c".
        const auto f = daam::parsePromptAttention("a \\(b\\) c");
        QCOMPARE(f.size(), size_t(1));
        QCOMPARE(f[0].text, std::string("a (b) c"));
        QCOMPARE(f[0].sourceOffsets, (std::vector<int64_t>{0, 1, 3, 4, 6, 7, 8}));
        QCOMPARE(f[0].begin, int64_t(0));
        QCOMPARE(f[0].end, int64_t(9));
    }
    {
        // x0 ' '1 (2 (3 y4 :5 16 .7 58 )9 ' '10 z11 )12
        const auto f = daam::parsePromptAttention("x ((y:1.5) z)");
        QCOMPARE(f.size(), size_t(3));
        QCOMPARE(f[0].sourceOffsets, (std::vector<int64_t>{0, 1}));
        QCOMPARE(f[1].text, std::string("y"));
        QCOMPARE(f[1].weight, 1.5 * 1.1);
        QCOMPARE(f[1].sourceOffsets, (std::vector<int64_t>{4}));
        QCOMPARE(f[1].begin, int64_t(4));
        QCOMPARE(f[1].end, int64_t(5));
        QCOMPARE(f[2].text, std::string(" z"));
        QCOMPARE(f[2].sourceOffsets, (std::vector<int64_t>{10, 11}));
        QCOMPARE(f[2].end, int64_t(12));
    }
    {
        // Merged across brackets: the span covers ")(" too, the offsets do not.
        const auto f = daam::parsePromptAttention("(ab)(cd)");
        QCOMPARE(f.size(), size_t(1));
        QCOMPARE(f[0].sourceOffsets, (std::vector<int64_t>{1, 2, 5, 6}));
        QCOMPARE(f[0].begin, int64_t(1));
        QCOMPARE(f[0].end, int64_t(7));
    }
    {
        // Code points, not bytes: é0 ' '1 (2 ü3 )4.
        const auto f = daam::parsePromptAttention("\xc3\xa9 (\xc3\xbc)");
        QCOMPARE(f.size(), size_t(2));
        QCOMPARE(f[0].sourceOffsets, (std::vector<int64_t>{0, 1}));
        QCOMPARE(f[1].text, std::string("\xc3\xbc"));
        QCOMPARE(f[1].sourceOffsets, (std::vector<int64_t>{3}));
        QCOMPARE(f[1].end, int64_t(4));
    }
}

void TestPromptSyntax::breaks() {
    {
        const auto f = daam::parsePromptAttention("a BREAK b");
        QVERIFY(promptSyntaxMismatch(f, {{"a", 1.0}, {"BREAK", -1.0}, {"b", 1.0}}).empty());
        QVERIFY(!f[0].isBreak && f[1].isBreak && !f[2].isBreak);
        // The BREAK consumed " BREAK " (1..8); its text is the word (2..6).
        QCOMPARE(f[1].begin, int64_t(1));
        QCOMPARE(f[1].end, int64_t(8));
        QCOMPARE(f[1].sourceOffsets, (std::vector<int64_t>{2, 3, 4, 5, 6}));
        QCOMPARE(f[2].begin, int64_t(8));
    }
    // Only a whole word (\b): letters, digits and "_" are word characters, "," is not.
    PROMPT_SYNTAX_EXPECT("aBREAK b", {{"aBREAK b", 1.0}});
    PROMPT_SYNTAX_EXPECT("a BREAKb", {{"a BREAKb", 1.0}});
    PROMPT_SYNTAX_EXPECT("a_BREAK", {{"a_BREAK", 1.0}});
    PROMPT_SYNTAX_EXPECT("a break b", {{"a break b", 1.0}});
    PROMPT_SYNTAX_EXPECT("a,BREAK,b", {{"a,", 1.0}, {"BREAK", -1.0}, {",b", 1.0}});
    // Alone, or twice: the empty text around each BREAK stays, with weight 1.
    PROMPT_SYNTAX_EXPECT("BREAK", {{"", 1.0}, {"BREAK", -1.0}, {"", 1.0}});
    PROMPT_SYNTAX_EXPECT("a BREAK BREAK b", {{"a", 1.0}, {"BREAK", -1.0}, {"", 1.0}, {"BREAK", -1.0}, {"b", 1.0}});
    // Word boundaries are those of the text between brackets, as A1111's re.split sees it.
    PROMPT_SYNTAX_EXPECT("(a)BREAK", {{"a", 1.1}, {"", 1.0}, {"BREAK", -1.0}, {"", 1.0}});
    {
        // A1111 multiplies the BREAK's -1 by the brackets around it, and then it is no BREAK but the word.
        const auto f = daam::parsePromptAttention("(a BREAK b)");
        QVERIFY(promptSyntaxMismatch(f, {{"a", 1.1}, {"BREAK", -1.0 * 1.1}, {"b", 1.1}}).empty());
        QVERIFY(!f[1].isBreak);
    }
    // And a weight of 0 makes it -0.0, which equals 0.0: everything merges.
    PROMPT_SYNTAX_EXPECT("(a BREAK b:0)", {{"aBREAKb", 0.0}});
}

void TestPromptSyntax::emptyPrompts() {
    for (const char* prompt : {"", "()", "[]", "(:2)"}) {
        const auto f = daam::parsePromptAttention(prompt);
        QVERIFY2(promptSyntaxMismatch(f, {{"", 1.0}}).empty(), prompt);
        QCOMPARE(f[0].begin, int64_t(0));
        QCOMPARE(f[0].end, int64_t(0));
        QVERIFY(f[0].sourceOffsets.empty());
    }
}

void TestPromptSyntax::layoutLongPrompt() {
    // 120 tokens, no comma: the first 75 fill chunk 0; token 75 finds it full and opens chunk 1, which takes
    // the other 45 and 30 end tokens of padding.
    const auto tokens = promptSyntaxWords(120);
    PROMPT_SYNTAX_LAYOUT(tokens, promptSyntaxSettings(), {promptSyntaxRange(0, 74), promptSyntaxRange(75, 119)});
}

void TestPromptSyntax::layoutCommaBacktrack() {
    const auto settings = promptSyntaxSettings();
    {
        // Comma at 60. Token 75 finds the chunk full; its last comma is 75 - 60 = 15 <= 20 tokens back, so
        // 61..74 move on: chunk 0 is 0..60 and 14 end tokens, chunk 1 is 61..99.
        const auto tokens = promptSyntaxWords(100, {60});
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {promptSyntaxRange(0, 60), promptSyntaxRange(61, 99)});
    }
    {
        // Comma at 55: 75 - 55 = 20, still within the limit.
        const auto tokens = promptSyntaxWords(100, {55});
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {promptSyntaxRange(0, 55), promptSyntaxRange(56, 99)});
    }
    {
        // Comma at 54: 21 back, too far; the chunk is cut at 75 as if there were no comma.
        const auto tokens = promptSyntaxWords(100, {54});
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {promptSyntaxRange(0, 74), promptSyntaxRange(75, 99)});
    }
    {
        // The last comma counts: 40 is too far, 65 is not.
        const auto tokens = promptSyntaxWords(100, {40, 65});
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {promptSyntaxRange(0, 65), promptSyntaxRange(66, 99)});
    }
    {
        // A comma arriving at a full chunk (token 75) is not moved back: it opens chunk 1.
        const auto tokens = promptSyntaxWords(100, {75});
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {promptSyntaxRange(0, 74), promptSyntaxRange(75, 99)});
    }
    {
        // Backtrack 0 turns the rule off; so does a vocabulary without a comma token.
        const auto tokens = promptSyntaxWords(100, {60});
        auto off = settings;
        off.commaBacktrack = 0;
        PROMPT_SYNTAX_LAYOUT(tokens, off, {promptSyntaxRange(0, 74), promptSyntaxRange(75, 99)});
        auto noComma = settings;
        noComma.commaId = -1;
        PROMPT_SYNTAX_LAYOUT(tokens, noComma, {promptSyntaxRange(0, 74), promptSyntaxRange(75, 99)});
    }
    {
        // Moved tokens keep their weights.
        auto tokens = promptSyntaxWords(80, {70});
        tokens[72].weight = 1.3;
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {promptSyntaxRange(0, 70), promptSyntaxRange(71, 79)});
        QCOMPARE(daam::layoutPromptChunks(tokens, settings)[1].weights[2], 1.3);
    }
}

void TestPromptSyntax::layoutBreak() {
    const auto settings = promptSyntaxSettings();
    {
        // a a a BREAK b b: the BREAK (input 3) closes the first chunk and holds no position.
        auto tokens = promptSyntaxWords(6);
        tokens[3] = promptSyntaxBreak();
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {{0, 1, 2}, {4, 5}});
    }
    {
        // A BREAK first closes an empty chunk; a BREAK last opens nothing (the chunk left is empty).
        auto tokens = promptSyntaxWords(4);
        tokens[0] = promptSyntaxBreak();
        tokens[3] = promptSyntaxBreak();
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {{}, {1, 2}});
    }
    {
        // Two BREAKs make an empty chunk between.
        auto tokens = promptSyntaxWords(4);
        tokens[1] = promptSyntaxBreak();
        tokens[2] = promptSyntaxBreak();
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {{0}, {}, {3}});
    }
    {
        // After exactly 75 tokens the chunk is full but still open; the BREAK closes it, no empty chunk.
        auto tokens = promptSyntaxWords(77);
        tokens[75] = promptSyntaxBreak();
        PROMPT_SYNTAX_LAYOUT(tokens, settings, {promptSyntaxRange(0, 74), {76}});
    }
}

void TestPromptSyntax::layoutExactChunk() {
    const auto settings = promptSyntaxSettings();
    // 75 tokens: one chunk, no padding. 76: the last token opens a second chunk.
    const auto exact = promptSyntaxWords(75);
    PROMPT_SYNTAX_LAYOUT(exact, settings, {promptSyntaxRange(0, 74)});
    const auto over = promptSyntaxWords(76);
    PROMPT_SYNTAX_LAYOUT(over, settings, {promptSyntaxRange(0, 74), {75}});
}

void TestPromptSyntax::layoutEmpty() {
    const auto settings = promptSyntaxSettings();
    const std::vector<PromptToken> none;
    PROMPT_SYNTAX_LAYOUT(none, settings, {{}});
    const auto empty = daam::emptyPromptChunk(settings);
    const auto laidOut = daam::layoutPromptChunks(none, settings);
    QCOMPARE(laidOut[0].ids, empty.ids);
    QCOMPARE(laidOut[0].weights, empty.weights);
}

void TestPromptSyntax::layoutFromFragments() {
    // A stand-in tokenizer: a token per letter (id 1000 + letter), "," the comma, spaces dropped.
    auto tokenize = [](const std::string& text) {
        std::vector<int64_t> ids;
        for (char c : text)
            if (c == ',')
                ids.push_back(kPromptSyntaxComma);
            else if (c != ' ')
                ids.push_back(1000 + c);
        return ids;
    };
    // Fragments: "a " 1, "b" 1.1, "," 1 (the BREAK takes the space), BREAK, "c" 1.
    const auto fragments = daam::parsePromptAttention("a (b), BREAK c");
    QCOMPARE(fragments.size(), size_t(5));
    const auto tokens = daam::tokenizeFragments(fragments, tokenize);
    QCOMPARE(tokens.size(), size_t(5));
    QCOMPARE(tokens[1].id, int64_t(1000 + 'b'));
    QCOMPARE(tokens[1].weight, 1.1);
    QCOMPARE(tokens[1].fragment, 1);
    QCOMPARE(tokens[2].id, kPromptSyntaxComma);
    QVERIFY(tokens[3].isBreak);
    QCOMPARE(tokens[4].fragment, 4);
    PROMPT_SYNTAX_LAYOUT(tokens, promptSyntaxSettings(), {{0, 1, 2}, {4}});
}

void TestPromptSyntax::encoderPadding() {
    const auto settings = promptSyntaxSettings();
    const auto chunk = daam::layoutPromptChunks(promptSyntaxWords(3), settings)[0];
    // SD1: end and pad are one token, nothing changes.
    auto sd1 = chunk.ids;
    daam::padChunkForEncoder(sd1, kPromptSyntaxEnd, kPromptSyntaxEnd);
    QCOMPARE(sd1, chunk.ids);
    // OpenCLIP (pad 0): the first end token (position 4) stays, everything after it becomes 0.
    auto sd2 = chunk.ids;
    daam::padChunkForEncoder(sd2, kPromptSyntaxEnd, 0);
    QCOMPARE(sd2[3], int64_t(1002));
    QCOMPARE(sd2[4], kPromptSyntaxEnd);
    for (size_t p = 5; p < 77; ++p)
        QCOMPARE(sd2[p], int64_t(0));
    // A full chunk has no padding to replace.
    const auto full = daam::layoutPromptChunks(promptSyntaxWords(75), settings)[0];
    auto fullIds = full.ids;
    daam::padChunkForEncoder(fullIds, kPromptSyntaxEnd, 0);
    QCOMPARE(fullIds, full.ids);
}

void TestPromptSyntax::emphasis() {
    // z = [[1,2],[3,4],[5,6]], weights 1, 2, 0.5. Mean 21/6 = 3.5. Times the weights: [[1,2],[6,8],[2.5,3]],
    // mean 22.5/6 = 3.75. Scaled by 3.5/3.75 = 14/15: [[14/15, 28/15], [84/15, 112/15], [35/15, 42/15]].
    const double weights[] = {1.0, 2.0, 0.5};
    float z[] = {1, 2, 3, 4, 5, 6};
    daam::applyEmphasis(z, 3, 2, weights);
    const double want[] = {14, 28, 84, 112, 35, 42};
    double sum = 0;
    for (int i = 0; i < 6; ++i) {
        QVERIFY2(std::abs(z[i] - want[i] / 15) < 1e-6, std::to_string(i).c_str());
        sum += z[i];
    }
    QVERIFY(std::abs(sum / 6 - 3.5) < 1e-6);
    // "No norm": only the products.
    float raw[] = {1, 2, 3, 4, 5, 6};
    daam::applyEmphasis(raw, 3, 2, weights, false);
    const float wantRaw[] = {1, 2, 6, 8, 2.5f, 3};
    for (int i = 0; i < 6; ++i)
        QCOMPARE(raw[i], wantRaw[i]);
}

DAAM_TEST_APPLESS_MAIN(TestPromptSyntax)
#include "test_prompt_syntax.moc"
