#include "events/eventstore.h"
#include "frames/framedecoder.h"
#include "frames/frameencoder.h"
#include "protocol/handshakerequest.h"
#include "server/connectionlistmodel.h"
#include "server/embeddedserver.h"
#include "server/listenaddress.h"

#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <memory>

using namespace sockpit;

namespace {

// A server on 127.0.0.1:0 with every recorded event kept in order.
struct Harness
{
    EventStore store;
    EmbeddedServer server{&store};
    QList<Event> events;

    explicit Harness(ServerConfig config = {})
    {
        QObject::connect(&store, &EventStore::recorded, &store,
                         [this](const Event &e) { events.append(e); });
        config.port = 0;
        started = server.start(config);
    }
    bool started = false;

    QList<Event> of(EventKind kind) const
    {
        QList<Event> result;
        for (const Event &e : events) {
            if (e.kind == kind)
                result.append(e);
        }
        return result;
    }
    QList<Event> of(EventKind kind, EventDirection direction) const
    {
        QList<Event> result = of(kind);
        result.removeIf([direction](const Event &e) { return e.direction != direction; });
        return result;
    }
    int count(EventKind kind) const { return int(of(kind).size()); }
    std::optional<Event> error(const QString &id) const
    {
        for (const Event &e : events) {
            if (e.kind == EventKind::Error && e.errorId == id)
                return e;
        }
        return std::nullopt;
    }
};

std::unique_ptr<QWebSocket> openClient(const QUrl &url,
                                       const QWebSocketHandshakeOptions &options = {})
{
    auto client = std::make_unique<QWebSocket>();
    client->open(QNetworkRequest(url), options);
    return client;
}

// Sends raw bytes and returns everything the server answers before it closes. The wait
// runs the event loop (the server lives in this thread), bounded to 10 s.
QByteArray rawExchange(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    QByteArray answer;
    QObject::connect(&socket, &QTcpSocket::connected, &socket,
                     [&socket, &request] { socket.write(request); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                     [&socket, &answer] { answer += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, port);
    const bool closed = QTest::qWaitFor(
        [&socket] { return socket.state() == QAbstractSocket::UnconnectedState; }, 10000);
    Q_UNUSED(closed); // the caller checks what was answered
    answer += socket.readAll();
    return answer;
}

QByteArray tutorialRequest(const QByteArray &extra = QByteArray())
{
    return "GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
        + extra + "\r\n";
}

// `count` header fields "X-Field-N: v", each on its own line.
QByteArray manyFields(int count)
{
    QByteArray fields;
    for (int i = 0; i < count; ++i)
        fields += "X-Field-" + QByteArray::number(i) + ": v\r\n";
    return fields;
}

// A client speaking raw bytes: it sends a valid upgrade request and keeps everything the
// server answers, so that the test sees exactly what was on the wire.
struct RawClient
{
    QTcpSocket socket;
    QByteArray received;

    explicit RawClient(quint16 port)
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                         [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
        socket.write(tutorialRequest("Sec-WebSocket-Version: 13\r\n"));
    }
    qsizetype headEnd() const { return received.indexOf("\r\n\r\n"); }
    // The response head's lines after the status line, split as on the wire.
    HeaderList responseHeaders() const
    {
        HeaderList headers;
        const QList<QByteArray> lines = received.first(headEnd()).split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            headers.append({line.first(colon), line.sliced(colon + 1).trimmed()});
        }
        return headers;
    }
    QByteArray statusLine() const { return received.first(received.indexOf("\r\n")); }
    // The frames the server sent after its 101.
    QList<frames::Frame> framesReceived() const
    {
        frames::FrameDecoder decoder;
        decoder.feed(QByteArrayView(received).sliced(headEnd() + 4));
        QList<frames::Frame> result;
        frames::Frame frame;
        while (decoder.next(&frame) == frames::FrameDecoder::Status::Frame)
            result.append(frame);
        return result;
    }
};

constexpr frames::MaskKey TestMask = {0x12, 0x34, 0x56, 0x78};

} // namespace

class tst_Server : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void echoAppliesTheTemplate();
    void binaryIsEchoedAsBinary();
    void broadcastReachesEveryClientIncludingTheSender();
    void silentModeOnlyRecords();
    void subprotocolFollowsServerPreference();
    void customRequestHeaderKeepsItsWireCase();
    void rawRejections_data();
    void rawRejections();
    void incompleteRequestTimesOut();
    void aHeadRequestGets405WithoutABody();
    void requestsAtTheLimitsReachQt_data();
    void requestsAtTheLimitsReachQt();
    void oversizedMessageClosesWith1009();
    void closeAfterUsesCodeAndReason();
    void closeConnectionAndCloseAllUseTheChosenCode();
    void remoteCloseAndAbruptEndAreRecorded();
    void stopAndRestartInTheSameProcess();
    void portInUseFailsClearly();
    void localhostListensOnBothLoopbackFamilies();
    void localhostPortZeroSharesOnePort();
    void anExplicitAddressListensOnlyThere_data();
    void anExplicitAddressListensOnlyThere();
    void aHostThatIsNotAnAddressFailsClearly();
    void portInUseOnTheIpv6LoopbackFailsClearly();
    void pingsAreAnsweredAndPongsRecorded();
    void handshakeResponseIsWhatTheClientReceived();
    void messagesCarryTheirWireFrames();
    void incomingPingAndQtsPongAreRecorded();
    void peerProtocolViolationsCloseWith1002_data();
    void peerProtocolViolationsCloseWith1002();
    void framesSentAfterTheRequestWaitForThe101();
    void serverCloseWaitsForThePeersClose();
};

