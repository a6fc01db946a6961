// SPDX-License-Identifier: GPL-3.0-or-later
#include "PromptTokenCounter.h"

#include "daam/pipeline/ModelTokenizer.h"
#include "daam/text/ChunkedPrompt.h"
#include "daam/text/Tokenizer.h"

#include <QDir>

namespace daam::ui {

PromptTokenCounter::PromptTokenCounter(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
}

PromptTokenCounter::~PromptTokenCounter() {
    pool_.waitForDone();
}

void PromptTokenCounter::setModelDir(const QString& dir) {
    if (dir == dir_) return;
    dir_ = dir;
    if (tokenizer_) {
        tokenizer_.reset();
        Q_EMIT tokenizerChanged();
    }
    if (dir.isEmpty()) return loads_.supersede(); // a load of the folder before must not come back
    loads_.run(
        pool_, this,
        [model = dir.toStdString()] {
            std::shared_ptr<const daam::Tokenizer> loaded;
            try {
                loaded = daam::loadModelTokenizer(model);
            } catch (const std::exception&) {
                // No count; generating from the folder reports what is wrong with it.
            }
            return loaded;
        },
        [this](const std::shared_ptr<const daam::Tokenizer>& loaded) {
            if (!loaded) return;
            tokenizer_ = loaded;
            Q_EMIT tokenizerChanged();
        });
}

std::optional<PromptTokenCounter::Count> PromptTokenCounter::count(const QString& text, bool a1111) const {
    if (!tokenizer_) return std::nullopt;
    if (a1111) {
        try {
            const auto laid = daam::encodeA1111Prompt(*tokenizer_, text.trimmed().toStdString());
            return Count{laid.promptTokens, tokenizer_->promptCapacity(), laid.chunks};
        } catch (const std::exception&) {
            return std::nullopt; // a weight A1111 cannot read; generating says why
        }
    }
    return Count{tokenizer_->encode(text.trimmed().toStdString()).promptTokens, tokenizer_->promptCapacity()};
}

} // namespace daam::ui
