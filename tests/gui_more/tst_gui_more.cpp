// More of the real main window, offscreen, with clicks and keys: saving a large payload
// whole, pausing the log, the client tab's TLS options (trusted CA, client certificate,
// ignoring certificate errors), settings that come back in a new window, exporting the
// filtered events, and a window that keeps turning while a flood flows.

#include "clienttab.h"
#include "clienttabs.h"
#include "eventinspector.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "events/jsonlines.h"
#include "guidriver.h"
#include "logview.h"
#include "mainwindow.h"
#include "payloadview.h"
#include "server/serverhost.h"
#include "serverpanel.h"
#include "stallprobe.h"
#include "themecolors.h"
#include "tls/selfsignedcertificate.h"
#include "tls/tlscontext.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QWebSocket>

#include <memory>

using namespace sockpit;
using namespace sockpit::test;

namespace {

constexpr int kFloodTimeoutMs = 120000;

// Types `path` into the next modal file dialog and accepts it, the way a person would.
// Polls (bounded: about 10 s) because the dialog opens inside the click that asks for it.
class FileDialogAnswerer : public QObject
{
public:
    explicit FileDialogAnswerer(const QString &path)
        : m_path(path)
    {
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer.start();
    }
    bool answered() const { return m_answered; }

private:
    void poll()
    {
        if (++m_polls > 500 || m_answered) {
            m_timer.stop();
            if (!m_answered) {
                if (QWidget *modal = QApplication::activeModalWidget())
                    modal->close();
            }
            return;
        }
        auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
        // Typed without the path completer: its popup would take the Return key.
        name->setCompleter(nullptr);
        name->setFocus();
        name->clear();
        QTest::keyClicks(name, m_path);
        QTest::keyClick(name, Qt::Key_Return);
        // Still open (it was busy listing the folder): the next poll types again.
        m_answered = !dialog->isVisible();
    }

    QString m_path;
    QTimer m_timer;
    int m_polls = 0;
    bool m_answered = false;
};

QList<Event> modelEvents(const EventLogModel *model)
{
    QList<Event> events;
    for (int row = 0; row < model->rowCount(); ++row)
        events.append(model->eventAt(row));
    return events;
}

bool hasErrorId(const EventLogModel *model, qint64 connection, QLatin1StringView id)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const Event &e = model->eventAt(row);
        if (e.kind == EventKind::Error && e.connection == connection && e.errorId == id)
            return true;
    }
    return false;
}

const Event *tlsEventOf(const EventLogModel *model, EventSource source, qint64 connection = 0)
{
    for (int row = model->rowCount() - 1; row >= 0; --row) {
        const Event &e = model->eventAt(row);
        if (e.kind == EventKind::Tls && e.source == source
            && (connection == 0 || e.connection == connection))
            return &e;
    }
    return nullptr;
}

} // namespace

