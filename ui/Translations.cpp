// SPDX-License-Identifier: GPL-3.0-or-later
#include "Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

namespace daam::ui {

namespace {
const QString kPrefix = QStringLiteral("daam_studio_");
}

QString languageSettingKey() {
    return QStringLiteral("ui/language");
}

QStringList languages() {
    QStringList codes;
    const QStringList files = QDir(QStringLiteral(":/i18n")).entryList({kPrefix + QStringLiteral("*.qm")});
    for (const QString& file : files)
        codes << file.mid(kPrefix.size(), file.size() - kPrefix.size() - 3);
    return codes;
}

QString languageFor(const QString& setting, const QLocale& system, const QStringList& available) {
    if (setting == QLatin1String("en")) return {};
    if (!setting.isEmpty()) return available.contains(setting) ? setting : QString();
    // Match on language and script rather than the whole name, so de_AT gets German and zh_SG gets
    // Simplified Chinese, while zh_TW (Traditional script) is not given Simplified characters.
    for (const QString& code : available) {
        const QLocale candidate(code);
        if (candidate.language() == system.language() && candidate.script() == system.script()) return code;
    }
    return {};
}

QString translationFile(const QString& language) {
    return QStringLiteral(":/i18n/") + kPrefix + language + QStringLiteral(".qm");
}

QString installTranslations(QCoreApplication& app) {
    const QString setting = QSettings().value(languageSettingKey()).toString();
    const QString language = languageFor(setting, QLocale::system(), languages());
    if (language.isEmpty()) return {};
    // Dialog buttons and other strings that come from Qt itself; Debian ships them in
    // qt6-translations-l10n, and without them the application's own strings are still translated.
    auto* qt = new QTranslator(&app);
    if (qt->load(QStringLiteral("qtbase_") + language, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto* own = new QTranslator(&app);
    if (!own->load(translationFile(language))) {
        delete own;
        return {};
    }
    QCoreApplication::installTranslator(own);
    return language;
}

} // namespace daam::ui
