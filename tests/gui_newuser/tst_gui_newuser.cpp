// What a new user meets in the real window, offscreen, with clicks and keys: an anchored
// filter, Clear, Pretty JSON that keeps the user's key order, status lines that go once
// their cause is fixed (and a close-code problem that leaves the state line alone), a plain
// web page instead of a WebSocket endpoint, and a missing certificate file.

#include "clienttab.h"
#include "clienttabs.h"
#include "closecodecombo.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "guidriver.h"
#include "logview.h"
#include "mainwindow.h"
#include "server/serverhost.h"
#include "serverpanel.h"
#include "servertlsbox.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace sockpit;
using namespace sockpit::test;

namespace {

// Answers every request with one fixed HTTP response, as a plain web server does.
class PlainHttpServer : public QTcpServer
{
public:
    explicit PlainHttpServer(QByteArray response)
        : m_response(std::move(response))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_request += socket->readAll();
                    if (!m_request.contains("\r\n\r\n"))
                        return;
                    socket->write(m_response);
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

private:
    QByteArray m_response;
    QByteArray m_request;
};

// A loopback port nothing listens on (just released).
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QList<Event> storeEvents(EventStore *store, EventKind kind)
{
    store->flush();
    QList<Event> events;
    for (qsizetype i = 0; i < store->size(); ++i) {
        if (store->at(i).kind == kind)
            events.append(store->at(i));
    }
    return events;
}

} // namespace

