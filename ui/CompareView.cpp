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

void CompareView::showWord(const SessionSummary& main, int word, const HeatMap* mainMap, const MapQuery& query,
                           const OverlayStyle& style) {
    if (!hasOther()) return;
    main_ = main;
    word_ = word;
    mainMap_ = mainMap ? *mainMap : HeatMap{};
    style_ = style;
    otherWord_ = matchWord(main, word, other_.summary());
    otherQuery_ = mapQuery(query, main, other_.summary());
    if (otherWord_ < 0 || other_.isReady(otherQuery_)) {
        requests_.supersede(); // drawn now: a job still running for an earlier word must not draw over it
        return render();
    }
    // The other session's grid maps for this query, off the GUI thread; the latest request wins.
    requests_.run(
        pool_, this, [job = other_.gridMapsJob(otherQuery_)] { return job(); },
        [this](const GridMapsPtr& maps) {
            other_.install(maps);
            render();
        });
}

void CompareView::render() {
    const auto& other = other_.summary();
    const QString word = word_ >= 0 && word_ < int(main_.words.size()) ? main_.words[size_t(word_)].text : QString();
    thisView_->setImage(renderOverlay(main_.image, {&mainMap_}, style_));
    if (otherWord_ < 0) {
        otherView_->setImage(other.image);
        otherCaption_->setText(tr("Other session"));
        differenceView_->setImage(QImage());
        difference_ = {};
        note_->setText(word.isEmpty() ? tr("Select a word to compare its maps.")
                                      : tr("“%1” is not in the other session's prompt.").arg(word));
        Q_EMIT shown();
        return;
    }
    const HeatMap& otherMap = other_.wordMap(otherWord_, otherQuery_);
    otherView_->setImage(renderOverlay(other.image, {&otherMap}, style_));
    const int otherCalls = otherQuery_.callEnd < 0 ? other.calls : otherQuery_.callEnd;
    otherCaption_->setText(
        tr("Other session, steps %1–%2 of %3").arg(otherQuery_.callBegin + 1).arg(otherCalls).arg(other.calls));
    if (mainMap_.empty() || otherMap.empty()) return;
    const HeatMap resampled = resampledMap(otherMap, mainMap_.width, mainMap_.height);
    difference_ = mainMap_;
    double sum = 0, largest = 0;
    for (size_t i = 0; i < difference_.values.size(); ++i) {
        difference_.values[i] = mainMap_.values[i] - resampled.values[i];
        sum += std::abs(difference_.values[i]);
        largest = std::max(largest, double(std::abs(difference_.values[i])));
    }
    // Maps in [0, 1] (min-max, joint, share) are compared on that scale; absolute maps on their largest gap.
    const double scale = main_.words.empty() || largest <= 1 ? 1.0 : largest;
    differenceView_->setImage(renderDifference(difference_, scale));
    note_->setText(tr("“%1”: mean |this − other| = %2, largest %3.")
                       .arg(word)
                       .arg(sum / std::max<size_t>(difference_.values.size(), 1), 0, 'f', 3)
                       .arg(largest, 0, 'f', 3));
    Q_EMIT shown();
}

} // namespace daam::ui
