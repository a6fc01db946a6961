// SPDX-License-Identifier: GPL-3.0-or-later
// Link Grammar linkages turned into Universal Dependencies relations: prepositions, copulas, auxiliaries,
// conjunctions, possessives and multiword prepositions are collapsed the way UD draws them (docs/syntax.md).
#include "daam/syntax/DependencyParser.h"

#include "daam/text/Tokenizer.h"
#include "daam/util/Error.h"

#include <link-grammar/link-includes.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <utility>

#ifndef DAAM_LINK_GRAMMAR_DICTIONARY
#define DAAM_LINK_GRAMMAR_DICTIONARY "/usr/share/link-grammar/en"
#endif

namespace daam::syntax {

// Outside the anonymous namespace: DependencyParser::Impl, which has linkage, holds these.
struct DpArc {
    int head = 0;
    int dep = 0;
    std::string relation;
    std::string link;
    bool resolved = false; // its words are already conjuncts, not conjunction words
};

namespace {

// A link label split into its type (the upper-case letters: "MV" of "MVp") and its subscript ("p"). Idiom links
// ("_IBJH", which join the words of "next to") have the type "_".
struct DpLabel {
    std::string type;
    std::string sub;
};

DpLabel dpSplitLabel(std::string_view label) {
    size_t i = 0;
    // Some versions print a head/dependent mark ('h', 'd') before the type.
    if (label.size() >= 2 && std::islower(static_cast<unsigned char>(label[0])) &&
        std::isupper(static_cast<unsigned char>(label[1])))
        i = 1;
    if (i < label.size() && label[i] == '_') return {"_", std::string(label.substr(i + 1))};
    size_t j = i;
    while (j < label.size() && std::isupper(static_cast<unsigned char>(label[j])))
        ++j;
    return {std::string(label.substr(i, j - i)), std::string(label.substr(j))};
}

// Does `label` fall under `pattern` ("D**n" takes "Dmcn", not "Ds**c")? A '*' of the pattern matches any
// subscript letter, its other letters must be there; a '*' of the label is no letter.
bool dpMatches(const DpLabel& pattern, const DpLabel& label) {
    if (pattern.type != label.type || pattern.sub.size() > label.sub.size()) return false;
    for (size_t i = 0; i < pattern.sub.size(); ++i)
        if (pattern.sub[i] != '*' && pattern.sub[i] != label.sub[i]) return false;
    return true;
}

std::string dpLower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool dpIsAlphabetic(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

bool dpIsBeForm(const std::string& base, const std::string& subscript) {
    static const std::set<std::string> forms{"be", "is", "are", "was", "were", "am", "been", "being", "'re", "'m"};
    return forms.count(base) > 0 || (base == "'s" && !subscript.empty() && subscript[0] == 'v');
}

bool dpIsPossessivePronoun(const std::string& base) {
    static const std::set<std::string> forms{"my", "your", "his", "her", "its", "our", "their", "whose"};
    return forms.count(base) > 0;
}

// A word of a linkage as Link Grammar shows it ("cat.n", "[a]" when skipped, "york[?].n" when guessed).
struct DpWord {
    std::string base;      // lower case, without subscript and annotations
    std::string subscript; // "n", "v", "g", "j-n", ...
    int input = -1;        // the input word it lies in; -1 for the walls and the carrier word
    bool wall = false;
    bool skipped = false;
};

DpWord dpReadWord(std::string text, bool wall) {
    DpWord w;
    w.wall = wall;
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
        w.skipped = true;
        text = text.substr(1, text.size() - 2);
    }
    if (const auto open = text.find('['); open != std::string::npos && open > 0) {
        const auto close = text.find(']', open);
        text.erase(open, close == std::string::npos ? std::string::npos : close - open + 1);
    }
    // The subscript follows the last dot when a letter follows it ("cat.n", ",.j"; not "3.5", not "...").
    if (const auto dot = text.rfind('.'); dot != std::string::npos && dot > 0 && dot + 1 < text.size() &&
                                          std::isalpha(static_cast<unsigned char>(text[dot + 1]))) {
        w.subscript = text.substr(dot + 1);
        text.erase(dot);
    }
    w.base = dpLower(text);
    return w;
}

struct DpLink {
    int a = 0; // the left word's place in the link (words move as links are collapsed, roles do not)
    int b = 0;
    std::string label;
    DpLabel parts;
    bool alive = true;
    bool passiveSubject = false;
};

// Rewrites one linkage into UD arcs over the linkage's words. The steps run in an order where each sees the
// words the earlier ones settled: idioms are one word, auxiliaries hand their links to the verb or predicate
// they serve, prepositions hand theirs to their object.
class DpConverter {
public:
    DpConverter(std::vector<DpWord> words, std::vector<DpLink> links)
        : words_(std::move(words)), links_(std::move(links)) {}

