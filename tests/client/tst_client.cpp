#include "client/clientsession.h"
#include "client/loopbackidentity.h"
#include "events/eventstore.h"
#include "frames/frameencoder.h"
#include "protocol/acceptkey.h"
#include "protocol/httphead.h"
#include "tls/tlscontext.h"
#include "tlstestfiles.h"

#include <QPointer>
#include <QSignalSpy>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <functional>
#include <memory>

using namespace sockpit;

namespace {

// Collects what a session records, in order.
struct Recorder
{
    EventStore store;
    QList<Event> events;
    Recorder()
    {
        QObject::connect(&store, &EventStore::recorded, &store,
                         [this](const Event &e) { events.append(e); });
    }
    QList<Event> of(EventKind kind, qint64 connection = 0) const
    {
        QList<Event> out;
        for (const Event &e : events) {
            if (e.kind == kind && (connection == 0 || e.connection == connection))
                out.append(e);
        }
        return out;
    }
};

// The raw peers send "Hel" + "lo" as two frames and a ping "are you there": the tap must
// show both frames on the message, the ping, and QWebSocket's automatic pong leaving.
void checkFragmentedTextAndPing(const Recorder &rec)
{
    const Event in = rec.of(EventKind::Text).first();
    QCOMPARE(in.frames.size(), 2);
    QCOMPARE(in.frames[0].length, quint64(3));
    QCOMPARE(in.frames[1].opcode, quint8(0));
    QCOMPARE(rec.of(EventKind::Ping).size(), 1);
    QCOMPARE(rec.of(EventKind::Ping).first().payload, QByteArray("are you there"));
    QTRY_COMPARE(rec.of(EventKind::Pong).size(), 1);
    QCOMPARE(rec.of(EventKind::Pong).first().direction, EventDirection::Out);
}

// A minimal QWebSocketServer peer: echoes text and binary, remembers its sockets.
class EchoServer : public QObject
{
public:
    QWebSocketServer server{QStringLiteral("test"), QWebSocketServer::NonSecureMode};
    QList<QPointer<QWebSocket>> sockets;
    QList<QByteArray> received;

    EchoServer()
    {
        connect(&server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = server.nextPendingConnection()) {
                socket->setParent(this);
                sockets.append(socket);
                connect(socket, &QWebSocket::textMessageReceived, socket,
                        [this, socket](const QString &text) {
                            received.append(text.toUtf8());
                            socket->sendTextMessage(text);
                        });
                connect(socket, &QWebSocket::binaryMessageReceived, socket,
                        [socket](const QByteArray &data) { socket->sendBinaryMessage(data); });
            }
        });
    }
    bool listen(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost))
    {
        return server.listen(address, 0);
    }
    QUrl url(const QString &path = QStringLiteral("/")) const
    {
        const QString host = server.serverAddress().protocol() == QAbstractSocket::IPv6Protocol
            ? QStringLiteral("[::1]")
            : QStringLiteral("127.0.0.1");
        return QUrl(QStringLiteral("ws://%1:%2%3").arg(host).arg(server.serverPort()).arg(path));
    }
};

// A raw TCP peer for what QWebSocketServer will not do: it reads the request head and
// answers with whatever `respond` returns (given the Sec-WebSocket-Key); then `afterHandshake`
// may write frames.
class RawPeer : public QObject
{
public:
    QTcpServer server;
    QPointer<QTcpSocket> socket;
    QByteArray requestHead;
    std::function<QByteArray(const QByteArray &key)> respond;
    std::function<void(QTcpSocket *)> afterHandshake;

    RawPeer()
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            socket = server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, this, [this] {
                if (!respond)
                    return; // a silent peer
                requestHead += socket->readAll();
                const qsizetype end = requestHead.indexOf("\r\n\r\n");
                if (end < 0 || requestHead.isEmpty())
                    return;
                QByteArray key;
                for (const QByteArray &line : requestHead.left(end).split('\n')) {
                    if (line.toLower().startsWith("sec-websocket-key:"))
                        key = line.mid(18).trimmed();
                }
                socket->write(respond(key));
                auto once = std::exchange(respond, nullptr);
                if (afterHandshake)
                    afterHandshake(socket);
            });
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort())); }

    static QByteArray switching(const QByteArray &key, const QByteArray &extraHeaders = {})
    {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: "
            + protocol::computeAcceptKey(key) + "\r\n" + extraHeaders + "\r\n";
    }
};

// The server side of TLS as a real wss server would have it: the test CA's leaf for
// localhost / 127.0.0.1 with its chain, and (for mutual TLS) the CA that client
// certificates must chain to.
QSslConfiguration serverTls(const TlsTestFiles &files, bool requireClientCertificate = false)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain({files.server.certificate, files.ca.certificate});
    tls.setPrivateKey(files.server.key);
    if (requireClientCertificate) {
        tls.setCaCertificates({files.ca.certificate});
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    return tls;
}

// An echo server over wss (QWebSocketServer in SecureMode).
class SecureEchoServer : public QObject
{
public:
    QWebSocketServer server{QStringLiteral("secure test"), QWebSocketServer::SecureMode};
    QList<QPointer<QWebSocket>> sockets;

