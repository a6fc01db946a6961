// SPDX-License-Identifier: GPL-3.0-or-later
#include "ExplorationEngine.h"

#include "daam/pipeline/GenerationSession.h"
#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/Measures.h"
#include "daam/trace/Session.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <cstring>
#include <mutex>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace daam::ui {

QImage toQImage(const daam::PngImage& png) {
    if (png.width <= 0 || png.height <= 0) return {};
    QImage out(png.width, png.height, QImage::Format_RGB888);
    for (int y = 0; y < png.height; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < png.width; ++x) {
            const uint8_t* p = png.pixels.data() + (size_t(y) * png.width + x) * png.channels;
            // Grey and grey+alpha spread the grey value; alpha is dropped (sessions hold opaque images).
            const bool grey = png.channels < 3;
            line[3 * x + 0] = p[0];
            line[3 * x + 1] = grey ? p[0] : p[1];
            line[3 * x + 2] = grey ? p[0] : p[2];
        }
    }
    return out;
}

HeatMap toHeatMap(const torch::Tensor& map) {
    auto contiguous = map.to(torch::kFloat32).contiguous();
    HeatMap out;
    out.height = static_cast<int>(contiguous.size(0));
    out.width = static_cast<int>(contiguous.size(1));
    out.values.assign(contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel());
    return out;
}

namespace {

// A prompt's words as chips, then the tokens of no word (start, end) as special chips, appended to `out`; `rows` is
// the trace's token count. The negative prompt's are flagged `negative` (their rows are in the negative trace).
void appendWordChips(const std::vector<daam::Word>& words, const std::vector<daam::Token>& tokens, int rows,
                     bool negative, std::vector<WordInfo>& out) {
    const std::string word = negative ? "negative word '" : "word '";
    std::vector<bool> inWord(tokens.size(), false);
    for (const auto& w : words) {
        WordInfo info;
        info.text = QString::fromStdString(w.text);
        info.punctuation = w.punctuation;
        info.weight = w.weight;
        info.negative = negative;
        for (int t : w.tokens) {
            if (t < 0 || t >= rows)
                throw daam::Error(word + w.text + "' refers to token " + std::to_string(t) + ", which is not in the " +
                                  (negative ? "negative trace" : "trace"));
            info.rows.push_back(t);
            if (t < int(tokens.size())) {
                info.tokens << QString::fromStdString(tokens[size_t(t)].text);
                inWord[size_t(t)] = true;
            }
        }
        if (info.rows.empty()) {
            if (!negative) throw daam::Error(word + w.text + "' has no tokens");
            continue;
        }
        out.push_back(std::move(info));
    }
    for (size_t t = 0; t < inWord.size() && int(t) < rows; ++t) {
        if (inWord[t]) continue;
        // A prompt in A1111's windows has start, end and padding tokens inside: each window's start and end get
        // a chip, its padding does not.
        const bool start = tokens[t].id == tokens.front().id;
        if (t > 0 && !start && !inWord[t - 1] && tokens[t - 1].id != tokens.front().id) continue;
        WordInfo info;
        info.text = QString::fromStdString(tokens[t].text);
        info.tokens << info.text;
        info.rows.push_back(int(t));
        info.special = true;
        info.negative = negative;
        out.push_back(std::move(info));
    }
}

torch::Tensor toTensor(const HeatMap& map) {
    return torch::from_blob(const_cast<float*>(map.values.data()), {map.height, map.width}, torch::kFloat32);
}

} // namespace

// What turning a session's grid maps into its words' image maps reads of the session: fixed while it is open.
struct WordLayout {
    std::vector<WordInfo> words;
    int imageHeight = 0;
    int imageWidth = 0;
};

// One query's grid maps, immutable once made, and the words' image maps made from them on demand, by whichever
// thread asks first: a background job for what the window draws, the asking thread for exports and tests.
struct GridMaps {
    int sessionSerial = 0;
    MapQuery query;
    std::shared_ptr<const WordLayout> layout;
    torch::Tensor tokenMaps;         // [tokens, gh, gw]
    torch::Tensor negativeTokenMaps; // the negative prompt's, when the session has its trace
    float jointLo = 0, jointHi = 0;  // Joint normalization's scale over all words

    mutable std::mutex mutex;               // guards `done`; a map is written once, before its flag
    mutable std::vector<HeatMap> imageMaps; // sized once: references stay valid while this lives
    mutable std::vector<char> done;

