// SPDX-License-Identifier: GPL-3.0-or-later
#include "CompareView.h"

#include "ImageView.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace daam::ui {
namespace {

// `map` resampled bilinearly to width x height (the other session's image may have another size).
HeatMap resampledMap(const HeatMap& map, int width, int height) {
    if (map.width == width && map.height == height) return map;
    HeatMap out;
    out.width = width;
    out.height = height;
    out.values.resize(size_t(width) * height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double sx = std::clamp((x + 0.5) * map.width / width - 0.5, 0.0, map.width - 1.0);
            const double sy = std::clamp((y + 0.5) * map.height / height - 0.5, 0.0, map.height - 1.0);
            const int x0 = int(sx), y0 = int(sy);
            const int x1 = std::min(x0 + 1, map.width - 1), y1 = std::min(y0 + 1, map.height - 1);
            const double fx = sx - x0, fy = sy - y0;
            out.values[size_t(y) * width + x] = float((1 - fy) * ((1 - fx) * map.at(x0, y0) + fx * map.at(x1, y0)) +
                                                      fy * ((1 - fx) * map.at(x0, y1) + fx * map.at(x1, y1)));
        }
    return out;
}

// Red where this session's map is higher, blue where the other's is, white where they agree; full colour at a
// difference of `scale`.
QImage renderDifference(const HeatMap& diff, double scale) {
    QImage image(diff.width, diff.height, QImage::Format_RGB888);
    for (int y = 0; y < diff.height; ++y) {
        uchar* line = image.scanLine(y);
        for (int x = 0; x < diff.width; ++x) {
            const double v = scale > 0 ? std::clamp(diff.at(x, y) / scale, -1.0, 1.0) : 0.0;
            const auto fade = uchar(std::lround(255 * (1 - std::abs(v))));
            line[3 * x + 0] = v > 0 ? 255 : fade;
            line[3 * x + 1] = fade;
            line[3 * x + 2] = v < 0 ? 255 : fade;
        }
    }
    return image;
}

bool sameLayers(const SessionSummary& a, const SessionSummary& b) {
    if (a.layers.size() != b.layers.size()) return false;
    for (size_t l = 0; l < a.layers.size(); ++l)
        if (a.layers[l].path != b.layers[l].path || a.layers[l].heads != b.layers[l].heads) return false;
    return true;
}

} // namespace

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
    pool_.setMaxThreadCount(1);
    auto* layout = new QVBoxLayout(this);
    auto* header = new QHBoxLayout;
    title_ = new QLabel(this);
    title_->setTextFormat(Qt::PlainText);
    close_ = new QToolButton(this);
    close_->setText(tr("Close"));
    close_->setToolTip(tr("Stop comparing"));
    connect(close_, &QToolButton::clicked, this, &CompareView::closeRequested);
    header->addWidget(title_, 1);
    header->addWidget(close_);
    layout->addLayout(header);
    auto* grid = new QGridLayout;
    thisView_ = new ImageView(this);
    otherView_ = new ImageView(this);
    differenceView_ = new ImageView(this);
    thisCaption_ = new QLabel(tr("This session"), this);
    otherCaption_ = new QLabel(this);
    auto* differenceCaption =
        new QLabel(tr("Difference: red where this map is higher, blue where the other's is"), this);
    for (auto* caption : {thisCaption_, otherCaption_, differenceCaption}) {
        caption->setTextFormat(Qt::PlainText);
        caption->setWordWrap(true);
    }
    grid->addWidget(thisCaption_, 0, 0);
    grid->addWidget(otherCaption_, 0, 1);
    grid->addWidget(differenceCaption, 0, 2);
    grid->addWidget(thisView_, 1, 0);
    grid->addWidget(otherView_, 1, 1);
    grid->addWidget(differenceView_, 1, 2);
    for (int c = 0; c < 3; ++c)
        grid->setColumnStretch(c, 1);
    grid->setRowStretch(1, 1);
    layout->addLayout(grid, 1);
    note_ = new QLabel(this);
    note_->setTextFormat(Qt::PlainText);
    note_->setWordWrap(true);
    layout->addWidget(note_);
}

CompareView::~CompareView() {
    requests_.supersede();
    pool_.waitForDone();
}

bool CompareView::setOther(SessionPtr session, const QString& dir, QString* error) {
    requests_.supersede(); // a job for the previous session is dropped
    if (!other_.setSession(std::move(session), dir, error)) return false;
    title_->setText(tr("Compared with %1: %2").arg(QFileInfo(dir).fileName(), other_.summary().prompt));
    otherWord_ = -1;
    difference_ = {};
    return true;
}

int CompareView::matchWord(const SessionSummary& main, int word, const SessionSummary& other) {
    if (word < 0 || word >= int(main.words.size())) return -1;
    const auto& w = main.words[size_t(word)];
    auto same = [&](const WordInfo& o) { return sameWord(o, w); };
    int occurrence = 0;
    for (int i = 0; i < word; ++i)
        occurrence += same(main.words[size_t(i)]) ? 1 : 0;
    for (int i = 0; i < int(other.words.size()); ++i)
        if (same(other.words[size_t(i)]) && occurrence-- == 0) return i;
    return -1;
}