    explicit SecureEchoServer(const QSslConfiguration &tls)
    {
        server.setSslConfiguration(tls);
        connect(&server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = server.nextPendingConnection()) {
                socket->setParent(this);
                sockets.append(socket);
                connect(socket, &QWebSocket::textMessageReceived, socket,
                        [socket](const QString &text) {
                            socket->sendTextMessage(QStringLiteral("Server says: ") + text);
                        });
            }
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QUrl url(const QString &host = QStringLiteral("127.0.0.1")) const
    {
        return QUrl(QStringLiteral("wss://%1:%2/secure").arg(host).arg(server.serverPort()));
    }
};

// RawPeer over TLS: answers the handshake with exactly the bytes `respond` returns.
class SecureRawPeer : public QObject
{
public:
    QSslServer server;
    QPointer<QSslSocket> socket;
    QByteArray requestHead;
    std::function<QByteArray(const QByteArray &key)> respond;
    std::function<void(QSslSocket *)> afterHandshake;

    explicit SecureRawPeer(const QSslConfiguration &tls)
    {
        server.setSslConfiguration(tls);
        connect(&server, &QSslServer::pendingConnectionAvailable, this, [this] {
            auto *accepted = qobject_cast<QSslSocket *>(server.nextPendingConnection());
            if (!accepted)
                return;
            socket = accepted;
            connect(accepted, &QSslSocket::readyRead, this, [this] { onReadyRead(); });
            onReadyRead();
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("wss://127.0.0.1:%1/").arg(server.serverPort()));
    }

private:
    void onReadyRead()
    {
        if (!respond || !socket)
            return;
        requestHead += socket->readAll();
        const qsizetype end = requestHead.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        QByteArray key;
        for (const QByteArray &line : requestHead.left(end).split('\n')) {
            if (line.toLower().startsWith("sec-websocket-key:"))
                key = line.mid(18).trimmed();
        }
        socket->write(std::exchange(respond, nullptr)(key));
        if (afterHandshake)
            afterHandshake(socket);
    }
};

ClientConfig configFor(const QUrl &url)
{
    ClientConfig config;
    config.url = url;
    config.connectTimeoutMs = 5000;
    return config;
}

} // namespace

class tst_Client : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void connectsAndEchoes();
    void anIpv6ServerIsWrittenInBrackets();
    void sendsCustomHeadersAndOrigin();
    void recordsResponseHeadersInWireCase();
    void negotiatesSubprotocol();
    void fragmentsOutgoingMessages();
    void recordsIncomingFragmentsAndServerPings();
    void pingRecordsPongRoundTrip();
    void anUnsolicitedPongHasNoRoundTrip();
    void closesLocallyWithCodeAndReason();
    void recordsPeerInitiatedClose();
    void distinguishesAbnormalEnd();
    void reportsFailures_data();
    void reportsFailures();
    void reportsRejectedHandshakeWithBody();
    void aWebPageIsNamedInTheSentenceAndKeptWholeInTheLog();
    void runsManySessionsWithDistinctIds();
    void worksWithoutTheWireTap();
    void reportsProtocolErrorFromServer();

    void initTestCase();
    void wssIsObservedThroughTheTerminatingTap();
    void wssRecordsResponseHeadersAndFramesInWireCase();
    void wssChecksTheRealServer_data();
    void wssChecksTheRealServer();
    void wssPresentsTheClientCertificateUpstream_data();
    void wssPresentsTheClientCertificateUpstream();
    void wssWithoutTheTapSaysWhatItCannotSee();

private:
    TlsTestFiles m_files;
};

void tst_Client::initTestCase()
{
    const QString problem = m_files.create();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_Client::connectsAndEchoes()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    session.open(configFor(server.url(QStringLiteral("/chat?room=1"))));
    QTRY_COMPARE(opened.size(), 1);
    QCOMPARE(session.state(), ClientSession::State::Open);
    QVERIFY(session.sendText(QStringLiteral("hi")));
    QTRY_COMPARE(texts.size(), 1);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("hi"));

    const QList<Event> handshakes = rec.of(EventKind::Handshake);
    QCOMPARE(handshakes.size(), 1);
    const Handshake &h = *handshakes.first().handshake;
    QCOMPARE(h.request.method, QByteArray("GET"));
    QCOMPARE(h.request.target, QByteArray("/chat?room=1"));
    QCOMPARE(h.request.headers.first().first, QByteArray("Host"));
    QVERIFY(h.response);
    QCOMPARE(h.response->status, 101);

    const QList<Event> textEvents = rec.of(EventKind::Text);
    QCOMPARE(textEvents.size(), 2);
    QCOMPARE(textEvents[0].direction, EventDirection::Out);
    QCOMPARE(textEvents[0].payload, QByteArray("hi"));
    QCOMPARE(textEvents[0].frames.size(), 1);
    QVERIFY(textEvents[0].frames[0].masked); // section 5.3: clients mask
    QCOMPARE(textEvents[1].direction, EventDirection::In);
    QCOMPARE(textEvents[1].frames.size(), 1);
    QVERIFY(!textEvents[1].frames[0].masked);
    QCOMPARE(rec.of(EventKind::Open).size(), 1);
    QCOMPARE(rec.of(EventKind::Open).first().peer,
             QStringLiteral("127.0.0.1:%1").arg(server.server.serverPort()));
}

