// The embedded server on the network thread, driven from this thread through ServerHost:
// what the window does. The clients here live on this thread, so every byte crosses threads.
#include "events/eventchannel.h"
#include "events/eventstore.h"
#include "server/connectionlistmodel.h"
#include "server/serverhost.h"
#include "thread/networkthread.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace sockpit;

namespace {

constexpr int kTimeoutMs = 10000;

// The window's arrangement: a store, a channel into it, the thread and the host.
struct Window
{
    EventStore store;
    EventChannel channel{&store};
    NetworkThread network;
    std::unique_ptr<ServerHost> host = std::make_unique<ServerHost>(&network, &channel);

    ~Window()
    {
        host.reset();
        network.stop();
        channel.drain();
    }

    bool start(ServerConfig config = {})
    {
        config.port = 0;
        host->start(config);
        return QTest::qWaitFor([this] { return !host->isStarting(); }, kTimeoutMs)
            && host->isListening();
    }
    QList<Event> events()
    {
        store.flush();
        QList<Event> all;
        for (qsizetype i = 0; i < store.size(); ++i)
            all.append(store.at(i));
        return all;
    }
};

std::unique_ptr<QWebSocket> openClient(const QUrl &url)
{
    auto client = std::make_unique<QWebSocket>();
    client->open(url);
    return client;
}

} // namespace

class tst_ServerHost : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void theServerLivesOnTheNetworkThread();
    void startingIsSaidUntilTheNetworkThreadAnswers();
    void aPortInUseArrivesAsFailed();
    void connectionListFollowsTheServer();
    void countersArriveTogetherNotOncePerMessage();
    void sendsBroadcastsAndClosesAreCarriedOut();
    void everyEventReachesTheStoreInOrder();
    void stopClosesTheClientsWith1001();
};

void tst_ServerHost::theServerLivesOnTheNetworkThread()
{
    Window w;
    QSignalSpy started(w.host.get(), &ServerHost::started);
    QVERIFY(w.start());
    QCOMPARE(started.size(), 1);
    QThread *serverThread = nullptr;
    QUrl realUrl;
    QStringList realAddresses;
    w.host->withServer([&](EmbeddedServer &server) {
        serverThread = server.thread();
        realUrl = server.url();
        realAddresses = server.addresses();
    });
    QCOMPARE(serverThread, w.network.thread());
    QVERIFY(serverThread != QThread::currentThread());
    QCOMPARE(w.host->url(), realUrl);
    QCOMPARE(started.at(0).at(0).toUrl(), realUrl);
    QCOMPARE(w.host->addresses(), realAddresses);
    QVERIFY(w.host->port() > 0);
    QCOMPARE(w.host->url().port(), int(w.host->port()));
}

void tst_ServerHost::startingIsSaidUntilTheNetworkThreadAnswers()
{
    Window w;
    QVERIFY(!w.host->isStarting());
    // The network thread is kept busy, so the answer cannot have come yet.
    w.network.post([] { QThread::msleep(200); });
    ServerConfig config;
    config.port = 0;
    w.host->start(config);
    QVERIFY(w.host->isStarting());
    QVERIFY(!w.host->isListening());
    QTRY_VERIFY_WITH_TIMEOUT(w.host->isListening(), kTimeoutMs);
    QVERIFY(!w.host->isStarting());
}

void tst_ServerHost::aPortInUseArrivesAsFailed()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    Window w;
    QSignalSpy failed(w.host.get(), &ServerHost::failed);
    ServerConfig config;
    config.host = QStringLiteral("127.0.0.1");
    config.port = occupant.serverPort();
    w.host->start(config);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kTimeoutMs);
    QVERIFY(!w.host->isStarting());
    QVERIFY(!w.host->isListening());
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains(QString::number(occupant.serverPort())), qPrintable(message));
    QCOMPARE(w.host->errorString(), message);
    // The error is in the log too, with its id.
    QTRY_VERIFY(!w.events().isEmpty());
    QCOMPARE(w.events().constLast().kind, EventKind::Error);
}

void tst_ServerHost::connectionListFollowsTheServer()
{
    Window w;
    QVERIFY(w.start());
    ConnectionListModel model(w.host.get());
    QCOMPARE(model.columnCount(), int(ConnectionListModel::ColumnCount));
    auto client = openClient(w.host->url().resolved(QUrl(QStringLiteral("/feed"))));
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, kTimeoutMs);
    const qint64 id = model.data(model.index(0, 0), ConnectionListModel::IdRole).toLongLong();
    QCOMPARE(id, w.host->connections().at(0).id);
    QCOMPARE(model.data(model.index(0, ConnectionListModel::PathColumn)).toString(),
             QStringLiteral("/feed"));
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->sendTextMessage(QStringLiteral("1234"));
    QTRY_COMPARE(model.data(model.index(0, ConnectionListModel::BytesInColumn)).toInt(), 4);
    QTRY_COMPARE(model.data(model.index(0, ConnectionListModel::MessagesOutColumn)).toInt(), 1);
    client->close();
    QTRY_COMPARE(model.rowCount(), 0);
    QVERIFY(w.host->connections().isEmpty());
}

