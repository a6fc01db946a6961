// SPDX-License-Identifier: GPL-3.0-or-later
// Help > About DAAM Studio: the version, the licence (GPL-3.0-or-later, as QCustomPlot requires), the
// software it is built with, and the DAAM paper's citation as BibTeX with a button that copies it.
#pragma once

#include <QDialog>

class QPlainTextEdit;
class QPushButton;

namespace daam::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);

    // The citation of "What the DAAM" (ACL 2023), as shown and copied.
    static QString bibtex();
    static QString licenseUrl();

    QPushButton* copyBibtexButton() const { return copyBibtex_; }

private:
    QPlainTextEdit* bibtexView_ = nullptr;
    QPushButton* copyBibtex_ = nullptr;
};

} // namespace daam::ui