// The open event names the server as the server's own events name a peer: an IPv6
// address in brackets, so that its colons do not run into the port.
void tst_Client::anIpv6ServerIsWrittenInBrackets()
{
    EchoServer server;
    QVERIFY2(server.listen(QHostAddress(QHostAddress::LocalHostIPv6)),
             qPrintable(server.server.errorString()));
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    session.open(configFor(server.url()));
    QTRY_COMPARE(opened.size(), 1);
    QCOMPARE(rec.of(EventKind::Open).first().peer,
             QStringLiteral("[::1]:%1").arg(server.server.serverPort()));
}

void tst_Client::sendsCustomHeadersAndOrigin()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    ClientConfig config = configFor(server.url());
    config.headers = {{"Authorization", "Bearer abc"}, {"Cookie", "s=1"}, {"X-Token", "a"}};
    config.origin = QStringLiteral("http://example.test");
    session.open(config);
    QTRY_COMPARE(opened.size(), 1);
    QTRY_COMPARE(server.sockets.size(), 1);
    const QNetworkRequest seen = server.sockets.first()->request();
    QCOMPARE(seen.rawHeader("Authorization"), QByteArray("Bearer abc"));
    QCOMPARE(seen.rawHeader("Cookie"), QByteArray("s=1"));
    QCOMPARE(seen.rawHeader("X-Token"), QByteArray("a"));
    QCOMPARE(server.sockets.first()->origin(), QStringLiteral("http://example.test"));

    // The recorded request is the one on the wire, custom headers last and in order.
    const HeaderList headers = rec.of(EventKind::Handshake).first().handshake->request.headers;
    QStringList names;
    for (const auto &header : headers)
        names.append(QString::fromLatin1(header.first));
    QVERIFY2(names.indexOf(QStringLiteral("Origin")) >= 0, qPrintable(names.join(u',')));
    QCOMPARE(names.mid(names.size() - 3),
             (QStringList{QStringLiteral("Authorization"), QStringLiteral("Cookie"),
                          QStringLiteral("X-Token")}));
}

void tst_Client::recordsResponseHeadersInWireCase()
{
    RawPeer peer;
    QVERIFY(peer.listen());
    peer.respond = [](const QByteArray &key) {
        return RawPeer::switching(key, "x-MiXeD-Case: Value One\r\nSERVER: raw-peer\r\n");
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    session.open(configFor(peer.url()));
    QTRY_COMPARE(opened.size(), 1);
    const auto &response = rec.of(EventKind::Handshake).first().handshake->response;
    QVERIFY(response);
    QCOMPARE(response->status, 101);
    QCOMPARE(response->reason, QByteArray("Switching Protocols"));
    const HeaderList expected = {{"Upgrade", "websocket"},
                                 {"Connection", "Upgrade"},
                                 {"Sec-WebSocket-Accept", response->headers.at(2).second},
                                 {"x-MiXeD-Case", "Value One"},
                                 {"SERVER", "raw-peer"}};
    QCOMPARE(response->headers, expected);
}

void tst_Client::negotiatesSubprotocol()
{
    EchoServer server;
    server.server.setSupportedSubprotocols({QStringLiteral("chat.v2")});
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    ClientConfig config = configFor(server.url());
    config.subprotocols = {QStringLiteral("chat.v1"), QStringLiteral("chat.v2")};
    session.open(config);
    QTRY_COMPARE(opened.size(), 1);
    QCOMPARE(session.negotiatedSubprotocol(), QStringLiteral("chat.v2"));
    QCOMPARE(rec.of(EventKind::Open).first().subprotocol, QStringLiteral("chat.v2"));
}

void tst_Client::fragmentsOutgoingMessages()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    ClientConfig config = configFor(server.url());
    config.frameSize = 4;
    session.open(config);
    QTRY_COMPARE(opened.size(), 1);
    session.sendText(QStringLiteral("abcdefghij"));
    QTRY_COMPARE(texts.size(), 1);
    QCOMPARE(server.received, QList<QByteArray>{"abcdefghij"});
    const Event out = rec.of(EventKind::Text).first();
    QCOMPARE(out.direction, EventDirection::Out);
    QCOMPARE(out.frames.size(), 3);
    QCOMPARE(out.frames[0].opcode, quint8(1));
    QCOMPARE(out.frames[0].fin, false);
    QCOMPARE(out.frames[1].opcode, quint8(0));
    QCOMPARE(out.frames[2].fin, true);
    QCOMPARE(out.frames[2].length, quint64(2));
}

void tst_Client::recordsIncomingFragmentsAndServerPings()
{
    RawPeer peer;
    QVERIFY(peer.listen());
    peer.respond = [](const QByteArray &key) {
        return RawPeer::switching(key);
    };
    peer.afterHandshake = [](QTcpSocket *socket) {
        socket->write(frames::encodeText(QStringLiteral("Hel"), false)
                      + frames::encodePing("are you there")
                      + frames::encodeContinuation("lo", true));
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    session.open(configFor(peer.url()));
    QTRY_COMPARE(texts.size(), 1);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("Hello"));
    checkFragmentedTextAndPing(rec);
}