void tst_Server::echoAppliesTheTemplate()
{
    ServerConfig config;
    config.replyTemplate = QStringLiteral("Server says: %m");
    Harness h(config);
    QVERIFY(h.started);
    QCOMPARE(h.server.url().scheme(), QStringLiteral("ws"));
    QVERIFY(h.server.port() != 0);
    QCOMPARE(h.of(EventKind::Listening).value(0).url, h.server.url().toString());

    auto client = openClient(h.server.url().resolved(QUrl(QStringLiteral("/chat?room=7"))));
    QSignalSpy received(client.get(), &QWebSocket::textMessageReceived);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->sendTextMessage(QStringLiteral("hello"));
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received.at(0).at(0).toString(), QStringLiteral("Server says: hello"));

    const Event open = h.of(EventKind::Open).value(0);
    QCOMPARE(open.url, QStringLiteral("/chat?room=7"));
    // The real peer, not the server's internal loopback hop to Qt.
    QCOMPARE(open.peer, addressWithPort(client->localAddress(), client->localPort()));
    const QList<Event> texts = h.of(EventKind::Text);
    QCOMPARE(texts.size(), 2);
    QCOMPARE(texts.at(0).direction, EventDirection::In);
    QCOMPARE(texts.at(0).payload, QByteArray("hello"));
    QCOMPARE(texts.at(1).direction, EventDirection::Out);
    QCOMPARE(texts.at(1).payload, QByteArray("Server says: hello"));
    QCOMPARE(texts.at(1).connection, open.connection);

    const auto info = h.server.connection(open.connection);
    QVERIFY(info);
    QCOMPARE(info->path, QStringLiteral("/chat"));
    QCOMPARE(info->query, QStringLiteral("room=7"));
    QCOMPARE(info->messagesIn, 1u);
    QCOMPARE(info->messagesOut, 1u);
    QCOMPARE(info->bytesIn, 5u);
    QCOMPARE(info->bytesOut, 18u);

    const Event handshake = h.of(EventKind::Handshake).value(0);
    QCOMPARE(handshake.connection, open.connection);
    QVERIFY(handshake.handshake && handshake.handshake->response);
    QCOMPARE(handshake.handshake->request.target, QByteArray("/chat?room=7"));
    QCOMPARE(handshake.handshake->response->status, 101);
}

void tst_Server::binaryIsEchoedAsBinary()
{
    ServerConfig config;
    config.replyTemplate = QStringLiteral("Server says: %m");
    Harness h(config);
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    QSignalSpy binary(client.get(), &QWebSocket::binaryMessageReceived);
    QSignalSpy text(client.get(), &QWebSocket::textMessageReceived);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    const QByteArray data("\x00\x01\xfe\xff", 4);
    client->sendBinaryMessage(data);
    QTRY_COMPARE(binary.size(), 1);
    QCOMPARE(binary.at(0).at(0).toByteArray(), data);
    QCOMPARE(text.size(), 0);
    QCOMPARE(h.count(EventKind::Binary), 2);
}

void tst_Server::broadcastReachesEveryClientIncludingTheSender()
{
    ServerConfig config;
    config.mode = ServerMode::Broadcast;
    config.replyTemplate = QStringLiteral("Broadcast: %m");
    Harness h(config);
    QVERIFY(h.started);
    std::vector<std::unique_ptr<QWebSocket>> clients;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(openClient(h.server.url()));
        spies.push_back(
            std::make_unique<QSignalSpy>(clients.back().get(), &QWebSocket::textMessageReceived));
    }
    for (auto &client : clients)
        QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(h.server.connections().size(), 3);

    clients.front()->sendTextMessage(QStringLiteral("x"));
    for (auto &spy : spies) {
        QTRY_COMPARE(spy->size(), 1);
        QCOMPARE(spy->at(0).at(0).toString(), QStringLiteral("Broadcast: x"));
    }
    const QList<Event> broadcasts = h.of(EventKind::Broadcast);
    QCOMPARE(broadcasts.size(), 1);
    QCOMPARE(broadcasts.at(0).recipients, 3);
    QCOMPARE(broadcasts.at(0).connection, 0);
    QCOMPARE(broadcasts.at(0).direction, EventDirection::Out);
    QCOMPARE(broadcasts.at(0).payload, QByteArray("Broadcast: x"));
    // The broadcast comes first, then one outgoing message per recipient.
    const qsizetype at = h.events.indexOf(broadcasts.at(0));
    for (int i = 1; i <= 3; ++i) {
        QCOMPARE(h.events.at(at + i).kind, EventKind::Text);
        QCOMPARE(h.events.at(at + i).direction, EventDirection::Out);
    }
}

