#include "mainwindow.h"
#include "preferencesdialog.h"
#include "serverpanel.h"
#include "translationloader.h"

#include <QApplication>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

using namespace sockpit;

// The window comes up in the language it is given (`sockpit --lang de` goes through the
// same installTranslations()), Sockpit's own strings and Qt's alike.
class TestGuiLanguage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup();
    void serverPanelSpeaksTheChosenLanguage_data();
    void serverPanelSpeaksTheChosenLanguage();
    void qtsOwnStringsFollowTheLanguage();
    void anUnknownLanguageLeavesTheWindowInEnglish();
    void commandLineWinsOverPreferences();
    void theSystemLocaleIsFollowedByDefault();
    void preferencesStoreTheLanguageAndSayWhenItApplies();
};

namespace {

QStringList groupTitles(QWidget *panel)
{
    QStringList titles;
    const QList<QGroupBox *> boxes = panel->findChildren<QGroupBox *>();
    for (const QGroupBox *box : boxes)
        titles << box->title();
    return titles;
}

} // namespace

void TestGuiLanguage::cleanup()
{
    installTranslations(*qApp, QStringLiteral("en"));
    QLocale::setDefault(QLocale::c());
}

void TestGuiLanguage::serverPanelSpeaksTheChosenLanguage_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("startButton");
    QTest::addColumn<QString>("connectionsGroup");
    QTest::newRow("German shows Starten and Verbindungen")
        << QStringLiteral("de") << QStringLiteral("Starten") << QStringLiteral("Verbindungen");
    QTest::newRow("French shows Démarrer and Connexions")
        << QStringLiteral("fr") << QStringLiteral("D\u00e9marrer") << QStringLiteral("Connexions");
    QTest::newRow("Simplified Chinese shows its words")
        << QStringLiteral("zh_CN") << QStringLiteral("\u542f\u52a8")
        << QStringLiteral("\u8fde\u63a5");
    QTest::newRow("English keeps the source texts")
        << QStringLiteral("en") << QStringLiteral("Start") << QStringLiteral("Connections");
}

void TestGuiLanguage::serverPanelSpeaksTheChosenLanguage()
{
    QFETCH(QString, language);
    QFETCH(QString, startButton);
    QFETCH(QString, connectionsGroup);

    QVERIFY(installTranslations(*qApp, language));
    MainWindow window;
    window.show();
    QWidget *panel = window.serverPanel();
    QVERIFY(panel);
    auto *start = panel->findChild<QPushButton *>(QStringLiteral("startServerButton"));
    QVERIFY(start);
    QCOMPARE(start->text(), startButton);
    QVERIFY2(groupTitles(panel).contains(connectionsGroup),
             qUtf8Printable(groupTitles(panel).join(QStringLiteral(", "))));
}

void TestGuiLanguage::qtsOwnStringsFollowTheLanguage()
{
    // Buttons such as Cancel in Qt's own dialogs come from qtbase_de.qm of the Qt
    // installation (qt6-translations-l10n), not from Sockpit's catalogue.
    QVERIFY(installTranslations(*qApp, QStringLiteral("de")));
    QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Abbrechen"));
}

void TestGuiLanguage::anUnknownLanguageLeavesTheWindowInEnglish()
{
    QVERIFY(installTranslations(*qApp, QStringLiteral("de")));
    QVERIFY(!installTranslations(*qApp, QStringLiteral("xx-no-such-language")));
    MainWindow window;
    auto *start
        = window.serverPanel()->findChild<QPushButton *>(QStringLiteral("startServerButton"));
    QVERIFY(start);
    QCOMPARE(start->text(), QStringLiteral("Start"));
}

void TestGuiLanguage::commandLineWinsOverPreferences()
{
    QCOMPARE(chooseLanguage(QStringLiteral("de"), QStringLiteral("fr")), QStringLiteral("de"));
    QCOMPARE(chooseLanguage(QString(), QStringLiteral("fr")), QStringLiteral("fr"));
    QCOMPARE(chooseLanguage(QString(), QStringLiteral("system")), QString());
    QCOMPARE(chooseLanguage(QString(), QString()), QString());
}

void TestGuiLanguage::theSystemLocaleIsFollowedByDefault()
{
    // ctest runs this test with LC_ALL=de_DE.UTF-8 (tests/guilang/CMakeLists.txt).
    QCOMPARE(QLocale::system().language(), QLocale::German);
    QVERIFY(installTranslations(*qApp, chooseLanguage(QString(), QString())));
    MainWindow window;
    auto *start
        = window.serverPanel()->findChild<QPushButton *>(QStringLiteral("startServerButton"));
    QVERIFY(start);
    QCOMPARE(start->text(), QStringLiteral("Starten"));
}

void TestGuiLanguage::preferencesStoreTheLanguageAndSayWhenItApplies()
{
    // Settings go to a test location, never to the user's own configuration.
    QStandardPaths::setTestModeEnabled(true);
    QSettings().remove(QStringLiteral("language"));

    PreferencesDialog dialog;
    auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("languageCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->count(), 5); // System, English, Deutsch, Français, 简体中文
    QCOMPARE(dialog.selectedLanguage(), QString());
    auto *note = dialog.findChild<QLabel *>(QStringLiteral("restartNote"));
    QVERIFY(note);
    QVERIFY(note->text().contains(QLatin1StringView("restart")));

    dialog.setSelectedLanguage(QStringLiteral("fr"));
    dialog.accept();
    QCOMPARE(PreferencesDialog::storedLanguage(), QStringLiteral("fr"));
    QCOMPARE(chooseLanguage(QString(), PreferencesDialog::storedLanguage()), QStringLiteral("fr"));
    QSettings().remove(QStringLiteral("language"));
}

QTEST_MAIN(TestGuiLanguage)
#include "tst_guilang.moc"
