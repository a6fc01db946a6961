// SPDX-License-Identifier: GPL-3.0-or-later
// A prompt's syntax as head → dependent pairs named as in Universal Dependencies (amod, nsubj, nmod, case, ...),
// derived from the links of the CMU Link Grammar parser, so that the heat maps of related words can be compared
// (What the DAAM, Section 4). docs/syntax.md documents the link → relation table.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace daam {
struct Word;
}

namespace daam::syntax {

struct Dependency {
    int head = 0;         // index into the input words
    int dependent = 0;    // index into the input words
    std::string relation; // UD name: "amod", "nsubj", "nmod", "case", ...
    std::string link;     // the Link Grammar link(s) it came from, e.g. "A", "Ss*s", "Mp+Js"
};

struct DependencyParse {
    std::vector<std::string> words;       // the input words
    std::vector<Dependency> dependencies; // sorted by (head, dependent); at most one per pair
    // True when every word found its place in a linkage. False when Link Grammar found none, or only one that
    // skips words: `dependencies` then hold what that partial linkage gave (maybe nothing) and `note` says why.
    bool parsed = false;
    std::string note; // empty, or e.g. "Link Grammar found no complete linkage (2 words skipped: a, cat)"
};

// One row of the link → relation table. A rule names a link type with an optional subscript pattern in Link
// Grammar's notation ("D**n": a D link whose subscript's third letter is n; '*' matches any letter); the most
// specific rule that matches a link's label wins. `relation` is empty for links that carry no dependency (the
// walls, punctuation, a/an agreement).
struct LinkRule {
    std::string linkPrefix;
    std::string relation;
    bool leftIsHead = false; // the link's left word is the head (else its right word is)
    std::string example;     // a prompt whose parse shows the rule: relation(exampleHead → exampleDependent)
    std::string exampleHead;
    std::string exampleDependent;
};

// The documented table (docs/syntax.md), exposed so that the test and the docs agree with the code.
const std::vector<LinkRule>& linkRules();
// The most specific rule for a Link Grammar link label ("Ss*s", "MVp", "Dmcn"), or nullptr when none matches.
const LinkRule* findLinkRule(std::string_view label);

class DependencyParser {
public:
    // Opens Link Grammar's English dictionary (about 0.1 s; do it once). Throws daam::Error naming the folder
    // when it cannot be read.
    DependencyParser();
    // A dictionary folder of Link Grammar's format (the one holding 4.0.dict).
    explicit DependencyParser(const std::string& dictionaryFolder);
    ~DependencyParser();
    DependencyParser(const DependencyParser&) = delete;
    DependencyParser& operator=(const DependencyParser&) = delete;

    // `words`: the prompt's words in order (punctuation words like "," may be among them), joined with spaces.
    // Never throws for odd text: returns parsed=false with a note. Safe to call from several threads (one parse
    // runs at a time).
    DependencyParse parse(const std::vector<std::string>& words) const;
    // The words of a tokenized prompt: words that touch in the prompt ("black", "-", "white") are joined without
    // a space, so the parser reads the prompt's own spelling.
    DependencyParse parse(const std::vector<Word>& words) const;

    // The folder of Debian's link-grammar-dictionaries-en (from the build's pkg-config prefix).
    static std::string defaultDictionaryFolder();

private:
    DependencyParse parseJoined(const std::vector<std::string>& words, const std::vector<bool>& spaceBefore) const;

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace daam::syntax