    // The linkage reads the words as a verb phrase without subject ("oil painting": oil the painting): the left
    // wall's W link is Wg (gerund phrase) or Wi (imperative).
    bool fragment() const { return fragment_; }
    // A comma stands for a conjunction in a list that no "and"/"or" ends ("a hill, fantasy, 4k").
    bool bareCommaList() const {
        for (const auto& [conjunction, members] : conjuncts_) {
            if (dpIsAlphabetic(words_[conjunction].base)) continue;
            bool nested = false;
            for (const auto& [other, others] : conjuncts_)
                nested = nested || (dpIsAlphabetic(words_[other].base) &&
                                    std::find(others.begin(), others.end(), conjunction) != others.end());
            if (!nested) return true;
        }
        return false;
    }

    std::vector<DpArc> run() {
        dropWalls();
        collapseIdioms();
        collectConjunctions();
        collapseChains();
        joinClauses();
        collapsePrepositions();
        collapsePossessives();
        mapRemaining();
        return resolveConjunctions();
    }

private:
    std::vector<DpWord> words_;
    std::vector<DpLink> links_;
    std::vector<DpArc> arcs_;
    int wallVerb_ = -1; // the main verb the left wall's WV link points at
    bool fragment_ = false;
    std::map<int, std::vector<int>> conjuncts_; // conjunction word -> its conjuncts, in order
    std::map<int, std::string> conjunctLink_;   // conjunct -> the label of its link to the conjunction
    std::map<int, int> chainNext_;              // auxiliary -> its link to the word it serves
    std::map<int, int> objectOf_;               // preposition -> its object, once its J link is consumed

    bool isType(const DpLink& l, const char* type) const { return l.alive && l.parts.type == type; }

    // A preposition's object: its live J link, or the one collapsePrepositions consumed.
    int jObject(int w) const {
        for (const DpLink& l : links_)
            if (isType(l, "J") && l.a == w) return l.b;
        const auto kept = objectOf_.find(w);
        return kept == objectOf_.end() ? -1 : kept->second;
    }
    bool isConjunction(int w) const { return conjuncts_.count(w) > 0; }

    void emit(int head, int dep, std::string relation, std::string link, bool resolved = false) {
        arcs_.push_back({head, dep, std::move(relation), std::move(link), resolved});
    }

    void dropWalls() {
        for (DpLink& l : links_) {
            if (!words_[l.a].wall && !words_[l.b].wall) continue;
            if (l.parts.type == "WV" && words_[l.a].wall) wallVerb_ = l.b;
            if (l.parts.type == "W" && words_[l.a].wall && !l.parts.sub.empty())
                fragment_ = fragment_ || l.parts.sub[0] == 'g' || l.parts.sub[0] == 'i';
            l.alive = false;
        }
    }

    // "next to", "in front of": Link Grammar joins an idiom's words with "_" links and attaches the rest of the
    // sentence to one of them. UD makes the first word the head of `fixed` arcs to the others.
    void collapseIdioms() {
        const int n = static_cast<int>(words_.size());
        std::vector<int> rep(n);
        std::iota(rep.begin(), rep.end(), 0);
        std::function<int(int)> find = [&](int w) { return rep[w] == w ? w : rep[w] = find(rep[w]); };
        std::map<int, std::string> joinedBy;
        auto unite = [&](int x, int y, const std::string& label) {
            x = find(x), y = find(y);
            if (x == y) return;
            if (y < x) std::swap(x, y);
            rep[y] = x;
            joinedBy[y] = label;
        };
        for (DpLink& l : links_)
            if (isType(l, "_")) {
                joinedBy.emplace(std::max(l.a, l.b), l.label);
                unite(l.a, l.b, l.label);
                l.alive = false;
            }
        // "in front" + "of", "on top" + "of": the idiom ends before the "of" that takes the object.
        for (int w = 0; w < n; ++w) {
            if (find(w) != w) continue;
            int last = w, size = 0;
            bool object = false;
            for (int m = 0; m < n; ++m)
                if (find(m) == w) last = std::max(last, m), ++size, object = object || jObject(m) >= 0;
            if (size >= 2 && !object && last + 1 < n && words_[last + 1].base == "of" && jObject(last + 1) >= 0)
                unite(w, last + 1, "of");
        }
        for (int m = 0; m < n; ++m)
            if (find(m) != m) emit(find(m), m, "fixed", joinedBy.count(m) ? joinedBy[m] : std::string("_"));
        for (DpLink& l : links_) {
            if (!l.alive) continue;
            l.a = find(l.a), l.b = find(l.b);
            if (l.a == l.b) l.alive = false;
        }
    }

    // SJ (nouns), AJ (adjectives), VJ (verbs), MJ (prepositional phrases), RJ (relative clauses): the conjunction
    // word links left ("l") to one conjunct and right ("r") to the next; a comma list nests a ",.j" inside.
    void collectConjunctions() {
        for (DpLink& l : links_) {
            if (!l.alive || l.parts.type.size() != 2 || l.parts.type[1] != 'J' || l.parts.sub.empty()) continue;
            const char side = l.parts.sub[0];
            if (side != 'l' && side != 'r') continue;
            const int conjunction = side == 'l' ? l.b : l.a, member = side == 'l' ? l.a : l.b;
            conjuncts_[conjunction].push_back(member);
            conjunctLink_[member] = l.label;
            l.alive = false;
        }
        for (auto& [conjunction, members] : conjuncts_) {
            std::sort(members.begin(), members.end());
            members.erase(std::unique(members.begin(), members.end()), members.end());
        }
        for (const auto& [conjunction, members] : conjuncts_) {
            const int first = value(members.front(), 0);
            for (size_t k = 1; k < members.size(); ++k)
                emit(first, value(members[k], 0), "conj",
                     conjunctLink_[members.front()] + "+" + conjunctLink_[members[k]], true);
            if (!dpIsAlphabetic(words_[conjunction].base)) continue; // a comma between conjuncts is punctuation
            for (int member : members)
                if (member > conjunction) {
                    emit(value(member, 0), conjunction, "cc", conjunctLink_[member], true);
                    break;
                }
        }
    }