    // The rows a word's map averages: its own, or with repeats merged every occurrence's of its prompt.
    std::vector<int> rowsOf(int word) const {
        const auto& w = layout->words[size_t(word)];
        if (!query.mergeRepeats || w.special) return w.rows;
        std::vector<int> rows;
        for (const auto& o : layout->words)
            if (sameWord(o, w)) // w is no start/end token, so neither is o
                rows.insert(rows.end(), o.rows.begin(), o.rows.end());
        return rows;
    }
    torch::Tensor rawWordMap(int word) const {
        const auto r = rowsOf(word);
        const auto& maps = layout->words[size_t(word)].negative ? negativeTokenMaps : tokenMaps;
        return maps.index_select(0, torch::tensor(std::vector<int64_t>(r.begin(), r.end()), torch::kInt64)).mean(0);
    }
    bool sharesAttention(int w) const {
        return !layout->words[size_t(w)].punctuation && !layout->words[size_t(w)].special;
    }
    // Share normalization: the maps of `w` and of every other word of its prompt that shares attention, `w`
    // first (the negative prompt's words share the unconditional half's attention among themselves).
    torch::Tensor shareMaps(int w) const {
        const auto& words = layout->words;
        std::vector<torch::Tensor> raw{rawWordMap(w)};
        for (size_t o = 0; o < words.size(); ++o)
            if (int(o) != w && sharesAttention(int(o)) && words[o].negative == words[size_t(w)].negative)
                raw.push_back(rawWordMap(int(o)));
        return expandWordsToImage(torch::stack(raw), layout->imageHeight, layout->imageWidth,
                                  HeatMapNormalization::WordShare);
    }
    HeatMap computeImageMap(int w) const {
        torch::NoGradGuard noGrad;
        if (query.normalization == Normalization::Share) return toHeatMap(shareMaps(w)[0]);
        const auto norm = query.normalization == Normalization::MinMax ? HeatMapNormalization::MinMax
                                                                       : HeatMapNormalization::Absolute;
        auto map = expandToImage(rawWordMap(w), layout->imageHeight, layout->imageWidth, norm);
        if (query.normalization == Normalization::Joint)
            map = ((map - jointLo) / (jointHi - jointLo + 1e-8)).clamp(0, 1);
        return toHeatMap(map);
    }
    bool hasImageMap(int w) const {
        std::lock_guard<std::mutex> lock(mutex);
        return done[size_t(w)] != 0;
    }
    // Word `w`'s map at image resolution (w must be a valid index).
    const HeatMap& imageMap(int w) const {
        if (hasImageMap(w)) return imageMaps[size_t(w)];
        // Made outside the lock, so that a thread asking for a made map never waits for one being made; when two
        // threads make the same map, the first one kept wins (they are equal).
        HeatMap map = computeImageMap(w);
        std::lock_guard<std::mutex> lock(mutex);
        if (!done[size_t(w)]) {
            imageMaps[size_t(w)] = std::move(map);
            done[size_t(w)] = 1;
        }
        return imageMaps[size_t(w)];
    }
};

namespace {

GridMapsPtr makeGridMaps(int serial, const MapQuery& query, std::shared_ptr<const WordLayout> layout,
                         const HeatMapAggregator& aggregator, const HeatMapAggregator* negative,
                         const HeatMapQuery& heat) {
    torch::NoGradGuard noGrad;
    auto out = std::make_shared<GridMaps>();
    out->sessionSerial = serial;
    out->query = query;
    out->layout = std::move(layout);
    out->tokenMaps = aggregator.globalMaps(heat);
    if (negative) out->negativeTokenMaps = negative->globalMaps(heat);
    const size_t words = out->layout->words.size();
    out->imageMaps.resize(words);
    out->done.assign(words, 0);
    if (query.normalization == Normalization::Joint && words > 0) {
        // The shared scale comes from the grid maps; upsampled values are clamped to it.
        std::vector<torch::Tensor> raw;
        for (size_t w = 0; w < words; ++w)
            raw.push_back(out->rawWordMap(int(w)));
        const auto all = torch::stack(raw);
        out->jointLo = all.min().item<float>();
        out->jointHi = all.max().item<float>();
    }
    return out;
}

} // namespace

struct ExplorationEngine::Impl {
    SessionPtr session;
    int serial = 0; // tells sessions apart, so that a late job result for an old one is ignored
    std::shared_ptr<const HeatMapAggregator> aggregator;
    std::shared_ptr<const HeatMapAggregator> negativeAggregator; // the unconditional half's, when captured
    SessionSummary summary;
    std::shared_ptr<const WordLayout> layout;
    torch::Tensor layerMass; // [layers, calls, tokens] float64: mean over pixels of the heads-summed maps
    torch::Tensor negativeLayerMass;
    GridMapsPtr maps; // the latest query's, installed or computed here

