// SPDX-License-Identifier: GPL-3.0-or-later
// How many tokens a prompt takes in the chosen model's tokenizer, for a count under the prompt while the
// user types: the text encoder reads a fixed number of tokens, and generation refuses a longer prompt.
// The tokenizer loads on a worker thread (a CLIP vocabulary takes a moment to parse); the latest folder
// wins. Until it has loaded, and for a folder without a readable tokenizer, there is no count.
#pragma once

#include "JobTracker.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <optional>

namespace daam {
class Tokenizer;
}

namespace daam::ui {

class PromptTokenCounter : public QObject {
    Q_OBJECT
public:
    struct Count {
        int tokens = 0;  // the prompt's tokens, start and end tokens left out
        int limit = 0;   // the most the text encoder reads (at once)
        int windows = 0; // A1111's syntax: the windows of `limit` tokens the prompt takes; 0 for a plain prompt
        bool tooLong() const { return windows == 0 && tokens > limit; }
    };

    explicit PromptTokenCounter(QObject* parent = nullptr);
    ~PromptTokenCounter() override; // waits for a load in progress

    void setModelDir(const QString& dir);
    QString modelDir() const { return dir_; }
    // `a1111`: read as A1111's syntax (any length, in windows); no count for text it cannot read.
    std::optional<Count> count(const QString& text, bool a1111 = false) const;

Q_SIGNALS:
    // The tokenizer of the current folder loaded, or the folder has none: counts may have changed.
    void tokenizerChanged();

private:
    QThreadPool pool_;
    QString dir_;
    JobTracker loads_; // the latest folder's tokenizer wins
    std::shared_ptr<const daam::Tokenizer> tokenizer_;
};

} // namespace daam::ui
