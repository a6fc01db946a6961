// SPDX-License-Identifier: GPL-3.0-or-later
// The prompt parser: Link Grammar links turned into UD relations on prompts whose parse is known, the documented
// link → relation table, and text the parser cannot read.
#include "daam/syntax/DependencyParser.h"
#include "daam/text/Tokenizer.h"
#include "daam/util/Error.h"

#include <QRegularExpression>
#include <QStringList>

#include <cctype>
#include <memory>
#include <thread>

#include "TestMain.h"
#include "TestSupport.h"

namespace {

// The prompt's words as the CLIP tokenizer groups them: runs of letters and digits (with a contraction such as
// "'s" kept on its word) and runs of symbols, each with its span, so that "black-and-white" is five touching words.
std::vector<daam::Word> dpSplitPrompt(const std::string& prompt) {
    std::vector<daam::Word> words;
    auto isWordChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    size_t i = 0;
    while (i < prompt.size()) {
        if (std::isspace(static_cast<unsigned char>(prompt[i]))) {
            ++i;
            continue;
        }
        size_t j = i;
        if (isWordChar(prompt[i])) {
            while (j < prompt.size() &&
                   (isWordChar(prompt[j]) || (prompt[j] == '\'' && j + 1 < prompt.size() && isWordChar(prompt[j + 1]))))
                ++j;
        } else {
            while (j < prompt.size() && !isWordChar(prompt[j]) && !std::isspace(static_cast<unsigned char>(prompt[j])))
                ++j;
        }
        daam::Word word;
        word.text = prompt.substr(i, j - i);
        word.begin = static_cast<int64_t>(i);
        word.end = static_cast<int64_t>(j);
        word.punctuation = !isWordChar(prompt[i]);
        words.push_back(word);
        i = j;
    }
    return words;
}

// "amod(ball, red)" or "nmod(cat, table) Mp+J": a relation between two words, optionally with the start of the
// Link Grammar link it must come from.
struct DpExpected {
    QString relation, head, dependent, link;
};

DpExpected dpReadExpected(const QString& text) {
    static const QRegularExpression pattern(
        QStringLiteral(R"(^\s*([a-z:]+)\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)\s*(\S*)\s*$)"));
    const auto match = pattern.match(text);
    if (!match.hasMatch()) return {};
    return {match.captured(1), match.captured(2), match.captured(3), match.captured(4)};
}

QString dpShow(const daam::syntax::DependencyParse& parse) {
    QStringList lines;
    for (const auto& d : parse.dependencies)
        lines << QStringLiteral("%1(%2, %3) %4")
                     .arg(QString::fromStdString(d.relation), QString::fromStdString(parse.words[d.head]),
                          QString::fromStdString(parse.words[d.dependent]), QString::fromStdString(d.link));
    return lines.join(QStringLiteral("; ")) + QStringLiteral(" [note: ") + QString::fromStdString(parse.note) +
           QStringLiteral("]");
}

const daam::syntax::Dependency* dpFind(const daam::syntax::DependencyParse& parse, const DpExpected& e) {
    for (const auto& d : parse.dependencies)
        if (QString::fromStdString(d.relation) == e.relation && QString::fromStdString(parse.words[d.head]) == e.head &&
            QString::fromStdString(parse.words[d.dependent]) == e.dependent)
            return &d;
    return nullptr;
}

} // namespace

class TestDependencyParser : public QObject {
    Q_OBJECT

    std::unique_ptr<daam::syntax::DependencyParser> parser_;

    daam::syntax::DependencyParse parsePrompt(const QString& prompt) const {
        return parser_->parse(dpSplitPrompt(prompt.toStdString()));
    }

private Q_SLOTS:
    void initTestCase() { parser_ = std::make_unique<daam::syntax::DependencyParser>(); }

