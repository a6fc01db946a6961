#include "ExplorationEngine.h"

#include "daam/trace/HeatMapAggregator.h"
#include "daam/trace/Measures.h"
#include "daam/trace/Session.h"
#include "daam/util/Error.h"

#include <torch/torch.h>

#include <QCoreApplication>
#include <QDir>

namespace daam::ui {

namespace {

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

torch::Tensor toTensor(const HeatMap& map) {
    return torch::from_blob(const_cast<float*>(map.values.data()), {map.height, map.width}, torch::kFloat32);
}

} // namespace

struct ExplorationEngine::Impl {
    SessionPtr session;
    std::unique_ptr<HeatMapAggregator> aggregator;
    SessionSummary summary;
    mutable MapQuery cachedQuery;
    mutable bool cacheValid = false;
    mutable std::vector<HeatMap> cachedMaps;

    int imageWidth() const { return summary.image.isNull() ? session->gridSide : summary.image.width(); }
    int imageHeight() const { return summary.image.isNull() ? session->gridSide : summary.image.height(); }
    HeatMapQuery heatQuery(const MapQuery& q) const {
        HeatMapQuery h;
        h.callBegin = q.callBegin;
        h.callEnd = q.callEnd;
        h.layers = q.layers;
        return h;
    }
};

ExplorationEngine::ExplorationEngine() : d(std::make_unique<Impl>()) {}
ExplorationEngine::~ExplorationEngine() = default;

bool ExplorationEngine::open(const QString& dir, QString* error) {
    try {
        auto session = std::make_shared<daam::Session>(daam::loadSession(QDir(dir).absolutePath().toStdString()));
        return setSession(std::move(session), QDir(dir).absolutePath(), error);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

bool ExplorationEngine::setSession(SessionPtr session, const QString& dir, QString* error) {
    try {
        if (!session || !session->trace) throw daam::Error("the session holds no attention trace");
        if (session->words.empty()) throw daam::Error("the session's prompt has no words");
        auto aggregator = std::make_unique<HeatMapAggregator>(session->trace, session->gridSide, session->gridSide);
        SessionSummary s;
        s.dir = dir;
        s.prompt = QString::fromStdString(session->prompt);
        for (const auto& w : session->words) {
            WordInfo info;
            info.text = QString::fromStdString(w.text);
            info.punctuation = w.punctuation;
            for (int t : w.tokens) {
                if (t < 0 || t >= session->trace->tokens())
                    throw daam::Error("word '" + w.text + "' refers to token " + std::to_string(t) +
                                      ", which is not in the trace");
                info.rows.push_back(t);
                if (t < static_cast<int>(session->tokens.size()))
                    info.tokens << QString::fromStdString(session->tokens[t].text);
            }
            if (info.rows.empty()) throw daam::Error("word '" + w.text + "' has no tokens");
            s.words.push_back(std::move(info));
        }
        s.layers = session->trace->layers();
        s.defaultLayers = aggregator->defaultLayers();
        s.calls = session->trace->calls();
        if (session->generation.is_object() && session->generation.contains("timesteps") &&
            session->generation["timesteps"].is_array())
            for (const auto& t : session->generation["timesteps"])
                if (t.is_number()) s.timesteps.push_back(t.get<double>());
        s.image = toQImage(session->image);
        d->session = std::move(session);
        d->aggregator = std::move(aggregator);
        d->summary = std::move(s);
        d->cacheValid = false;
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

bool ExplorationEngine::save(const QString& dir, QString* error) {
    try {
        if (!d->session) throw daam::Error("no session to save");
        daam::saveSession(QDir(dir).absolutePath().toStdString(), *d->session);
        d->summary.dir = QDir(dir).absolutePath();
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
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
    if (d->cacheValid && d->cachedQuery == query) return d->cachedMaps;
    d->cachedMaps.clear();
    if (!d->session) return d->cachedMaps;
    torch::NoGradGuard noGrad;
    const int width = d->imageWidth(), height = d->imageHeight();
    // One aggregation over every token row, then each word is the mean of its rows (as wordMap does).
    const auto tokenMaps = d->aggregator->globalMaps(d->heatQuery(query));
    std::vector<torch::Tensor> maps;
    for (const auto& w : d->summary.words) {
        auto rows = torch::tensor(std::vector<int64_t>(w.rows.begin(), w.rows.end()), torch::kInt64);
        const auto raw = tokenMaps.index_select(0, rows).mean(0);
        const auto norm = query.normalization == Normalization::MinMax ? HeatMapNormalization::MinMax
                                                                       : HeatMapNormalization::Absolute;
        maps.push_back(expandToImage(raw, height, width, norm));
    }
    if (query.normalization == Normalization::Joint && !maps.empty()) {
        auto all = torch::stack(maps);
        const auto lo = all.min(), hi = all.max();
        all = (all - lo) / (hi - lo + 1e-8);
        for (size_t i = 0; i < maps.size(); ++i)
            maps[i] = all[static_cast<int64_t>(i)];
    }
    for (const auto& m : maps)
        d->cachedMaps.push_back(toHeatMap(m));
    d->cachedQuery = query;
    d->cacheValid = true;
    return d->cachedMaps;
}

std::vector<double> ExplorationEngine::massOverCalls(int word, const std::vector<int>& layers) const {
    std::vector<double> out;
    if (!d->session || word < 0 || word >= static_cast<int>(d->summary.words.size())) return out;
    torch::NoGradGuard noGrad;
    const auto& trace = *d->session->trace;
    const auto& chosen = layers.empty() ? d->summary.defaultLayers : layers;
    const auto& rowsVec = d->summary.words[word].rows;
    auto rows = torch::tensor(std::vector<int64_t>(rowsVec.begin(), rowsVec.end()), torch::kInt64);
    auto total = torch::zeros({trace.calls()}, torch::kFloat64);
    int used = 0;
    for (int l : chosen) {
        if (l < 0 || l >= static_cast<int>(trace.layers().size())) continue;
        auto maps = trace.layerMaps(l);
        if (!maps.defined()) continue;
        // [calls, tokens, h, w] heads summed -> mean probability per (head, query pixel) for the word.
        const double heads = std::max(1, trace.layers()[l].heads);
        total += maps.index_select(1, rows).to(torch::kFloat64).mean({1, 2, 3}) / heads;
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
    const auto& chosen = query.layers.empty() ? d->summary.defaultLayers : query.layers;
    double sum = 0;
    for (int l : chosen) {
        if (l < 0 || l >= static_cast<int>(out.size())) continue;
        auto q = d->heatQuery(query);
        q.layers = {l};
        // The aggregate is a mean over (layer, head) pairs, so a layer's part of it is its own mean map
        // weighted by its head count.
        const double mass =
            d->aggregator->wordMap(q, d->summary.words[word].rows).sum().item<double>() * d->summary.layers[l].heads;
        out[l] = mass;
        sum += mass;
    }
    if (sum > 0)
        for (auto& v : out)
            v /= sum;
    return out;
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
