#include "translationloader.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace sockpit {

namespace {

// Installed translators carry this name so that a later call can find and replace them.
constexpr QLatin1StringView translatorName("sockpit-installed-translator");

void removeInstalledTranslators(QCoreApplication &app)
{
    const QList<QTranslator *> installed
        = app.findChildren<QTranslator *>(QString(translatorName), Qt::FindDirectChildrenOnly);
    for (QTranslator *translator : installed) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
}

// Owned by the application object, so the catalogue lives as long as anything can ask it.
bool installCatalogue(QCoreApplication &app, const QLocale &locale, const QString &name,
                      const QString &directory)
{
    auto *translator = new QTranslator(&app);
    translator->setObjectName(QString(translatorName));
    if (!translator->load(locale, name, QStringLiteral("_"), directory)
        || !QCoreApplication::installTranslator(translator)) {
        delete translator;
        return false;
    }
    return true;
}

// English is the source language, but its plural forms ("1 event", "2 events") come from
// a catalogue too: sockpit_en.ts holds only the messages that have them.
bool installEnglishPlurals(QCoreApplication &app)
{
    return installCatalogue(app, QLocale(QLocale::English), QStringLiteral("sockpit"),
                            QStringLiteral(":/i18n"));
}

bool isEnglish(const QLocale &locale)
{
    return locale.language() == QLocale::English || locale.language() == QLocale::C;
}

} // namespace

QStringList translatedLanguages()
{
    return {QStringLiteral("de"), QStringLiteral("fr"), QStringLiteral("zh_CN")};
}

QString chooseLanguage(const QString &commandLineLanguage, const QString &preferencesLanguage)
{
    if (!commandLineLanguage.trimmed().isEmpty())
        return commandLineLanguage.trimmed();
    const QString stored = preferencesLanguage.trimmed();
    if (stored.compare(QLatin1StringView("system"), Qt::CaseInsensitive) == 0)
        return {};
    return stored;
}

bool installTranslations(QCoreApplication &app, const QString &language)
{
    removeInstalledTranslators(app);

    const bool followSystem = language.isEmpty()
        || language.compare(QLatin1StringView("system"), Qt::CaseInsensitive) == 0;
    const QLocale locale = followSystem ? QLocale::system() : QLocale(language);
    // QLocale maps an unknown code to "C"; only "C" and "en" themselves mean English.
    if (!followSystem && locale.language() == QLocale::C
        && language.compare(QLatin1StringView("C"), Qt::CaseInsensitive) != 0)
        return false;
    // Dates and numbers follow the chosen language too, not only the words.
    if (!followSystem)
        QLocale::setDefault(locale);
    if (isEnglish(locale)) {
        installEnglishPlurals(app);
        return true;
    }

    const QString qtDirectory = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    installCatalogue(app, locale, QStringLiteral("qtbase"), qtDirectory);
    installCatalogue(app, locale, QStringLiteral("qtwebsockets"), qtDirectory);
    // A system locale Sockpit is not translated into is not an error: it stays in English.
    const bool sockpit
        = installCatalogue(app, locale, QStringLiteral("sockpit"), QStringLiteral(":/i18n"));
    if (!sockpit)
        installEnglishPlurals(app);
    return sockpit || followSystem;
}

} // namespace sockpit