    void knownParses_data() {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QStringList>("present");
        QTest::addColumn<QStringList>("absent");
        auto row = [](const char* prompt, std::initializer_list<const char*> present,
                      std::initializer_list<const char*> absent = {}) {
            QStringList p, a;
            for (const char* s : present)
                p << QString::fromUtf8(s);
            for (const char* s : absent)
                a << QString::fromUtf8(s);
            QTest::newRow(prompt) << QString::fromUtf8(prompt) << p << a;
        };
        // Adjective + noun.
        row("a red ball", {"amod(ball, red) A", "det(ball, a) D"}, {"amod(red, ball)", "det(red, a)"});
        row("a big red ball", {"amod(ball, big)", "amod(ball, red)", "det(ball, a)"}, {"amod(red, big)"});
        row("a very tall building", {"amod(building, tall)", "advmod(tall, very) EA", "det(building, a)"},
            {"advmod(building, very)"});
        row("a fluffy white cat", {"amod(cat, fluffy)", "amod(cat, white)", "det(cat, a)"});
        row("an old wooden door", {"amod(door, old)", "amod(door, wooden)", "det(door, an)"});
        row("the best pizza in the world", {"amod(pizza, best)", "det(pizza, the)", "nmod(pizza, world)"});
        row("a black-and-white photo of a dog", {"amod(photo, black)", "nmod(photo, dog)", "case(dog, of)"});
        // Compounds.
        row("a coffee cup on a kitchen table",
            {"compound(cup, coffee) AN", "compound(table, kitchen)", "nmod(cup, table) Mp+J", "case(table, on) J"});
        row("an oil painting of a sunset",
            {"compound(painting, oil)", "nmod(painting, sunset) Mf+J", "case(sunset, of)", "det(painting, an)"});
        row("the city skyline at night", {"compound(skyline, city)", "nmod(skyline, night)", "case(night, at)"});
        row("a teddy bear on a skateboard",
            {"compound(bear, teddy)", "nmod(bear, skateboard)", "case(skateboard, on)"});
        row("a photo of Albert Einstein",
            {"compound(Einstein, Albert) G", "nmod(photo, Einstein)", "case(Einstein, of)"});
        // Prepositional phrases: the noun or verb is the head of the object, the object of the preposition.
        row("a cat on the table", {"nmod(cat, table) Mp+J", "case(table, on) J", "det(table, the)", "det(cat, a)"},
            {"nmod(cat, on)", "case(on, table)"});
        row("a dog running in the park",
            {"acl(dog, running) Mg", "obl(running, park) MVp+J", "case(park, in)", "det(park, the)"},
            {"nmod(dog, park)"});
        row("a red car parked next to a blue house",
            {"amod(car, red)", "obl(parked, house)", "case(house, next)", "fixed(next, to) _", "amod(house, blue)"});
        row("a small house with a red roof",
            {"amod(house, small)", "nmod(house, roof)", "case(roof, with)", "amod(roof, red)"}, {"amod(house, red)"});
        row("a girl with long hair", {"nmod(girl, hair)", "case(hair, with)", "amod(hair, long)"});
        row("a bowl of fresh fruit on a wooden table",
            {"nmod(bowl, fruit)", "case(fruit, of)", "amod(fruit, fresh)", "case(table, on)", "amod(table, wooden)"});
        row("a beautiful sunset over the mountains",
            {"amod(sunset, beautiful)", "nmod(sunset, mountains)", "case(mountains, over)"});
        row("a woman holding an umbrella in the rain",
            {"acl(woman, holding)", "obj(holding, umbrella) O", "obl(holding, rain)", "case(rain, in)"},
            {"nmod(umbrella, rain)"});
        row("a cat next to a dog", {"nmod(cat, dog)", "case(dog, next)", "fixed(next, to)"}, {"case(dog, to)"});
        row("a cat in front of a house", {"nmod(cat, house)", "case(house, in)", "fixed(in, front)", "fixed(in, of)"},
            {"case(house, of)"});
        row("a cat on top of a box", {"nmod(cat, box)", "case(box, on)", "fixed(on, top)", "fixed(on, of)"});
        row("a castle in the sky", {"nmod(castle, sky)", "case(sky, in)", "det(sky, the)"});
        row("three birds flying over the ocean",
            {"nummod(birds, three) D", "acl(birds, flying)", "obl(flying, ocean)", "case(ocean, over)"});
        row("in the park, a dog runs", {"obl(runs, park) CO", "case(park, in)", "nsubj(runs, dog)"});
        row("a photo of a cat, highly detailed", {"nmod(photo, cat)", "case(cat, of)", "advmod(detailed, highly)"});
        // Subject, verb, object.
        row("a man eats an apple", {"nsubj(eats, man) S", "obj(eats, apple) O", "det(apple, an)", "det(man, a)"},
            {"nsubj(apple, man)"});
        row("the dog chases a ball", {"nsubj(chases, dog)", "obj(chases, ball)", "det(dog, the)"});
        row("a boy kicks the ball into the goal",
            {"nsubj(kicks, boy)", "obj(kicks, ball)", "obl(kicks, goal)", "case(goal, into)"});
        row("an astronaut riding a horse on the moon",
            {"acl(astronaut, riding)", "obj(riding, horse)", "obl(riding, moon)", "case(moon, on)"});
        row("a cat sits on the table", {"nsubj(sits, cat)", "obl(sits, table) MVp+J", "case(table, on)"});
        row("a horse runs quickly", {"nsubj(runs, horse)", "advmod(runs, quickly) MVa"});
        row("a man can ride a horse", {"aux(ride, can) I", "nsubj(ride, man)", "obj(ride, horse)"},
            {"nsubj(can, man)"});
        row("a man wants to ride a horse",
            {"nsubj(wants, man)", "xcomp(wants, ride)", "mark(ride, to) I", "obj(ride, horse)"});
        row("a woman wearing a red dress", {"acl(woman, wearing)", "obj(wearing, dress)", "amod(dress, red)"});
        row("a man picks up a book", {"compound:prt(picks, up) K", "obj(picks, book)", "nsubj(picks, man)"});
        row("the cat was chased by a dog",
            {"nsubj:pass(chased, cat)", "aux:pass(chased, was) Pv", "obl(chased, dog)", "case(dog, by)"});
        row("a man has eaten an apple", {"aux(eaten, has) PP", "nsubj(eaten, man)", "obj(eaten, apple)"});
        // Copulas and auxiliaries: the predicate is the head.
        row("the cat is black", {"nsubj(black, cat)", "cop(black, is) Pa"}, {"nsubj(is, cat)"});
        row("the cat is on the table", {"nsubj(table, cat)", "cop(table, is) Pp", "case(table, on)"});
        row("a dog is running in the park", {"nsubj(running, dog)", "aux(running, is)", "obl(running, park)"},
            {"cop(running, is)"});
        row("there is a cat on the table", {"expl(is, there) SF", "nsubj(is, cat)", "case(table, on)"});
        // Conjunctions: the first conjunct heads the others; "and" belongs to the conjunct after it.
        row("a cat and a dog", {"conj(cat, dog) SJl", "cc(dog, and) SJr", "det(cat, a)", "det(dog, a)"},
            {"conj(dog, cat)"});
        row("a red ball and a blue cube", {"conj(ball, cube)", "cc(cube, and)", "amod(ball, red)", "amod(cube, blue)"},
            {"amod(ball, blue)"});
        row("a red and blue ball", {"amod(ball, red)", "conj(red, blue) AJl", "cc(blue, and)"});
        row("a cat, a dog and a bird", {"conj(cat, dog)", "conj(cat, bird)", "cc(bird, and)"}, {"cc(dog, ,)"});
        row("a man sits and reads a book",
            {"nsubj(sits, man)", "conj(sits, reads) VJl", "cc(reads, and)", "obj(reads, book)"});
        row("a man and a woman are dancing", {"conj(man, woman)", "nsubj(dancing, man)", "aux(dancing, are)"});
        row("a cat on the table and under the chair",
            {"nmod(cat, table)", "conj(table, chair) MJl", "case(table, on)", "case(chair, under)", "cc(chair, and)"});
        row("a dog barks and a cat meows",
            {"nsubj(barks, dog)", "conj(barks, meows)", "cc(meows, and)", "nsubj(meows, cat)"});
        // Possessives, numbers, relative clauses.
        row("my dog is playing with its toy", {"nmod:poss(dog, my)", "nmod:poss(toy, its)", "aux(playing, is)",
                                               "obl(playing, toy)", "nsubj(playing, dog)"});
        row("a dog's toy", {"nmod:poss(toy, dog's) YS", "det(dog's, a)"});
        row("two cats on a sofa", {"nummod(cats, two)", "nmod(cats, sofa)", "case(sofa, on)"}, {"det(cats, two)"});
        row("one hundred balloons", {"nummod(balloons, hundred)", "compound(hundred, one) NN"});
        row("a cat that sits on a table", {"acl:relcl(cat, sits) B", "nsubj(sits, that) RS", "obl(sits, table)"});
    }