void tst_Server::silentModeOnlyRecords()
{
    ServerConfig config;
    config.mode = ServerMode::Silent;
    Harness h(config);
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    QSignalSpy received(client.get(), &QWebSocket::textMessageReceived);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->sendTextMessage(QStringLiteral("quiet"));
    QTRY_COMPARE(h.count(EventKind::Text), 1);
    // A marker sent afterwards is the first thing the client gets: no reply came before.
    QVERIFY(h.server.sendText(h.server.connections().value(0).id, QStringLiteral("marker")));
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received.at(0).at(0).toString(), QStringLiteral("marker"));
}

void tst_Server::subprotocolFollowsServerPreference()
{
    ServerConfig config;
    config.subprotocols = {QStringLiteral("json"), QStringLiteral("chat")};
    Harness h(config);
    QVERIFY(h.started);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QStringLiteral("chat"), QStringLiteral("json")});
    auto client = openClient(h.server.url(), options);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(client->subprotocol(), QStringLiteral("json"));
    QTRY_COMPARE(h.count(EventKind::Open), 1);
    QCOMPARE(h.of(EventKind::Open).at(0).subprotocol, QStringLiteral("json"));
    const auto response = h.of(EventKind::Handshake).at(0).handshake->response;
    QCOMPARE(protocol::headerValue(response->headers, "Sec-WebSocket-Protocol"),
             QByteArray("json"));
}

void tst_Server::customRequestHeaderKeepsItsWireCase()
{
    Harness h;
    QVERIFY(h.started);
    QNetworkRequest request(h.server.url());
    request.setRawHeader("X-Sockpit-CaseTest", "Mixed Value");
    QWebSocket client;
    client.open(request);
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
    QTRY_COMPARE(h.count(EventKind::Handshake), 1);
    const HeaderList headers = h.of(EventKind::Handshake).at(0).handshake->request.headers;
    QVERIFY(
        headers.contains(qMakePair(QByteArray("X-Sockpit-CaseTest"), QByteArray("Mixed Value"))));
}

void tst_Server::rawRejections_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QStringList>("origins");
    QTest::addColumn<QByteArray>("statusLine");
    QTest::addColumn<QByteArray>("mustContain");
    QTest::addColumn<QString>("errorId");
    QTest::newRow("a disallowed origin gets HTTP 403")
        << tutorialRequest("Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n")
        << QStringList{QStringLiteral("http://good.example")}
        << QByteArray("HTTP/1.1 403 Forbidden\r\n") << QByteArray("Connection: close")
        << QStringLiteral("handshake-rejected-origin");
    QTest::newRow("version 8 gets 426 naming version 13")
        << tutorialRequest("Sec-WebSocket-Version: 8\r\n") << QStringList()
        << QByteArray("HTTP/1.1 426 Upgrade Required\r\n")
        << QByteArray("Sec-WebSocket-Version: 13\r\n")
        << QStringLiteral("handshake-rejected-bad-version");
    QTest::newRow("a plain GET gets 426 with an explanation")
        << QByteArray("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") << QStringList()
        << QByteArray("HTTP/1.1 426 Upgrade Required\r\n") << QByteArray("WebSocket endpoint")
        << QStringLiteral("handshake-rejected-not-websocket");
    QTest::newRow("POST gets 405")
        << QByteArray("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
        << QStringList() << QByteArray("HTTP/1.1 405 Method Not Allowed\r\n")
        << QByteArray("Allow: GET\r\n") << QStringLiteral("handshake-rejected-method");
    QTest::newRow("a TLS ClientHello on the ws port gets 400 at once, named as TLS")
        << QByteArray::fromHex("16030100c4010000c00303") << QStringList()
        << QByteArray("HTTP/1.1 400 Bad Request\r\n") << QByteArray("TLS handshake")
        << QStringLiteral("handshake-rejected-tls-on-plain-port");
    QTest::newRow("bare LF line endings get 400 at once")
        << QByteArray(tutorialRequest("Sec-WebSocket-Version: 13\r\n")).replace("\r\n", "\n")
        << QStringList() << QByteArray("HTTP/1.1 400 Bad Request\r\n") << QByteArray("CR LF")
        << QStringLiteral("handshake-rejected-malformed");
    QTest::newRow("a header line over 8000 bytes gets 431")
        << tutorialRequest("Sec-WebSocket-Version: 13\r\nX-Long: " + QByteArray(8000, 'a') + "\r\n")
        << QStringList() << QByteArray("HTTP/1.1 431 Request Header Fields Too Large\r\n")
        << QByteArray("8000 bytes") << QStringLiteral("handshake-rejected-too-large");
    QTest::newRow("101 header fields get 431")
        << tutorialRequest("Sec-WebSocket-Version: 13\r\n" + manyFields(96)) << QStringList()
        << QByteArray("HTTP/1.1 431 Request Header Fields Too Large\r\n")
        << QByteArray("100 header fields") << QStringLiteral("handshake-rejected-too-large");
    QTest::newRow("* as the target gets 400")
        << QByteArray(tutorialRequest("Sec-WebSocket-Version: 13\r\n"))
               .replace("GET /chat", "GET *")
        << QStringList() << QByteArray("HTTP/1.1 400 Bad Request\r\n") << QByteArray("/chat")
        << QStringLiteral("handshake-rejected-bad-target");
    QTest::newRow("HTTP/2.0 on the request line gets 505")
        << QByteArray(tutorialRequest("Sec-WebSocket-Version: 13\r\n"))
               .replace("HTTP/1.1", "HTTP/2.0")
        << QStringList() << QByteArray("HTTP/1.1 505 HTTP Version Not Supported\r\n")
        << QByteArray("HTTP/1.1") << QStringLiteral("handshake-rejected-http-version");
}

