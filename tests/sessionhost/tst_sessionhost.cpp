// A client session on the network thread, driven from this thread through SessionHost: what
// a client tab does. The server it talks to lives on this thread.
#include "client/sessionhost.h"
#include "events/eventchannel.h"
#include "events/eventstore.h"
#include "server/embeddedserver.h"
#include "thread/networkthread.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace sockpit;

namespace {

constexpr int kTimeoutMs = 10000;

struct Tab
{
    EventStore store;
    EventChannel channel{&store};
    NetworkThread network;
    std::unique_ptr<SessionHost> host = std::make_unique<SessionHost>(&network, &channel);

    ~Tab()
    {
        host.reset();
        network.stop();
        channel.drain();
    }
    QList<Event> events(EventSource source)
    {
        store.flush();
        QList<Event> all;
        for (qsizetype i = 0; i < store.size(); ++i) {
            if (store.at(i).source == source)
                all.append(store.at(i));
        }
        return all;
    }
};

bool startOnAFreePort(EmbeddedServer &server)
{
    ServerConfig config;
    config.port = 0;
    return server.start(config);
}

ClientConfig configFor(const QUrl &url)
{
    ClientConfig config;
    config.url = url;
    return config;
}

} // namespace

class tst_SessionHost : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void theSessionLivesOnTheNetworkThreadAndItsStateFollows();
    void aRefusedConnectionArrivesAsFailed();
    void sendPingAndCloseAreCarriedOut();
    void bothEndsInterleaveInOneStoreAsTheyHappened();
};

void tst_SessionHost::theSessionLivesOnTheNetworkThreadAndItsStateFollows()
{
    Tab tab;
    EmbeddedServer server(&tab.channel);
    QVERIFY(startOnAFreePort(server));

    QSignalSpy states(tab.host.get(), &SessionHost::stateChanged);
    QSignalSpy opened(tab.host.get(), &SessionHost::opened);
    tab.host->open(configFor(server.url()));
    // Connecting at once, before the network thread has done anything.
    QCOMPARE(tab.host->state(), SessionHost::State::Connecting);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kTimeoutMs);
    QCOMPARE(tab.host->state(), SessionHost::State::Open);
    QCOMPARE(states.constLast().at(0).value<ClientSession::State>(), ClientSession::State::Open);

    QThread *sessionThread = nullptr;
    qint64 realId = 0;
    quint16 realPort = 0;
    tab.host->withSession([&](ClientSession &session) {
        sessionThread = session.thread();
        realId = session.connectionId();
        realPort = session.localPort();
    });
    QCOMPARE(sessionThread, tab.network.thread());
    QVERIFY(sessionThread != QThread::currentThread());
    QCOMPARE(tab.host->connectionId(), realId);
    QVERIFY(realId > 0);
    QCOMPARE(tab.host->localPort(), realPort);
    QCOMPARE(tab.host->config().url, server.url());
    // The server sees the tab's connection at the port the host reports.
    QTRY_COMPARE(server.connections().size(), 1);
    QVERIFY(server.connections().at(0).peer.endsWith(u':' + QString::number(realPort)));
}

void tst_SessionHost::aRefusedConnectionArrivesAsFailed()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    Tab tab;
    QSignalSpy failed(tab.host.get(), &SessionHost::failed);
    tab.host->open(configFor(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(closedPort))));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kTimeoutMs);
    QTRY_COMPARE(tab.host->state(), SessionHost::State::Closed);
    QVERIFY(!failed.at(0).at(0).toString().isEmpty()); // the error's id
    QTRY_VERIFY(!tab.events(EventSource::Client).isEmpty());
    QCOMPARE(tab.events(EventSource::Client).constLast().kind, EventKind::Error);
}

void tst_SessionHost::sendPingAndCloseAreCarriedOut()
{
    Tab tab;
    EmbeddedServer server(&tab.channel);
    QVERIFY(startOnAFreePort(server));
    QVERIFY(!tab.host->sendText(QStringLiteral("too early"))); // not open: said at once
    QSignalSpy opened(tab.host.get(), &SessionHost::opened);
    tab.host->open(configFor(server.url()));
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kTimeoutMs);
    QVERIFY(tab.host->sendText(QStringLiteral("hello")));
    QVERIFY(tab.host->ping(QByteArrayLiteral("p1")));
    auto has = [&tab](EventKind kind, EventDirection direction) {
        const QList<Event> events = tab.events(EventSource::Client);
        return std::any_of(events.cbegin(), events.cend(), [&](const Event &e) {
            return e.kind == kind && e.direction == direction;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(has(EventKind::Text, EventDirection::In), kTimeoutMs); // the echo
    QTRY_VERIFY_WITH_TIMEOUT(has(EventKind::Pong, EventDirection::In), kTimeoutMs);

    QSignalSpy closed(tab.host.get(), &SessionHost::closed);
    tab.host->close(4000, QStringLiteral("done"));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, kTimeoutMs);
    QCOMPARE(closed.at(0).at(0).toInt(), 4000);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("done"));
    QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Local);
    QCOMPARE(tab.host->state(), SessionHost::State::Closed);
}

void tst_SessionHost::bothEndsInterleaveInOneStoreAsTheyHappened()
{
    Tab tab;
    EmbeddedServer server(&tab.channel);
    QVERIFY(startOnAFreePort(server));
    QSignalSpy opened(tab.host.get(), &SessionHost::opened);
    tab.host->open(configFor(server.url()));
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kTimeoutMs);
    tab.host->sendText(QStringLiteral("ping-pong"));
    // The client sends, the server receives and echoes, the client receives: in that order
    // in the store, though the two ends live on different threads.
    auto position = [&tab](EventSource source, EventDirection direction) {
        tab.store.flush();
        for (qsizetype i = 0; i < tab.store.size(); ++i) {
            const Event &e = tab.store.at(i);
            if (e.kind == EventKind::Text && e.source == source && e.direction == direction)
                return i;
        }
        return qsizetype(-1);
    };
    QTRY_VERIFY_WITH_TIMEOUT(position(EventSource::Client, EventDirection::In) >= 0, kTimeoutMs);
    const qsizetype clientOut = position(EventSource::Client, EventDirection::Out);
    const qsizetype serverIn = position(EventSource::Server, EventDirection::In);
    const qsizetype serverOut = position(EventSource::Server, EventDirection::Out);
    const qsizetype clientIn = position(EventSource::Client, EventDirection::In);
    QVERIFY(clientOut >= 0 && serverIn >= 0 && serverOut >= 0);
    QVERIFY2(clientOut < serverIn && serverIn < serverOut && serverOut < clientIn,
             qPrintable(QStringLiteral("%1 %2 %3 %4")
                            .arg(clientOut)
                            .arg(serverIn)
                            .arg(serverOut)
                            .arg(clientIn)));
}

QTEST_GUILESS_MAIN(tst_SessionHost)
#include "tst_sessionhost.moc"
