#include "events/eventstore.h"
#include "events/jsonlines.h"
#include "logfilewindow.h"
#include "mainwindow.h"
#include "preferencesdialog.h"
#include "server/serverhost.h"
#include "serverpanel.h"
#include "translationloader.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

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
    void countsTakeTheirPluralForms_data();
    void countsTakeTheirPluralForms();
    void aGermanWindowClosesWithAnEnglishReason();
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

void TestGuiLanguage::countsTakeTheirPluralForms_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("readOne");
    QTest::addColumn<QString>("counterWithOne");
    QTest::addColumn<QString>("counterWithTwo");
    QTest::newRow("English: 1 event, 2 events")
        << QStringLiteral("en") << QStringLiteral("Read 1 event from %1")
        << QStringLiteral("1 shown / 1 total / 0 evicted")
        << QStringLiteral("2 shown / 2 total / 0 evicted");
    // French uses the singular for 0 and 1.
    QTest::newRow("French: 0 and 1 take the singular")
        << QStringLiteral("fr") << QStringLiteral("1 événement lu depuis %1")
        << QStringLiteral("1 affiché / 1 au total / 0 évincé")
        << QStringLiteral("2 affichés / 2 au total / 0 évincé");
    QTest::newRow("German: 1 Ereignis, 2 Ereignisse")
        << QStringLiteral("de") << QStringLiteral("1 Ereignis aus %1 gelesen")
        << QStringLiteral("1 gezeigt / 1 gesamt / 0 verworfen")
        << QStringLiteral("2 gezeigt / 2 gesamt / 0 verworfen");
}

void TestGuiLanguage::countsTakeTheirPluralForms()
{
    QFETCH(QString, language);
    QFETCH(QString, readOne);
    QFETCH(QString, counterWithOne);
    QFETCH(QString, counterWithTwo);
    QVERIFY(installTranslations(*qApp, language));
    // Plain digits, whatever the system locale groups them with.
    QLocale::setDefault(QLocale::c());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("one.jsonl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    Event one = makeTextEvent(EventSource::Client, 1, EventDirection::In, "hi");
    one.seq = 1;
    one.time = QDateTime::currentDateTimeUtc();
    file.write(eventToJsonLine(one) + '\n');
    file.close();

    MainWindow window;
    window.show();
    // The opened log has a view of its own, with its own counter.
    LogFileWindow *opened = window.openLog(path);
    QVERIFY(opened);
    QCOMPARE(window.statusBar()->currentMessage(), readOne.arg(path));
    auto *openedCounter = opened->findChild<QLabel *>(QStringLiteral("logCounter"));
    QVERIFY(openedCounter);
    QTRY_COMPARE(openedCounter->text(), counterWithOne);

    // The live log counts its own events.
    auto *counter = window.findChild<QLabel *>(QStringLiteral("logCounter"));
    QVERIFY(counter);
    for (const char *text : {"1", "2"})
        window.eventStore()->append(
            makeTextEvent(EventSource::Client, 1, EventDirection::In, text));
    window.eventStore()->flush();
    QTRY_COMPARE(counter->text(), counterWithTwo);
}

void TestGuiLanguage::aGermanWindowClosesWithAnEnglishReason()
{
    // What reaches a peer is wire text: fixed English, whatever the window speaks.
    QVERIFY(installTranslations(*qApp, QStringLiteral("de")));
    MainWindow window;
    window.show();
    ServerConfig config;
    config.port = 0;
    window.server()->start(config);
    QTRY_VERIFY(window.server()->isListening());
    QWebSocket peer;
    QSignalSpy closed(&peer, &QWebSocket::disconnected);
    peer.open(window.server()->url());
    QTRY_COMPARE(peer.state(), QAbstractSocket::ConnectedState);
    auto *startStop = window.findChild<QPushButton *>(QStringLiteral("startServerButton"));
    QVERIFY(startStop);
    startStop->click(); // Stop
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(peer.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QCOMPARE(peer.closeReason(), QStringLiteral("Server stopped"));
}

QTEST_MAIN(TestGuiLanguage)
#include "tst_guilang.moc"