class tst_GuiMore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QString m_clientFingerprint;

    QString file(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    void startServerOnFreePort()
    {
        replaceText(child<QSpinBox>(m_window.get(), "listenPort"), QStringLiteral("0"));
        click(child<QPushButton>(m_window.get(), "startServerButton"));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->isListening(), kNetworkTimeoutMs);
    }

    void startWssServer()
    {
        MainWindow *w = m_window.get();
        click(child<QCheckBox>(w, "wssCheck"));
        QVERIFY(child<QCheckBox>(w, "wssCheck")->isChecked());
        replaceText(child<QWidget>(w, "certificateField")->findChild<QLineEdit *>(),
                    file("server.pem"));
        replaceText(child<QWidget>(w, "keyField")->findChild<QLineEdit *>(), file("server.key"));
        startServerOnFreePort();
        QCOMPARE(w->server()->url().scheme(), QStringLiteral("wss"));
    }

    void showTlsOptions(ClientTab *tab)
    {
        auto *options = child<QTabWidget>(tab, "clientOptions");
        QVERIFY(options);
        int tlsPage = -1;
        for (int i = 0; i < options->count(); ++i) {
            if (options->tabText(i) == QLatin1StringView("TLS"))
                tlsPage = i;
        }
        QVERIFY(tlsPage >= 0);
        QTest::mouseClick(options->tabBar(), Qt::LeftButton, {},
                          options->tabBar()->tabRect(tlsPage).center());
        QCOMPARE(options->currentIndex(), tlsPage);
    }

    // Clicks "Browse…" beside a file field of the tab and picks `path` in the dialog.
    void browseFor(ClientTab *tab, const char *fieldName, const QString &path)
    {
        auto *field = child<QWidget>(tab, fieldName);
        QVERIFY(field);
        FileDialogAnswerer answerer(path);
        click(child<QToolButton>(field, "browseButton"));
        QTRY_VERIFY(answerer.answered());
        QCOMPARE(field->findChild<QLineEdit *>()->text(), path);
    }

    // Opens the File menu and clicks the item, with the mouse.
    void chooseFileMenuItem(const char *actionName)
    {
        QMenuBar *bar = m_window->menuBar();
        QAction *fileMenuAction = nullptr;
        const QList<QAction *> menus = bar->actions();
        for (QAction *action : menus) {
            if (action->text() == QLatin1StringView("&File"))
                fileMenuAction = action;
        }
        QVERIFY(fileMenuAction);
        QTest::mouseClick(bar, Qt::LeftButton, {}, bar->actionGeometry(fileMenuAction).center());
        QMenu *fileMenu = fileMenuAction->menu();
        QTRY_VERIFY(fileMenu->isVisible());
        auto *item = m_window->findChild<QAction *>(QString::fromLatin1(actionName));
        QVERIFY(item);
        QVERIFY(fileMenu->actions().contains(item));
        QTest::mouseClick(fileMenu, Qt::LeftButton, {}, fileMenu->actionGeometry(item).center());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_settingsDir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("SockpitGuiMoreTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_more"));
        QSettings().clear();

        // A CA, a server certificate and a client certificate it signs, made now (no
        // private key is committed).
        tls::TlsProblem problem;
        tls::CertificateRequest caRequest;
        caRequest.commonName = QStringLiteral("Sockpit GUI Test CA");
        caRequest.serverAuth = false;
        const auto ca = tls::issueCertificate(caRequest, &problem);
        QVERIFY2(ca, qPrintable(problem.message));
        tls::CertificateRequest serverRequest;
        serverRequest.alternativeNames = tls::selfSignedNames({});
        serverRequest.certificateAuthority = false;
        serverRequest.issuer = &*ca;
        const auto server = tls::issueCertificate(serverRequest, &problem);
        QVERIFY2(server, qPrintable(problem.message));
        tls::CertificateRequest clientRequest;
        clientRequest.commonName = QStringLiteral("gui test client");
        clientRequest.certificateAuthority = false;
        clientRequest.serverAuth = false;
        clientRequest.clientAuth = true;
        clientRequest.issuer = &*ca;
        const auto client = tls::issueCertificate(clientRequest, &problem);
        QVERIFY2(client, qPrintable(problem.message));
        QVERIFY(tls::saveCertificateFiles(*ca, file("ca.pem"), file("ca.key"), &problem));
        QVERIFY(
            tls::saveCertificateFiles(*server, file("server.pem"), file("server.key"), &problem));
        QVERIFY(
            tls::saveCertificateFiles(*client, file("client.pem"), file("client.key"), &problem));
        m_clientFingerprint = tls::sha256Fingerprint(client->certificate);
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        QApplication::setActiveWindow(m_window.get());
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup()
    {
        m_window.reset();
        QSettings().clear();
    }

    void largePayloadIsShownCappedAndSavedWhole_data()
    {
        QTest::addColumn<bool>("binary");
        QTest::newRow("a large text message is capped on screen and saved whole") << false;
        QTest::newRow("a large binary message with every byte value is saved byte for byte")
            << true;
    }

    void largePayloadIsShownCappedAndSavedWhole()
    {
        QFETCH(bool, binary);
        constexpr qsizetype kSize = 3 * PayloadView::kDisplayCap + 123;
        QByteArray payload;
        payload.reserve(kSize + 64);
        if (binary) {
            for (qsizetype i = 0; i < kSize; ++i)
                payload.append(char((i * 7 + i / 256) & 0xff));
        } else {
            for (int line = 0; payload.size() < kSize; ++line)
                payload.append("line " + QByteArray::number(line) + " of a long message\n");
            payload.truncate(kSize);
        }
        QCOMPARE(payload.size(), kSize);

        MainWindow *w = m_window.get();
        const Event event = binary
            ? makeBinaryEvent(EventSource::Client, 42, EventDirection::In, payload)
            : makeTextEvent(EventSource::Client, 42, EventDirection::In, payload);
        const quint64 seq = w->eventStore()->append(event);
        LogView *log = w->logView();
        QTRY_VERIFY(log->viewRowOfSeq(seq) >= 0);
        QTableView *view = log->tableView();
        const QModelIndex index
            = view->model()->index(log->viewRowOfSeq(seq), EventLogModel::SummaryColumn);
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
        EventInspector *inspector = w->inspector();
        QTRY_VERIFY(inspector->hasEvent());
        QCOMPARE(inspector->event().seq, seq);
        QCOMPARE(inspector->tabText(inspector->currentIndex()), QStringLiteral("Payload"));

        // Shown capped, with the full size stated.
        const QLocale locale;
        auto *size = child<QLabel>(inspector, "payloadSize");
        QCOMPARE(size->text(),
                 QStringLiteral("Showing %1 of %2 bytes")
                     .arg(locale.toString(PayloadView::kDisplayCap), locale.toString(kSize)));
        const QString hex = child<QPlainTextEdit>(inspector, "payloadHex")->toPlainText();
        QVERIFY(hex.contains(QStringLiteral("0000fff0  ")));
        QVERIFY(!hex.contains(QStringLiteral("00010000  ")));
        if (!binary) {
            QCOMPARE(child<QPlainTextEdit>(inspector, "payloadText")->toPlainText(),
                     QString::fromUtf8(payload.left(PayloadView::kDisplayCap)));
        }

        // Saved whole.
        const QString path = m_dir.filePath(binary ? QStringLiteral("payload.bin")
                                                   : QStringLiteral("payload.txt"));
        FileDialogAnswerer answerer(path);
        click(child<QPushButton>(inspector, "savePayloadButton"));
        QTRY_VERIFY(answerer.answered());
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray written = saved.readAll();
        QCOMPARE(written.size(), kSize);
        QVERIFY(written == payload);
    }

    void pauseHoldsTheViewWhileTheStoreKeepsRecording()
    {
        MainWindow *w = m_window.get();
        LogView *log = w->logView();
        EventStore *store = w->eventStore();
        QTableView *view = log->tableView();
        QScrollBar *bar = view->verticalScrollBar();
        auto *pause = child<QToolButton>(w, "pauseButton");
        auto *counter = child<QLabel>(w, "logCounter");

        // What it does is said where a person looks: the label and the tooltip.
        QCOMPARE(pause->text(), QStringLiteral("Pause"));
        QVERIFY2(pause->toolTip().contains(QStringLiteral("still recorded")),
                 qPrintable(pause->toolTip()));
        QVERIFY(pause->toolTip().contains(QStringLiteral("resume")));

        auto appendMessages = [store](int count, int first) {
            for (int i = first; i < first + count; ++i)
                store->append(makeTextEvent(EventSource::Server, 7, EventDirection::In,
                                            "row " + QByteArray::number(i)));
        };
        const int before = log->logModel()->rowCount();
        appendMessages(300, 0);
        QTRY_COMPARE(view->model()->rowCount(), before + 300);
        QTRY_VERIFY(bar->maximum() > 0);
        QTRY_COMPARE(bar->value(), bar->maximum());

        click(pause);
        QVERIFY(log->isPaused());
        QCOMPARE(pause->text(), QStringLiteral("Resume"));
        const int shownRows = view->model()->rowCount();
        const int scrollValue = bar->value();
        const int scrollMaximum = bar->maximum();

        appendMessages(500, 300);
        // Recorded in the store and its model, held back from the view.
        QTRY_COMPARE(log->logModel()->rowCount(), before + 800);
        QCOMPARE(store->totalCount(), quint64(before + 800));
        QCOMPARE(view->model()->rowCount(), shownRows);
        QCOMPARE(bar->value(), scrollValue);
        QCOMPARE(bar->maximum(), scrollMaximum);
        const QLocale locale;
        QTRY_VERIFY2(counter->text().contains(
                         QStringLiteral("paused, %1 new waiting").arg(locale.toString(500))),
                     qPrintable(counter->text()));
        QVERIFY(counter->text().contains(
            QStringLiteral("%1 total").arg(locale.toString(before + 800))));

        // Resuming catches up: every row, the newest in view, the counter in step.
        click(pause);
        QVERIFY(!log->isPaused());
        QCOMPARE(pause->text(), QStringLiteral("Pause"));
        QTRY_COMPARE(view->model()->rowCount(), before + 800);
        QTRY_VERIFY(bar->maximum() > scrollMaximum);
        QTRY_COMPARE(bar->value(), bar->maximum());
        QTRY_VERIFY2(counter->text().startsWith(
                         QStringLiteral("%1 shown / %1 total").arg(locale.toString(before + 800))),
                     qPrintable(counter->text()));
        QVERIFY(!counter->text().contains(QStringLiteral("paused")));
    }

    void trustedCaChosenInTheTabVerifiesTheServer()
    {
        MainWindow *w = m_window.get();
        startWssServer();
        ClientTab *tab = w->clientTabs()->currentTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"), w->server()->url().toString());

        // Without the CA the server's certificate is refused, and the tab says so.
        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Closed,
                                  kNetworkTimeoutMs);
        const qint64 refused = tab->session()->connectionId();
        const EventLogModel *model = w->logView()->logModel();
        QTRY_VERIFY(hasErrorId(model, refused, QLatin1StringView("tls-error")));
        QVERIFY(!child<QLabel>(tab, "stateLabel")->text().isEmpty());

        showTlsOptions(tab);
        browseFor(tab, "caFileField", file("ca.pem"));
        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QCOMPARE(tab->session()->config().tls.caFile, file("ca.pem"));
        QVERIFY(!tab->session()->config().tls.ignoreCertificateErrors);
        const qint64 trusted = tab->session()->connectionId();
        QTRY_VERIFY(tlsEventOf(model, EventSource::Client, trusted));
        const Event *facts = tlsEventOf(model, EventSource::Client, trusted);
        QVERIFY(facts->tls->errors.isEmpty());
        QVERIFY(!facts->tls->verificationDisabled);
        QVERIFY(!hasErrorId(model, trusted, QLatin1StringView("tls-error")));
        QVERIFY(!child<QLabel>(tab, "tlsWarning")->isVisible());
    }

    void ignoringCertificateErrorsIsFlaggedInTheTabAndTheLog()
    {
        MainWindow *w = m_window.get();
        startWssServer();
        ClientTabs *tabs = w->clientTabs();
        ClientTab *tab = tabs->currentTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"), w->server()->url().toString());
        auto *warning = child<QLabel>(tab, "tlsWarning");
        QVERIFY(warning);
        QVERIFY(!warning->isVisible());
        const int index = tabs->indexOf(tab);
        QVERIFY(!tabs->tabText(index).contains(QStringLiteral("⚠")));

        showTlsOptions(tab);
        auto *ignore = child<QCheckBox>(tab, "ignoreTlsErrors");
        click(ignore);
        QVERIFY(ignore->isChecked());
        // Flagged in the tab, outside the TLS page, and on the tab bar.
        showTlsOptions(tab);
        child<QTabWidget>(tab, "clientOptions")->setCurrentIndex(0);
        QVERIFY(warning->isVisible());
        QVERIFY2(warning->text().contains(QStringLiteral("not verified")),
                 qPrintable(warning->text()));
        QVERIFY(tabs->tabText(index).contains(QStringLiteral("⚠")));
        QCOMPARE(tabs->tabBar()->tabTextColor(index), theme::errorText(tabs->palette()));
        QVERIFY(tabs->tabToolTip(index).contains(QStringLiteral("ignored")));

        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QVERIFY(tab->session()->config().tls.ignoreCertificateErrors);
        const qint64 connection = tab->session()->connectionId();
        const EventLogModel *model = w->logView()->logModel();
        // Flagged in the log: what was ignored, and that it was.
        QTRY_VERIFY(hasErrorId(model, connection, QLatin1StringView("tls-verification-disabled")));
        QVERIFY(hasErrorId(model, connection, QLatin1StringView("tls-error")));
        QTRY_VERIFY(tlsEventOf(model, EventSource::Client, connection));
        const Event *facts = tlsEventOf(model, EventSource::Client, connection);
        QVERIFY(facts->tls->verificationDisabled);
        QVERIFY(!facts->tls->errors.isEmpty());

        // Turned off again: the flags go.
        showTlsOptions(tab);
        click(ignore);
        QVERIFY(!ignore->isChecked());
        QVERIFY(!warning->isVisible());
        QVERIFY(!tabs->tabText(index).contains(QStringLiteral("⚠")));
        QVERIFY(!tabs->tabBar()->tabTextColor(index).isValid());
    }

    void clientCertificateChosenInTheTabIsPresented()
    {
        MainWindow *w = m_window.get();
        // Mutual TLS from the panel: a client CA file makes the server require certificates.
        replaceText(child<QWidget>(w, "clientCaField")->findChild<QLineEdit *>(), file("ca.pem"));
        startWssServer();
        ServerHost &server = *w->server();
        QVERIFY(server.config().tls.requireClientCertificate);
        QCOMPARE(server.config().tls.clientCaFile, file("ca.pem"));

        ClientTab *tab = w->clientTabs()->currentTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"), server.url().toString());
        showTlsOptions(tab);
        browseFor(tab, "caFileField", file("ca.pem"));

        // Without a certificate the server refuses the tab.
        QSignalSpy opened(tab->session(), &SessionHost::opened);
        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Closed,
                                  kNetworkTimeoutMs);
        QCOMPARE(opened.size(), 0);

        browseFor(tab, "clientCertField", file("client.pem"));
        browseFor(tab, "clientKeyField", file("client.key"));
        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QCOMPARE(tab->session()->config().tls.certificateFile, file("client.pem"));
        QCOMPARE(tab->session()->config().tls.keyFile, file("client.key"));
        const EventLogModel *model = w->logView()->logModel();
        QTRY_VERIFY([&] {
            const Event *facts = tlsEventOf(model, EventSource::Server);
            return facts && facts->tls->peerCertificate
                && facts->tls->peerCertificate->sha256 == m_clientFingerprint;
        }());
        tab->session()->abort();
    }

    void lastServerAndClientSettingsComeBackInANewWindow()
    {
        MainWindow *w = m_window.get();
        replaceText(child<QLineEdit>(w, "listenHost"), QStringLiteral("::1"));
        replaceText(child<QSpinBox>(w, "listenPort"), QStringLiteral("9123"));
        auto *mode = child<QComboBox>(w, "serverMode");
        mode->setFocus();
        QTest::keyClick(mode, Qt::Key_Down);
        QTest::keyClick(mode, Qt::Key_Down);
        QCOMPARE(ServerMode(mode->currentData().toInt()), ServerMode::Silent);
        replaceText(child<QLineEdit>(w, "replyTemplate"), QStringLiteral("Got: %m"));
        replaceText(child<QLineEdit>(w, "serverSubprotocols"), QStringLiteral("chat, superchat"));
        replaceText(child<QSpinBox>(w, "maxMessageSize"), QStringLiteral("512"));
        const QString serverSecret = QStringLiteral("server-secret-passphrase-7781");
        replaceText(child<QLineEdit>(w, "keyPassphrase"), serverSecret);

        ClientTab *tab = w->clientTabs()->currentTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"), QStringLiteral("ws://127.0.0.1:9999/feed"));
        click(child<QToolButton>(tab, "addHeaderButton"));
        QTRY_VERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget()));
        const QPointer<QWidget> nameEditor = QApplication::focusWidget();
        QTest::keyClicks(nameEditor, QStringLiteral("X-Token"));
        // Tab commits the name and opens the value's editor.
        QTest::keyClick(nameEditor, Qt::Key_Tab);
        QTRY_VERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget())
                    && QApplication::focusWidget() != nameEditor);
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("abc123"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        // The delegate commits on Return from a queued call.
        const HeaderList headers{{"X-Token", "abc123"}};
        QTRY_COMPARE(tab->headers(), headers);
        showTlsOptions(tab);
        const QString clientSecret = QStringLiteral("client-secret-passphrase-5519");
        replaceText(child<QLineEdit>(tab, "clientKeyPassphrase"), clientSecret);

        // File > Quit saves the settings.
        chooseFileMenuItem("quitAction");
        QTRY_VERIFY(!w->isVisible());
        m_window.reset();

        init();
        w = m_window.get();
        QCOMPARE(child<QLineEdit>(w, "listenHost")->text(), QStringLiteral("::1"));
        QCOMPARE(child<QSpinBox>(w, "listenPort")->value(), 9123);
        QCOMPARE(ServerMode(child<QComboBox>(w, "serverMode")->currentData().toInt()),
                 ServerMode::Silent);
        QCOMPARE(child<QLineEdit>(w, "replyTemplate")->text(), QStringLiteral("Got: %m"));
        QCOMPARE(child<QLineEdit>(w, "serverSubprotocols")->text(),
                 QStringLiteral("chat, superchat"));
        QCOMPARE(child<QSpinBox>(w, "maxMessageSize")->value(), 512);
        QVERIFY(child<QLineEdit>(w, "keyPassphrase")->text().isEmpty());
        ClientTab *restored = w->clientTabs()->currentTab();
        QCOMPARE(restored->urlText(), QStringLiteral("ws://127.0.0.1:9999/feed"));
        QCOMPARE(restored->headers(), headers);
        QVERIFY(child<QLineEdit>(restored, "clientKeyPassphrase")->text().isEmpty());
        // Ctrl+T: a new tab starts from the same client settings.
        QTest::keyClick(w, Qt::Key_T, Qt::ControlModifier);
        QCOMPARE(w->clientTabs()->currentTab()->urlText(),
                 QStringLiteral("ws://127.0.0.1:9999/feed"));
        QCOMPARE(w->clientTabs()->currentTab()->headers(), headers);

        // The file holds the settings and no passphrase.
        const QString settingsPath = QSettings().fileName();
        QVERIFY2(settingsPath.startsWith(m_settingsDir.path()), qPrintable(settingsPath));
        QFile settingsFile(settingsPath);
        QVERIFY(settingsFile.open(QIODevice::ReadOnly));
        const QByteArray stored = settingsFile.readAll();
        QVERIFY(stored.contains("Got: %m"));
        QVERIFY(!stored.contains(serverSecret.toUtf8()));
        QVERIFY(!stored.contains(clientSecret.toUtf8()));
    }

    void exportFilteredWritesOnlyTheShownEvents()
    {
        MainWindow *w = m_window.get();
        EventStore *store = w->eventStore();
        QList<quint64> expected;
        for (int i = 0; i < 5; ++i) {
            const quint64 apple = store->append(makeTextEvent(
                EventSource::Client, 11, EventDirection::Out, "apple " + QByteArray::number(i)));
            expected.append(apple);
            store->append(makeTextEvent(EventSource::Client, 12, EventDirection::In,
                                        "banana " + QByteArray::number(i)));
            store->append(makeTextEvent(EventSource::Server, 13, EventDirection::In,
                                        "apple seen by the server " + QByteArray::number(i)));
        }
        expected.append(
            store->append(makeCloseEvent(EventSource::Client, 11, EventDirection::In, 4002,
                                         QStringLiteral("apple pie"), CloseInitiator::Remote)));
        LogView *log = w->logView();
        QTRY_COMPARE(log->logModel()->rowCount(), 16);

        // Filter: text "apple", source Client.
        auto *filter = child<QLineEdit>(w, "filterEdit");
        QTest::keyClick(w, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(filter->hasFocus());
        QTest::keyClicks(filter, QStringLiteral("apple"));
        auto *source = child<QComboBox>(w, "sourceFilter");
        source->setFocus();
        QTest::keyClick(source, Qt::Key_Down);
        QTest::keyClick(source, Qt::Key_Down);
        QCOMPARE(source->currentText(), QStringLiteral("Client"));
        QTRY_COMPARE(log->tableView()->model()->rowCount(), int(expected.size()));

        // File > Export Filtered…, with the mouse.
        const QString path = m_dir.filePath(QStringLiteral("filtered.jsonl"));
        FileDialogAnswerer answerer(path);
        chooseFileMenuItem("exportFilteredAction");
        QTRY_VERIFY(answerer.answered());
        QTRY_VERIFY(QFile::exists(path));

        QString openError;
        const JsonLinesReadResult result = readJsonLinesFile(path, &openError);
        QVERIFY2(openError.isEmpty(), qPrintable(openError));
        QVERIFY(result.errors.isEmpty());
        QList<quint64> exported;
        for (const Event &e : result.events) {
            exported.append(e.seq);
            QCOMPARE(e.source, EventSource::Client);
            QVERIFY(e.payload.startsWith("apple") || e.reason == QLatin1StringView("apple pie"));
        }
        QCOMPARE(exported, expected);
        QCOMPARE(result.events.last().closeCode, 4002);
    }

    void windowKeepsTurningWhileAFloodFlows()
    {
        MainWindow *w = m_window.get();
        QCOMPARE(ServerMode(child<QComboBox>(w, "serverMode")->currentData().toInt()),
                 ServerMode::Echo);
        startServerOnFreePort();
        replaceText(child<QSpinBox>(w, "openClientsCount"), QStringLiteral("1"));
        click(child<QPushButton>(w, "openClientsButton"));
        ClientTab *tab = w->clientTabs()->currentTab();
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);

        QWebSocket pusher;
        QSignalSpy connected(&pusher, &QWebSocket::connected);
        pusher.open(w->server()->url());
        QTRY_COMPARE_WITH_TIMEOUT(connected.size(), 1, kNetworkTimeoutMs);
        int echoes = 0;
        connect(&pusher, &QWebSocket::textMessageReceived, this, [&echoes] { ++echoes; });

        // The model is counted as rows arrive, not rescanned.
        constexpr int kMessages = 5000;
        const EventLogModel *model = w->logView()->logModel();
        int received = 0;
        int echoed = 0;
        connect(model, &QAbstractItemModel::rowsInserted, this,
                [&](const QModelIndex &, int first, int last) {
                    for (int row = first; row <= last; ++row) {
                        const Event &e = model->eventAt(row);
                        if (e.kind != EventKind::Text || e.source != EventSource::Server
                            || !e.payload.startsWith("flood "))
                            continue;
                        if (e.direction == EventDirection::In)
                            ++received;
                        else if (e.direction == EventDirection::Out)
                            ++echoed;
                    }
                });
        // Every gap of the event loop over 100 ms counts (the sends below included).
        StallProbe probe(100);
        probe.start();

        for (int i = 0; i < kMessages; ++i)
            pusher.sendTextMessage(QStringLiteral("flood %1 ").arg(i) + QString(1000, u'x'));
        // The tab still sends and gets its echo while the flood is handled.
        tab = w->clientTabs()->currentTab();
        QTest::keyClicks(child<QPlainTextEdit>(tab, "composerEdit"), QStringLiteral("still here"));
        click(child<QPushButton>(tab, "sendButton"));

        QTRY_COMPARE_WITH_TIMEOUT(received, kMessages, kFloodTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(echoed, kMessages, kFloodTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(echoes, kMessages, kFloodTimeoutMs);
        probe.stop();
        // The server handles the flood on the network thread: the window never waits.
        QVERIFY2(probe.stalls() == 0,
                 qPrintable(QStringLiteral("%1 stalls over %2 ms, the longest %3 ms")
                                .arg(probe.stalls())
                                .arg(probe.thresholdMs())
                                .arg(probe.longestGapMs())));
        QVERIFY(probe.ticks() >= 1);

        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int row = model->rowCount() - 1; row >= 0; --row) {
                    const Event &e = model->eventAt(row);
                    if (e.kind == EventKind::Text && e.source == EventSource::Client
                        && e.direction == EventDirection::In && e.payload == "still here")
                        return true;
                }
                return false;
            }(),
            kNetworkTimeoutMs);
        // Every message arrived once, in order.
        QList<int> order;
        for (const Event &e : modelEvents(model)) {
            if (e.kind == EventKind::Text && e.source == EventSource::Server
                && e.direction == EventDirection::In && e.payload.startsWith("flood "))
                order.append(e.payload.mid(6, e.payload.indexOf(' ', 6) - 6).toInt());
        }
        QCOMPARE(order.size(), kMessages);
        for (int i = 0; i < kMessages; ++i)
            QCOMPARE(order.at(i), i);
        QTRY_COMPARE(w->logView()->tableView()->model()->rowCount(), model->rowCount());
        pusher.close();
    }
};

QTEST_MAIN(tst_GuiMore)
#include "tst_gui_more.moc"
