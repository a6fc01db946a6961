// SPDX-License-Identifier: GPL-3.0-or-later
// What `heatmap` and `iou` share: opening a session, turning --steps/--layers/--heads into a query,
// and finding a word's heat-map rows.
#pragma once

#include "Args.h"

#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/Session.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace daam::cli {

struct OpenSession {
    Session session;
    std::unique_ptr<HeatMapAggregator> aggregator;
};

// "A:B" (either side may be left out: 0 and `openEnd`) as the UNet-call range [A, B); --OPTION names it
// in errors.
std::pair<int, int> parseCallRange(const std::string& option, const std::string& text, int openEnd);

// Declares --session (unless `session` is false: commands over many sessions), --steps, --layers, --heads,
// --tau, --normalize on `args`.
void declareQueryOptions(Args& args, bool session = true);
OpenSession openSession(const Args& args);
OpenSession openSession(const std::string& dir);
HeatMapQuery queryFrom(const Args& args, const OpenSession& open);
HeatMapNormalization normalizationFrom(const Args& args);
double tauFrom(const Args& args);

// The heat-map rows of WORD: every word of the prompt whose text equals it (case-insensitively), as
// castorini/daam averages every occurrence; failing that, every run of tokens that spells it.
std::vector<int> wordRows(const Session& session, const std::string& word);

// The word's map at image size, normalized as asked.
torch::Tensor wordHeatMap(const OpenSession& open, const HeatMapQuery& query, const std::string& word,
                          HeatMapNormalization normalization);

// The negative prompt's side of a session as a session of its own (its prompt, tokens, words and trace, the same
// image), for the same queries. Throws Error when the session captured no negative prompt.
OpenSession negativeSide(const OpenSession& open);
// A token's trace row from `--token`: sos (the start token), eos (the end token) or N (the row, from 0).
int tokenRow(const Session& session, const std::string& spec);
// One trace row's map at image size (min-max or absolute: a lone token has no share among the words).
torch::Tensor tokenHeatMap(const OpenSession& open, const HeatMapQuery& query, int row,
                           HeatMapNormalization normalization);

} // namespace daam::cli
