// The `sockpit serve` options the server panel offers beside the basics, driven with
// clicks and keys in the real window: close each connection after some seconds with a
// chosen code and reason, and an Origin allow-list (others get HTTP 403); both persist.

#include "clienttab.h"
#include "clienttabs.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "guidriver.h"
#include "logview.h"
#include "mainwindow.h"
#include "server/serverhost.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace sockpit;
using namespace sockpit::test;

namespace {

// The status of the response the server sent to the handshake of `connection`, or 0.
int handshakeStatus(const EventLogModel *model, EventSource source, qint64 connection)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const Event &e = model->eventAt(row);
        if (e.kind == EventKind::Handshake && e.source == source && e.connection == connection
            && e.handshake && e.handshake->response)
            return e.handshake->response->status;
    }
    return 0;
}

int serverHandshakeStatusWithOrigin(const EventLogModel *model, const QByteArray &origin)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const Event &e = model->eventAt(row);
        if (e.kind != EventKind::Handshake || e.source != EventSource::Server || !e.handshake
            || !e.handshake->response)
            continue;
        for (const auto &[name, value] : e.handshake->request.headers) {
            if (name.compare("Origin", Qt::CaseInsensitive) == 0 && value == origin)
                return e.handshake->response->status;
        }
    }
    return 0;
}

} // namespace

