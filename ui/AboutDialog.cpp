// SPDX-License-Identifier: GPL-3.0-or-later
#include "AboutDialog.h"

#include <QClipboard>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QStyle>
#include <QTextDocument>
#include <QTextLayout>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace daam::ui {

namespace {

QString link(const QString& url, const QString& text) {
    return QStringLiteral("<a href=\"%1\">%2</a>").arg(url, text.toHtmlEscaped());
}

QLabel* richLabel(const QString& objectName, const QString& html, QWidget* parent) {
    auto* label = new QLabel(html, parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::RichText);
    label->setWordWrap(true);
    label->setOpenExternalLinks(true);
    label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    return label;
}

} // namespace

QString AboutDialog::bibtex() {
    return QStringLiteral(
        "@inproceedings{tang2023daam,\n"
        "  title = {What the {DAAM}: Interpreting Stable Diffusion Using Cross Attention},\n"
        "  author = {Tang, Raphael and Liu, Linqing and Pandey, Akshat and Jiang, Zhiying and Yang, Gefei and "
        "Kumar, Karun and Stenetorp, Pontus and Lin, Jimmy and Ture, Ferhan},\n"
        "  booktitle = {Proceedings of the 61st Annual Meeting of the Association for Computational Linguistics "
        "(Volume 1: Long Papers)},\n"
        "  year = {2023},\n"
        "  pages = {5644--5659},\n"
        "  publisher = {Association for Computational Linguistics}\n"
        "}\n");
}