    // The word that stands for a conjunct: a nested conjunction's first conjunct, a preposition's object.
    int value(int w, int depth) const {
        if (depth > 16) return w;
        if (isConjunction(w)) return value(conjuncts_.at(w).front(), depth + 1);
        if (const int object = jObject(w); object >= 0 && conjunctLink_.count(w)) return value(object, depth + 1);
        return w;
    }
    int lastValue(int w, int depth) const {
        if (depth > 16 || !isConjunction(w)) return value(w, depth);
        return lastValue(conjuncts_.at(w).back(), depth + 1);
    }

    bool hasExpletive(int w) const {
        return std::any_of(links_.begin(), links_.end(), [&](const DpLink& l) { return isType(l, "SF") && l.b == w; });
    }

    // Is `l` the link from an auxiliary or copula to the word it serves ("is" -Pa-> "black", "can" -I-> "ride")?
    bool isChainLink(const DpLink& l) const {
        if (!l.alive || l.b <= l.a) return false;
        const DpWord& left = words_[l.a];
        const std::string& type = l.parts.type;
        if (type == "I" || type == "PP") return true;
        const bool be = dpIsBeForm(left.base, left.subscript);
        if (type == "P") return be;
        if (type == "O") return be && !hasExpletive(l.a);
        return false;
    }

    // The word an auxiliary serves at the end of its chain ("can be seen": seen); through "is on", the object.
    int content(int w) const {
        for (int depth = 0; depth < 16; ++depth) {
            const auto next = chainNext_.find(w);
            if (next == chainNext_.end()) break;
            const DpLink& l = links_[next->second];
            w = l.b;
            if (l.parts.type == "P" && !l.parts.sub.empty() && l.parts.sub[0] == 'p') {
                if (const int object = jObject(w); object >= 0) w = object;
            }
        }
        return w;
    }

    bool passive(int w) const {
        for (int depth = 0; depth < 16; ++depth) {
            const auto next = chainNext_.find(w);
            if (next == chainNext_.end()) return false;
            const DpLink& l = links_[next->second];
            if (l.parts.type == "P" && !l.parts.sub.empty() && l.parts.sub[0] == 'v') return true;
            w = l.b;
        }
        return false;
    }

    // UD makes the predicate ("black", "table", "running") the head of a clause with a copula or auxiliaries:
    // the subject and every other link of an auxiliary move to the word it serves.
    void collapseChains() {
        for (size_t i = 0; i < links_.size(); ++i)
            if (isChainLink(links_[i]) && !chainNext_.count(links_[i].a)) chainNext_[links_[i].a] = static_cast<int>(i);
        if (chainNext_.empty()) return;
        std::set<int> chainLinks;
        for (const auto& [aux, index] : chainNext_) {
            chainLinks.insert(index);
            const DpLink& l = links_[index];
            const int served = content(aux);
            const std::string& type = l.parts.type;
            const char sub = l.parts.sub.empty() ? '\0' : l.parts.sub[0];
            // "is running": Link Grammar reads the -ing word as a gerund object (running.g) or a verb.
            const DpWord& word = words_[served];
            const bool progressive =
                word.subscript.rfind('g', 0) == 0 || (word.subscript.rfind('v', 0) == 0 && word.base.size() > 4 &&
                                                      word.base.compare(word.base.size() - 3, 3, "ing") == 0);
            std::string relation;
            if (type == "I")
                relation = words_[aux].base == "to" ? "mark" : "aux";
            else if (type == "PP" || (type == "P" && sub == 'g'))
                relation = "aux";
            else if (type == "P" && sub == 'v')
                relation = "aux:pass";
            else
                relation = progressive ? "aux" : "cop";
            emit(served, aux, relation, l.label);
        }
        for (size_t i = 0; i < links_.size(); ++i) {
            DpLink& l = links_[i];
            if (!l.alive || chainLinks.count(static_cast<int>(i))) continue;
            if (chainNext_.count(l.b)) {
                if (l.parts.type == "S") l.passiveSubject = passive(l.b);
                l.b = content(l.b);
            }
            if (chainNext_.count(l.a)) l.a = content(l.a);
            if (l.a == l.b) l.alive = false;
        }
        for (int index : chainLinks)
            links_[index].alive = false;
    }

    // "a dog barks and a cat meows": the clause-joining "and" (and.ij) links WV to the second clause's verb.
    void joinClauses() {
        for (DpLink& l : links_) {
            if (!isType(l, "WV")) continue;
            l.alive = false;
            if (wallVerb_ < 0) continue;
            const int first = content(wallVerb_), second = content(l.b);
            if (first == second) continue;
            emit(first, second, "conj", "WV");
            if (dpIsAlphabetic(words_[l.a].base)) emit(second, l.a, "cc", "WV");
        }
    }

