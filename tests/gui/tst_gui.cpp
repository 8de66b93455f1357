// Drives the real main window offscreen with clicks and keys: server, client tabs,
// broadcast, close codes in the inspector, bad input, the log under a flood.

#include "clienttab.h"
#include "clienttabs.h"
#include "eventinspector.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "events/jsonlines.h"
#include "guidriver.h"
#include "logfilewindow.h"
#include "logview.h"
#include "mainwindow.h"
#include "server/serverhost.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
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

// Incoming client text events carrying `text`, by connection.
QSet<qint64> clientReceivers(const EventLogModel *model, const QByteArray &text)
{
    QSet<qint64> connections;
    for (int row = 0; row < model->rowCount(); ++row) {
        const Event &e = model->eventAt(row);
        if (e.kind == EventKind::Text && e.source == EventSource::Client
            && e.direction == EventDirection::In && e.payload == text)
            connections.insert(e.connection);
    }
    return connections;
}

} // namespace

class tst_Gui : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> m_window;

    void startServerOnPort(int port)
    {
        auto *portBox = child<QSpinBox>(m_window.get(), "listenPort");
        QVERIFY(portBox);
        replaceText(portBox, QString::number(port));
        QCOMPARE(portBox->value(), port);
        click(child<QPushButton>(m_window.get(), "startServerButton"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SockpitGuiTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui"));
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

    void theDefaultsAreLocalhostOnBothFamilies()
    {
        // The seed tutorial's clients connect to ws://localhost:8080: the window's server
        // and a new tab default to exactly that, and localhost reaches the server over
        // IPv4 and IPv6 alike.
        MainWindow *w = m_window.get();
        QCOMPARE(child<QLineEdit>(w, "listenHost")->text(), QStringLiteral("localhost"));
        QCOMPARE(child<QSpinBox>(w, "listenPort")->value(), 8080);
        ClientTabs *tabs = w->clientTabs();
        tabs->addClientTab();
        QCOMPARE(tabs->tab(tabs->count() - 1)->urlText(), QStringLiteral("ws://localhost:8080/"));

        startServerOnPort(0);
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        const quint16 port = w->server()->port();
        QCOMPARE(w->server()->addresses(),
                 QStringList({QStringLiteral("127.0.0.1:%1").arg(port),
                              QStringLiteral("[::1]:%1").arg(port)}));
        for (const auto family : {QHostAddress::LocalHost, QHostAddress::LocalHostIPv6}) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress(family), port);
            QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState,
                                      kNetworkTimeoutMs);
        }
    }

    void broadcastReachesThreeTabsAndCloseCodeShowsInInspector()
    {
        MainWindow *w = m_window.get();
        startServerOnPort(0);
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        auto *state = child<QLabel>(w, "serverStateLabel");
        QVERIFY(state->text().startsWith(QStringLiteral("Listening on ws://localhost:")));
        QVERIFY(!state->text().endsWith(QStringLiteral(":0")));

        auto *mode = child<QComboBox>(w, "serverMode");
        mode->setFocus();
        QTest::keyClick(mode, Qt::Key_Down);
        QCOMPARE(ServerMode(mode->currentData().toInt()), ServerMode::Broadcast);

        auto *count = child<QSpinBox>(w, "openClientsCount");
        replaceText(count, QStringLiteral("3"));
        click(child<QPushButton>(w, "openClientsButton"));
        ClientTabs *tabs = w->clientTabs();
        QCOMPARE(tabs->count(), 3);
        for (int i = 0; i < 3; ++i) {
            QTRY_COMPARE_WITH_TIMEOUT(tabs->tab(i)->session()->state(), ClientSession::State::Open,
                                      kNetworkTimeoutMs);
            QVERIFY(child<QLabel>(tabs->tab(i), "stateLabel")
                        ->text()
                        .startsWith(QStringLiteral("Open")));
            QVERIFY2(tabs->tabText(i).startsWith(QStringLiteral("● #%1 localhost:").arg(i + 1)),
                     qPrintable(tabs->tabText(i)));
        }
        QTRY_COMPARE(w->server()->connections().size(), 3);

        ClientTab *sender = tabs->tab(0);
        QTest::keyClicks(child<QPlainTextEdit>(sender, "composerEdit"),
                         QStringLiteral("hello all"));
        click(child<QPushButton>(sender, "sendButton"));
        const EventLogModel *model = w->logView()->logModel();
        QTRY_COMPARE_WITH_TIMEOUT(clientReceivers(model, "hello all").size(), 3, kNetworkTimeoutMs);
        QSet<qint64> tabConnections;
        for (int i = 0; i < 3; ++i)
            tabConnections.insert(tabs->tab(i)->session()->connectionId());
        QCOMPARE(clientReceivers(model, "hello all"), tabConnections);

        // Ctrl+Enter sends from the composer too.
        ClientTab *second = tabs->tab(1);
        tabs->setCurrentIndex(1);
        auto *editor = child<QPlainTextEdit>(second, "composerEdit");
        editor->setFocus();
        QTest::keyClicks(editor, QStringLiteral("via shortcut"));
        QTest::keyClick(editor, Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(clientReceivers(model, "via shortcut").size(), 3,
                                  kNetworkTimeoutMs);

        // Close the third tab's connection with 4001 "bye".
        ClientTab *closer = tabs->tab(2);
        tabs->setCurrentIndex(2);
        auto *code = child<QComboBox>(closer, "closeCodeCombo");
        replaceText(code->lineEdit(), QStringLiteral("4001"));
        QTest::keyClicks(child<QLineEdit>(closer, "closeReasonEdit"), QStringLiteral("bye"));
        click(child<QPushButton>(closer, "closeButton"));
        QTRY_COMPARE_WITH_TIMEOUT(closer->session()->state(), ClientSession::State::Closed,
                                  kNetworkTimeoutMs);
        auto *closerState = child<QLabel>(closer, "stateLabel");
        QTRY_VERIFY2(closerState->text().startsWith(QStringLiteral("Closed by this tab")),
                     qPrintable(closerState->text()));

        const qint64 closedId = closer->session()->connectionId();
        quint64 closeSeq = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int row = 0; row < model->rowCount(); ++row) {
                    const Event &e = model->eventAt(row);
                    if (e.kind == EventKind::Close && e.source == EventSource::Client
                        && e.connection == closedId) {
                        closeSeq = e.seq;
                        return true;
                    }
                }
                return false;
            }(),
            kNetworkTimeoutMs);

        // Hold the view still, then click the close event's row.
        click(child<QToolButton>(w, "pauseButton"));
        QVERIFY(w->logView()->isPaused());
        QTableView *view = w->logView()->tableView();
        const int row = w->logView()->viewRowOfSeq(closeSeq);
        QVERIFY(row >= 0);
        const QModelIndex index = view->model()->index(row, EventLogModel::SummaryColumn);
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
        EventInspector *inspector = w->inspector();
        QTRY_VERIFY(inspector->hasEvent());
        QCOMPARE(inspector->event().seq, closeSeq);
        const QStringList facts = inspector->factLines();
        QVERIFY2(facts.contains(QStringLiteral("Close code: 4001")), qPrintable(facts.join(u'\n')));
        QVERIFY(facts.contains(QStringLiteral("Reason: bye")));
        QVERIFY(facts.contains(QStringLiteral("Name: Private Use")));
        QVERIFY(facts.contains(QStringLiteral("Initiated by: this client (local)")));
    }

    // The live connection list: send to the selected connection, send to all, close the
    // selected one with a chosen code and reason, close the rest.
    void serverPanelActsOnTheSelectedConnection()
    {
        MainWindow *w = m_window.get();
        startServerOnPort(0);
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        replaceText(child<QSpinBox>(w, "openClientsCount"), QStringLiteral("2"));
        click(child<QPushButton>(w, "openClientsButton"));
        ClientTabs *tabs = w->clientTabs();
        QCOMPARE(tabs->count(), 2);
        for (int i = 0; i < 2; ++i)
            QTRY_COMPARE_WITH_TIMEOUT(tabs->tab(i)->session()->state(), ClientSession::State::Open,
                                      kNetworkTimeoutMs);
        auto *view = child<QTableView>(w, "connectionsView");
        QTRY_COMPARE(view->model()->rowCount(), 2);

        // Select the first row with the mouse; find which tab that connection belongs to by
        // sending to it alone.
        view->scrollToTop();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          view->visualRect(view->model()->index(0, 1)).center());
        QCOMPARE(view->selectionModel()->selectedRows().size(), 1);
        replaceText(child<QLineEdit>(w, "serverSendEdit"), QStringLiteral("just you"));
        click(child<QPushButton>(w, "serverSendButton"));
        const EventLogModel *model = w->logView()->logModel();
        QTRY_COMPARE_WITH_TIMEOUT(clientReceivers(model, "just you").size(), 1, kNetworkTimeoutMs);
        const qint64 chosen = *clientReceivers(model, "just you").cbegin();
        ClientTab *chosenTab
            = tabs->tab(0)->session()->connectionId() == chosen ? tabs->tab(0) : tabs->tab(1);
        ClientTab *otherTab = chosenTab == tabs->tab(0) ? tabs->tab(1) : tabs->tab(0);
        QCOMPARE(chosenTab->session()->connectionId(), chosen);

        replaceText(child<QLineEdit>(w, "serverSendEdit"), QStringLiteral("everyone"));
        click(child<QPushButton>(w, "serverSendAllButton"));
        QTRY_COMPARE_WITH_TIMEOUT(clientReceivers(model, "everyone").size(), 2, kNetworkTimeoutMs);

        QSignalSpy chosenClosed(chosenTab->session(), &SessionHost::closed);
        auto *code = child<QComboBox>(w, "serverCloseCode");
        replaceText(code->lineEdit(), QStringLiteral("4002"));
        replaceText(child<QLineEdit>(w, "serverCloseReason"), QStringLiteral("kicked"));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          view->visualRect(view->model()->index(0, 1)).center());
        click(child<QPushButton>(w, "serverCloseButton"));
        QTRY_COMPARE_WITH_TIMEOUT(chosenClosed.size(), 1, kNetworkTimeoutMs);
        QCOMPARE(chosenClosed.constFirst().at(0).toInt(), 4002);
        QCOMPARE(chosenClosed.constFirst().at(1).toString(), QStringLiteral("kicked"));
        QCOMPARE(otherTab->session()->state(), ClientSession::State::Open);
        QTRY_COMPARE(view->model()->rowCount(), 1);

        QSignalSpy otherClosed(otherTab->session(), &SessionHost::closed);
        replaceText(code->lineEdit(), QStringLiteral("1001"));
        replaceText(child<QLineEdit>(w, "serverCloseReason"), QStringLiteral("maintenance"));
        click(child<QPushButton>(w, "serverCloseAllButton"));
        QTRY_COMPARE_WITH_TIMEOUT(otherClosed.size(), 1, kNetworkTimeoutMs);
        QCOMPARE(otherClosed.constFirst().at(0).toInt(), 1001);
        QCOMPARE(otherClosed.constFirst().at(1).toString(), QStringLiteral("maintenance"));
        QTRY_COMPARE(view->model()->rowCount(), 0);
        QVERIFY(w->server()->isListening());
    }

    void badUrlShowsAMessageAndNothingBreaks_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected");
        QTest::newRow("a URL without a scheme is refused")
            << QStringLiteral("127.0.0.1:8080") << QStringLiteral("scheme");
        QTest::newRow("an http URL is refused")
            << QStringLiteral("http://127.0.0.1/") << QStringLiteral("ws://");
        QTest::newRow("a URL without a host is refused")
            << QStringLiteral("ws://") << QStringLiteral("host");
        QTest::newRow("words are not a URL")
            << QStringLiteral("not a url at all") << QStringLiteral("ws://");
        QTest::newRow("an empty field asks for a URL")
            << QString() << QStringLiteral("Enter a URL");
    }

    void badUrlShowsAMessageAndNothingBreaks()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        MainWindow *w = m_window.get();
        const int before = w->clientTabs()->count();
        click(child<QToolButton>(w, "newTabButton"));
        QCOMPARE(w->clientTabs()->count(), before + 1);
        ClientTab *tab = w->clientTabs()->currentTab();
        auto *urlEdit = child<QLineEdit>(tab, "urlEdit");
        replaceText(urlEdit, url);
        auto *error = child<QLabel>(tab, "urlError");
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(expected), qPrintable(error->text()));
        QVERIFY(!child<QPushButton>(tab, "connectButton")->isEnabled());
        QTest::keyClick(urlEdit, Qt::Key_Return);
        QCOMPARE(tab->session()->state(), ClientSession::State::Idle);

        replaceText(urlEdit, QStringLiteral("ws://127.0.0.1:8080/chat"));
        QVERIFY(!error->isVisible());
        QVERIFY(child<QPushButton>(tab, "connectButton")->isEnabled());
        QCOMPARE(w->clientTabs()->tabText(w->clientTabs()->currentIndex()),
                 QStringLiteral("○ #2 127.0.0.1:8080"));
    }

    void refusedConnectionIsExplainedInTheTab()
    {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        ClientTab *tab = m_window->clientTabs()->currentTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"),
                    QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort));
        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Closed,
                                  kNetworkTimeoutMs);
        auto *state = child<QLabel>(tab, "stateLabel");
        QTRY_VERIFY(!state->text().isEmpty()
                    && !state->text().startsWith(QStringLiteral("Connecting")));
        QCOMPARE(child<QPushButton>(tab, "connectButton")->text(), QStringLiteral("Connect"));
    }

    void portInUseIsShownInThePanelAndTheLog()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        MainWindow *w = m_window.get();
        startServerOnPort(blocker.serverPort());
        // The answer comes from the network thread; until then the panel says "Starting…".
        auto *state = child<QLabel>(w, "serverStateLabel");
        QTRY_VERIFY2_WITH_TIMEOUT(state->text().startsWith(QStringLiteral("Could not start")),
                                  qPrintable(state->text()), kNetworkTimeoutMs);
        QVERIFY(!w->server()->isListening());
        QCOMPARE(child<QPushButton>(w, "startServerButton")->text(), QStringLiteral("Start"));
        const EventLogModel *model = w->logView()->logModel();
        QTRY_VERIFY([&] {
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->eventAt(row).kind == EventKind::Error)
                    return true;
            }
            return false;
        }());

        // Nothing is broken: a free port still works.
        startServerOnPort(0);
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        QVERIFY(state->text().startsWith(QStringLiteral("Listening on")));
    }

    void jsonComposerValidatesAndPrettyPrints()
    {
        ClientTab *tab = m_window->clientTabs()->currentTab();
        auto *mode = child<QComboBox>(tab, "composerMode");
        mode->setFocus();
        QTest::keyClick(mode, Qt::Key_Down);
        QCOMPARE(mode->currentText(), QStringLiteral("JSON"));
        auto *editor = child<QPlainTextEdit>(tab, "composerEdit");
        auto *status = child<QLabel>(tab, "composerStatus");
        auto *pretty = child<QPushButton>(tab, "prettyButton");
        editor->setFocus();
        QTest::keyClicks(editor, QStringLiteral("{\"a\": 1,"));
        QVERIFY2(status->text().contains(QStringLiteral("line 1, column")),
                 qPrintable(status->text()));
        QVERIFY(!pretty->isEnabled());

        QTest::keyClicks(editor, QStringLiteral(" \"b\": [true]}"));
        QCOMPARE(status->text(), QStringLiteral("Valid JSON"));
        click(pretty);
        QVERIFY2(editor->toPlainText().contains(QStringLiteral("\n    \"a\": 1")),
                 qPrintable(editor->toPlainText()));

        // Binary mode checks the hex digits.
        QTest::keyClick(mode, Qt::Key_Down);
        QCOMPARE(mode->currentText(), QStringLiteral("Binary"));
        replaceText(editor, QStringLiteral("48 65 6g"));
        QVERIFY2(status->text().contains(QStringLiteral("not a hex digit")),
                 qPrintable(status->text()));
        replaceText(editor, QStringLiteral("48 65 6c"));
        QCOMPARE(status->text(), QStringLiteral("3 bytes"));
    }

    void invalidRegexIsMarked()
    {
        auto *regex = child<QCheckBox>(m_window.get(), "regexCheck");
        click(regex);
        QVERIFY(regex->isChecked());
        auto *filter = child<QLineEdit>(m_window.get(), "filterEdit");
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(filter->hasFocus());
        QTest::keyClicks(filter, QStringLiteral("(unclosed"));
        QVERIFY(filter->toolTip().startsWith(QStringLiteral("Invalid regular expression")));
        QTest::keyClick(filter, Qt::Key_Backspace);
        QTest::keyClicks(filter, QStringLiteral("d)"));
        QVERIFY(!filter->toolTip().startsWith(QStringLiteral("Invalid")));
    }

    void shortcutsOpenAndCloseTabs()
    {
        ClientTabs *tabs = m_window->clientTabs();
        const int before = tabs->count();
        QTest::keyClick(m_window.get(), Qt::Key_T, Qt::ControlModifier);
        QCOMPARE(tabs->count(), before + 1);
        QTest::keyClick(m_window.get(), Qt::Key_W, Qt::ControlModifier);
        QCOMPARE(tabs->count(), before);
    }

    void floodOfEventsReachesTheModel()
    {
        EventStore *store = m_window->eventStore();
        LogView *log = m_window->logView();
        const int before = log->logModel()->rowCount();
        constexpr int kEvents = 20000;
        for (int i = 0; i < kEvents; ++i)
            store->append(makeTextEvent(EventSource::Client, 77, EventDirection::In,
                                        QByteArray("message ") + QByteArray::number(i)));
        QTRY_COMPARE(log->logModel()->rowCount(), before + kEvents);
        QTRY_COMPARE(log->tableView()->model()->rowCount(), before + kEvents);
        QVERIFY(log->isFollowing());
        QTRY_COMPARE(log->tableView()->verticalScrollBar()->value(),
                     log->tableView()->verticalScrollBar()->maximum());
        QTRY_VERIFY(child<QLabel>(m_window.get(), "logCounter")
                        ->text()
                        .contains(QStringLiteral("evicted")));

        // Scrolling up stops following; back at the bottom it follows again.
        QScrollBar *bar = log->tableView()->verticalScrollBar();
        QTRY_VERIFY(bar->maximum() > 0);
        bar->triggerAction(QAbstractSlider::SliderToMinimum);
        QVERIFY(!log->isFollowing());
        bar->triggerAction(QAbstractSlider::SliderToMaximum);
        QVERIFY(log->isFollowing());
    }

    void clientTabsAreNumberedAndTheLogLinksBothEnds()
    {
        MainWindow *w = m_window.get();
        startServerOnPort(0);
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        ClientTabs *tabs = w->clientTabs();
        QTest::keyClick(w, Qt::Key_T, Qt::ControlModifier);
        QCOMPARE(tabs->count(), 2);
        ClientTab *second = tabs->tab(1);
        replaceText(child<QLineEdit>(second, "urlEdit"), w->server()->url().toString());
        click(child<QPushButton>(second, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(second->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QTRY_COMPARE(w->server()->connections().size(), 1);
        const qint64 serverConnection = w->server()->connections().constFirst().id;
        const qint64 clientConnection = second->session()->connectionId();
        QVERIFY(serverConnection != clientConnection);
        QVERIFY2(tabs->tabText(1).startsWith(QStringLiteral("● #2 localhost:")),
                 qPrintable(tabs->tabText(1)));

        // Renaming keeps the number.
        second->setCustomName(QStringLiteral("feed"));
        QCOMPARE(tabs->tabText(1), QStringLiteral("● #2 feed"));

        // The log's Source column names the tab and links both ends.
        const QString clientLabel
            = QStringLiteral("client #2 \u2194 server #%1").arg(serverConnection);
        const QString serverLabel
            = QStringLiteral("server #%1 \u2194 client #2").arg(serverConnection);
        const EventLogModel *model = w->logView()->logModel();
        const auto labelsOf = [model](qint64 connection) {
            QSet<QString> labels;
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->eventAt(row).connection == connection)
                    labels.insert(model->index(row, EventLogModel::SourceColumn).data().toString());
            }
            return labels;
        };
        QTRY_COMPARE(labelsOf(clientConnection), QSet<QString>{clientLabel});
        QTRY_COMPARE(labelsOf(serverConnection), QSet<QString>{serverLabel});

        // The inspector says it too.
        LogView *log = w->logView();
        int openRow = -1;
        for (int row = 0; row < model->rowCount(); ++row) {
            const Event &e = model->eventAt(row);
            if (e.kind == EventKind::Open && e.connection == clientConnection)
                openRow = log->viewRowOfSeq(e.seq);
        }
        QVERIFY(openRow >= 0);
        log->tableView()->selectRow(openRow);
        QTRY_VERIFY(w->inspector()->hasEvent());
        QVERIFY2(w->inspector()->factLines().contains(QStringLiteral("Source: ") + clientLabel),
                 qPrintable(w->inspector()->factLines().join(u'\n')));
    }

    void openedLogIsItsOwnViewAndLeavesTheLiveSessionAlone()
    {
        // A live session with some events: a server and a client tab that said hello.
        MainWindow *w = m_window.get();
        startServerOnPort(0);
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        ClientTab *tab = w->clientTabs()->currentTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"), w->server()->url().toString());
        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QTest::keyClicks(child<QPlainTextEdit>(tab, "composerEdit"), QStringLiteral("live"));
        click(child<QPushButton>(tab, "sendButton"));
        const EventLogModel *live = w->logView()->logModel();
        QTRY_COMPARE_WITH_TIMEOUT(clientReceivers(live, "live").size(), 1, kNetworkTimeoutMs);
        w->eventStore()->flush();
        const int liveRows = live->rowCount();
        const quint64 liveTotal = w->eventStore()->totalCount();
        const qint64 liveConnection = tab->session()->connectionId();

        // A file whose connection number clashes with the live one and whose times are old.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("yesterday.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const QDateTime old = QDateTime::currentDateTimeUtc().addDays(-1);
        Event first
            = makeTextEvent(EventSource::Server, liveConnection, EventDirection::In, "first line");
        first.seq = 1;
        first.time = old;
        Event third
            = makeTextEvent(EventSource::Server, liveConnection, EventDirection::Out, "third line");
        third.seq = 3;
        third.time = old.addMSecs(5);
        file.write(eventToJsonLine(first) + '\n');
        file.write("this is not json\n");
        file.write(eventToJsonLine(third) + '\n');
        file.close();

        LogFileWindow *opened = w->openLog(path);
        QVERIFY(opened);
        QVERIFY(opened->isVisible());
        QVERIFY2(opened->windowTitle().contains(QStringLiteral("yesterday.jsonl")),
                 qPrintable(opened->windowTitle()));
        const EventLogModel *view = opened->logView()->logModel();
        QVERIFY(view != live);
        QTRY_COMPARE(view->rowCount(), 2);
        QCOMPARE(view->eventAt(0).payload, QByteArray("first line"));
        QCOMPARE(view->eventAt(0).time, old);
        QCOMPARE(view->eventAt(0).connection, liveConnection);
        QCOMPARE(view->eventAt(1).payload, QByteArray("third line"));
        QCOMPARE(opened->eventStore()->totalCount(), quint64(2));
        const QLabel *counter = child<QLabel>(opened, "logCounter");
        QTRY_VERIFY2(counter->text().startsWith(QStringLiteral("2 shown / 2 total")),
                     qPrintable(counter->text()));

        // The live session goes on untouched: same rows, same total, same connection.
        w->eventStore()->flush();
        QCOMPARE(live->rowCount(), liveRows);
        QCOMPARE(w->eventStore()->totalCount(), liveTotal);
        QCOMPARE(tab->session()->connectionId(), liveConnection);
        QCOMPARE(clientReceivers(live, "first line").size(), 0);

        // Selecting a row of the opened log shows it in that window's inspector.
        QTableView *table = opened->logView()->tableView();
        table->selectRow(1);
        QTRY_VERIFY(opened->inspector()->hasEvent());
        QCOMPARE(opened->inspector()->event().payload, QByteArray("third line"));
        QVERIFY(!w->inspector()->hasEvent());

        auto *box = opened->findChild<QMessageBox *>(QStringLiteral("messageBox"));
        QVERIFY(box);
        QVERIFY2(box->detailedText().contains(QStringLiteral("Line 2")),
                 qPrintable(box->detailedText()));
        box->close();

        QVERIFY(!m_window->openLog(dir.filePath(QStringLiteral("missing.jsonl"))));
    }
};

QTEST_MAIN(tst_Gui)
#include "tst_gui.moc"