    void knownParses() {
        QFETCH(QString, prompt);
        QFETCH(QStringList, present);
        QFETCH(QStringList, absent);
        const auto parse = parsePrompt(prompt);
        const QString shown = dpShow(parse);
        QVERIFY2(parse.parsed, qPrintable(shown));
        for (const QString& text : present) {
            const DpExpected e = dpReadExpected(text);
            QVERIFY2(!e.relation.isEmpty(), qPrintable(QStringLiteral("bad expectation ") + text));
            const auto* found = dpFind(parse, e);
            QVERIFY2(found, qPrintable(QStringLiteral("missing %1 in %2").arg(text, shown)));
            QVERIFY2(QString::fromStdString(found->link).startsWith(e.link),
                     qPrintable(QStringLiteral("%1 came from link %2").arg(text, QString::fromStdString(found->link))));
        }
        for (const QString& text : absent) {
            const DpExpected e = dpReadExpected(text);
            QVERIFY2(!e.relation.isEmpty(), qPrintable(QStringLiteral("bad expectation ") + text));
            QVERIFY2(!dpFind(parse, e), qPrintable(QStringLiteral("unexpected %1 in %2").arg(text, shown)));
        }
        // Every link of these prompts is in the table: none falls back to UD's unspecified "dep".
        for (const auto& d : parse.dependencies)
            QVERIFY2(d.relation != "dep", qPrintable(QStringLiteral("unmapped link in ") + shown));
        // Sorted by (head, dependent), one dependency per pair, within the words.
        for (size_t i = 0; i < parse.dependencies.size(); ++i) {
            const auto& d = parse.dependencies[i];
            QVERIFY(d.head >= 0 && d.head < int(parse.words.size()) && d.dependent >= 0 &&
                    d.dependent < int(parse.words.size()) && d.head != d.dependent);
            if (i > 0) {
                const auto& p = parse.dependencies[i - 1];
                QVERIFY(std::make_pair(p.head, p.dependent) < std::make_pair(d.head, d.dependent));
            }
        }
    }

