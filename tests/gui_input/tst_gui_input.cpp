// Ordinary input never freezes the window: typing a certificate path into a folder of many
// files, and pasting a megabyte of text on one line into the composer. An event-loop stall
// probe counts every gap of over 100 ms while the keys and the paste go through the real
// widgets; the tests assert that count, and that the input still does its job.

#include "clienttab.h"
#include "clienttabs.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "guidriver.h"
#include "logview.h"
#include "mainwindow.h"
#include "messagecomposer.h"
#include "server/serverhost.h"
#include "stallprobe.h"
#include "tls/selfsignedcertificate.h"
#include "tls/tlscontext.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace sockpit;
using namespace sockpit::test;

namespace {

constexpr int kStallMs = 100;
// Enough files that a look-up walking the folder costs far more than a key press may.
constexpr int kManyFiles = 50000;
constexpr qsizetype kPasteChars = 1024 * 1024;

// Lets the event loop turn until the probe has ticked again: the time a key press took is
// then part of a measured gap.
void letTheLoopTurn(const StallProbe &probe)
{
    const int before = probe.ticks();
    QTRY_VERIFY_WITH_TIMEOUT(probe.ticks() > before, 60000);
}

// Types `text` key by key, the event loop turning between the keys as it does for a person.
void typeKeyByKey(QWidget *field, const QString &text, const StallProbe &probe)
{
    for (const QChar c : text) {
        QTest::keyClicks(field, QString(c));
        letTheLoopTurn(probe);
    }
}

// A single line of JSON with every kind of value, `chars` characters long.
QString oneLineJson(qsizetype chars)
{
    QString text = QStringLiteral("{\"type\": \"bulk\", \"items\": [");
    for (int i = 0; text.size() < chars - 40; ++i)
        text += QStringLiteral("{\"n\": %1, \"ok\": true, \"s\": \"x\\u00e9y\"}, ").arg(i);
    text += QStringLiteral("null], \"end\": 1.50}");
    return text;
}

QList<Event> clientTexts(const EventStore *store, EventDirection direction)
{
    QList<Event> texts;
    for (qsizetype i = 0; i < store->size(); ++i) {
        const Event &e = store->at(i);
        if (e.kind == EventKind::Text && e.source == EventSource::Client
            && e.direction == direction)
            texts.append(e);
    }
    return texts;
}

} // namespace

