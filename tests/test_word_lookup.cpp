// SPDX-License-Identifier: GPL-3.0-or-later
// daam's word-to-row lookup, on the token sequences the reference records.
#include "daam/trace/WordLookup.h"
#include "daam/util/Error.h"

#include "TestSupport.h"

#include "TestMain.h"

class TestWordLookup : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void findsEveryOccurrence() {
        const std::vector<std::string> prompt = {"a</w>",  "red</w>", "dog</w>",  "sitting</w>",
                                                 "on</w>", "a</w>",   "blue</w>", "bench</w>"};
        QCOMPARE(daam::daamWordRows(prompt, {"a</w>"}, "a"), (std::vector<int>{1, 6}));
        QCOMPARE(daam::daamWordRows(prompt, {"bench</w>"}, "bench"), (std::vector<int>{8}));
    }
    void matchesSubWordSequences() {
        const std::vector<std::string> prompt = {"a</w>", "red</w>", "blu", "e", "bird</w>"};
        QCOMPARE(daam::daamWordRows(prompt, {"blu", "e", "bird</w>"}, "bluebird"), (std::vector<int>{3, 4, 5}));
        // With "</w>" stripped, "e" also matches the word-internal piece.
        QCOMPARE(daam::daamWordRows(prompt, {"e</w>"}, "e"), (std::vector<int>{4}));
    }
    void reportsAbsentWords() {
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::daamWordRows({"a</w>", "dog</w>"}, {"cat</w>"}, "cat"),
                                  "the word 'cat' does not occur in the prompt");
        DAAM_VERIFY_THROWS_NAMING(daam::Error, daam::daamWordRows({"a</w>"}, {}, ""),
                                  "the word '' does not occur in the prompt");
    }
};

DAAM_TEST_APPLESS_MAIN(TestWordLookup)
#include "test_word_lookup.moc"
