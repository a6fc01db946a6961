// SPDX-License-Identifier: GPL-3.0-or-later
// A second session beside the open one: two prompts, or one prompt at two seeds or on two models. The word
// selected in the window is shown in both (matched by its text, the k-th occurrence with the k-th), with the
// same range of steps (as a share of each run), layers where the two models have the same layers, heads,
// normalization, colours, opacity and mask; and their difference, this session's map less the other's, in a
// diverging scale. The other session's maps are computed on a worker thread, as the window's are.
#pragma once

#include "ExplorationEngine.h"
#include "ExplorationTypes.h"
#include "JobTracker.h"
#include "OverlayRenderer.h"

#include <QThreadPool>
#include <QWidget>

class QLabel;
class QToolButton;

namespace daam::ui {

class ImageView;

class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);
    ~CompareView() override; // waits for a map job in flight

    // The session to compare with, loaded off the GUI thread; false with `error` set when it cannot be shown.
    bool setOther(SessionPtr session, const QString& dir, QString* error);
    bool hasOther() const { return other_.hasSession(); }
    const SessionSummary& other() const { return other_.summary(); }

    // Shows word `word` of `main` (its map `mainMap`, computed by the window for `query`) beside the other's.
    void showWord(const SessionSummary& main, int word, const HeatMap* mainMap, const MapQuery& query,
                  const OverlayStyle& style);

    // For tests and exports: what is shown.
    ImageView* thisView() const { return thisView_; }
    ImageView* otherView() const { return otherView_; }
    ImageView* differenceView() const { return differenceView_; }
    QLabel* note() const { return note_; }
    int otherWord() const { return otherWord_; } // -1 when the other prompt lacks the word
    const HeatMap& difference() const { return difference_; }

    // The other session's word for `word` of `main`: same text and prompt (negative or not), the k-th
    // occurrence for the k-th; -1 when there is none.
    static int matchWord(const SessionSummary& main, int word, const SessionSummary& other);
    // `query` over the other run: the same share of its steps, the same layers and heads when the layer tables
    // are equal (else the paper's defaults and all heads).
    static MapQuery mapQuery(const MapQuery& query, const SessionSummary& main, const SessionSummary& other);

Q_SIGNALS:
    void closeRequested();
    void shown(); // both sides and the difference are drawn for the latest request

private:
    struct Drawn;
    void showDrawn(const Drawn& drawn);

    ExplorationEngine other_;
    QThreadPool pool_;
    JobTracker requests_; // what shows the word asked for last
    SessionSummary main_;
    int word_ = -1, otherWord_ = -1; // as shown
    HeatMap difference_;

    QLabel* title_;
    QToolButton* close_;
    ImageView* thisView_;
    ImageView* otherView_;
    ImageView* differenceView_;
    QLabel* thisCaption_;
    QLabel* otherCaption_;
    QLabel* note_;
};

} // namespace daam::ui