void tst_Client::pingRecordsPongRoundTrip()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy pongs(&session, &ClientSession::pongReceived);
    session.open(configFor(server.url()));
    QTRY_COMPARE(opened.size(), 1);
    QVERIFY(session.ping("probe"));
    QVERIFY(!session.ping(QByteArray(126, 'x'))); // section 5.5: too long for a control frame
    QTRY_COMPARE(pongs.size(), 1);
    QCOMPARE(pongs.at(0).at(1).toByteArray(), QByteArray("probe"));
    const Event pong = rec.of(EventKind::Pong).first();
    QCOMPARE(pong.direction, EventDirection::In);
    QVERIFY(pong.rttMs);
    QVERIFY(*pong.rttMs >= 0.0 && *pong.rttMs < 5000.0);
    // Both are recorded from the wire, with their frames: the ping masked (section 5.3).
    QCOMPARE(pong.frames, (QList<FrameInfo>{{0xA, true, 0, false, 5}}));
    const QList<Event> pings = rec.of(EventKind::Ping);
    QCOMPARE(pings.size(), 1);
    QCOMPARE(pings.at(0).direction, EventDirection::Out);
    QCOMPARE(pings.at(0).frames, (QList<FrameInfo>{{0x9, true, 0, true, 5}}));
}

// Section 5.5.3: a server may send a Pong nobody asked for. It is recorded from its frame
// and answers no ping (Qt's pong signal would time it from the last ping sent).
void tst_Client::anUnsolicitedPongHasNoRoundTrip()
{
    RawPeer peer;
    QVERIFY(peer.listen());
    peer.respond = [](const QByteArray &key) {
        return RawPeer::switching(key);
    };
    peer.afterHandshake = [](QTcpSocket *socket) {
        socket->write(frames::encodePong("beat"));
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy pongs(&session, &ClientSession::pongReceived);
    session.open(configFor(peer.url()));
    QTRY_COMPARE(pongs.size(), 1);
    QVERIFY(pongs.at(0).at(0).toDouble() < 0);
    QCOMPARE(pongs.at(0).at(1).toByteArray(), QByteArray("beat"));
    const Event pong = rec.of(EventKind::Pong).first();
    QCOMPARE(pong.direction, EventDirection::In);
    QVERIFY(!pong.rttMs);
    QCOMPARE(pong.frames, (QList<FrameInfo>{{0xA, true, 0, false, 4}}));
}

void tst_Client::closesLocallyWithCodeAndReason()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy closed(&session, &ClientSession::closed);
    session.open(configFor(server.url()));
    QTRY_COMPARE(opened.size(), 1);
    QTRY_COMPARE(server.sockets.size(), 1);
    QPointer<QWebSocket> serverSide = server.sockets.first();
    session.close(4001, QStringLiteral("bye"));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 4001);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("bye"));
    QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Local);
    QTRY_VERIFY(!serverSide || serverSide->closeCode() == QWebSocketProtocol::CloseCode(4001));
    const QList<Event> closes = rec.of(EventKind::Close);
    QCOMPARE(closes.size(), 2);
    QCOMPARE(closes[0].direction, EventDirection::Out);
    QCOMPARE(closes[0].closeCode, 4001);
    QCOMPARE(closes[0].initiator, CloseInitiator::Local);
    QCOMPARE(closes[1].direction, EventDirection::In); // the server's answer
    QCOMPARE(closes[1].closeCode, 4001);
    QCOMPARE(closes[1].reason, QStringLiteral("bye"));
    QCOMPARE(session.state(), ClientSession::State::Closed);
}

void tst_Client::recordsPeerInitiatedClose()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy closed(&session, &ClientSession::closed);
    session.open(configFor(server.url()));
    QTRY_COMPARE(opened.size(), 1);
    QTRY_COMPARE(server.sockets.size(), 1);
    server.sockets.first()->close(QWebSocketProtocol::CloseCode(4001), QStringLiteral("bye"));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 4001);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("bye"));
    QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Remote);
    const QList<Event> closes = rec.of(EventKind::Close);
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closes[0].initiator, CloseInitiator::Remote);
    QCOMPARE(closes[0].closeCode, 4001);
}

void tst_Client::distinguishesAbnormalEnd()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy closed(&session, &ClientSession::closed);
    session.open(configFor(server.url()));
    QTRY_COMPARE(opened.size(), 1);
    QTRY_COMPARE(server.sockets.size(), 1);
    server.sockets.first()->abort(); // TCP ends without a Close frame
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("abnormal closure"));
    const Event close = rec.of(EventKind::Close).first();
    QCOMPARE(close.closeCode, 1006);
    QCOMPARE(close.direction, EventDirection::None);
}