class tst_GuiInput : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;

    ClientTab *openClientTab()
    {
        MainWindow *w = m_window.get();
        replaceText(child<QSpinBox>(w, "listenPort"), QStringLiteral("0"));
        click(child<QPushButton>(w, "startServerButton"));
        if (!QTest::qWaitFor([w] { return w->server()->isListening(); }, kNetworkTimeoutMs))
            return nullptr;
        ClientTabs *tabs = w->clientTabs();
        ClientTab *tab = tabs->currentTab() ? tabs->currentTab() : tabs->addClientTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"), w->server()->url().toString());
        click(child<QPushButton>(tab, "connectButton"));
        if (!QTest::qWaitFor(
                [tab] { return tab->session()->state() == ClientSession::State::Open; },
                kNetworkTimeoutMs))
            return nullptr;
        return tab;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SockpitGuiInputTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_input"));
        QSettings().clear();
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        QApplication::setActiveWindow(m_window.get());
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup() { m_window.reset(); }

    void typingACertificatePathInABigFolderNeverStalls()
    {
        // A folder of many empty files, with a real certificate among them.
        const QString folder = m_dir.filePath(QStringLiteral("many"));
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < kManyFiles; ++i) {
            QFile empty(QDir(folder).filePath(QStringLiteral("f%1.txt").arg(i)));
            QVERIFY(empty.open(QIODevice::WriteOnly));
        }
        tls::TlsProblem problem;
        const auto generated = tls::generateSelfSigned({}, 30, &problem);
        QVERIFY2(generated, qPrintable(problem.message));
        const QString certificate = QDir(folder).filePath(QStringLiteral("server-cert.pem"));
        QVERIFY(tls::saveCertificateFiles(*generated, certificate,
                                          QDir(folder).filePath(QStringLiteral("server-key.pem")),
                                          &problem));

        MainWindow *w = m_window.get();
        auto *field = child<QWidget>(w, "certificateField")->findChild<QLineEdit *>();
        auto *info = child<QLabel>(w, "certificateInfo");
        QVERIFY(field);
        QCOMPARE(info->text(), QStringLiteral("No certificate chosen."));
        field->setFocus();

        // The folder is there already (pasted, say); then the file's name is typed, each key
        // a name in that big folder.
        field->setText(folder + u'/');
        StallProbe probe(kStallMs);
        probe.start();
        typeKeyByKey(field, QStringLiteral("server-cert.pem"), probe);
        probe.stop();
        QVERIFY2(probe.stalls() == 0,
                 qPrintable(QStringLiteral("%1 stalls over %2 ms while typing (longest %3 ms)")
                                .arg(probe.stalls())
                                .arg(probe.thresholdMs())
                                .arg(probe.longestGapMs())));
        QCOMPARE(field->text(), certificate);
        // Nothing is looked up while the path is being typed...
        QCOMPARE(info->text(), QStringLiteral("No certificate chosen."));

        // ...and the certificate is, once editing finishes.
        QTest::keyClick(field, Qt::Key_Return);
        QTRY_VERIFY2(info->text().startsWith(QStringLiteral("SHA-256: ")),
                     qPrintable(info->text()));
        QVERIFY(info->text().contains(tls::sha256Fingerprint(generated->certificate)));
    }

    void pastingAMegabyteOnOneLineNeverStallsAndIsSentExactly_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("as text") << int(MessageComposer::Mode::Text);
        QTest::newRow("as JSON, checked as it is pasted") << int(MessageComposer::Mode::Json);
    }

    void pastingAMegabyteOnOneLineNeverStallsAndIsSentExactly()
    {
        QFETCH(int, mode);
        ClientTab *tab = openClientTab();
        QVERIFY(tab);
        auto *composer = tab->findChild<MessageComposer *>();
        QVERIFY(composer);
        composer->setMode(MessageComposer::Mode(mode));
        auto *editor = child<QPlainTextEdit>(tab, "composerEdit");
        const QString pasted = oneLineJson(kPasteChars);
        QVERIFY(pasted.size() >= kPasteChars - 40);
        QVERIFY(!pasted.contains(u'\n'));
        QApplication::clipboard()->setText(pasted);
        QCOMPARE(QApplication::clipboard()->text(), pasted);
        EventStore *store = m_window->eventStore();
        const qsizetype sentBefore = clientTexts(store, EventDirection::Out).size();

        editor->setFocus();
        StallProbe probe(kStallMs);
        probe.start();
        QTest::keyClick(editor, Qt::Key_V, Qt::ControlModifier);
        letTheLoopTurn(probe);
        letTheLoopTurn(probe);
        QVERIFY2(probe.stalls() == 0,
                 qPrintable(QStringLiteral("%1 stalls over %2 ms while pasting (longest %3 ms)")
                                .arg(probe.stalls())
                                .arg(probe.thresholdMs())
                                .arg(probe.longestGapMs())));
        auto *status = child<QLabel>(tab, "composerStatus");
        // The size is shown, and the message can be sent.
        QVERIFY2(status->text().contains(QLocale().toString(pasted.size())),
                 qPrintable(status->text()));
        auto *send = child<QPushButton>(tab, "sendButton");
        QVERIFY(send->isEnabled());
        click(send);
        letTheLoopTurn(probe);
        QVERIFY(QTest::qWaitFor(
            [&] {
                store->flush();
                return clientTexts(store, EventDirection::In).size() > sentBefore;
            },
            kNetworkTimeoutMs));
        letTheLoopTurn(probe);
        probe.stop();
        QVERIFY2(probe.stalls() == 0,
                 qPrintable(QStringLiteral("%1 stalls over %2 ms while pasting and sending "
                                           "(longest %3 ms)")
                                .arg(probe.stalls())
                                .arg(probe.thresholdMs())
                                .arg(probe.longestGapMs())));

        // Sent whole and exactly, and echoed back so.
        const QList<Event> sent = clientTexts(store, EventDirection::Out);
        QCOMPARE(sent.size(), sentBefore + 1);
        QCOMPARE(sent.last().size, qint64(pasted.toUtf8().size()));
        QVERIFY(sent.last().payload == pasted.toUtf8());
        const QList<Event> echoed = clientTexts(store, EventDirection::In);
        QVERIFY(echoed.last().payload == pasted.toUtf8());

        // Typing replaces the held text, as it replaces a loaded file.
        QTest::keyClicks(editor, QStringLiteral("hi"));
        QCOMPARE(composer->text(), QStringLiteral("hi"));
    }

    void settingTheTextReplacesHeldText()
    {
        MessageComposer composer;
        const QString longLine(3 * 10000, u'x');
        composer.setText(longLine);
        QVERIFY(composer.holdsLongText());
        QCOMPARE(composer.text(), longLine);
        QVERIFY(composer.editor()->toPlainText().isEmpty());
        // Clearing from code clears what is held too, although the editor did not change.
        composer.setText(QString());
        QVERIFY(!composer.holdsLongText());
        QCOMPARE(composer.text(), QString());
    }

    void aMultiLinePasteStaysInTheEditor()
    {
        ClientTab *tab = openClientTab();
        QVERIFY(tab);
        auto *composer = tab->findChild<MessageComposer *>();
        auto *editor = child<QPlainTextEdit>(tab, "composerEdit");
        QString pasted;
        for (int i = 0; pasted.size() < 200000; ++i)
            pasted += QStringLiteral("line %1 of many\n").arg(i);
        QApplication::clipboard()->setText(pasted);
        editor->setFocus();
        QTest::keyClick(editor, Qt::Key_V, Qt::ControlModifier);
        QVERIFY(!composer->holdsLongText());
        QCOMPARE(editor->toPlainText(), pasted);
        QCOMPARE(composer->text(), pasted);
    }
};

QTEST_MAIN(tst_GuiInput)
#include "tst_gui_input.moc"
