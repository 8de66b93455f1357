// The in-process end of the server tap that QWebSocketServer gets (server/hopsocket.h): it
// must behave towards Qt like a connected TCP socket, and towards the tap lose nothing.
#include "server/hopsocket.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace sockpit;

namespace {

struct TapSide : HopSocket::Listener
{
    QByteArray written;
    int closedByQt = 0;
    int drained = 0;
    void hopWritten(QByteArrayView bytes) override { written += bytes.toByteArray(); }
    void hopClosedByQt() override { ++closedByQt; }
    void hopDrained() override { ++drained; }
};

const QByteArray UpgradeRequest
    = "GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

} // namespace

class tst_HopSocket : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void deliveredBytesAreReadableAfterReadyRead();
    void peekKeepsBytesForTheNextRead();
    void whatQtWritesReachesTheTapAtOnce();
    void theEndOfTheStreamComesAfterTheBytesBeforeIt();
    void qtClosingItsEndTellsTheTapOnce();
    void aDetachedSocketClosesAndDeletesItself();
    void qWebSocketServerUpgradesThroughIt();
};

void tst_HopSocket::deliveredBytesAreReadableAfterReadyRead()
{
    TapSide tap;
    QTcpSocket peer;
    HopSocket hop(&tap, peer);
    QCOMPARE(hop.state(), QAbstractSocket::ConnectedState);
    QVERIFY(hop.isOpen());
    QSignalSpy readyRead(&hop, &QIODevice::readyRead);
    hop.deliver("abc");
    hop.deliver("def");
    QCOMPARE(hop.bytesAvailable(), 6);
    QCOMPARE(readyRead.size(), 0); // from the event loop, as a kernel socket signals it
    QTRY_COMPARE(readyRead.size(), 1); // once for both deliveries
    QCOMPARE(hop.readAll(), QByteArray("abcdef"));
    QCOMPARE(hop.undelivered(), 0);
}

void tst_HopSocket::peekKeepsBytesForTheNextRead()
{
    TapSide tap;
    QTcpSocket peer;
    HopSocket hop(&tap, peer);
    hop.deliver("hello world");
    QCOMPARE(hop.peek(5), QByteArray("hello"));
    QCOMPARE(hop.bytesAvailable(), 11);
    QCOMPARE(hop.read(6), QByteArray("hello "));
    QCOMPARE(hop.bytesAvailable(), 5);
    QCOMPARE(hop.readAll(), QByteArray("world"));
}

void tst_HopSocket::whatQtWritesReachesTheTapAtOnce()
{
    TapSide tap;
    QTcpSocket peer;
    HopSocket hop(&tap, peer);
    QSignalSpy bytesWritten(&hop, &QIODevice::bytesWritten);
    QCOMPARE(hop.write("xyz"), 3);
    QCOMPARE(tap.written, QByteArray("xyz"));
    QTRY_COMPARE(bytesWritten.size(), 1);
    QCOMPARE(bytesWritten.at(0).at(0).toLongLong(), 3);
}

void tst_HopSocket::theEndOfTheStreamComesAfterTheBytesBeforeIt()
{
    TapSide tap;
    QTcpSocket peer;
    HopSocket hop(&tap, peer);
    QByteArray readBeforeTheEnd;
    bool disconnectedAfterData = false;
    connect(&hop, &QIODevice::readyRead, &hop, [&] { readBeforeTheEnd += hop.readAll(); });
    connect(&hop, &QAbstractSocket::disconnected, &hop,
            [&] { disconnectedAfterData = readBeforeTheEnd == "last words"; });
    QSignalSpy errors(&hop, &QAbstractSocket::errorOccurred);
    hop.deliver("last words");
    hop.endOfStream();
    QTRY_COMPARE(hop.state(), QAbstractSocket::UnconnectedState);
    QVERIFY(disconnectedAfterData);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<QAbstractSocket::SocketError>(),
             QAbstractSocket::RemoteHostClosedError);
    QCOMPARE(tap.closedByQt, 0); // the tap ended it, Qt did not
}

void tst_HopSocket::qtClosingItsEndTellsTheTapOnce()
{
    TapSide tap;
    QTcpSocket peer;
    HopSocket hop(&tap, peer);
    QSignalSpy disconnected(&hop, &QAbstractSocket::disconnected);
    hop.write("bye");
    hop.close();
    hop.abort();
    QCOMPARE(tap.written, QByteArray("bye")); // what Qt wrote before closing is kept
    QCOMPARE(tap.closedByQt, 1);
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(hop.state(), QAbstractSocket::UnconnectedState);
}

void tst_HopSocket::aDetachedSocketClosesAndDeletesItself()
{
    TapSide tap;
    QTcpSocket peer;
    QObject owner;
    QPointer<HopSocket> hop = new HopSocket(&tap, peer, &owner);
    QSignalSpy disconnected(hop.data(), &QAbstractSocket::disconnected);
    hop->detachListener();
    QCOMPARE(hop->parent(), nullptr); // no longer the tap's child: it outlives it
    QTRY_COMPARE(disconnected.size(), 1);
    QTRY_VERIFY(hop.isNull());
}

void tst_HopSocket::qWebSocketServerUpgradesThroughIt()
{
    TapSide tap;
    QTcpSocket peer;
    QWebSocketServer server(QStringLiteral("hop"), QWebSocketServer::NonSecureMode);
    auto *hop = new HopSocket(&tap, peer, &server);
    hop->deliver(UpgradeRequest);
    QSignalSpy newConnection(&server, &QWebSocketServer::newConnection);
    server.handleConnection(hop);
    QTRY_COMPARE(newConnection.size(), 1);
    QVERIFY(tap.written.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    QVERIFY(tap.written.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    std::unique_ptr<QWebSocket> socket(server.nextPendingConnection());
    QVERIFY(socket);

    // A masked text frame "Hi" (RFC 6455 section 5.7) arrives as a message, although
    // QWebSocketServer's queued look at the request peeks at these bytes first.
    QSignalSpy messages(socket.get(), &QWebSocket::textMessageReceived);
    hop->deliver(QByteArray::fromHex("818237fa213d7f93"));
    QTRY_COMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("Hi"));

    // Qt's answer and its Close reach the tap; the end of the stream reaches Qt.
    tap.written.clear();
    socket->sendTextMessage(QStringLiteral("Hi"));
    QCOMPARE(tap.written, QByteArray::fromHex("81024869"));
    QSignalSpy disconnected(socket.get(), &QWebSocket::disconnected);
    hop->endOfStream();
    QTRY_COMPARE(disconnected.size(), 1);
}

QTEST_GUILESS_MAIN(tst_HopSocket)
#include "tst_hopsocket.moc"