void tst_Client::reportsFailures_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("errorId");
    QTest::addColumn<QString>("sentenceContains");
    QTest::addColumn<bool>("wireTap");

    QTest::newRow("an http URL is a bad URL")
        << QStringLiteral("http") << QStringLiteral("bad-url") << QStringLiteral("ws://") << true;
    QTest::newRow("a URL without a host is a bad URL")
        << QStringLiteral("nohost") << QStringLiteral("bad-url") << QStringLiteral("no host")
        << true;
    QTest::newRow("a closed port is connection refused")
        << QStringLiteral("refused") << QStringLiteral("connection-refused")
        << QStringLiteral("refused") << true;
    QTest::newRow("a server that never answers the handshake times out")
        << QStringLiteral("silent") << QStringLiteral("timeout") << QStringLiteral("did not answer")
        << true;
    QTest::newRow("an unresolvable host name is host not found")
        << QStringLiteral("dns") << QStringLiteral("host-not-found")
        << QStringLiteral("no-such-host.invalid") << true;
    QTest::newRow("a closed port is connection refused without the wire tap too")
        << QStringLiteral("refused") << QStringLiteral("connection-refused")
        << QStringLiteral("refused") << false;
    QTest::newRow("a silent server times out without the wire tap too")
        << QStringLiteral("silent") << QStringLiteral("timeout") << QStringLiteral("Timed out")
        << false;
    QTest::newRow("an unresolvable host is host not found without the wire tap too")
        << QStringLiteral("dns") << QStringLiteral("host-not-found")
        << QStringLiteral("no-such-host.invalid") << false;
}

void tst_Client::reportsFailures()
{
    QFETCH(QString, kind);
    QFETCH(QString, errorId);
    QFETCH(QString, sentenceContains);
    QFETCH(bool, wireTap);

    RawPeer silent;
    ClientConfig config;
    config.connectTimeoutMs = 400;
    if (kind == QLatin1StringView("http")) {
        config.url = QUrl(QStringLiteral("http://127.0.0.1:1/"));
    } else if (kind == QLatin1StringView("nohost")) {
        config.url = QUrl(QStringLiteral("ws:///path"));
    } else if (kind == QLatin1StringView("refused")) {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        config.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
    } else if (kind == QLatin1StringView("silent")) {
        QVERIFY(silent.listen());
        config.url = silent.url();
    } else {
        config.url = QUrl(QStringLiteral("ws://no-such-host.invalid/"));
        config.connectTimeoutMs = 10000;
    }
    config.wireTap = wireTap;
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy failed(&session, &ClientSession::failed);
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);
    QCOMPARE(failed.at(0).at(0).toString(), errorId);
    const QString sentence = failed.at(0).at(1).toString();
    QVERIFY2(sentence.contains(sentenceContains), qPrintable(sentence));
    const QList<Event> errors = rec.of(EventKind::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().errorId, errorId);
    QVERIFY(errors.first().connection > 0);
    QCOMPARE(session.state(), ClientSession::State::Closed);
    // Nothing else arrives late (a second failure or a close).
    QTest::qWait(100);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(rec.of(EventKind::Close).size(), 0);
}

void tst_Client::reportsRejectedHandshakeWithBody()
{
    RawPeer peer;
    QVERIFY(peer.listen());
    peer.respond = [](const QByteArray &) {
        return QByteArray("HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n"
                          "Content-Length: 13\r\nConnection: close\r\n\r\nno token here");
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy failed(&session, &ClientSession::failed);
    session.open(configFor(peer.url()));
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("handshake-rejected"));
    const QString sentence = failed.at(0).at(1).toString();
    QVERIFY2(sentence.contains(QStringLiteral("401")), qPrintable(sentence));
    QVERIFY2(sentence.contains(QStringLiteral("no token here")), qPrintable(sentence));
    const QList<Event> handshakes = rec.of(EventKind::Handshake);
    QCOMPARE(handshakes.size(), 1);
    QVERIFY(handshakes.first().handshake->response);
    QCOMPARE(handshakes.first().handshake->response->status, 401);
    QCOMPARE(handshakes.first().handshake->response->body, QByteArray("no token here"));
}

void tst_Client::aWebPageIsNamedInTheSentenceAndKeptWholeInTheLog()
{
    const QByteArray page = "<html>\n<body>\n" + QByteArray(3000, 'x') + "\n</body>\n</html>";
    RawPeer peer;
    QVERIFY(peer.listen());
    peer.respond = [page](const QByteArray &) -> QByteArray {
        QByteArray response = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ";
        response += QByteArray::number(page.size());
        response += "\r\nConnection: close\r\n\r\n";
        response += page;
        return response;
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy failed(&session, &ClientSession::failed);
    session.open(configFor(peer.url()));
    QTRY_COMPARE(failed.size(), 1);
    // A web page is named, not quoted: its body stays in the handshake event.
    QCOMPARE(failed.at(0).at(1).toString(),
             QStringLiteral("HTTP 200 OK: not a WebSocket endpoint"));
    const QList<Event> handshakes = rec.of(EventKind::Handshake);
    QCOMPARE(handshakes.size(), 1);
    QCOMPARE(handshakes.first().handshake->response->body, page);
}

void tst_Client::runsManySessionsWithDistinctIds()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    constexpr int count = 6;
    std::vector<std::unique_ptr<ClientSession>> sessions;
    std::vector<std::unique_ptr<QSignalSpy>> spies;
    for (int i = 0; i < count; ++i) {
        sessions.push_back(std::make_unique<ClientSession>(&rec.store));
        spies.push_back(
            std::make_unique<QSignalSpy>(sessions.back().get(), &ClientSession::textReceived));
        auto *session = sessions.back().get();
        connect(session, &ClientSession::opened, session,
                [session, i] { session->sendText(QStringLiteral("from %1").arg(i)); });
        session->open(configFor(server.url()));
    }
    QSet<qint64> ids;
    for (int i = 0; i < count; ++i) {
        QTRY_COMPARE(spies[std::size_t(i)]->size(), 1);
        QCOMPARE(spies[std::size_t(i)]->at(0).at(0).toString(), QStringLiteral("from %1").arg(i));
        ids.insert(sessions[std::size_t(i)]->connectionId());
    }
    QCOMPARE(ids.size(), count);
    for (qint64 id : ids)
        QCOMPARE(rec.of(EventKind::Text, id).size(), 2);
}