    // A preposition's attachment (M from a noun, MV from a verb, CO when fronted) and its J link to the object
    // become nmod/obl from the attachment's head to the object, and case from the object to the preposition.
    void collapsePrepositions() {
        for (DpLink& j : links_) {
            if (!isType(j, "J")) continue;
            const int preposition = j.a, object = j.b;
            DpLink* best = nullptr;
            int bestRank = 99;
            std::vector<DpLink*> attachments;
            for (DpLink& l : links_) {
                int rank = 99;
                if (l.alive && l.b == preposition && l.parts.type == "MV")
                    rank = 0;
                else if (l.alive && l.b == preposition && l.parts.type == "M")
                    rank = 1;
                else if (l.alive && l.a == preposition && l.parts.type == "CO")
                    rank = 2;
                else if (l.alive && l.b == preposition && l.parts.type == "OF")
                    rank = 3;
                else
                    continue;
                attachments.push_back(&l);
                // Link Grammar may attach one preposition to both a verb and the noun before it ("holding an
                // umbrella in the rain"): the verb's reading is taken, as UD's annotators mostly read it.
                if (rank < bestRank || (rank == bestRank && std::abs(l.b - l.a) < std::abs(best->b - best->a)))
                    best = &l, bestRank = rank;
            }
            if (best) {
                const std::string link = best->label + "+" + j.label;
                if (bestRank == 1)
                    emit(best->a, object, "nmod", link);
                else if (bestRank == 2)
                    emit(subjectVerb(best->b), object, "obl", link);
                else
                    emit(best->a, object, "obl", link);
            }
            emit(object, preposition, "case", j.label);
            objectOf_[preposition] = object;
            for (DpLink* l : attachments)
                l->alive = false;
            j.alive = false;
        }
    }

    // The verb whose subject `w` is, or `w` itself (a fronted phrase's CO link points at the subject).
    int subjectVerb(int w) const {
        for (const DpLink& l : links_)
            if (isType(l, "S") && l.a == w) return l.b;
        return w;
    }

    // "a dog's toy": YS (dog -> 's) and D ('s -> toy) make nmod:poss(toy -> dog) and case(dog -> 's).
    void collapsePossessives() {
        for (DpLink& y : links_) {
            if (!y.alive || (y.parts.type != "YS" && y.parts.type != "YP")) continue;
            const int owner = y.a, marker = y.b;
            for (DpLink& d : links_)
                if (isType(d, "D") && d.a == marker) {
                    emit(d.b, owner, "nmod:poss", y.label + "+" + d.label);
                    d.alive = false;
                }
            emit(owner, marker, "case", y.label);
            y.alive = false;
        }
    }

    // The noun a determiner-like word determines ("the two cats": two -> cats), else the word itself.
    int determined(int w) const {
        for (const DpLink& l : links_) // dead or alive: mapRemaining may have mapped it already
            if (l.parts.type == "D" && l.a == w) return l.b;
        return w;
    }

    void mapRemaining() {
        for (DpLink& l : links_) {
            if (!l.alive) continue;
            l.alive = false;
            const LinkRule* rule = findLinkRule(l.label);
            if (rule && rule->relation.empty()) continue;
            const std::string& type = l.parts.type;
            const DpWord& left = words_[l.a];
            if (!rule) {
                emit(l.a, l.b, "dep", l.label);
            } else if (type == "P") { // not after a form of "be": "the cat seems happy"
                emit(l.a, l.b, "xcomp", l.label);
            } else if (type == "O" && dpIsBeForm(left.base, left.subscript)) { // "there is a cat"
                emit(l.a, l.b, "nsubj", l.label);
            } else if (type == "D" && dpIsPossessivePronoun(left.base)) {
                emit(l.b, l.a, "nmod:poss", l.label);
            } else if (type == "DD") {
                emit(determined(l.b), l.a, rule->relation, l.label);
            } else if ((type == "M" || type == "MV") && !l.parts.sub.empty() && l.parts.sub[0] == 'p' &&
                       !isConjunction(l.b)) { // a preposition without object: "flying away"
                emit(l.a, l.b, "advmod", l.label);
            } else if (type == "S" && l.passiveSubject) {
                emit(l.b, l.a, "nsubj:pass", l.label);
            } else {
                emit(rule->leftIsHead ? l.a : l.b, rule->leftIsHead ? l.b : l.a, rule->relation, l.label);
            }
        }
    }