    // Each documented rule: its link type maps to it, and its example shows it (ignored links show nothing).
    void ruleTable() {
        const auto& rules = daam::syntax::linkRules();
        QVERIFY(rules.size() >= 30);
        for (const auto& rule : rules) {
            const QString name = QString::fromStdString(rule.linkPrefix);
            QVERIFY2(daam::syntax::findLinkRule(rule.linkPrefix) == &rule,
                     qPrintable(name + QStringLiteral(" is shadowed")));
            const auto parse = parsePrompt(QString::fromStdString(rule.example));
            const QString shown = dpShow(parse);
            if (rule.relation.empty()) {
                for (const auto& d : parse.dependencies) {
                    for (const QString& part : QString::fromStdString(d.link).split(QLatin1Char('+')))
                        QVERIFY2(daam::syntax::findLinkRule(part.toStdString()) != &rule,
                                 qPrintable(name + QStringLiteral(" gave a dependency: ") + shown));
                }
                continue;
            }
            const DpExpected e{QString::fromStdString(rule.relation), QString::fromStdString(rule.exampleHead),
                               QString::fromStdString(rule.exampleDependent), QString()};
            QVERIFY2(dpFind(parse, e), qPrintable(QStringLiteral("rule %1: no %2(%3, %4) in \"%5\": %6")
                                                      .arg(name, e.relation, e.head, e.dependent,
                                                           QString::fromStdString(rule.example), shown)));
        }
        // Labels as Link Grammar prints them find the rule of their type and subscript.
        QCOMPARE(daam::syntax::findLinkRule("Ds**c")->relation, std::string("det"));
        QCOMPARE(daam::syntax::findLinkRule("Dmcn")->relation, std::string("nummod"));
        QCOMPARE(daam::syntax::findLinkRule("Ss*s")->relation, std::string("nsubj"));
        QCOMPARE(daam::syntax::findLinkRule("SIs*x")->relation, std::string("nsubj"));
        QCOMPARE(daam::syntax::findLinkRule("MVp")->relation, std::string("obl"));
        QCOMPARE(daam::syntax::findLinkRule("MVa")->relation, std::string("advmod"));
        QCOMPARE(daam::syntax::findLinkRule("Mp")->relation, std::string("nmod"));
        QCOMPARE(daam::syntax::findLinkRule("I*t")->relation, std::string("mark"));
        QCOMPARE(daam::syntax::findLinkRule("I*d")->relation, std::string("aux"));
        QCOMPARE(daam::syntax::findLinkRule("_IBJH")->relation, std::string("fixed"));
        QCOMPARE(daam::syntax::findLinkRule("SJls")->relation, std::string("conj"));
        QCOMPARE(daam::syntax::findLinkRule("SJrs")->relation, std::string("cc"));
        QVERIFY(daam::syntax::findLinkRule("Wd")->relation.empty());
        QVERIFY(daam::syntax::findLinkRule("Xc")->relation.empty());
        QVERIFY(daam::syntax::findLinkRule("QQQ") == nullptr);
    }