MapQuery CompareView::mapQuery(const MapQuery& query, const SessionSummary& main, const SessionSummary& other) {
    MapQuery q = query;
    const int n = std::max(main.calls, 1), m = other.calls;
    q.callBegin = std::clamp(int(std::lround(double(query.callBegin) * m / n)), 0, std::max(m - 1, 0));
    if (query.callEnd >= 0) {
        q.callEnd = std::clamp(int(std::lround(double(query.callEnd) * m / n)), q.callBegin + 1, m);
        if (q.callEnd >= m) q.callEnd = -1;
    }
    if (!sameLayers(main, other)) {
        q.layers.clear();
        q.heads.clear();
        q.layerHeads.clear();
    }
    return q;
}

// What one request shows, made on the worker: the three images and the difference's figures.
struct CompareView::Drawn {
    GridMapsPtr otherMaps;
    int word = -1, otherWord = -1;
    MapQuery otherQuery;
    QImage thisImage, otherImage, differenceImage;
    HeatMap difference;
    double meanGap = 0, largestGap = 0;
};

void CompareView::showWord(const SessionSummary& main, int word, const HeatMap* mainMap, const MapQuery& query,
                           const OverlayStyle& style) {
    if (!hasOther()) return;
    main_ = main;
    const int otherWord = matchWord(main, word, other_.summary());
    const MapQuery otherQuery = mapQuery(query, main, other_.summary());
    // Everything is made on the worker (an SDXL-sized image takes tens of ms to draw); the latest request wins.
    requests_.run(
        pool_, this,
        [word, otherWord, otherQuery, style, mainImage = main.image, otherImage = other_.summary().image,
         mainMap = mainMap ? *mainMap : HeatMap{}, noWords = main.words.empty(),
         job = otherWord >= 0 ? other_.gridMapsJob(otherQuery) : std::function<GridMapsPtr()>()] {
            Drawn out;
            out.word = word;
            out.otherWord = otherWord;
            out.otherQuery = otherQuery;
            out.thisImage = renderOverlay(mainImage, {&mainMap}, style);
            if (otherWord < 0) {
                out.otherImage = otherImage;
                return out;
            }
            out.otherMaps = job();
            const HeatMap* otherMap = ExplorationEngine::wordMaps(out.otherMaps, {otherWord}).front();
            out.otherImage = renderOverlay(otherImage, {otherMap}, style);
            if (mainMap.empty() || !otherMap || otherMap->empty()) return out;
            const HeatMap resampled = resampledMap(*otherMap, mainMap.width, mainMap.height);
            out.difference = mainMap;
            double sum = 0;
            for (size_t i = 0; i < out.difference.values.size(); ++i) {
                out.difference.values[i] = mainMap.values[i] - resampled.values[i];
                sum += std::abs(out.difference.values[i]);
                out.largestGap = std::max(out.largestGap, double(std::abs(out.difference.values[i])));
            }
            out.meanGap = sum / std::max<size_t>(out.difference.values.size(), 1);
            // Maps in [0, 1] (min-max, joint, share) are compared on that scale; absolute maps on their largest gap.
            const double scale = noWords || out.largestGap <= 1 ? 1.0 : out.largestGap;
            out.differenceImage = renderDifference(out.difference, scale);
            return out;
        },
        [this](const Drawn& drawn) { showDrawn(drawn); });
}

void CompareView::showDrawn(const Drawn& drawn) {
    if (drawn.otherMaps) other_.install(drawn.otherMaps);
    const auto& other = other_.summary();
    word_ = drawn.word;
    otherWord_ = drawn.otherWord;
    difference_ = drawn.difference;
    const QString word = word_ >= 0 && word_ < int(main_.words.size()) ? main_.words[size_t(word_)].text : QString();
    thisView_->setImage(drawn.thisImage);
    otherView_->setImage(drawn.otherImage);
    differenceView_->setImage(drawn.differenceImage);
    if (otherWord_ < 0) {
        otherCaption_->setText(tr("Other session"));
        note_->setText(word.isEmpty() ? tr("Select a word to compare its maps.")
                                      : tr("“%1” is not in the other session's prompt.").arg(word));
        Q_EMIT shown();
        return;
    }
    const int otherCalls = drawn.otherQuery.callEnd < 0 ? other.calls : drawn.otherQuery.callEnd;
    otherCaption_->setText(
        tr("Other session, steps %1–%2 of %3").arg(drawn.otherQuery.callBegin + 1).arg(otherCalls).arg(other.calls));
    if (difference_.empty()) return;
    note_->setText(tr("“%1”: mean |this − other| = %2, largest %3.")
                       .arg(word)
                       .arg(drawn.meanGap, 0, 'f', 3)
                       .arg(drawn.largestGap, 0, 'f', 3));
    Q_EMIT shown();
}

} // namespace daam::ui