void tst_Client::worksWithoutTheWireTap()
{
    EchoServer server;
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    QSignalSpy closed(&session, &ClientSession::closed);
    ClientConfig config = configFor(server.url());
    config.wireTap = false;
    config.headers = {{"X-Token", "a"}};
    session.open(config);
    QTRY_COMPARE(opened.size(), 1);
    session.sendText(QStringLiteral("plain"));
    QTRY_COMPARE(texts.size(), 1);
    // The request is the one built (no response observed), the messages have no frames.
    const Handshake &h = *rec.of(EventKind::Handshake).first().handshake;
    QVERIFY(!h.response);
    QVERIFY(h.request.headers.contains(qMakePair(QByteArray("X-Token"), QByteArray("a"))));
    QCOMPARE(rec.of(EventKind::Text).size(), 2);
    QVERIFY(rec.of(EventKind::Text).first().frames.isEmpty());
    QTRY_COMPARE(server.sockets.size(), 1);
    server.sockets.first()->close(QWebSocketProtocol::CloseCode(4002), QStringLiteral("done"));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 4002);
    QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Remote);
}

void tst_Client::reportsProtocolErrorFromServer()
{
    RawPeer peer;
    QVERIFY(peer.listen());
    peer.respond = [](const QByteArray &key) {
        return RawPeer::switching(key);
    };
    peer.afterHandshake = [](QTcpSocket *socket) {
        socket->write(QByteArray::fromHex("8300")); // reserved opcode 0x3 (section 5.2)
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy closed(&session, &ClientSession::closed);
    session.open(configFor(peer.url()));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 1002);
    QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Local);
    const QList<Event> errors = rec.of(EventKind::Error);
    QVERIFY(!errors.isEmpty());
    // The same id the server side uses for this fault.
    QCOMPARE(errors.first().errorId, QStringLiteral("protocol-reserved-opcode"));
    QVERIFY2(errors.first().error.contains(QStringLiteral("reserved opcode 0x3")),
             qPrintable(errors.first().error));
}

// wss through the TLS-terminating wire tap: the request as Qt really sent it (its own
// Sec-WebSocket-Key), the real 101 and frames both ways, and the tls event describing the
// real server's certificate, not the tap's loopback one.
void tst_Client::wssIsObservedThroughTheTerminatingTap()
{
    SecureEchoServer server(serverTls(m_files));
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    QSignalSpy closed(&session, &ClientSession::closed);
    ClientConfig config = configFor(server.url());
    config.tls.caFile = m_files.path(QStringLiteral("ca.pem"));
    config.frameSize = 4;
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 10000);
    QVERIFY(session.sendText(QStringLiteral("hello tap")));
    QTRY_COMPARE(texts.size(), 1);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("Server says: hello tap"));

    const QList<Event> handshakes = rec.of(EventKind::Handshake);
    QCOMPARE(handshakes.size(), 1);
    const Handshake &h = *handshakes.first().handshake;
    QCOMPARE(h.request.target, QByteArray("/secure"));
    const QByteArray key = http::headerValue(h.request.headers, "Sec-WebSocket-Key");
    QCOMPARE(QByteArray::fromBase64(key).size(), 16); // section 4.1: the nonce Qt generated
    QTRY_COMPARE(server.sockets.size(), 1);
    QCOMPARE(server.sockets.first()->request().rawHeader("Sec-WebSocket-Key"), key);
    QVERIFY(h.response);
    QCOMPARE(h.response->status, 101);
    QCOMPARE(http::headerValue(h.response->headers, "Sec-WebSocket-Accept"),
             protocol::computeAcceptKey(key));

    const QList<Event> textEvents = rec.of(EventKind::Text);
    QCOMPARE(textEvents.size(), 2);
    QCOMPARE(textEvents[0].direction, EventDirection::Out);
    QCOMPARE(textEvents[0].payload, QByteArray("hello tap"));
    QCOMPARE(textEvents[0].frames.size(), 3); // 4 + 4 + 1 bytes
    QVERIFY(textEvents[0].frames[0].masked);
    QCOMPARE(textEvents[1].direction, EventDirection::In);
    QCOMPARE(textEvents[1].frames.size(), 1);
    QVERIFY(!textEvents[1].frames[0].masked);

    // The real server's session and certificate, not the loopback hop's.
    const QList<Event> tlsEvents = rec.of(EventKind::Tls);
    QCOMPARE(tlsEvents.size(), 1);
    const TlsInfo &info = *tlsEvents.first().tls;
    QVERIFY(info.protocol.startsWith(QStringLiteral("TLS")));
    QVERIFY(!info.cipher.isEmpty());
    QVERIFY(info.peerCertificate);
    QCOMPARE(info.peerCertificate->sha256, tls::sha256Fingerprint(m_files.server.certificate));
    QVERIFY2(info.peerCertificate->issuer.contains(QStringLiteral("Sockpit Test CA")),
             qPrintable(info.peerCertificate->issuer));
    QVERIFY(!info.verificationDisabled);
    QVERIFY(info.errors.isEmpty());
    QString why;
    const auto loopback = client::loopbackIdentityFor(QStringLiteral("127.0.0.1"), &why);
    QVERIFY2(loopback, qPrintable(why));
    QVERIFY(info.peerCertificate->issuer != tls::describeCertificate(loopback->authority).subject);
    for (const Event &e : rec.of(EventKind::Error))
        QFAIL(qPrintable(e.errorId + QStringLiteral(": ") + e.error)); // no wire-not-observed
    QCOMPARE(rec.of(EventKind::Open).first().peer,
             QStringLiteral("127.0.0.1:%1").arg(server.server.serverPort()));

    // The server's answer to our Close frame is observed, as over ws.
    session.close(4001, QStringLiteral("bye"));
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 4001);
    const QList<Event> closes = rec.of(EventKind::Close);
    QCOMPARE(closes.size(), 2);
    QCOMPARE(closes[1].direction, EventDirection::In);
    QCOMPARE(closes[1].reason, QStringLiteral("bye"));
}