    // A conjunction word in an arc stands for its conjuncts: as a dependent, the coordination is represented by
    // its first conjunct (UD's head of a coordination); as a head, the dependent is shared and attaches to the
    // nearest conjunct ("sits and reads a book": obj(reads -> book)).
    std::vector<DpArc> resolveConjunctions() {
        for (DpArc& arc : arcs_) {
            if (arc.resolved) continue;
            const int dep = arc.dep;
            if (isConjunction(arc.dep)) arc.dep = value(arc.dep, 0);
            if (isConjunction(arc.head)) arc.head = dep < arc.head ? value(arc.head, 0) : lastValue(arc.head, 0);
        }
        return arcs_;
    }
};

// Messages of Link Grammar go to the caller's `messages` instead of stdout/stderr while this lives; the handler
// is per thread, so every call that runs the parser installs it.
class DpMessageCapture {
public:
    explicit DpMessageCapture(std::string& messages) {
        previousData_ = lg_error_set_handler_data(&messages);
        previous_ = lg_error_set_handler(&DpMessageCapture::handle, &messages);
    }
    ~DpMessageCapture() { lg_error_set_handler(previous_, const_cast<void*>(previousData_)); }
    DpMessageCapture(const DpMessageCapture&) = delete;
    DpMessageCapture& operator=(const DpMessageCapture&) = delete;

private:
    static void handle(lg_errinfo* info, void* data) {
        if (!data || !info || !info->text || info->severity > lg_Error) return;
        auto& messages = *static_cast<std::string*>(data);
        std::string text = info->text;
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
            text.pop_back();
        if (!messages.empty()) messages += "; ";
        messages += text;
    }
    lg_error_handler previous_ = nullptr;
    const void* previousData_ = nullptr;
};

bool dpIsPunctuation(const std::string& word) {
    return std::all_of(word.begin(), word.end(), [](char c) {
        return std::ispunct(static_cast<unsigned char>(c)) || std::isspace(static_cast<unsigned char>(c));
    });
}

// A word of punctuation that ends a phrase of a tag list: ",", ";", "),", "...".
bool dpIsSeparator(const std::string& word) {
    return !word.empty() && dpIsPunctuation(word) && word.find_first_of(",;.!?|:") != std::string::npos;
}

// Does a whole-prompt linkage join the parts between separators only as a sentence would: a list with "and"
// (conj), a fronted phrase (CO), an apposition (MX) and the subject beyond it (S), adjectives before one noun
// (A), clauses (WV)? Tag lists parsed whole get wilder links across their commas ("a horse on mars,
// photorealistic, 8k": mars as a verb, 8k its object).
bool dpJoinsPartsAsASentence(const std::vector<DpArc>& arcs, const std::vector<int>& separators) {
    for (const DpArc& arc : arcs) {
        const int lo = std::min(arc.head, arc.dep), hi = std::max(arc.head, arc.dep);
        if (std::none_of(separators.begin(), separators.end(), [&](int s) { return lo < s && s < hi; })) continue;
        const std::string type = dpSplitLabel(arc.link.substr(0, arc.link.find('+'))).type;
        const bool conjunction = type.size() == 2 && type[1] == 'J';
        if (!conjunction && type != "A" && type != "CO" && type != "MX" && type != "S" && type != "WV") return false;
    }
    return true;
}

// The carrier predicate after a verbless prompt: Link Grammar's English dictionary reads a noun phrase alone only
// with "of" after its noun ("a photo of a cat"); as a subject it takes every modifier ("a cat on the table
// appeared"). The past tense agrees with singular and plural subjects.
constexpr const char* kDpCarrier = "appeared";

} // namespace

const std::vector<LinkRule>& linkRules() {
    static const std::vector<LinkRule> rules{
        {"A", "amod", false, "a red ball", "ball", "red"},
        {"AN", "compound", false, "a coffee cup", "cup", "coffee"},
        {"G", "compound", false, "a photo of Albert Einstein", "Einstein", "Albert"},
        {"D", "det", false, "a red ball", "ball", "a"},
        {"D**n", "nummod", false, "two cats on a sofa", "cats", "two"},
        {"DD", "det", false, "the two cats", "cats", "the"},
        {"NN", "compound", false, "one hundred balloons", "hundred", "one"},
        {"S", "nsubj", false, "a dog runs", "runs", "dog"},
        {"SI", "nsubj", true, "is the cat black", "black", "cat"},
        {"SF", "expl", false, "there is a cat on the table", "is", "there"},
        {"PF", "advmod", false, "there is a cat", "is", "there"},
        {"O", "obj", true, "a man eats an apple", "eats", "apple"},
        {"Pa", "cop", false, "the cat is black", "black", "is"},
        {"Pp", "cop", false, "the cat is on the table", "table", "is"},
        {"Pg", "aux", false, "a dog is not sleeping", "sleeping", "is"},
        {"Pv", "aux:pass", false, "the cat was chased by a dog", "chased", "was"},
        {"PP", "aux", false, "a man has eaten an apple", "eaten", "has"},
        {"I", "aux", false, "a man can ride a horse", "ride", "can"},
        {"I*t", "mark", false, "a man wants to ride a horse", "ride", "to"},
        {"TO", "xcomp", true, "a man wants to ride a horse", "wants", "ride"},
        {"IV", "xcomp", true, "a man wants to ride a horse", "wants", "ride"},
        {"M", "nmod", true, "a cat on the table", "cat", "table"},
        {"Mg", "acl", true, "a dog running in the park", "dog", "running"},
        {"Mv", "acl", true, "a photo taken at night", "photo", "taken"},
        {"MVp", "obl", true, "a dog running in the park", "running", "park"},
        {"MVa", "advmod", true, "a horse runs quickly", "runs", "quickly"},
        {"J", "case", false, "a cat on the table", "table", "on"},
        {"CO", "obl", true, "in the park, a dog runs", "runs", "park"},
        {"E", "advmod", false, "a dog quickly runs", "runs", "quickly"},
        {"EA", "advmod", false, "a very tall building", "tall", "very"},
        {"EB", "advmod", true, "the cat is also black", "black", "also"},
        {"N", "advmod", true, "a dog is not sleeping", "sleeping", "not"},
        {"K", "compound:prt", true, "a man picks up a book", "picks", "up"},
        {"MX", "appos", true, "my dog, a poodle, sits on the sofa", "dog", "poodle"},
        {"B", "acl:relcl", true, "a cat that sits on a table", "cat", "sits"},
        {"RS", "nsubj", false, "a cat that sits on a table", "sits", "that"},
        {"YS", "nmod:poss", false, "a dog's toy", "toy", "dog's"},
        {"SJl", "conj", true, "a cat and a dog", "cat", "dog"},
        {"SJr", "cc", false, "a cat and a dog", "dog", "and"},
        {"AJl", "conj", true, "a red and blue ball", "red", "blue"},
        {"AJr", "cc", false, "a red and blue ball", "blue", "and"},
        {"VJl", "conj", true, "a man sits and reads a book", "sits", "reads"},
        {"VJr", "cc", false, "a man sits and reads a book", "reads", "and"},
        {"MJl", "conj", true, "a cat on the table and under the chair", "table", "chair"},
        {"MJr", "cc", false, "a cat on the table and under the chair", "chair", "and"},
        {"_", "fixed", true, "a cat next to a dog", "next", "to"},
        {"W", "", false, "a red ball", "", ""},
        {"RW", "", false, "a red ball", "", ""},
        {"X", "", false, "a cat, a dog", "", ""},
        {"PH", "", false, "a red ball", "", ""},
        {"R", "", false, "a cat that sits on a table", "", ""},
        {"QU", "", false, "a \"red\" ball", "", ""},
        {"ZZZ", "", false, "a red ball", "", ""},
    };
    return rules;
}

const LinkRule* findLinkRule(std::string_view label) {
    const DpLabel parts = dpSplitLabel(label);
    const LinkRule* best = nullptr;
    size_t bestLength = 0;
    for (const LinkRule& rule : linkRules()) {
        const DpLabel pattern = dpSplitLabel(rule.linkPrefix);
        const size_t length = pattern.type.size() + pattern.sub.size();
        if (dpMatches(pattern, parts) && (!best || length > bestLength)) best = &rule, bestLength = length;
    }
    return best;
}

struct DependencyParser::Impl {
    Dictionary dictionary = nullptr;
    Parse_Options options = nullptr;
    float defaultCost = 2.7f;
    float panicCost = 4.0f;
    mutable std::mutex mutex;