void tst_Server::aHeadRequestGets405WithoutABody()
{
    Harness h;
    QVERIFY(h.started);
    const QByteArray answer = rawExchange(
        h.server.port(),
        QByteArray(tutorialRequest("Sec-WebSocket-Version: 13\r\n")).replace("GET", "HEAD"));
    QVERIFY2(answer.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), answer.constData());
    QVERIFY2(answer.endsWith("\r\n\r\n"), answer.constData()); // the head, and nothing after
}

void tst_Server::requestsAtTheLimitsReachQt_data()
{
    QTest::addColumn<QByteArray>("extra");
    QTest::newRow("a header line of exactly 8000 bytes")
        << QByteArray("X-Long: " + QByteArray(8000 - 8, 'a') + "\r\n");
    QTest::newRow("exactly 100 header fields") << manyFields(95);
}

void tst_Server::requestsAtTheLimitsReachQt()
{
    // What Sockpit lets through, Qt's WebSocket stack must accept: no silent drop between
    // the two at the documented bounds.
    QFETCH(QByteArray, extra);
    Harness h;
    QVERIFY(h.started);
    QTcpSocket socket;
    QByteArray answer;
    connect(&socket, &QTcpSocket::readyRead, this, [&] { answer += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, h.server.port());
    QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);
    socket.write(tutorialRequest("Sec-WebSocket-Version: 13\r\n" + extra));
    QTRY_VERIFY2(answer.contains("\r\n\r\n"), answer.constData());
    QVERIFY2(answer.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), answer.constData());
    QTRY_COMPARE(h.count(EventKind::Open), 1);
}

void tst_Server::rawRejections()
{
    QFETCH(QByteArray, request);
    QFETCH(QStringList, origins);
    QFETCH(QByteArray, statusLine);
    QFETCH(QByteArray, mustContain);
    QFETCH(QString, errorId);
    ServerConfig config;
    config.allowedOrigins = origins;
    Harness h(config);
    QVERIFY(h.started);
    const QByteArray answer = rawExchange(h.server.port(), request);
    QVERIFY2(answer.startsWith(statusLine), answer.constData());
    QVERIFY2(answer.contains(mustContain), answer.constData());
    QTRY_VERIFY(h.error(errorId).has_value());
    const Event handshake = h.of(EventKind::Handshake).value(0);
    QVERIFY(handshake.handshake && handshake.handshake->response);
    QCOMPARE(QByteArray("HTTP/1.1 " + QByteArray::number(handshake.handshake->response->status)),
             statusLine.first(12));
    QCOMPARE(h.error(errorId)->connection, handshake.connection);
    QCOMPARE(h.count(EventKind::Open), 0);
}

void tst_Server::incompleteRequestTimesOut()
{
    ServerConfig config;
    config.handshakeTimeoutMs = 200;
    Harness h(config);
    QVERIFY(h.started);
    QTcpSocket socket;
    QSignalSpy disconnected(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, h.server.port());
    QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n"); // never finished
    QTRY_VERIFY(h.error(QStringLiteral("handshake-timeout")).has_value());
    QTRY_COMPARE(disconnected.size(), 1);
}

void tst_Server::oversizedMessageClosesWith1009()
{
    ServerConfig config;
    config.maxMessageSize = 100;
    Harness h(config);
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    QSignalSpy disconnected(client.get(), &QWebSocket::disconnected);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->sendTextMessage(QString(200, u'a'));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(client->closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    QTRY_COMPARE(h.count(EventKind::Close), 1);
    const Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.closeCode, 1009);
    QCOMPARE(close.initiator, CloseInitiator::Local);
    QVERIFY(h.error(QStringLiteral("message-too-big")).has_value());
    QCOMPARE(h.count(EventKind::Text), 0);
}

void tst_Server::closeAfterUsesCodeAndReason()
{
    ServerConfig config;
    config.closeAfter = CloseAfter{0, 4001, QStringLiteral("bye")};
    Harness h(config);
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    QSignalSpy disconnected(client.get(), &QWebSocket::disconnected);
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(int(client->closeCode()), 4001);
    QCOMPARE(client->closeReason(), QStringLiteral("bye"));
    QTRY_COMPARE(h.count(EventKind::Close), 1);
    const Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.closeCode, 4001);
    QCOMPARE(close.reason, QStringLiteral("bye"));
    QCOMPARE(close.initiator, CloseInitiator::Local);
    QTRY_COMPARE(h.server.connections().size(), 0);
}