    HeatMapQuery heatQuery(const MapQuery& q) const {
        HeatMapQuery h;
        h.callBegin = q.callBegin;
        h.callEnd = q.callEnd;
        h.layers = q.layers;
        // Over part of the steps a head choice needs per-head maps; without them the window says so and all
        // heads are shown.
        const bool allCalls = q.callBegin <= 0 && q.callEnd < 0;
        if (allCalls || summary.headMaps) {
            h.heads = q.heads;
            h.layerHeads = q.layerHeads;
        }
        return h;
    }
    bool answers(const GridMapsPtr& m, const MapQuery& query) const {
        return m && m->sessionSerial == serial && m->query == query;
    }
    const torch::Tensor& massOf(int word) const { return summary.words[word].negative ? negativeLayerMass : layerMass; }
    // Brings `maps` to `query` on this thread: one aggregation over all token rows (words are means of their rows).
    const GridMaps& prepare(const MapQuery& query) {
        if (!answers(maps, query))
            maps = makeGridMaps(serial, query, layout, *aggregator, negativeAggregator.get(), heatQuery(query));
        return *maps;
    }
};

ExplorationEngine::ExplorationEngine() : d(std::make_unique<Impl>()) {}
ExplorationEngine::~ExplorationEngine() = default;

void ExplorationEngine::prepare(const daam::Session& session) {
    for (const auto* trace : {session.trace.get(), session.negativeTrace.get()})
        if (trace) {
            trace->pixelMeans();
            trace->callPrefixSums();
        }
}

SessionPtr ExplorationEngine::load(const QString& dir, QString* error) {
    try {
        auto session = std::make_shared<daam::Session>(daam::loadSession(QDir(dir).absolutePath().toStdString()));
        prepare(*session);
        return session;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return nullptr;
    }
}

bool ExplorationEngine::open(const QString& dir, QString* error) {
    auto session = load(dir, error);
    return session && setSession(std::move(session), QDir(dir).absolutePath(), error);
}