void tst_Client::wssRecordsResponseHeadersAndFramesInWireCase()
{
    SecureRawPeer peer(serverTls(m_files));
    QVERIFY(peer.listen());
    peer.respond = [](const QByteArray &key) {
        return RawPeer::switching(key, "x-MiXeD-Case: Value One\r\nSERVER: raw-peer\r\n");
    };
    peer.afterHandshake = [](QSslSocket *socket) {
        socket->write(frames::encodeText(QStringLiteral("Hel"), false)
                      + frames::encodePing("are you there")
                      + frames::encodeContinuation("lo", true));
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    ClientConfig config = configFor(peer.url());
    config.tls.caFile = m_files.path(QStringLiteral("ca.pem"));
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(texts.size(), 1, 10000);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("Hello"));

    const auto &response = rec.of(EventKind::Handshake).first().handshake->response;
    QVERIFY(response);
    QCOMPARE(response->status, 101);
    QCOMPARE(response->reason, QByteArray("Switching Protocols"));
    const HeaderList expected = {{"Upgrade", "websocket"},
                                 {"Connection", "Upgrade"},
                                 {"Sec-WebSocket-Accept", response->headers.at(2).second},
                                 {"x-MiXeD-Case", "Value One"},
                                 {"SERVER", "raw-peer"}};
    QCOMPARE(response->headers, expected);
    // The request head as Qt wrote it, seen by the peer byte for byte.
    const auto &request = rec.of(EventKind::Handshake).first().handshake->request;
    QVERIFY(peer.requestHead.contains(QByteArray(
        "Sec-WebSocket-Key: " + http::headerValue(request.headers, "Sec-WebSocket-Key"))));

    checkFragmentedTextAndPing(rec);
}

void tst_Client::wssChecksTheRealServer_data()
{
    QTest::addColumn<bool>("trustCa");
    QTest::addColumn<bool>("ignoreErrors");
    QTest::addColumn<QString>("host");
    QTest::newRow("a session trusting the CA opens")
        << true << false << QStringLiteral("127.0.0.1");
    QTest::newRow("a session trusting the CA opens by host name")
        << true << false << QStringLiteral("localhost");
    QTest::newRow("a session without the CA lists each certificate error and fails")
        << false << false << QStringLiteral("127.0.0.1");
    QTest::newRow("a session told to ignore errors opens and flags verification off")
        << false << true << QStringLiteral("127.0.0.1");
}