class tst_GuiNewUser : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;

    void startServerOn(quint16 port)
    {
        replaceText(child<QSpinBox>(m_window.get(), "listenPort"), QString::number(port));
        click(child<QPushButton>(m_window.get(), "startServerButton"));
    }

    ClientTab *tab() const { return m_window->clientTabs()->currentTab(); }

    QLabel *stateLine() const { return child<QLabel>(tab(), "stateLabel"); }

    void connectTabTo(const QString &url)
    {
        replaceText(child<QLineEdit>(tab(), "urlEdit"), url);
        click(child<QPushButton>(tab(), "connectButton"));
    }

    void openTabOnServer()
    {
        startServerOn(0);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->isListening(), kNetworkTimeoutMs);
        connectTabTo(m_window->server()->url().toString());
        QTRY_COMPARE_WITH_TIMEOUT(tab()->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SockpitGuiNewUserTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_newuser"));
        QSettings().clear();
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        QApplication::setActiveWindow(m_window.get());
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        if (!tab())
            m_window->clientTabs()->addClientTab();
        QVERIFY(tab());
    }

    void cleanup() { m_window.reset(); }

    void anAnchoredFilterMatchesTheWholeMessage()
    {
        EventStore *store = m_window->eventStore();
        store->append(makeTextEvent(EventSource::Client, 7, EventDirection::In, "hello world"));
        store->append(makeTextEvent(EventSource::Client, 7, EventDirection::In, "hello world!"));
        store->append(makeTextEvent(EventSource::Client, 7, EventDirection::In, "say hello world"));
        store->flush();

        click(child<QCheckBox>(m_window.get(), "regexCheck"));
        auto *filter = child<QLineEdit>(m_window.get(), "filterEdit");
        filter->setFocus();
        QTest::keyClicks(filter, QStringLiteral("^hello world$"));
        QTableView *view = m_window->logView()->tableView();
        QTRY_COMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->index(0, EventLogModel::SummaryColumn).data().toString(),
                 QStringLiteral("hello world"));
    }

    void clearStartsTheCounterAgain()
    {
        EventStore *store = m_window->eventStore();
        for (int i = 0; i < 5; ++i)
            store->append(makeTextEvent(EventSource::Client, 7, EventDirection::In, "before"));
        store->flush();
        auto *counter = child<QLabel>(m_window.get(), "logCounter");
        const QString total = QString::number(store->totalCount());
        QTRY_VERIFY2(counter->text().startsWith(QStringLiteral("%1 shown / %1 total").arg(total)),
                     qPrintable(counter->text()));

        click(child<QToolButton>(m_window.get(), "clearLogButton"));
        QTRY_COMPARE(counter->text(), QStringLiteral("0 shown / 0 total / 0 evicted"));

        store->append(makeTextEvent(EventSource::Client, 7, EventDirection::In, "after"));
        store->append(makeTextEvent(EventSource::Client, 7, EventDirection::In, "after"));
        store->flush();
        QTRY_COMPARE(counter->text(), QStringLiteral("2 shown / 2 total / 0 evicted"));
    }

    void prettyJsonKeepsTheKeyOrderAndIsSentAsShown()
    {
        openTabOnServer();
        auto *mode = child<QComboBox>(tab(), "composerMode");
        mode->setFocus();
        QTest::keyClick(mode, Qt::Key_Down);
        QCOMPARE(mode->currentText(), QStringLiteral("JSON"));
        auto *editor = child<QPlainTextEdit>(tab(), "composerEdit");
        editor->setFocus();
        QTest::keyClicks(editor, QStringLiteral("{\"type\":\"chat\",\"alpha\":1.50,\"to\":[]}"));
        click(child<QPushButton>(tab(), "prettyButton"));
        const QString pretty
            = QStringLiteral("{\n    \"type\": \"chat\",\n    \"alpha\": 1.50,\n    \"to\": []\n}");
        QCOMPARE(editor->toPlainText(), pretty);

        EventStore *store = m_window->eventStore();
        const qsizetype before = storeEvents(store, EventKind::Text).size();
        click(child<QPushButton>(tab(), "sendButton"));
        QTRY_VERIFY_WITH_TIMEOUT(storeEvents(store, EventKind::Text).size() >= before + 2,
                                 kNetworkTimeoutMs);
        const QList<Event> texts = storeEvents(store, EventKind::Text);
        const Event *sent = nullptr;
        for (const Event &e : texts) {
            if (e.source == EventSource::Client && e.direction == EventDirection::Out)
                sent = &e;
        }
        QVERIFY(sent);
        QCOMPARE(QString::fromUtf8(sent->payload), pretty);
        // Its summary in the log is its first characters, not "{…".
        QCOMPARE(EventLogModel::summary(*sent),
                 QStringLiteral("{\"type\": \"chat\", \"alpha\": 1.50, \"to\": []}"));
    }

    void aFailedStartIsForgottenOnceTheServerStarts()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::Any, 0));
        const quint16 port = blocker.serverPort();
        auto *state = child<QLabel>(m_window.get(), "serverStateLabel");
        startServerOn(port);
        QTRY_VERIFY2(state->text().startsWith(QStringLiteral("Could not start")),
                     qPrintable(state->text()));
        QVERIFY(!m_window->server()->isListening());

        blocker.close();
        click(child<QPushButton>(m_window.get(), "startServerButton"));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->isListening(), kNetworkTimeoutMs);
        QTRY_VERIFY2(state->text().startsWith(QStringLiteral("Listening on")),
                     qPrintable(state->text()));
    }

    void aFailedStartIsForgottenOnceTheAddressIsEdited()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::Any, 0));
        auto *state = child<QLabel>(m_window.get(), "serverStateLabel");
        startServerOn(blocker.serverPort());
        QTRY_VERIFY2(state->text().startsWith(QStringLiteral("Could not start")),
                     qPrintable(state->text()));
        // The cause is fixed by choosing another port: the old failure no longer stands.
        replaceText(child<QSpinBox>(m_window.get(), "listenPort"), QStringLiteral("0"));
        QCOMPARE(state->text(), QStringLiteral("Stopped"));
    }

    void aRefusedConnectionIsForgottenOnceTheUrlIsEdited()
    {
        const quint16 port = freePort();
        QVERIFY(port != 0);
        connectTabTo(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
        QTRY_VERIFY2_WITH_TIMEOUT(stateLine()->text().contains(QStringLiteral("refused")),
                                  qPrintable(stateLine()->text()), kNetworkTimeoutMs);
        QTRY_COMPARE(tab()->session()->state(), ClientSession::State::Closed);
        QTest::keyClick(child<QLineEdit>(tab(), "urlEdit"), Qt::Key_Backspace);
        QCOMPARE(stateLine()->text(), QStringLiteral("Not connected"));
    }

    void aFailedSecureStartIsForgottenOnceTheCertificateIsThere()
    {
        MainWindow *w = m_window.get();
        click(child<QCheckBox>(w, "wssCheck"));
        auto *state = child<QLabel>(w, "serverStateLabel");
        startServerOn(0);
        QTRY_VERIFY2(state->text().startsWith(QStringLiteral("Could not start")),
                     qPrintable(state->text()));

        auto *box = w->serverPanel()->findChild<ServerTlsBox *>();
        QVERIFY(box);
        QString error;
        QVERIFY2(box->generateSelfSignedTo(m_dir.filePath(QStringLiteral("later.pem")), {}, &error),
                 qPrintable(error));
        click(child<QPushButton>(w, "startServerButton"));
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        QTRY_VERIFY2(state->text().startsWith(QStringLiteral("Listening on wss://")),
                     qPrintable(state->text()));
        QVERIFY(!state->text().contains(QStringLiteral("Could not")));
    }

    void aRefusedConnectionIsForgottenOnceTheTabConnects()
    {
        const quint16 port = freePort();
        QVERIFY(port != 0);
        const QString url = QStringLiteral("ws://127.0.0.1:%1/").arg(port);
        connectTabTo(url);
        QTRY_VERIFY2_WITH_TIMEOUT(stateLine()->text().contains(QStringLiteral("refused")),
                                  qPrintable(stateLine()->text()), kNetworkTimeoutMs);
        QTRY_COMPARE(tab()->session()->state(), ClientSession::State::Closed);

        startServerOn(port);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->isListening(), kNetworkTimeoutMs);
        click(child<QPushButton>(tab(), "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab()->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QTRY_VERIFY2(stateLine()->text().startsWith(QStringLiteral("Open (connection")),
                     qPrintable(stateLine()->text()));
        QVERIFY(!stateLine()->text().contains(QStringLiteral("refused")));
    }

    void anInvalidCloseCodeLeavesTheStateLineAlone()
    {
        openTabOnServer();
        QTRY_VERIFY(stateLine()->text().startsWith(QStringLiteral("Open (connection")));
        const QString open = stateLine()->text();
        auto *code = child<CloseCodeCombo>(tab(), "closeCodeCombo");
        auto *problem = child<QLabel>(tab(), "closeProblem");
        QVERIFY(code);
        QVERIFY(problem);
        QVERIFY(problem->isHidden());
        replaceText(code->lineEdit(), QStringLiteral("1005"));
        click(child<QPushButton>(tab(), "closeButton"));
        QCOMPARE(stateLine()->text(), open);
        QVERIFY(problem->isVisible());
        QVERIFY2(problem->text().contains(QStringLiteral("1005")), qPrintable(problem->text()));
        QCOMPARE(tab()->session()->state(), ClientSession::State::Open);

        // Mending the code takes the problem away; the close then goes through.
        replaceText(code->lineEdit(), QStringLiteral("4001"));
        QVERIFY(problem->isHidden());
        click(child<QPushButton>(tab(), "closeButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab()->session()->state(), ClientSession::State::Closed,
                                  kNetworkTimeoutMs);
        QTRY_VERIFY2(stateLine()->text().contains(QStringLiteral("4001")),
                     qPrintable(stateLine()->text()));
    }

    void anInvalidCloseCodeOnTheServerIsMarkedOnItsBox()
    {
        openTabOnServer();
        QTRY_COMPARE(m_window->server()->connections().size(), 1);
        auto *state = child<QLabel>(m_window.get(), "serverStateLabel");
        const QString listening = state->text();
        auto *code = child<CloseCodeCombo>(m_window.get(), "serverCloseCode");
        QVERIFY(code);
        replaceText(code->lineEdit(), QStringLiteral("1006"));
        click(child<QPushButton>(m_window.get(), "serverCloseAllButton"));
        // Said on the box, not as a "Could not start" that the listening line hides at once.
        QVERIFY2(code->toolTip().contains(QStringLiteral("1006 cannot be sent")),
                 qPrintable(code->toolTip()));
        QCOMPARE(state->text(), listening);
        QCOMPARE(m_window->server()->connections().size(), 1);

        replaceText(code->lineEdit(), QStringLiteral("4001"));
        QVERIFY(!code->toolTip().contains(QStringLiteral("cannot be sent")));
        click(child<QPushButton>(m_window.get(), "serverCloseAllButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab()->session()->state(), ClientSession::State::Closed,
                                  kNetworkTimeoutMs);
    }

    void aWebPageIsNamedNotDumpedInTheStateLine()
    {
        const QByteArray page = "<!DOCTYPE html>\n<html><head><title>Welcome</title></head>\n"
                                "<body><h1>It works!</h1></body></html>\n";
        PlainHttpServer http("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                             + QByteArray::number(page.size()) + "\r\nConnection: close\r\n\r\n"
                             + page);
        QVERIFY(http.listen(QHostAddress::LocalHost, 0));
        connectTabTo(QStringLiteral("ws://127.0.0.1:%1/").arg(http.serverPort()));
        QTRY_COMPARE_WITH_TIMEOUT(stateLine()->text(),
                                  QStringLiteral("HTTP 200 OK: not a WebSocket endpoint"),
                                  kNetworkTimeoutMs);
        // The page itself is kept for the inspector.
        const QList<Event> handshakes = storeEvents(m_window->eventStore(), EventKind::Handshake);
        QVERIFY(!handshakes.isEmpty());
        QVERIFY(handshakes.last().handshake && handshakes.last().handshake->response);
        QCOMPARE(handshakes.last().handshake->response->status, 200);
        QCOMPARE(handshakes.last().handshake->response->body, page);
    }

    void aMissingCertificateFileIsOneClearMessage()
    {
        MainWindow *w = m_window.get();
        click(child<QCheckBox>(w, "wssCheck"));
        const QString missing = m_dir.filePath(QStringLiteral("no-such-cert.pem"));
        auto *certificate = child<QWidget>(w, "certificateField")->findChild<QLineEdit *>();
        replaceText(certificate, missing);
        QTest::keyClick(certificate, Qt::Key_Return);
        auto *info = child<QLabel>(w, "certificateInfo");
        QTRY_VERIFY2(info->text().contains(QStringLiteral("does not exist")),
                     qPrintable(info->text()));

        startServerOn(0);
        auto *state = child<QLabel>(w, "serverStateLabel");
        QTRY_VERIFY2(state->text().startsWith(QStringLiteral("Could not start")),
                     qPrintable(state->text()));
        // Every line of the panel tells the same story: the file is not there.
        const QList<QLabel *> labels = w->serverPanel()->findChildren<QLabel *>();
        for (const QLabel *label : labels) {
            QVERIFY2(!label->text().contains(QStringLiteral("holds no")),
                     qPrintable(label->text()));
        }
        QVERIFY2(state->text().contains(QStringLiteral("does not exist")),
                 qPrintable(state->text()));
    }
};

QTEST_MAIN(tst_GuiNewUser)
#include "tst_gui_newuser.moc"
