// SPDX-License-Identifier: GPL-3.0-or-later
// The interface language: a QSettings choice (empty = follow the system) mapped onto the .qm files that
// qt_add_translations embeds under :/i18n, installed once at start-up.
#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace daam::ui {

// QSettings key of the chosen language: "" follows the system, "en" is the untranslated source text,
// otherwise a code of languages() ("de", "zh_CN").
QString languageSettingKey();

// Codes of the translations built into the application, from the embedded .qm files.
QStringList languages();

// The translation to load for a setting on a system with `system` locale: a code of `available`, or ""
// for English.
QString languageFor(const QString& setting, const QLocale& system, const QStringList& available);

// Resource path of the application's .qm file for a language code.
QString translationFile(const QString& language);

// Reads the setting and installs the application's (and, when present, Qt's own) translators on `app`;
// returns the code installed, "" for English.
QString installTranslations(QCoreApplication& app);

} // namespace daam::ui