class tst_GuiServerOptions : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_settingsDir;

    void startServerOnFreePort()
    {
        replaceText(child<QSpinBox>(m_window.get(), "listenPort"), QStringLiteral("0"));
        click(child<QPushButton>(m_window.get(), "startServerButton"));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->isListening(), kNetworkTimeoutMs);
    }

    ClientTab *connectTab(const QString &origin = QString())
    {
        ClientTab *tab = m_window->clientTabs()->currentTab();
        replaceText(child<QLineEdit>(tab, "urlEdit"), m_window->server()->url().toString());
        if (!origin.isEmpty())
            replaceText(child<QLineEdit>(tab, "originEdit"), origin);
        click(child<QPushButton>(tab, "connectButton"));
        return tab;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("SockpitGuiServerOptionsTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_serveroptions"));
        QSettings().clear();
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

    void closeAfterClosesAConnectedTabWithTheChosenCodeAndReason()
    {
        MainWindow *w = m_window.get();
        // The seed tutorial's "close after 10 seconds with 1000 and a reason", one second here.
        replaceText(child<QSpinBox>(w, "closeAfterSeconds"), QStringLiteral("1"));
        QCOMPARE(child<QSpinBox>(w, "closeAfterSeconds")->value(), 1);
        replaceText(child<QComboBox>(w, "closeAfterCode")->lineEdit(), QStringLiteral("4001"));
        replaceText(child<QLineEdit>(w, "closeAfterReason"), QStringLiteral("time is up"));
        startServerOnFreePort();
        QVERIFY(!child<QSpinBox>(w, "closeAfterSeconds")->isEnabled());

        ClientTab *tab = w->clientTabs()->currentTab();
        QSignalSpy closed(tab->session(), &SessionHost::closed);
        connectTab();
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, kNetworkTimeoutMs);
        QCOMPARE(closed.at(0).at(0).toInt(), 4001);
        QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("time is up"));
        QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Remote);
        const QString state = child<QLabel>(tab, "stateLabel")->text();
        QVERIFY2(state.contains(QStringLiteral("4001"))
                     && state.contains(QStringLiteral("time is up")),
                 qPrintable(state));
    }

    void closeAfterZeroKeepsConnectionsOpen()
    {
        MainWindow *w = m_window.get();
        QCOMPARE(child<QSpinBox>(w, "closeAfterSeconds")->value(), 0);
        QVERIFY(!child<QComboBox>(w, "closeAfterCode")->isEnabled());
        startServerOnFreePort();
        QVERIFY(!w->server()->config().closeAfter);
    }

    void anOriginNotInTheListGets403()
    {
        MainWindow *w = m_window.get();
        replaceText(child<QLineEdit>(w, "allowedOrigins"),
                    QStringLiteral("http://good.example, http://also.example"));
        startServerOnFreePort();
        QCOMPARE(w->server()->config().allowedOrigins,
                 QStringList({QStringLiteral("http://good.example"),
                              QStringLiteral("http://also.example")}));

        ClientTab *tab = w->clientTabs()->currentTab();
        QSignalSpy failed(tab->session(), &SessionHost::failed);
        connectTab(QStringLiteral("http://evil.example"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kNetworkTimeoutMs);
        QCOMPARE_NE(tab->session()->state(), ClientSession::State::Open);
        const EventLogModel *model = w->logView()->logModel();
        QTRY_COMPARE(serverHandshakeStatusWithOrigin(model, "http://evil.example"), 403);
        QCOMPARE(handshakeStatus(model, EventSource::Client, tab->session()->connectionId()), 403);

        // An origin in the list is let in.
        QTRY_VERIFY(child<QPushButton>(tab, "connectButton")->text() == QStringLiteral("Connect"));
        replaceText(child<QLineEdit>(tab, "originEdit"), QStringLiteral("http://also.example"));
        click(child<QPushButton>(tab, "connectButton"));
        QTRY_COMPARE_WITH_TIMEOUT(tab->session()->state(), ClientSession::State::Open,
                                  kNetworkTimeoutMs);
        QTRY_COMPARE(serverHandshakeStatusWithOrigin(model, "http://also.example"), 101);
    }

    void anUnsendableCloseCodeIsRefusedBeforeListening()
    {
        MainWindow *w = m_window.get();
        replaceText(child<QSpinBox>(w, "closeAfterSeconds"), QStringLiteral("5"));
        replaceText(child<QComboBox>(w, "closeAfterCode")->lineEdit(), QStringLiteral("1005"));
        click(child<QPushButton>(w, "startServerButton"));
        QVERIFY(!w->server()->isListening());
        const QString state = child<QLabel>(w, "serverStateLabel")->text();
        QVERIFY2(state.contains(QStringLiteral("1005")), qPrintable(state));
    }

    void theHandshakeBoundsAreTheServersSettings()
    {
        // A header line over the panel's bound gets 431; a client that sends nothing is
        // dropped after the panel's timeout, with the reason in the log.
        replaceText(child<QSpinBox>(m_window.get(), "maxHeaderLine"), QStringLiteral("100"));
        replaceText(child<QSpinBox>(m_window.get(), "handshakeTimeout"), QStringLiteral("1"));
        startServerOnFreePort();
        QCOMPARE(m_window->server()->config().headLimits.maxLineBytes, 100);
        QCOMPARE(m_window->server()->config().handshakeTimeoutMs, 1000);

        QTcpSocket longLine;
        QByteArray answer;
        connect(&longLine, &QTcpSocket::readyRead, this, [&] { answer += longLine.readAll(); });
        longLine.connectToHost(QHostAddress::LocalHost, m_window->server()->port());
        QTRY_COMPARE(longLine.state(), QAbstractSocket::ConnectedState);
        longLine.write("GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: " + QByteArray(150, 'a')
                       + "\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(answer.startsWith("HTTP/1.1 431 "), kNetworkTimeoutMs);

        QTcpSocket silent;
        QSignalSpy dropped(&silent, &QTcpSocket::disconnected);
        silent.connectToHost(QHostAddress::LocalHost, m_window->server()->port());
        QTRY_COMPARE(silent.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE_WITH_TIMEOUT(dropped.size(), 1, kNetworkTimeoutMs);
        const EventLogModel *model = m_window->logView()->logModel();
        auto timedOut = [model] {
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->eventAt(row).errorId == QStringLiteral("handshake-timeout"))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY(timedOut());
    }

    void policyComesBackInANewWindow()
    {
        MainWindow *w = m_window.get();
        replaceText(child<QLineEdit>(w, "allowedOrigins"), QStringLiteral("http://localhost:3000"));
        replaceText(child<QSpinBox>(w, "closeAfterSeconds"), QStringLiteral("10"));
        replaceText(child<QComboBox>(w, "closeAfterCode")->lineEdit(), QStringLiteral("4002"));
        replaceText(child<QLineEdit>(w, "closeAfterReason"), QStringLiteral("see you"));
        w->close();
        m_window.reset();

        init();
        w = m_window.get();
        QCOMPARE(child<QLineEdit>(w, "allowedOrigins")->text(),
                 QStringLiteral("http://localhost:3000"));
        QCOMPARE(child<QSpinBox>(w, "closeAfterSeconds")->value(), 10);
        QVERIFY(child<QComboBox>(w, "closeAfterCode")->currentText().startsWith(u"4002"));
        QCOMPARE(child<QLineEdit>(w, "closeAfterReason")->text(), QStringLiteral("see you"));
        startServerOnFreePort();
        const std::optional<CloseAfter> closeAfter = w->server()->config().closeAfter;
        QVERIFY(closeAfter);
        QCOMPARE(closeAfter->seconds, 10);
        QCOMPARE(closeAfter->code, 4002);
        QCOMPARE(closeAfter->reason, QStringLiteral("see you"));
        QCOMPARE(w->server()->config().allowedOrigins,
                 QStringList{QStringLiteral("http://localhost:3000")});
    }
};

QTEST_MAIN(tst_GuiServerOptions)
#include "tst_gui_serveroptions.moc"