void tst_ServerHost::countersArriveTogetherNotOncePerMessage()
{
    Window w;
    QVERIFY(w.start());
    auto client = openClient(w.host->url());
    QTRY_COMPARE_WITH_TIMEOUT(w.host->connections().size(), 1, kTimeoutMs);
    const qint64 id = w.host->connections().at(0).id;
    QSignalSpy changed(w.host.get(), &ServerHost::connectionChanged);
    constexpr int Messages = 400;
    int echoes = 0;
    connect(client.get(), &QWebSocket::textMessageReceived, this, [&echoes] { ++echoes; });
    for (int i = 0; i < Messages; ++i)
        client->sendTextMessage(QStringLiteral("m%1").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(echoes, Messages, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(w.host->connection(id)->messagesOut, quint64(Messages), kTimeoutMs);
    QCOMPARE(w.host->connection(id)->messagesIn, quint64(Messages));
    // Each report carries every change of one interval: far fewer reports than messages.
    QVERIFY2(changed.size() < Messages / 4, qPrintable(QString::number(changed.size())));
    for (const QList<QVariant> &signal : changed)
        QCOMPARE(signal.at(0).toLongLong(), id);
}

void tst_ServerHost::sendsBroadcastsAndClosesAreCarriedOut()
{
    Window w;
    QVERIFY(w.start());
    auto a = openClient(w.host->url());
    auto b = openClient(w.host->url());
    QTRY_COMPARE_WITH_TIMEOUT(w.host->connections().size(), 2, kTimeoutMs);
    QStringList toA;
    QStringList toB;
    connect(a.get(), &QWebSocket::textMessageReceived, this,
            [&toA](const QString &text) { toA.append(text); });
    connect(b.get(), &QWebSocket::textMessageReceived, this,
            [&toB](const QString &text) { toB.append(text); });
    const qint64 first = w.host->connections().at(0).id;
    QVERIFY(w.host->sendText(first, QStringLiteral("just one")));
    QCOMPARE(w.host->broadcastText(QStringLiteral("everyone")), 2);
    QTRY_COMPARE(toA.size() + toB.size(), 3);
    QVERIFY(toA.contains(QStringLiteral("everyone")));
    QVERIFY(toB.contains(QStringLiteral("everyone")));
    QVERIFY(!w.host->sendText(987654, QStringLiteral("nobody"))); // no such connection

    QSignalSpy aClosed(a.get(), &QWebSocket::disconnected);
    QSignalSpy bClosed(b.get(), &QWebSocket::disconnected);
    QVERIFY(w.host->closeConnection(first, 4001, QStringLiteral("bye")));
    QTRY_COMPARE_WITH_TIMEOUT(aClosed.size() + bClosed.size(), 1, kTimeoutMs);
    QWebSocket *closedOne = aClosed.size() == 1 ? a.get() : b.get();
    QCOMPARE(int(closedOne->closeCode()), 4001);
    QCOMPARE(closedOne->closeReason(), QStringLiteral("bye"));
    QTRY_COMPARE(w.host->connections().size(), 1);
}

void tst_ServerHost::everyEventReachesTheStoreInOrder()
{
    Window w;
    QVERIFY(w.start());
    auto client = openClient(w.host->url());
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->sendTextMessage(QStringLiteral("hello"));
    QTRY_VERIFY_WITH_TIMEOUT(w.events().size() >= 5, kTimeoutMs);
    const QList<Event> events = w.events();
    const QList<EventKind> kinds{EventKind::Listening, EventKind::Handshake, EventKind::Open,
                                 EventKind::Text, EventKind::Text};
    for (qsizetype i = 0; i < kinds.size(); ++i) {
        QCOMPARE(events.at(i).kind, kinds.at(i));
        QCOMPARE(events.at(i).seq, quint64(i + 1));
        if (i > 0)
            QVERIFY(events.at(i - 1).time <= events.at(i).time);
    }
    QCOMPARE(events.at(3).direction, EventDirection::In);
    QCOMPARE(events.at(4).direction, EventDirection::Out);
    QCOMPARE(events.at(4).payload, QByteArray("hello"));
    // Few hand-overs, not one per event: the channel batches.
    QVERIFY(w.channel.handOvers() <= w.channel.handedOver());
}

void tst_ServerHost::stopClosesTheClientsWith1001()
{
    Window w;
    QVERIFY(w.start());
    auto client = openClient(w.host->url());
    QTRY_COMPARE_WITH_TIMEOUT(w.host->connections().size(), 1, kTimeoutMs);
    QSignalSpy stopped(w.host.get(), &ServerHost::stopped);
    QSignalSpy closed(client.get(), &QWebSocket::disconnected);
    w.host->stop(1001, QStringLiteral("Server stopped"));
    QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, kTimeoutMs);
    QVERIFY(!w.host->isListening());
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, kTimeoutMs);
    QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_VERIFY(w.host->connections().isEmpty());
    // Started again on the same host, it serves again.
    QVERIFY(w.start());
}

QTEST_GUILESS_MAIN(tst_ServerHost)
#include "tst_serverhost.moc"