void tst_Server::closeConnectionAndCloseAllUseTheChosenCode()
{
    Harness h;
    QVERIFY(h.started);
    auto first = openClient(h.server.url());
    auto second = openClient(h.server.url());
    auto third = openClient(h.server.url());
    QSignalSpy firstGone(first.get(), &QWebSocket::disconnected);
    QSignalSpy secondGone(second.get(), &QWebSocket::disconnected);
    QSignalSpy thirdGone(third.get(), &QWebSocket::disconnected);
    QTRY_COMPARE(h.server.connections().size(), 3);
    QTRY_COMPARE(first->state(), QAbstractSocket::ConnectedState);

    const qint64 firstId = h.of(EventKind::Open).at(0).connection;
    QVERIFY(!h.server.closeConnection(firstId, 1006, QString())); // never on the wire
    QVERIFY(!h.server.closeConnection(-5, 1000, QString()));
    QVERIFY(h.server.closeConnection(firstId, 4002, QStringLiteral("just you")));
    QTRY_COMPARE(firstGone.size(), 1);
    QCOMPARE(int(first->closeCode()), 4002);
    QCOMPARE(first->closeReason(), QStringLiteral("just you"));

    h.server.closeAll(4003, QStringLiteral("everyone"));
    QTRY_COMPARE(secondGone.size(), 1);
    QTRY_COMPARE(thirdGone.size(), 1);
    QCOMPARE(int(second->closeCode()), 4003);
    QCOMPARE(int(third->closeCode()), 4003);
    QTRY_COMPARE(h.count(EventKind::Close), 3);
    QTRY_COMPARE(h.server.connections().size(), 0);
    QVERIFY(h.server.isListening());
}

void tst_Server::remoteCloseAndAbruptEndAreRecorded()
{
    Harness h;
    QVERIFY(h.started);
    auto polite = openClient(h.server.url());
    auto rude = openClient(h.server.url());
    QTRY_COMPARE(h.server.connections().size(), 2);
    QTRY_COMPARE(polite->state(), QAbstractSocket::ConnectedState);
    polite->close(QWebSocketProtocol::CloseCode(4001), QStringLiteral("bye"));
    QTRY_COMPARE(h.count(EventKind::Close), 1);
    Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.closeCode, 4001);
    QCOMPARE(close.reason, QStringLiteral("bye"));
    QCOMPARE(close.initiator, CloseInitiator::Remote);
    QCOMPARE(close.direction, EventDirection::In);

    rude->abort();
    QTRY_COMPARE(h.count(EventKind::Close), 2);
    close = h.of(EventKind::Close).at(1);
    QCOMPARE(close.closeCode, 1006);
    QCOMPARE(close.initiator, CloseInitiator::Remote);
}

void tst_Server::stopAndRestartInTheSameProcess()
{
    Harness h;
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    QSignalSpy gone(client.get(), &QWebSocket::disconnected);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    QSignalSpy stopped(&h.server, &EmbeddedServer::stopped);
    h.server.stop(1001, QStringLiteral("maintenance"));
    QCOMPARE(stopped.size(), 1);
    QVERIFY(!h.server.isListening());
    QCOMPARE(h.count(EventKind::Stopped), 1);
    QTRY_COMPARE(gone.size(), 1);
    QCOMPARE(int(client->closeCode()), 1001);
    QCOMPARE(client->closeReason(), QStringLiteral("maintenance"));

    ServerConfig config;
    config.port = 0;
    QVERIFY(h.server.start(config));
    QCOMPARE(h.count(EventKind::Listening), 2);
    auto again = openClient(h.server.url());
    QSignalSpy echoed(again.get(), &QWebSocket::textMessageReceived);
    QTRY_COMPARE(again->state(), QAbstractSocket::ConnectedState);
    again->sendTextMessage(QStringLiteral("back"));
    QTRY_COMPARE(echoed.size(), 1);
    QCOMPARE(echoed.at(0).at(0).toString(), QStringLiteral("back"));
}

void tst_Server::portInUseFailsClearly()
{
    Harness first;
    QVERIFY(first.started);
    EventStore store;
    QList<Event> events;
    connect(&store, &EventStore::recorded, this, [&events](const Event &e) { events.append(e); });
    EmbeddedServer second(&store);
    QSignalSpy failed(&second, &EmbeddedServer::failed);
    ServerConfig config;
    config.port = first.server.port();
    QVERIFY(!second.start(config));
    QVERIFY(!second.isListening());
    QCOMPARE(failed.size(), 1);
    QVERIFY(second.errorString().contains(QStringLiteral("in use")));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.at(0).kind, EventKind::Error);
    QCOMPARE(events.at(0).errorId, QStringLiteral("port-in-use"));
}

namespace {
// Whether a plain TCP connection to address:port is accepted.
bool accepts(const QHostAddress &address, quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(address, port);
    return socket.waitForConnected(5000);
}

// Echoes "hello" over a WebSocket opened to url, and returns the peer the server saw.
QString echoPeer(Harness &h, const QUrl &url)
{
    const qsizetype opensBefore = h.of(EventKind::Open).size();
    auto client = openClient(url);
    QSignalSpy received(client.get(), &QWebSocket::textMessageReceived);
    if (!QTest::qWaitFor([&] { return client->state() == QAbstractSocket::ConnectedState; }))
        return QString();
    client->sendTextMessage(QStringLiteral("hello"));
    if (!QTest::qWaitFor([&] { return received.size() == 1; }))
        return QString();
    const QList<Event> opens = h.of(EventKind::Open);
    return opens.size() > opensBefore ? opens.last().peer : QString();
}
} // namespace