QString AboutDialog::licenseUrl() {
    return QStringLiteral("https://www.gnu.org/licenses/gpl-3.0.html");
}

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About DAAM Studio"));
    auto* layout = new QVBoxLayout(this);

    auto* title = new QLabel(QStringLiteral("DAAM Studio"), this);
    title->setObjectName(QStringLiteral("aboutTitle"));
    QFont titleFont = title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    title->setFont(titleFont);
    layout->addWidget(title);

    const QString version = QCoreApplication::applicationVersion();
    auto* versionLabel = new QLabel(tr("Version %1").arg(version), this);
    versionLabel->setObjectName(QStringLiteral("aboutVersion"));
    versionLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    versionLabel->setVisible(!version.isEmpty());
    layout->addWidget(versionLabel);

    auto* description = new QLabel(tr("See where each word of a prompt lands in a Stable Diffusion image."), this);
    description->setObjectName(QStringLiteral("aboutDescription"));
    description->setWordWrap(true);
    layout->addWidget(description);
    layout->addSpacing(fontMetrics().height() / 2);

    const QString licenseName = link(licenseUrl(), tr("GNU General Public License, version 3 or later"));
    layout->addWidget(richLabel(QStringLiteral("aboutLicense"),
                                tr("DAAM Studio is free software: you may share and change it under the terms of "
                                   "the %1 (%2). It comes with ABSOLUTELY NO WARRANTY, to the extent permitted "
                                   "by law.")
                                    .arg(licenseName, QStringLiteral("GPL-3.0-or-later")),
                                this));
    layout->addSpacing(fontMetrics().height() / 2);

    // Proper names and licence identifiers stay as they are in every language.
    struct Credit {
        QString name, url, license;
    };
    const QList<Credit> credits{
        {QStringLiteral("QCustomPlot"), QStringLiteral("https://www.qcustomplot.com/"),
         QStringLiteral("GPL-3.0-or-later")},
        {QStringLiteral("LibTorch"), QStringLiteral("https://pytorch.org/"), QStringLiteral("BSD-3-Clause")},
        {QStringLiteral("Qt 6"), QStringLiteral("https://www.qt.io/"), QStringLiteral("LGPL-3.0")},
        {QStringLiteral("sentencepiece"), QStringLiteral("https://github.com/google/sentencepiece"),
         QStringLiteral("Apache-2.0")},
        {QStringLiteral("nlohmann_json"), QStringLiteral("https://github.com/nlohmann/json"), QStringLiteral("MIT")},
        {QStringLiteral("utf8proc"), QStringLiteral("https://github.com/JuliaStrings/utf8proc"), QStringLiteral("MIT")},
        {QStringLiteral("libpng"), QStringLiteral("http://www.libpng.org/pub/png/libpng.html"),
         QStringLiteral("libpng-2.0")},
    };
    // Two columns of name and licence: seven libraries and two colour map credits in five rows. jet is
    // matplotlib's (Matplotlib licence); viridis, magma, inferno, plasma and cividis are matplotlib's CC0-1.0
    // tables; turbo is Google's, under Apache-2.0.
    // A name's cell keeps a gap before its licence: the longest name (Turbo's) sets the column's width, and its
    // licence stood right against it, as if off the column.
    QStringList cells;
    for (const Credit& credit : credits)
        cells << QStringLiteral("<td style=\"padding-right:12px\">%1</td><td>%2</td>")
                     .arg(link(credit.url, credit.name), credit.license);
    cells << QStringLiteral("<td style=\"padding-right:12px\">%1 %2</td><td>%3</td>")
                 .arg(tr("colour maps from %1")
                          .arg(link(QStringLiteral("https://matplotlib.org/"), QStringLiteral("matplotlib"))),
                      QStringLiteral("(jet, viridis, magma, inferno, plasma, cividis)"),
                      QStringLiteral("Matplotlib, CC0-1.0"));
    cells << QStringLiteral("<td style=\"padding-right:12px\">%1</td><td>%2</td>")
                 .arg(tr("%1 colour map (Google)")
                          .arg(link(QStringLiteral(
                                        "https://ai.googleblog.com/2019/08/turbo-improved-rainbow-colormap-for.html"),
                                    QStringLiteral("Turbo"))),
                      QStringLiteral("Apache-2.0"));
    QString rows;
    // An odd last cell is padded with an empty pair: a row of fewer cells than the others drew off the columns.
    for (int i = 0; i < cells.size(); i += 2)
        rows += QStringLiteral("<tr>%1<td width=\"24\"></td>%2</tr>")
                    .arg(cells.at(i), cells.value(i + 1, QStringLiteral("<td></td><td></td>")));
    auto* creditsHeading =
        new QLabel(QStringLiteral("<b>%1</b>").arg(tr("Third-party software").toHtmlEscaped()), this);
    creditsHeading->setObjectName(QStringLiteral("aboutCreditsHeading"));
    layout->addWidget(creditsHeading);
    layout->addWidget(richLabel(QStringLiteral("aboutCredits"),
                                QStringLiteral("<table cellspacing=\"0\" cellpadding=\"2\">%1</table>").arg(rows),
                                this));
    layout->addSpacing(fontMetrics().height() / 2);

    auto* citeHeading = new QLabel(tr("If DAAM Studio helps your research, please cite the DAAM paper:"), this);
    citeHeading->setObjectName(QStringLiteral("aboutCiteHeading"));
    citeHeading->setWordWrap(true);
    layout->addWidget(citeHeading);
    bibtexView_ = new QPlainTextEdit(bibtex().trimmed(), this);
    bibtexView_->setObjectName(QStringLiteral("bibtexView"));
    bibtexView_->setReadOnly(true);
    bibtexView_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    bibtexView_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    bibtexView_->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    bibtexView_->setAccessibleName(tr("BibTeX citation"));
    // About 84 columns wide (the author and booktitle fields wrap; the copy keeps them whole) and tall enough
    // for the wrapped entry, so that it shows without scrolling.
    const QFont mono = bibtexView_->font();
    const int frame = 2 * (bibtexView_->frameWidth() + int(std::ceil(bibtexView_->document()->documentMargin()))) + 4;
    const int widest = (screen() ? screen()->availableGeometry().width() * 4 / 5 : 1000) - frame;
    const int textWidth = std::min(QFontMetrics(mono).horizontalAdvance(QString(84, QLatin1Char('x'))), widest);
    int visualLines = 0;
    for (const QString& line : bibtex().trimmed().split(QLatin1Char('\n'))) {
        QTextLayout text(line, mono);
        QTextOption option;
        option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        text.setTextOption(option);
        text.beginLayout();
        for (QTextLine row = text.createLine(); row.isValid(); row = text.createLine()) {
            row.setLineWidth(textWidth);
            ++visualLines;
        }
        text.endLayout();
    }
    // With room for a vertical scroll bar, should a font's metrics differ from the editor's layout after all.
    const int scrollBar = style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, bibtexView_);
    const int lineSpacing = QFontMetrics(mono).lineSpacing();
    bibtexView_->setFixedSize(textWidth + frame + scrollBar, lineSpacing * visualLines + frame + lineSpacing / 2);
    layout->addWidget(bibtexView_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->setObjectName(QStringLiteral("aboutButtons"));
    const QString copyLabel = tr("Copy &BibTeX");
    copyBibtex_ = buttons->addButton(copyLabel, QDialogButtonBox::ActionRole);
    copyBibtex_->setObjectName(QStringLiteral("copyBibtexButton"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(copyBibtex_, &QPushButton::clicked, this, [this, copyLabel] {
        QGuiApplication::clipboard()->setText(bibtex());
        copyBibtex_->setText(tr("Copied")); // for a moment, to say that it worked
        QTimer::singleShot(1500, copyBibtex_, [button = copyBibtex_, copyLabel] { button->setText(copyLabel); });
    });
    buttons->button(QDialogButtonBox::Close)->setDefault(true);

    // Its size follows the contents, which the translations lengthen or shorten.
    layout->setSizeConstraint(QLayout::SetFixedSize);
}

} // namespace daam::ui