bool ExplorationEngine::setSession(SessionPtr session, const QString& dir, QString* error) {
    try {
        if (!session || !session->trace) throw daam::Error("the session holds no attention trace");
        if (session->words.empty()) throw daam::Error("the session's prompt has no words");
        auto aggregator =
            std::make_shared<const HeatMapAggregator>(session->trace, session->gridSide, session->gridSide);
        SessionSummary s;
        s.dir = dir;
        s.prompt = QString::fromStdString(session->prompt);
        s.promptWords = session->words;
        s.generation = session->generation;
        appendWordChips(session->words, session->tokens, session->trace->tokens(), false, s.words);
        std::shared_ptr<const HeatMapAggregator> negativeAggregator;
        if (session->negativeTrace) {
            negativeAggregator =
                std::make_shared<const HeatMapAggregator>(session->negativeTrace, session->gridSide, session->gridSide);
            appendWordChips(session->negativeWords, session->negativeTokens, session->negativeTrace->tokens(), true,
                            s.words);
        }
        s.layers = session->trace->layers();
        s.defaultLayers = aggregator->defaultLayers();
        s.headMaps = session->trace->hasHeadMaps();
        for (const auto& layer : s.layers)
            s.maxHeads = std::max(s.maxHeads, layer.heads);
        s.calls = session->trace->calls();
        if (session->generation.is_object() && session->generation.contains("timesteps") &&
            session->generation["timesteps"].is_array())
            for (const auto& t : session->generation["timesteps"])
                if (t.is_number()) s.timesteps.push_back(t.get<double>());
        s.image = toQImage(session->image);
        auto layout = std::make_shared<WordLayout>();
        layout->words = s.words;
        layout->imageHeight = s.image.isNull() ? session->gridSide : s.image.height();
        layout->imageWidth = s.image.isNull() ? session->gridSide : s.image.width();
        // Computed where the session was made or read, off this thread (see prepare()).
        d->layerMass = session->trace->pixelMeans();
        d->negativeLayerMass = session->negativeTrace ? session->negativeTrace->pixelMeans() : torch::Tensor();
        d->session = std::move(session);
        d->aggregator = std::move(aggregator);
        d->negativeAggregator = std::move(negativeAggregator);
        static int serials = 0;
        d->serial = ++serials;
        d->summary = std::move(s);
        d->layout = std::move(layout);
        d->maps.reset();
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

std::function<QString()> ExplorationEngine::saveJob(const QString& dir) const {
    if (!d->session) return [] { return QStringLiteral("no session to save"); };
    // A copy: the trace is shared (it no longer changes), the rest is small; annotations may change meanwhile.
    return [session = std::make_shared<const daam::Session>(*d->session), path = QDir(dir).absolutePath()] {
        try {
            daam::saveGeneratedSession(QFile::encodeName(path).toStdString(), *session);
            return QString();
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
    };
}

bool ExplorationEngine::savedTo(int serial, const QString& dir) {
    if (!d->session || serial != d->serial) return false;
    d->summary.dir = QDir(dir).absolutePath();
    return true;
}

int ExplorationEngine::serial() const {
    return d->session ? d->serial : 0;
}

void ExplorationEngine::close() {
    d = std::make_unique<Impl>();
}

bool ExplorationEngine::hasSession() const {
    return d->session != nullptr;
}

const SessionSummary& ExplorationEngine::summary() const {
    return d->summary;
}

const std::vector<HeatMap>& ExplorationEngine::allWordMaps(const MapQuery& query) const {
    static const std::vector<HeatMap> none;
    if (!d->session) return none;
    const auto& maps = d->prepare(query);
    for (size_t w = 0; w < maps.imageMaps.size(); ++w)
        maps.imageMap(int(w));
    return maps.imageMaps;
}

const HeatMap& ExplorationEngine::wordMap(int word, const MapQuery& query) const {
    static const HeatMap none;
    if (!d->session || word < 0 || word >= int(d->summary.words.size())) return none;
    return d->prepare(query).imageMap(word);
}

GridMapsPtr ExplorationEngine::gridMaps(const MapQuery& query) const {
    if (!d->session) return nullptr;
    d->prepare(query);
    return d->maps;
}

std::vector<const HeatMap*> ExplorationEngine::wordMaps(const GridMapsPtr& maps, const std::vector<int>& words) {
    std::vector<const HeatMap*> out;
    for (int w : words)
        out.push_back(maps && w >= 0 && w < int(maps->imageMaps.size()) ? &maps->imageMap(w) : nullptr);
    return out;
}

bool ExplorationEngine::hasWordMaps(const GridMapsPtr& maps, const std::vector<int>& words) {
    if (!maps) return false;
    for (int w : words)
        if (w >= 0 && w < int(maps->imageMaps.size()) && !maps->hasImageMap(w)) return false;
    return true;
}

std::vector<double> ExplorationEngine::massOverCalls(int word, const std::vector<int>& layers) const {
    std::vector<double> out;
    if (!d->session || word < 0 || word >= static_cast<int>(d->summary.words.size())) return out;
    torch::NoGradGuard noGrad;
    const auto& chosen = layers.empty() ? d->summary.defaultLayers : layers;
    const auto& rowsVec = d->summary.words[word].rows;
    auto rows = torch::tensor(std::vector<int64_t>(rowsVec.begin(), rowsVec.end()), torch::kInt64);
    auto total = torch::zeros({d->summary.calls}, torch::kFloat64);
    int used = 0;
    for (int l : chosen) {
        if (l < 0 || l >= static_cast<int>(d->summary.layers.size())) continue;
        // Heads are summed in the trace: divide to get the mean probability per (head, query pixel).
        const double heads = std::max(1, d->summary.layers[l].heads);
        total += d->massOf(word)[l].index_select(1, rows).mean(1) / heads;
        ++used;
    }
    if (used > 0) total /= used;
    out.assign(total.data_ptr<double>(), total.data_ptr<double>() + total.numel());
    return out;
}

std::vector<double> ExplorationEngine::layerShare(int word, const MapQuery& query) const {
    std::vector<double> out;
    if (!d->session || word < 0 || word >= static_cast<int>(d->summary.words.size())) return out;
    torch::NoGradGuard noGrad;
    out.assign(d->summary.layers.size(), 0.0);
    const int calls = d->summary.calls;
    const int begin = std::clamp(query.callBegin, 0, calls);
    const int end = query.callEnd < 0 ? calls : std::clamp(query.callEnd, begin, calls);
    const auto& rowsVec = d->summary.words[word].rows;
    auto rows = torch::tensor(std::vector<int64_t>(rowsVec.begin(), rowsVec.end()), torch::kInt64);
    const auto& chosen = query.layers.empty() ? d->summary.defaultLayers : query.layers;
    double sum = 0;
    for (int l : chosen) {
        if (l < 0 || l >= static_cast<int>(out.size()) || end <= begin) continue;
        // The aggregate sums every (layer, head) map over the range, so a layer's part of it is the mass
        // of its heads-summed maps over those calls.
        out[l] = d->massOf(word)[l].narrow(0, begin, end - begin).index_select(1, rows).mean(1).sum().item<double>();
        sum += out[l];
    }
    if (sum > 0)
        for (auto& v : out)
            v /= sum;
    return out;
}

bool ExplorationEngine::isReady(const MapQuery& query) const {
    return d->session && d->answers(d->maps, query);
}

std::function<GridMapsPtr()> ExplorationEngine::gridMapsJob(const MapQuery& query) const {
    if (!d->session) return [] { return GridMapsPtr(); };
    if (d->answers(d->maps, query)) return [maps = d->maps] { return maps; }; // the job only makes image maps
    // Copies of what the job reads: the aggregators and the layout are immutable and shared.
    return
        [aggregator = d->aggregator, negative = d->negativeAggregator, layout = d->layout, serial = d->serial, query,
         heat = d->heatQuery(query)] { return makeGridMaps(serial, query, layout, *aggregator, negative.get(), heat); };
}

bool ExplorationEngine::install(const GridMapsPtr& maps) {
    if (!maps || !d->session || maps->sessionSerial != d->serial) return false;
    if (!isReady(maps->query)) d->maps = maps;
    return true;
}

bool ExplorationEngine::annotatable(int word) const {
    return d->session && word >= 0 && word < int(d->session->words.size()) && word < int(d->summary.words.size()) &&
           !d->summary.words[size_t(word)].negative && !d->summary.words[size_t(word)].special;
}

QImage ExplorationEngine::annotationMask(int word) const {
    if (!annotatable(word)) return {};
    const auto it = d->session->annotations.find(word);
    if (it == d->session->annotations.end() || it->second.mask.width == 0) return {};
    return toQImage(it->second.mask).convertToFormat(QImage::Format_Grayscale8);
}

int ExplorationEngine::annotationRating(int word) const {
    if (!annotatable(word)) return 0;
    const auto it = d->session->annotations.find(word);
    return it == d->session->annotations.end() ? 0 : it->second.rating;
}

bool ExplorationEngine::setAnnotation(int word, const QImage& mask, int rating) {
    if (!annotatable(word) || rating < 0 || rating > 5) return false;
    daam::WordAnnotation a;
    a.rating = rating;
    if (!mask.isNull()) {
        const QImage grey = mask.convertToFormat(QImage::Format_Grayscale8);
        a.mask.width = grey.width();
        a.mask.height = grey.height();
        a.mask.channels = 1;
        a.mask.pixels.resize(size_t(grey.width()) * grey.height());
        for (int y = 0; y < grey.height(); ++y)
            std::memcpy(a.mask.pixels.data() + size_t(y) * grey.width(), grey.constScanLine(y), size_t(grey.width()));
    }
    if (a.mask.width == 0 && a.rating == 0)
        d->session->annotations.erase(word);
    else
        d->session->annotations[word] = std::move(a);
    return true;
}

std::function<QString()> ExplorationEngine::saveAnnotationsJob() const {
    if (!d->session) return [] { return QStringLiteral("no session"); };
    if (d->summary.dir.isEmpty())
        return [] { return QStringLiteral("the session is not saved yet: save it first (File ▸ Save)"); };
    // A copy of the session as it is now: annotating goes on meanwhile.
    return [session = std::make_shared<const daam::Session>(*d->session), dir = QFile::encodeName(d->summary.dir)] {
        try {
            daam::saveSessionAnnotations(dir.toStdString(), *session);
            return QString();
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
    };
}

QString ExplorationEngine::ratingsCsv() const {
    // RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
    auto field = [](const QString& text) {
        if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
            return text;
        QString quoted = text;
        quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + quoted + QLatin1Char('"');
    };
    QString csv = QStringLiteral("session,prompt,word,text,rating\n");
    if (!d->session) return csv;
    const QString session = field(d->summary.dir.isEmpty() ? QString() : QFileInfo(d->summary.dir).fileName());
    for (const auto& [word, a] : d->session->annotations)
        if (a.rating > 0)
            csv += QStringLiteral("%1,%2,%3,%4,%5\n")
                       .arg(session, field(d->summary.prompt))
                       .arg(word)
                       .arg(field(QString::fromStdString(d->session->words[size_t(word)].text)))
                       .arg(a.rating);
    return csv;
}

MaskOverlap ExplorationEngine::overlap(const HeatMap& a, const HeatMap& b, double tau) {
    MaskOverlap out;
    if (a.empty() || b.empty() || a.width != b.width || a.height != b.height) return out;
    const auto ma = daam::thresholdMask(toTensor(a), tau), mb = daam::thresholdMask(toTensor(b), tau);
    out.iou = daam::maskIoU(ma, mb);
    out.ioaAB = daam::maskIoA(ma, mb);
    out.ioaBA = daam::maskIoA(mb, ma);
    return out;
}

} // namespace daam::ui