void tst_Server::localhostListensOnBothLoopbackFamilies()
{
    Harness h; // the default host is "localhost"
    QVERIFY(h.started);
    const quint16 port = h.server.port();
    QCOMPARE(h.server.url(), QUrl(QStringLiteral("ws://localhost:%1").arg(port)));
    const QStringList both{QStringLiteral("127.0.0.1:%1").arg(port),
                           QStringLiteral("[::1]:%1").arg(port)};
    QCOMPARE(h.server.addresses(), both);
    const Event listening = h.of(EventKind::Listening).value(0);
    QCOMPARE(listening.url, QStringLiteral("ws://localhost:%1").arg(port));
    QCOMPARE(listening.addresses, both);
    QVERIFY(listening.note.isEmpty());

    // Whichever family a client's resolver returns first, the same server answers.
    QVERIFY(echoPeer(h, QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)))
                .startsWith(QStringLiteral("127.0.0.1:")));
    QVERIFY(echoPeer(h, QUrl(QStringLiteral("ws://[::1]:%1/").arg(port)))
                .startsWith(QStringLiteral("[::1]:")));
    QVERIFY(!echoPeer(h, h.server.url()).isEmpty());
    QCOMPARE(h.count(EventKind::Open), 3);
}

void tst_Server::localhostPortZeroSharesOnePort()
{
    // Port 0 picks one free port that both families share, every time.
    for (int i = 0; i < 20; ++i) {
        Harness h;
        QVERIFY(h.started);
        QVERIFY(accepts(QHostAddress(QHostAddress::LocalHost), h.server.port()));
        QVERIFY(accepts(QHostAddress(QHostAddress::LocalHostIPv6), h.server.port()));
    }
}

void tst_Server::anExplicitAddressListensOnlyThere_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("urlHost");
    QTest::addColumn<bool>("ipv4");
    QTest::addColumn<bool>("ipv6");
    QTest::newRow("127.0.0.1 is IPv4 loopback only") << "127.0.0.1"
                                                     << "127.0.0.1" << true << false;
    QTest::newRow("::1 is IPv6 loopback only") << "::1"
                                               << "[::1]" << false << true;
    QTest::newRow("[::1] may come in brackets") << "[::1]"
                                                << "[::1]" << false << true;
    QTest::newRow("0.0.0.0 is every IPv4 interface") << "0.0.0.0"
                                                     << "0.0.0.0" << true << false;
}

void tst_Server::anExplicitAddressListensOnlyThere()
{
    QFETCH(QString, host);
    QFETCH(QString, urlHost);
    QFETCH(bool, ipv4);
    QFETCH(bool, ipv6);
    ServerConfig config;
    config.host = host;
    Harness h(config);
    QVERIFY(h.started);
    const quint16 port = h.server.port();
    QCOMPARE(h.server.addresses().size(), 1);
    QCOMPARE(h.server.url().toString(), QStringLiteral("ws://%1:%2").arg(urlHost).arg(port));
    QCOMPARE(accepts(QHostAddress(QHostAddress::LocalHost), port), ipv4);
    QCOMPARE(accepts(QHostAddress(QHostAddress::LocalHostIPv6), port), ipv6);
}

void tst_Server::aHostThatIsNotAnAddressFailsClearly()
{
    ServerConfig config;
    config.host = QStringLiteral("example.org");
    Harness h(config);
    QVERIFY(!h.started);
    QVERIFY(!h.server.isListening());
    QVERIFY(h.error(QStringLiteral("bad-listen-host")));
    QVERIFY(h.server.errorString().contains(QStringLiteral("example.org")));
}

void tst_Server::portInUseOnTheIpv6LoopbackFailsClearly()
{
    // Someone else holds [::1]:PORT: listening on 127.0.0.1 alone would split the clients
    // of "localhost" between two programs, so the start fails and says where.
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress(QHostAddress::LocalHostIPv6), 0));
    ServerConfig config;
    config.port = squatter.serverPort();
    EventStore store;
    EmbeddedServer server(&store);
    QVERIFY(!server.start(config));
    QVERIFY(!server.isListening());
    QVERIFY(server.errorString().contains(QStringLiteral("[::1]:%1").arg(squatter.serverPort())));
    QVERIFY(!accepts(QHostAddress(QHostAddress::LocalHost), squatter.serverPort()));
}

void tst_Server::pingsAreAnsweredAndPongsRecorded()
{
    Harness h;
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    QSignalSpy pong(client.get(), &QWebSocket::pong);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->ping("abc");
    QTRY_COMPARE(pong.size(), 1);
    QCOMPARE(pong.at(0).at(1).toByteArray(), QByteArray("abc"));

    QTRY_COMPARE(h.server.connections().size(), 1);
    QVERIFY(h.server.ping(h.server.connections().at(0).id, "xyz"));
    QTRY_COMPARE(h.of(EventKind::Pong, EventDirection::In).size(), 1);
    const Event recorded = h.of(EventKind::Pong, EventDirection::In).at(0);
    QCOMPARE(recorded.payload, QByteArray("xyz"));
    QVERIFY(recorded.rttMs.has_value());
    QCOMPARE(recorded.frames, (QList<FrameInfo>{{0xA, true, 0, true, 3}}));
    const QList<Event> pings = h.of(EventKind::Ping, EventDirection::Out);
    QCOMPARE(pings.size(), 1);
    QCOMPARE(pings.at(0).payload, QByteArray("xyz"));
    QCOMPARE(pings.at(0).frames, (QList<FrameInfo>{{0x9, true, 0, false, 3}}));
}