void tst_Client::wssChecksTheRealServer()
{
    QFETCH(bool, trustCa);
    QFETCH(bool, ignoreErrors);
    QFETCH(QString, host);

    SecureEchoServer server(serverTls(m_files));
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy failed(&session, &ClientSession::failed);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    ClientConfig config = configFor(server.url(host));
    if (trustCa)
        config.tls.caFile = m_files.path(QStringLiteral("ca.pem"));
    config.tls.ignoreCertificateErrors = ignoreErrors;
    session.open(config);

    QList<Event> tlsErrors;
    if (!trustCa && !ignoreErrors) {
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("tls-handshake-failed"));
        QCOMPARE(opened.size(), 0);
        QCOMPARE(session.state(), ClientSession::State::Closed);
        QCOMPARE(rec.of(EventKind::Open).size(), 0);
        QCOMPARE(rec.of(EventKind::Handshake).size(), 0);
        QCOMPARE(server.sockets.size(), 0);
        const QList<Event> errors = rec.of(EventKind::Error);
        QVERIFY(errors.size() >= 2);
        QCOMPARE(errors.last().errorId, QStringLiteral("tls-handshake-failed"));
        tlsErrors = errors.mid(0, errors.size() - 1);
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 10000);
        QVERIFY(session.sendText(QStringLiteral("hi")));
        QTRY_COMPARE(texts.size(), 1);
        QCOMPARE(rec.of(EventKind::Handshake).first().handshake->response->status, 101);
        const QList<Event> textEvents = rec.of(EventKind::Text);
        QCOMPARE(textEvents.size(), 2);
        QCOMPARE(textEvents[0].frames.size(), 1);
        QCOMPARE(textEvents[1].frames.size(), 1);
        const TlsInfo &info = *rec.of(EventKind::Tls).first().tls;
        QCOMPARE(info.peerCertificate->sha256, tls::sha256Fingerprint(m_files.server.certificate));
        QCOMPARE(info.verificationDisabled, ignoreErrors);
        QCOMPARE(info.errors.isEmpty(), !ignoreErrors);
        for (const Event &e : rec.of(EventKind::Error)) {
            if (e.errorId == QLatin1StringView("tls-error"))
                tlsErrors.append(e);
            else if (e.errorId != QLatin1StringView("tls-verification-disabled"))
                QFAIL(qPrintable(e.errorId));
        }
        const int disabled = int(rec.of(EventKind::Error).size() - tlsErrors.size());
        QCOMPARE(disabled, ignoreErrors ? 1 : 0);
    }
    if (trustCa) {
        QVERIFY(tlsErrors.isEmpty());
    } else {
        // Each of the real server's certificate errors is its own event.
        QVERIFY(!tlsErrors.isEmpty());
        for (const Event &e : std::as_const(tlsErrors)) {
            QCOMPARE(e.errorId, QStringLiteral("tls-error"));
            QCOMPARE(e.connection, session.connectionId());
        }
        // About the real server's chain (its CA is the test CA), not the tap's hop.
        const bool aboutTheRealChain
            = std::any_of(tlsErrors.cbegin(), tlsErrors.cend(), [](const Event &e) {
                  return (e.error.contains(QLatin1StringView("untrusted"), Qt::CaseInsensitive)
                          || e.error.contains(QLatin1StringView("issuer"), Qt::CaseInsensitive))
                      && (e.error.contains(QLatin1StringView("Sockpit Test CA"))
                          || e.error.contains(QLatin1StringView("localhost")));
              });
        QVERIFY2(aboutTheRealChain, qPrintable(tlsErrors.first().error));
    }
}

void tst_Client::wssPresentsTheClientCertificateUpstream_data()
{
    QTest::addColumn<bool>("withCertificate");
    QTest::newRow("with the client certificate the server accepts the session") << true;
    QTest::newRow("without a client certificate the server refuses it") << false;
}

void tst_Client::wssPresentsTheClientCertificateUpstream()
{
    QFETCH(bool, withCertificate);
    SecureEchoServer server(serverTls(m_files, true));
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy failed(&session, &ClientSession::failed);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    ClientConfig config = configFor(server.url());
    config.tls.caFile = m_files.path(QStringLiteral("ca.pem"));
    if (withCertificate) {
        config.tls.certificateFile = m_files.path(QStringLiteral("client.pem"));
        config.tls.keyFile = m_files.path(QStringLiteral("client.key"));
    }
    session.open(config);
    if (withCertificate) {
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 10000);
        QTRY_COMPARE(server.sockets.size(), 1);
        // The server saw the user's certificate, presented by the tap upstream.
        QCOMPARE(server.sockets.first()->sslConfiguration().peerCertificate(),
                 m_files.client.certificate);
        QVERIFY(session.sendText(QStringLiteral("mutual")));
        QTRY_COMPARE(texts.size(), 1);
        QCOMPARE(rec.of(EventKind::Handshake).first().handshake->response->status, 101);
        QCOMPARE(rec.of(EventKind::Text).last().frames.size(), 1);
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(opened.size(), 0);
        QCOMPARE(server.sockets.size(), 0);
        QCOMPARE(rec.of(EventKind::Open).size(), 0);
        const QString id = failed.at(0).at(0).toString();
        const QString sentence = failed.at(0).at(1).toString();
        // TLS 1.3 servers refuse a missing client certificate by hanging up after the
        // handshake; TLS 1.2 ones fail the handshake itself.
        QVERIFY2((id == QLatin1StringView("handshake-failed")
                  && sentence.contains(QLatin1StringView("client certificate")))
                     || id == QLatin1StringView("tls-handshake-failed"),
                 qPrintable(id + QStringLiteral(": ") + sentence));
    }
}

// Without the tap (or when it cannot terminate TLS) the log says what cannot be seen.
void tst_Client::wssWithoutTheTapSaysWhatItCannotSee()
{
    SecureEchoServer server(serverTls(m_files));
    QVERIFY(server.listen());
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    ClientConfig config = configFor(server.url());
    config.tls.caFile = m_files.path(QStringLiteral("ca.pem"));
    config.wireTap = false;
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 10000);
    QVERIFY(session.sendText(QStringLiteral("hi")));
    QTRY_COMPARE(texts.size(), 1);
    const Handshake &h = *rec.of(EventKind::Handshake).first().handshake;
    QVERIFY(!h.response);
    const QList<Event> errors = rec.of(EventKind::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().errorId, QStringLiteral("wire-not-observed"));
    QVERIFY(rec.of(EventKind::Text).first().frames.isEmpty());
    QCOMPARE(rec.of(EventKind::Tls).first().tls->peerCertificate->sha256,
             tls::sha256Fingerprint(m_files.server.certificate));
}

QTEST_GUILESS_MAIN(tst_Client)
#include "tst_client.moc"