    // The tokenizer's words keep the prompt's spelling: "black-and-white" is one word to the parser.
    void wordsKeepTheirSpacing() {
        const auto words = dpSplitPrompt("a black-and-white photo");
        QCOMPARE(int(words.size()), 7);
        const auto glued = parser_->parse(words);
        QVERIFY2(glued.parsed, qPrintable(dpShow(glued)));
        QVERIFY(dpFind(glued, {QStringLiteral("amod"), QStringLiteral("photo"), QStringLiteral("black"), {}}));
        std::vector<std::string> texts;
        for (const auto& w : words)
            texts.push_back(w.text);
        const auto spaced = parser_->parse(texts); // "a black - and - white photo"
        QCOMPARE(spaced.words, texts);
    }

    // Tag lists are parsed part by part between the commas.
    void tagList() {
        const auto parse = parsePrompt(QStringLiteral("a castle on a hill, fantasy, trending on artstation, 4k"));
        const QString shown = dpShow(parse);
        QVERIFY2(dpFind(parse, {QStringLiteral("nmod"), QStringLiteral("castle"), QStringLiteral("hill"), {}}),
                 qPrintable(shown));
        QVERIFY2(dpFind(parse, {QStringLiteral("case"), QStringLiteral("artstation"), QStringLiteral("on"), {}}),
                 qPrintable(shown));
        for (const auto& d : parse.dependencies)
            QVERIFY2(parse.words[d.head] != "," && parse.words[d.dependent] != ",", qPrintable(shown));
    }

    void unparsableText() {
        for (const char* text : {"@@ ## $$", "%% ^^ && **", "the the the of of of"}) {
            daam::syntax::DependencyParse parse;
            try {
                parse = parsePrompt(QString::fromUtf8(text));
            } catch (const std::exception& e) {
                QFAIL(qPrintable(
                    QStringLiteral("%1 threw: %2").arg(QString::fromUtf8(text), QString::fromUtf8(e.what()))));
            }
            QVERIFY2(!parse.parsed, qPrintable(QString::fromUtf8(text) + QStringLiteral(": ") + dpShow(parse)));
            QVERIFY2(!parse.note.empty(), text);
        }
        const auto partial = parsePrompt(QStringLiteral("the the the of of of"));
        QVERIFY2(QString::fromStdString(partial.note).contains(QStringLiteral("skipped")), qPrintable(dpShow(partial)));
    }

    void emptyWords() {
        const auto none = parser_->parse(std::vector<std::string>{});
        QVERIFY(!none.parsed);
        QVERIFY(none.dependencies.empty());
        QVERIFY(!none.note.empty());
        const auto blank = parser_->parse(std::vector<std::string>{"", " "});
        QVERIFY(!blank.parsed);
        QVERIFY(blank.dependencies.empty());
        QCOMPARE(int(blank.words.size()), 2);
    }

    void missingDictionary() {
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::syntax::DependencyParser("/nonexistent/link-grammar/en"),
                                  "/nonexistent/link-grammar/en");
    }

    // One parser serves several threads: the same prompt parses the same way on each.
    void concurrentParses() {
        const auto expected = dpShow(parsePrompt(QStringLiteral("a red car parked next to a blue house")));
        std::vector<QString> results(4);
        std::vector<std::thread> threads;
        for (size_t t = 0; t < results.size(); ++t)
            threads.emplace_back([&, t] {
                for (int k = 0; k < 5; ++k)
                    results[t] = dpShow(parsePrompt(QStringLiteral("a red car parked next to a blue house")));
            });
        for (auto& thread : threads)
            thread.join();
        for (const QString& result : results)
            QCOMPARE(result, expected);
    }
};

DAAM_TEST_APPLESS_MAIN(TestDependencyParser)
#include "test_dependency_parser.moc"