void tst_Server::handshakeResponseIsWhatTheClientReceived()
{
    ServerConfig config;
    Harness h(config);
    QVERIFY(h.started);
    RawClient raw(h.server.port());
    QTRY_VERIFY(raw.headEnd() >= 0);
    QTRY_COMPARE(h.count(EventKind::Handshake), 1);
    const auto response = h.of(EventKind::Handshake).at(0).handshake->response;
    QVERIFY(response);
    QCOMPARE(raw.statusLine(), QByteArray("HTTP/1.1 101 Switching Protocols"));
    QCOMPARE(response->status, 101);
    QCOMPARE(response->reason, QByteArray("Switching Protocols"));
    // Every header Qt wrote, in wire order and case (Qt adds Server, Date, CORS headers
    // that no computed answer would know of).
    QCOMPARE(response->headers, raw.responseHeaders());
    QVERIFY(protocol::headerValue(response->headers, "Server").has_value());
    QCOMPARE(protocol::headerValue(response->headers, "Sec-WebSocket-Accept"),
             QByteArray("HSmrc0sMlYUkAGmm5OPpG2HaGWk="));
}

void tst_Server::messagesCarryTheirWireFrames()
{
    Harness h;
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    client->setOutgoingFrameSize(4);
    QSignalSpy text(client.get(), &QWebSocket::textMessageReceived);
    QSignalSpy binary(client.get(), &QWebSocket::binaryMessageReceived);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->sendTextMessage(QStringLiteral("hello world")); // 4 + 4 + 3 bytes
    QTRY_COMPARE(text.size(), 1);
    client->sendBinaryMessage(QByteArray("\x01\x02", 2));
    QTRY_COMPARE(binary.size(), 1);

    const QList<Event> texts = h.of(EventKind::Text);
    QCOMPARE(texts.size(), 2);
    const QList<FrameInfo> in = texts.at(0).frames;
    QCOMPARE(texts.at(0).direction, EventDirection::In);
    QCOMPARE(in.size(), 3);
    QCOMPARE(in.at(0), (FrameInfo{0x1, false, 0, true, 4}));
    QCOMPARE(in.at(1), (FrameInfo{0x0, false, 0, true, 4}));
    QCOMPARE(in.at(2), (FrameInfo{0x0, true, 0, true, 3}));
    QCOMPARE(texts.at(1).direction, EventDirection::Out);
    QCOMPARE(texts.at(1).frames, (QList<FrameInfo>{{0x1, true, 0, false, 11}}));

    const QList<Event> binaries = h.of(EventKind::Binary);
    QCOMPARE(binaries.size(), 2);
    QCOMPARE(binaries.at(0).frames, (QList<FrameInfo>{{0x2, true, 0, true, 2}}));
    QCOMPARE(binaries.at(1).frames, (QList<FrameInfo>{{0x2, true, 0, false, 2}}));
    QCOMPARE(h.server.connections().value(0).messagesOut, 2u);
    QCOMPARE(h.server.connections().value(0).bytesOut, 13u);

    client->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("done"));
    QTRY_COMPARE(h.count(EventKind::Close), 1);
    const Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.initiator, CloseInitiator::Remote);
    QCOMPARE(close.frames, (QList<FrameInfo>{{0x8, true, 0, true, 6}}));
}

void tst_Server::incomingPingAndQtsPongAreRecorded()
{
    Harness h;
    QVERIFY(h.started);
    auto client = openClient(h.server.url());
    QSignalSpy pong(client.get(), &QWebSocket::pong);
    QTRY_COMPARE(client->state(), QAbstractSocket::ConnectedState);
    client->ping("probe-1");
    QTRY_COMPARE(pong.size(), 1);
    // Qt answers pings without a signal: the tap saw both frames.
    const QList<Event> pings = h.of(EventKind::Ping);
    QCOMPARE(pings.size(), 1);
    QCOMPARE(pings.at(0).direction, EventDirection::In);
    QCOMPARE(pings.at(0).payload, QByteArray("probe-1"));
    QCOMPARE(pings.at(0).frames, (QList<FrameInfo>{{0x9, true, 0, true, 7}}));
    const QList<Event> pongs = h.of(EventKind::Pong);
    QCOMPARE(pongs.size(), 1);
    QCOMPARE(pongs.at(0).direction, EventDirection::Out);
    QCOMPARE(pongs.at(0).payload, QByteArray("probe-1"));
    QCOMPARE(pongs.at(0).frames, (QList<FrameInfo>{{0xA, true, 0, false, 7}}));
    QVERIFY(h.events.indexOf(pings.at(0)) < h.events.indexOf(pongs.at(0)));
}

