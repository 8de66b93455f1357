#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace sockpit {

// The languages Sockpit ships a catalogue for, as codes ("de", "fr", "zh_CN"); English is
// the source language and needs none.
QStringList translatedLanguages();

// Which language the window starts in: --lang wins over the Preferences choice, which wins
// over the system locale. An empty result means "follow the system locale".
QString chooseLanguage(const QString &commandLineLanguage, const QString &preferencesLanguage);

// Installs Qt's own catalogues (qtbase, qtwebsockets from the Qt installation) and Sockpit's
// embedded ones (":/i18n/sockpit_<code>.qm") for `language`, replacing any installed by an
// earlier call. An empty language or "system" follows the system locale; "en" and "C"
// install nothing. Returns false when Sockpit has no catalogue for the requested language
// (the application then stays in English); Qt's own catalogues are optional.
bool installTranslations(QCoreApplication &app, const QString &language);

} // namespace sockpit
