// SPDX-License-Identifier: GPL-3.0-or-later
// The token count under the prompt: the built-in model's tokenizer loads off the GUI thread, the latest
// model folder wins, a folder without a tokenizer shows no count, and the panel's label says when a prompt
// is past what the text encoder reads (the count generation refuses).
#include "GenerationPanel.h"
#include "PromptTokenCounter.h"

#include "TestMain.h"
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QToolButton>

using namespace daam::ui;

namespace {

// 27 tokens in the built-in model's tokenizer, one per word (daam-cli tokenize).
const QString kFits = QStringLiteral("a red circle and a blue square and a green star and a yellow triangle and a "
                                     "purple circle and an orange square and a red star");

} // namespace

class TestPromptTokenCounter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        if (GenerationPanel::builtInModelDir().isEmpty()) QFAIL("the built-in model is not installed");
    }

    void countsWithTheModelsTokenizer() {
        PromptTokenCounter counter;
        QVERIFY(!counter.count(kFits)); // nothing to count with yet
        QSignalSpy changed(&counter, &PromptTokenCounter::tokenizerChanged);
        counter.setModelDir(GenerationPanel::builtInModelDir());
        QTRY_VERIFY(counter.count(kFits).has_value());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(counter.count(kFits)->tokens, 27);
        QCOMPARE(counter.count(kFits)->limit, 30);
        QVERIFY(!counter.count(kFits)->tooLong());
        QCOMPARE(counter.count(QStringLiteral("  a red circle  "))->tokens, 3); // trimmed, as generation trims
        const auto over = counter.count(kFits + QStringLiteral(" and a blue circle"));
        QCOMPARE(over->tokens, 31);
        QVERIFY(over->tooLong());
    }

    void theLatestFolderWins() {
        PromptTokenCounter counter;
        counter.setModelDir(GenerationPanel::builtInModelDir());
        counter.setModelDir(QStringLiteral("/nonexistent/model"));
        QSignalSpy changed(&counter, &PromptTokenCounter::tokenizerChanged);
        // Both loads have run once a third one, queued behind them on the counter's one thread, reports.
        counter.setModelDir(GenerationPanel::builtInModelDir());
        QTRY_VERIFY(counter.count(kFits).has_value());
        QCOMPARE(counter.modelDir(), GenerationPanel::builtInModelDir());
        QCOMPARE(changed.count(), 1);
        counter.setModelDir(QStringLiteral("/nonexistent/model"));
        QTest::qWait(200);
        QVERIFY(!counter.count(kFits));
    }

    void panelSaysWhenThePromptIsTooLong() {
        GenerationPanel panel;
        GenerationSettings s;
        s.modelDir = GenerationPanel::builtInModelDir();
        s.prompt = kFits;
        panel.setSettings(s);
        QTRY_COMPARE(panel.promptTokensLabel()->text(), QStringLiteral("Tokens: 27 / 30"));
        QVERIFY(!panel.promptTokensLabel()->isHidden());
        QVERIFY(panel.negativeTokensLabel()->isHidden()); // the negative prompt is folded away
        const QColor normal = panel.promptTokensLabel()->palette().color(QPalette::WindowText);

        auto* editor = panel.findChild<QPlainTextEdit*>();
        editor->setPlainText(kFits + QStringLiteral(" and a blue circle"));
        QVERIFY2(panel.promptTokensLabel()->text().startsWith(QStringLiteral("Tokens: 31 / 30, too many")),
                 qPrintable(panel.promptTokensLabel()->text()));
        QVERIFY(panel.promptTokensLabel()->palette().color(QPalette::WindowText) != normal);

        s.negativePrompt = QStringLiteral("a green star");
        panel.setSettings(s);
        QCOMPARE(panel.negativeTokensLabel()->text(), QStringLiteral("Tokens: 3 / 30"));
        QVERIFY(!panel.negativeTokensLabel()->isHidden());

        // A folder without a tokenizer: no count rather than a stale one.
        panel.setModelDir(QStringLiteral("/nonexistent/model"));
        QVERIFY(panel.promptTokensLabel()->isHidden());
    }
};

DAAM_TEST_MAIN(TestPromptTokenCounter)
#include "test_prompt_token_counter.moc"
