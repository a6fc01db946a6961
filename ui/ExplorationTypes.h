// SPDX-License-Identifier: GPL-3.0-or-later
// Plain value types that carry a session's data between the engine (the one torch user in the UI) and
// the widgets. Torch-free on purpose: widgets that include qcustomplot.h must not see torch headers.
#pragma once

#include "daam/config/CrossAttentionLayer.h"
#include "daam/text/Tokenizer.h"
#include "daam/trace/ColorMap.h"

#include <nlohmann/json.hpp>

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <vector>

namespace daam {
struct Session;
}

namespace daam::ui {

struct WordInfo {
    QString text;
    QStringList tokens;    // vocabulary entries of the word's sub-word tokens
    std::vector<int> rows; // token rows in the trace
    bool punctuation = false;
    double weight = 1.0; // A1111's emphasis ("(word:1.3)"), shown on the chip
    // A word of the negative prompt: its rows are in the unconditional half's trace. Listed after the prompt's.
    bool negative = false;
    // A token that belongs to no word of the prompt (the start and end tokens): listed after the words,
    // shown only when asked for, since they soak up most of the attention.
    bool special = false;
};

// Whether two chips are occurrences of one word: the same text (case aside) in the same prompt, both words or both
// start/end tokens. Repeats merge by it, and a compared session's word is found by it.
inline bool sameWord(const WordInfo& a, const WordInfo& b) {
    return a.negative == b.negative && a.special == b.special && a.text.compare(b.text, Qt::CaseInsensitive) == 0;
}

// What widgets need to know about the open session.
struct SessionSummary {
    QString dir; // empty for a generation not saved yet
    QString prompt;
    nlohmann::json generation; // the generation record (generation.json)
    std::vector<WordInfo> words;
    std::vector<daam::Word> promptWords; // the prompt's words as the core has them (words[i] for i below its size)
    daam::CrossAttentionLayerTable layers;
    std::vector<int> defaultLayers;
    int calls = 0;
    std::vector<double> timesteps; // one per UNet call when the record has them
    QImage image;                  // RGB888
    bool headMaps = false;         // the trace keeps each call's per-head maps: exact step ranges and head choices
    int maxHeads = 0;              // the most heads of any layer
    bool valid() const { return calls > 0 && !words.empty(); }
};

// One head → dependent pair of the prompt's parse, drawn as an arc over the word chips.
struct DependencyArc {
    int head = 0;      // word index
    int dependent = 0; // word index
    QString relation;  // UD name: amod, nsubj, nmod, ...
    QString link;      // the Link Grammar link it came from
};

enum class Normalization {
    MinMax,   // each word's map to [0, 1] on its own, as the paper's figures
    Joint,    // one min-max scale over all words, so words compare with each other
    Absolute, // raw mean attention, clamped to [0, 1] only when drawn
    // Per pixel, the word's share of the prompt words' attention (start/end tokens and punctuation left
    // out), so the start token's large mass no longer dilutes it; a word's shares sum to 1 with the others'.
    Share,
};

enum class MaskMode { None, Fill, Outline, Cutout };

// A map at image resolution, row-major.
struct HeatMap {
    int width = 0;
    int height = 0;
    std::vector<float> values;
    bool empty() const { return values.empty(); }
    float at(int x, int y) const { return values[static_cast<size_t>(y) * width + x]; }
};

// Which part of the trace a map summarizes.
struct MapQuery {
    int callBegin = 0;       // UNet calls [callBegin, callEnd)
    int callEnd = -1;        // < 0: through the last call
    std::vector<int> layers; // empty: the reference default
    std::vector<int> heads;  // head indices in every chosen layer; empty: all (the reference)
    // The heads of single layers, in place of `heads` there (key: layer index; empty: all its heads).
    std::map<int, std::vector<int>> layerHeads;
    Normalization normalization = Normalization::MinMax;
    // A word that occurs more than once: its occurrences' rows merged into one map, as castorini/daam's
    // compute_word_heat_map does; otherwise each occurrence's own.
    bool mergeRepeats = false;
    bool operator==(const MapQuery& o) const {
        return callBegin == o.callBegin && callEnd == o.callEnd && layers == o.layers && heads == o.heads &&
               layerHeads == o.layerHeads && normalization == o.normalization && mergeRepeats == o.mergeRepeats;
    }
    bool operator!=(const MapQuery& o) const { return !(*this == o); }
};

struct MaskOverlap {
    double iou = 0;
    double ioaAB = 0; // |A ∩ B| / |A|
    double ioaBA = 0; // |A ∩ B| / |B|
};

// A generated session travelling from the generation thread to the GUI thread.
using SessionPtr = std::shared_ptr<daam::Session>;

} // namespace daam::ui

Q_DECLARE_METATYPE(daam::ui::SessionPtr)