void tst_Server::peerProtocolViolationsCloseWith1002_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("errorId");
    QTest::newRow("an unmasked text frame (section 5.1)")
        << frames::encodeText(QStringLiteral("hi")) << QStringLiteral("protocol-unmasked-frame");
    QTest::newRow("a reserved opcode (section 5.2)")
        << frames::encodeFrame(0x3, "hi", true, TestMask)
        << QStringLiteral("protocol-reserved-opcode");
    QTest::newRow("RSV1 without a negotiated extension (section 5.2)")
        << frames::encodeFrame(0x1, "hi", true, TestMask, 0x4)
        << QStringLiteral("protocol-reserved-bits");
    QTest::newRow("a reserved control opcode after a valid frame")
        << QByteArray(frames::encodeText(QStringLiteral("ok"), true, TestMask)
                      + frames::encodeFrame(0xB, QByteArray(), true, TestMask))
        << QStringLiteral("protocol-reserved-opcode");
}

void tst_Server::peerProtocolViolationsCloseWith1002()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, errorId);
    ServerConfig config;
    config.mode = ServerMode::Silent;
    Harness h(config);
    QVERIFY(h.started);
    RawClient raw(h.server.port());
    QTRY_VERIFY(raw.headEnd() >= 0);
    QTRY_COMPARE(h.count(EventKind::Open), 1);
    raw.socket.write(frame);
    QTRY_COMPARE(raw.socket.state(), QAbstractSocket::UnconnectedState);

    const QList<frames::Frame> answer = raw.framesReceived();
    QCOMPARE(answer.size(), 1);
    QCOMPARE(answer.at(0).opcode, quint8(0x8));
    QVERIFY(!answer.at(0).masked);
    const frames::ClosePayload close = frames::parseClosePayload(answer.at(0).payload);
    QCOMPARE(close.code, 1002);
    QVERIFY(!close.reason.isEmpty());

    QTRY_COMPARE(h.count(EventKind::Close), 1);
    const Event recorded = h.of(EventKind::Close).at(0);
    QCOMPARE(recorded.closeCode, 1002);
    QCOMPARE(recorded.reason, close.reason);
    QCOMPARE(recorded.initiator, CloseInitiator::Local);
    QCOMPARE(recorded.frames.value(0).opcode, quint8(0x8));
    QVERIFY(h.error(errorId).has_value());
    QCOMPARE(h.error(errorId)->connection, recorded.connection);
    // Qt never saw the offending frame; a valid one before it was delivered.
    for (const Event &text : h.of(EventKind::Text))
        QCOMPARE(text.payload, QByteArray("ok"));
    QTRY_COMPARE(h.server.connections().size(), 0);
}

void tst_Server::framesSentAfterTheRequestWaitForThe101()
{
    Harness h;
    QVERIFY(h.started);
    // The request and a first message in one write, as an impatient client may send them.
    QTcpSocket socket;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, this, [&] { received += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, h.server.port());
    socket.write(tutorialRequest("Sec-WebSocket-Version: 13\r\n")
                 + frames::encodeText(QStringLiteral("early"), true, TestMask));
    QTRY_COMPARE(h.count(EventKind::Text), 2);
    const QList<EventKind> order = [&h] {
        QList<EventKind> kinds;
        for (const Event &e : h.events)
            kinds.append(e.kind);
        return kinds;
    }();
    QCOMPARE(order.mid(1, 4),
             (QList<EventKind>{EventKind::Handshake, EventKind::Open, EventKind::Text,
                               EventKind::Text}));
    QTRY_VERIFY(received.contains("early"));
    QVERIFY(received.startsWith("HTTP/1.1 101 "));
}

// RFC 6455 section 7.1.1: after its Close the server keeps TCP open until the peer's Close
// comes back, so that the peer's answer does not meet a reset.
void tst_Server::serverCloseWaitsForThePeersClose()
{
    ServerConfig config;
    config.mode = ServerMode::Silent;
    Harness h(config);
    QVERIFY(h.started);
    RawClient raw(h.server.port());
    QTRY_VERIFY(raw.headEnd() >= 0);
    QTRY_COMPARE(h.count(EventKind::Open), 1);
    QSignalSpy disconnected(&raw.socket, &QTcpSocket::disconnected);

    QVERIFY(h.server.closeConnection(h.of(EventKind::Open).at(0).connection, 4003,
                                     QStringLiteral("server says bye")));
    QTRY_COMPARE(raw.framesReceived().size(), 1);
    QCOMPARE(raw.framesReceived().at(0).opcode, quint8(0x8));
    // Still connected a while after the Close arrived: the server waits for our answer
    // (bounded: this wait is far below its linger time of 3 s).
    QVERIFY(!disconnected.wait(500));
    QCOMPARE(raw.socket.state(), QAbstractSocket::ConnectedState);

    raw.socket.write(frames::encodeClose(4003, QStringLiteral("server says bye"), TestMask));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(raw.socket.error(), QAbstractSocket::RemoteHostClosedError);
    QTRY_COMPARE(h.count(EventKind::Close), 1);
    const Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.closeCode, 4003);
    QCOMPARE(close.initiator, CloseInitiator::Local);
    QTRY_COMPARE(h.server.connections().size(), 0);
}

QTEST_GUILESS_MAIN(tst_Server)
#include "tst_server.moc"