    // One parse of words[from, to) (with the carrier predicate after its last word when asked), as arcs over the
    // input words. `complete`: no word skipped.
    struct Attempt {
        bool found = false;
        bool complete = false;
        bool timedOut = false;
        bool fragment = false;      // see DpConverter::fragment
        bool bareCommaList = false; // see DpConverter::bareCommaList
        std::vector<int> skipped;   // input words (not punctuation) Link Grammar left out
        std::vector<DpArc> arcs;    // head/dep are input word indices
    };

    Attempt run(const std::vector<std::string>& words, const std::vector<bool>& spaceBefore, int from, int to,
                bool carrier, bool allowNulls) const {
        Attempt out;
        // The sentence and each input word's bytes in it.
        std::string text;
        std::vector<std::pair<size_t, size_t>> spans(words.size(), {0, 0});
        int lastWord = -1; // the carrier goes after the last word that is not punctuation ("a cat on a mat.")
        for (int i = from; i < to; ++i)
            if (!dpIsPunctuation(words[i])) lastWord = i;
        for (int i = from; i < to; ++i) {
            std::string word = words[i];
            for (char& c : word)
                if (static_cast<unsigned char>(c) < 0x20) c = ' ';
            if (!text.empty() && (spaceBefore[i] || text.back() == ' ')) text += ' ';
            spans[i] = {text.size(), text.size() + word.size()};
            text += word;
            if (carrier && i == lastWord) {
                text += ' ';
                text += kDpCarrier;
            }
        }
        if (text.find_first_not_of(' ') == std::string::npos) return out;

        Sentence sentence = sentence_create(text.c_str(), dictionary);
        if (!sentence) return out;
        std::unique_ptr<std::remove_pointer_t<Sentence>, void (*)(Sentence)> sentenceGuard(sentence, sentence_delete);
        if (sentence_split(sentence, options) != 0) return out;
        parse_options_set_min_null_count(options, allowNulls ? 1 : 0);
        parse_options_set_max_null_count(options, allowNulls ? sentence_length(sentence) : 0);
        parse_options_set_disjunct_cost(options, allowNulls ? panicCost : defaultCost);
        const int count = sentence_parse(sentence, options);
        out.timedOut = parse_options_timer_expired(options);
        if (count <= 0) return out;
        Linkage linkage = linkage_create(0, sentence, options);
        if (!linkage) return out;
        std::unique_ptr<std::remove_pointer_t<Linkage>, void (*)(Linkage)> linkageGuard(linkage, linkage_delete);

        const size_t wordCount = linkage_get_num_words(linkage);
        std::vector<DpWord> lgWords;
        for (size_t w = 0; w < wordCount; ++w) {
            const char* shown = linkage_get_word(linkage, w);
            const std::string shownText = shown ? shown : "";
            const bool wall = (w == 0 && shownText == "LEFT-WALL") || (w + 1 == wordCount && shownText == "RIGHT-WALL");
            DpWord word = dpReadWord(shownText, wall);
            if (!wall) {
                const size_t start = linkage_get_word_byte_start(linkage, w);
                for (int i = from; i < to; ++i)
                    if (spans[i].first <= start && start < spans[i].second) {
                        word.input = i;
                        break;
                    }
            }
            if (word.skipped && word.input >= 0 && !dpIsPunctuation(words[word.input]))
                out.skipped.push_back(word.input);
            lgWords.push_back(std::move(word));
        }
        std::vector<DpLink> links;
        for (size_t l = 0; l < linkage_get_num_links(linkage); ++l) {
            DpLink link;
            link.a = static_cast<int>(linkage_get_link_lword(linkage, l));
            link.b = static_cast<int>(linkage_get_link_rword(linkage, l));
            const char* label = linkage_get_link_label(linkage, l);
            link.label = label ? label : "";
            link.parts = dpSplitLabel(link.label);
            if (link.a < 0 || link.b < 0 || link.a >= static_cast<int>(wordCount) ||
                link.b >= static_cast<int>(wordCount))
                continue;
            links.push_back(std::move(link));
        }
        std::vector<int> inputOf;
        for (const DpWord& w : lgWords)
            inputOf.push_back(w.input);
        DpConverter converter(std::move(lgWords), std::move(links));
        const std::vector<DpArc> arcs = converter.run();
        out.fragment = converter.fragment();
        out.bareCommaList = converter.bareCommaList();
        for (DpArc arc : arcs) {
            const int head = inputOf[arc.head], dep = inputOf[arc.dep];
            if (head < 0 || dep < 0 || head == dep) continue;
            arc.head = head, arc.dep = dep;
            out.arcs.push_back(std::move(arc));
        }
        std::sort(out.skipped.begin(), out.skipped.end());
        out.skipped.erase(std::unique(out.skipped.begin(), out.skipped.end()), out.skipped.end());
        out.found = true;
        out.complete = out.skipped.empty();
        return out;
    }

    // words[from, to) alone: as written, then as the subject of the carrier predicate, then with words skipped.
    // As written first: a prompt that is a clause ("a man sits and reads a book") takes the carrier too, in a
    // reading of its own ("a man [who] sits ... appeared"). But a verb phrase without subject is rarely what a
    // prompt means ("oil painting", "trending on artstation"): then the carrier's noun phrase is preferred.
    Attempt parseRange(const std::vector<std::string>& words, const std::vector<bool>& spaceBefore, int from, int to,
                       bool allowNulls) const {
        // One word has nothing to link to (Link Grammar skips an unknown adjective alone: "photorealistic").
        if (std::count_if(words.begin() + from, words.begin() + to,
                          [](const std::string& w) { return !dpIsPunctuation(w); }) <= 1) {
            Attempt single;
            single.found = single.complete = true;
            return single;
        }
        Attempt plain = run(words, spaceBefore, from, to, false, false);
        if (plain.found && !plain.fragment) return plain;
        Attempt carried = run(words, spaceBefore, from, to, true, false);
        if (carried.found) return carried;
        if (plain.found) return plain;
        if (!allowNulls) {
            plain.timedOut = plain.timedOut || carried.timedOut;
            return plain;
        }
        Attempt partial = run(words, spaceBefore, from, to, false, true);
        if (partial.timedOut) return partial; // a second second would not do better
        Attempt partialCarried = run(words, spaceBefore, from, to, true, true);
        partial.timedOut = partial.timedOut || partialCarried.timedOut || plain.timedOut || carried.timedOut;
        if (partialCarried.found && (!partial.found || partialCarried.skipped.size() < partial.skipped.size())) {
            partialCarried.timedOut = partial.timedOut;
            return partialCarried;
        }
        return partial;
    }
};

std::string DependencyParser::defaultDictionaryFolder() {
    return DAAM_LINK_GRAMMAR_DICTIONARY;
}

DependencyParser::DependencyParser() : DependencyParser(defaultDictionaryFolder()) {}

DependencyParser::DependencyParser(const std::string& dictionaryFolder) : impl_(std::make_unique<Impl>()) {
    std::string messages;
    DpMessageCapture capture(messages);
    // Link Grammar switches LC_CTYPE to a UTF-8 locale here when the program's is not (it decodes words with
    // mbrtowc); a Qt program runs in a UTF-8 locale already.
    impl_->dictionary = dictionary_create_lang(dictionaryFolder.c_str());
    if (!impl_->dictionary)
        throw Error(dictionaryFolder + ": Link Grammar's English dictionary cannot be opened" +
                    (messages.empty() ? std::string() : " (" + messages + ")") +
                    "; install link-grammar-dictionaries-en");
    impl_->options = parse_options_create();
    parse_options_set_verbosity(impl_->options, 0);
    parse_options_set_linkage_limit(impl_->options, 250);
    parse_options_set_max_parse_time(impl_->options, 1);
    parse_options_set_spell_guess(impl_->options, 0);
    parse_options_set_repeatable_rand(impl_->options, true);
    parse_options_set_islands_ok(impl_->options, false);
    parse_options_set_display_morphology(impl_->options, 0);
    impl_->defaultCost = linkgrammar_get_dict_max_disjunct_cost(impl_->dictionary);
    if (const char* panic = linkgrammar_get_dict_define(impl_->dictionary, LG_PANIC_DISJUNCT_COST))
        impl_->panicCost = std::max(impl_->defaultCost, std::stof(panic));
}

DependencyParser::~DependencyParser() {
    if (!impl_) return;
    if (impl_->options) parse_options_delete(impl_->options);
    if (impl_->dictionary) dictionary_delete(impl_->dictionary);
}

DependencyParse DependencyParser::parse(const std::vector<std::string>& words) const {
    return parseJoined(words, std::vector<bool>(words.size(), true));
}

DependencyParse DependencyParser::parse(const std::vector<Word>& words) const {
    std::vector<std::string> texts;
    std::vector<bool> spaceBefore;
    for (size_t i = 0; i < words.size(); ++i) {
        texts.push_back(words[i].text);
        spaceBefore.push_back(i == 0 || words[i - 1].end != words[i].begin);
    }
    return parseJoined(texts, spaceBefore);
}

DependencyParse DependencyParser::parseJoined(const std::vector<std::string>& words,
                                              const std::vector<bool>& spaceBefore) const {
    DependencyParse result;
    result.words = words;
    if (std::all_of(words.begin(), words.end(), [](const std::string& w) { return dpIsPunctuation(w); })) {
        result.note = words.empty() ? "no words to parse" : "only punctuation: nothing to parse";
        return result;
    }
    const int n = static_cast<int>(words.size());
    std::lock_guard<std::mutex> lock(impl_->mutex);
    std::string messages;
    DpMessageCapture capture(messages);

    // Tag lists ("a castle on a hill, fantasy, trending on artstation, 4k") rarely make one sentence: unless the
    // whole prompt parses as one, each part between separators is parsed alone.
    std::vector<int> separators;
    std::vector<std::pair<int, int>> ranges;
    int start = 0;
    for (int i = 0; i <= n; ++i) {
        if (i < n && !dpIsSeparator(words[i])) continue;
        if (i < n) separators.push_back(i);
        if (std::any_of(words.begin() + start, words.begin() + i,
                        [](const std::string& w) { return !dpIsPunctuation(w); }))
            ranges.emplace_back(start, i);
        start = i + 1;
    }
    std::vector<Impl::Attempt> parts;
    if (ranges.size() <= 1) {
        parts.push_back(impl_->parseRange(words, spaceBefore, 0, n, true));
    } else {
        Impl::Attempt whole = impl_->parseRange(words, spaceBefore, 0, n, false);
        if (whole.found && !whole.bareCommaList && dpJoinsPartsAsASentence(whole.arcs, separators)) {
            parts.push_back(std::move(whole));
        } else {
            for (const auto& [from, to] : ranges)
                parts.push_back(impl_->parseRange(words, spaceBefore, from, to, true));
        }
    }
    const int segments = static_cast<int>(parts.size());

    std::map<std::pair<int, int>, Dependency> unique;
    std::vector<int> skipped;
    bool found = false, timedOut = false;
    for (const Impl::Attempt& part : parts) {
        found = found || part.found;
        timedOut = timedOut || part.timedOut;
        skipped.insert(skipped.end(), part.skipped.begin(), part.skipped.end());
        for (const DpArc& arc : part.arcs)
            unique.emplace(std::make_pair(arc.head, arc.dep), Dependency{arc.head, arc.dep, arc.relation, arc.link});
    }
    for (auto& [pair, dependency] : unique)
        result.dependencies.push_back(std::move(dependency));
    const bool complete = std::all_of(parts.begin(), parts.end(), [](const Impl::Attempt& p) { return p.complete; });
    result.parsed = found && complete;

    std::string note;
    if (!found) {
        note = "Link Grammar found no linkage";
    } else if (!complete) {
        std::string list;
        for (size_t k = 0; k < skipped.size() && k < 8; ++k)
            list += (k ? ", " : "") + excerpt(words[skipped[k]], 24);
        if (skipped.size() > 8) list += ", ...";
        note = "Link Grammar found no complete linkage (" + std::to_string(skipped.size()) +
               (skipped.size() == 1 ? " word" : " words") + " skipped: " + list + ")";
    }
    if (segments > 1)
        note += std::string(note.empty() ? "" : "; ") + "parsed as " + std::to_string(segments) + " separate parts";
    if (timedOut) note += std::string(note.empty() ? "" : "; ") + "Link Grammar ran out of time";
    if (!messages.empty()) note += std::string(note.empty() ? "" : "; ") + excerpt(messages, 160);
    result.note = note;
    return result;
}

} // namespace daam::syntax
