// RFC 6455 on the client side, against a raw misbehaving server: a QTcpServer on 127.0.0.1
// that answers the upgrade with a hand-made 101 (or anything else) and then writes crafted
// bytes. No WebSocket library runs on the peer side: its frames are built and read here.
// Every check runs twice: through ClientSession (the core) and through `sockpit connect`
// (the real binary, run with QProcess): exit code, stderr and stdout.

#include "client/clientsession.h"
#include "events/eventstore.h"

#include <QCryptographicHash>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <functional>
#include <optional>

using namespace sockpit;

namespace {

constexpr qint64 DefaultLimit = qint64(16) * 1024 * 1024;
constexpr int WaitMs = 15000;

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
    QList<Event> of(EventKind kind) const
    {
        QList<Event> out;
        for (const Event &e : events) {
            if (e.kind == kind)
                out.append(e);
        }
        return out;
    }
    QStringList errorIds() const
    {
        QStringList ids;
        for (const Event &e : of(EventKind::Error))
            ids.append(e.errorId);
        return ids;
    }
};

// A server frame (section 5.2), by hand. Servers do not mask; `masked` is the violation.
QByteArray frame(quint8 opcode, const QByteArray &payload, bool fin = true, bool masked = false)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0x00) | opcode));
    const quint8 maskBit = masked ? 0x80 : 0x00;
    const qsizetype n = payload.size();
    if (n < 126) {
        out.append(char(maskBit | n));
    } else if (n <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char(n >> 8));
        out.append(char(n & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(n) >> shift) & 0xFF));
    }
    if (!masked)
        return out + payload;
    const QByteArray key = QByteArray::fromHex("37fa213d");
    QByteArray body = payload;
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char(body[i] ^ key[i % 4]);
    return out + key + body;
}

QByteArray closePayload(int code, const QByteArray &reason = {})
{
    QByteArray out;
    out.append(char((code >> 8) & 0xFF));
    out.append(char(code & 0xFF));
    return out + reason;
}

// A frame the client sent, as the raw server reads it.
struct WireFrame
{
    quint8 opcode = 0;
    bool fin = true;
    bool masked = false;
    QByteArray payload; // unmasked
    int closeCode() const
    {
        return payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : -1;
    }
};

QList<WireFrame> parseFrames(const QByteArray &bytes)
{
    QList<WireFrame> out;
    qsizetype i = 0;
    while (bytes.size() - i >= 2) {
        const quint8 b0 = quint8(bytes[i]);
        const quint8 b1 = quint8(bytes[i + 1]);
        quint64 length = b1 & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (bytes.size() - i < 4)
                break;
            length = (quint64(quint8(bytes[i + 2])) << 8) | quint8(bytes[i + 3]);
            header = 4;
        } else if (length == 127) {
            if (bytes.size() - i < 10)
                break;
            length = 0;
            for (int k = 0; k < 8; ++k)
                length = (length << 8) | quint8(bytes[i + 2 + k]);
            header = 10;
        }
        WireFrame f;
        f.opcode = b0 & 0x0F;
        f.fin = (b0 & 0x80) != 0;
        f.masked = (b1 & 0x80) != 0;
        QByteArray key;
        if (f.masked) {
            if (bytes.size() - i < header + 4)
                break;
            key = bytes.mid(i + header, 4);
            header += 4;
        }
        if (quint64(bytes.size() - i - header) < length)
            break;
        f.payload = bytes.mid(i + header, qsizetype(length));
        for (qsizetype k = 0; f.masked && k < f.payload.size(); ++k)
            f.payload[k] = char(f.payload[k] ^ key[k % 4]);
        out.append(f);
        i += header + qsizetype(length);
    }
    return out;
}

QByteArray acceptFor(const QByteArray &key)
{
    return QCryptographicHash::hash(QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                    QCryptographicHash::Sha1)
        .toBase64();
}

QByteArray switching(const QByteArray &key, const QByteArray &extraHeaders = {})
{
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: "
        + acceptFor(key) + "\r\n" + extraHeaders + "\r\n";
}

// The misbehaving server. It reads the request head, writes `answer(key)` and then
// `afterHandshake`, and records everything the client sends after the head. By default it
// ends TCP once the client's Close frame has arrived (the server closes first, section
// 7.1.1).
class RawServer : public QObject
{
public:
    QTcpServer server;
    QPointer<QTcpSocket> socket;
    QByteArray requestHead;
    std::function<QByteArray(const QByteArray &key)> answer = [](const QByteArray &key) {
        return switching(key);
    };
    QByteArray afterHandshake;
    bool endAfterWriting = false; // end TCP right after writing the answer and the frames
    // Write `afterHandshake` one byte per event loop turn, so that the client reads frames
    // split inside their headers and payloads.
    bool dribble = false;
    bool endOnClientClose = true;
    QByteArray received; // what the client sent after its request head
    bool answered = false;
    bool ended = false; // the TCP connection is over
    bool closeBeforeEnd = false; // the client's Close frame arrived before the end

    RawServer()
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *next = server.nextPendingConnection();
            if (socket) { // one connection per test
                next->abort();
                next->deleteLater();
                return;
            }
            socket = next;
            next->setParent(this);
            connect(next, &QTcpSocket::readyRead, this, [this] { read(); });
            connect(next, &QTcpSocket::disconnected, this, [this] {
                read();
                ended = true;
            });
            read();
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort())); }
    QList<WireFrame> frames() const { return parseFrames(received); }
    std::optional<WireFrame> clientClose() const
    {
        for (const WireFrame &f : frames()) {
            if (f.opcode == 0x8)
                return f;
        }
        return std::nullopt;
    }

private:
    void read()
    {
        if (!socket)
            return;
        const QByteArray bytes = socket->readAll();
        if (!answered) {
            requestHead += bytes;
            const qsizetype end = requestHead.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            received = requestHead.mid(end + 4);
            requestHead.truncate(end + 4);
            answered = true;
            QByteArray key;
            for (const QByteArray &line : requestHead.split('\n')) {
                if (line.toLower().startsWith("sec-websocket-key:"))
                    key = line.mid(18).trimmed();
            }
            socket->write(answer(key));
            if (dribble) {
                socket->flush();
                QTimer::singleShot(0, this, [this] { dribbleNext(0); });
            } else {
                socket->write(afterHandshake);
                if (endAfterWriting)
                    socket->disconnectFromHost();
            }
        } else {
            received += bytes;
        }
        if (clientClose() && !ended)
            closeBeforeEnd = true;
        if (endOnClientClose && clientClose() && socket
            && socket->state() == QAbstractSocket::ConnectedState)
            socket->disconnectFromHost();
    }

    void dribbleNext(qsizetype index)
    {
        if (!socket || socket->state() != QAbstractSocket::ConnectedState
            || index >= afterHandshake.size())
            return;
        socket->write(afterHandshake.constData() + index, 1);
        socket->flush();
        QTimer::singleShot(0, this, [this, index] { dribbleNext(index + 1); });
    }
};

ClientConfig configFor(const QUrl &url, qint64 maxMessageSize = 0)
{
    ClientConfig config;
    config.url = url;
    config.connectTimeoutMs = 5000;
    if (maxMessageSize > 0)
        config.maxMessageSize = maxMessageSize;
    return config;
}

// `sockpit connect` as a script runs it.
struct CliRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

void runConnect(const QStringList &arguments, CliRun *run)
{
    const QString binary = qEnvironmentVariable("SOCKPIT_BINARY");
    QVERIFY2(!binary.isEmpty(), "SOCKPIT_BINARY must name the sockpit binary (ctest sets it)");
    QProcess process;
    process.setProgram(binary);
    process.setArguments(QStringList{QStringLiteral("connect")} + arguments);
    process.start();
    QVERIFY2(process.waitForStarted(WaitMs), qPrintable(process.errorString()));
    // The raw server runs in this process: keep the event loop turning while it runs.
    QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, WaitMs);
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    run->exitCode = process.exitCode();
    run->out = process.readAllStandardOutput();
    run->err = process.readAllStandardError();
}

// The status line `sockpit connect` prints when the connection ends.
QByteArray closedLine(int code)
{
    return QByteArray("closed ") + QByteArray::number(code);
}

QString rowDescription(const CliRun &run)
{
    return QStringLiteral("exit %1, stderr: %2").arg(run.exitCode).arg(QString::fromUtf8(run.err));
}

} // namespace

class tst_ClientConformance : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Item 1: a server-initiated Close is answered.
    void answersTheServersClose_data();
    void answersTheServersClose();
    void connectAnswersTheServersClose_data();
    void connectAnswersTheServersClose();
    // Items 2, 3, 5, 7: what the server sends that the client must fail the connection for.
    void failsTheConnection_data();
    void failsTheConnection();
    void connectFailsTheConnection_data();
    void connectFailsTheConnection();
    // Item 7: the limit is inclusive.
    void acceptsMessagesUpToTheLimit_data();
    void acceptsMessagesUpToTheLimit();
    void connectAcceptsMessagesUpToTheLimit_data();
    void connectAcceptsMessagesUpToTheLimit();
    void connectDocumentsAndChecksTheLimitOption_data();
    void connectDocumentsAndChecksTheLimitOption();
    // Item 4: the 101 selects only what the client offered.
    void failsTheHandshake_data();
    void failsTheHandshake();
    void connectFailsTheHandshake_data();
    void connectFailsTheHandshake();
    void acceptsARequestedSubprotocol();
    // Item 6: an answer that is not HTTP.
    void reportsAnAnswerThatIsNotHttp_data();
    void reportsAnAnswerThatIsNotHttp();
    void connectReportsAnAnswerThatIsNotHttp_data();
    void connectReportsAnAnswerThatIsNotHttp();
    // Frames split across many reads.
    void checksFramesSplitAcrossReads_data();
    void checksFramesSplitAcrossReads();
    // Messages are the bytes on the wire.
    void keepsTextBytesAsReceived();
    void connectPrintsTextBytesAsReceived();
};

// ---------------------------------------------------------------------------------------
// Item 1

void tst_ClientConformance::answersTheServersClose_data()
{
    QTest::addColumn<QByteArray>("payload"); // of the server's Close frame
    QTest::addColumn<int>("echoed"); // the code the client's Close must carry; -1: none
    QTest::addColumn<int>("reported"); // the code the close event reports
    QTest::addColumn<QString>("reason");

    QTest::newRow("A server Close 1000 is answered with a masked Close echoing 1000 before the "
                  "server ends TCP (RFC 6455 section 5.5.1)")
        << closePayload(1000) << 1000 << 1000 << QString();
    QTest::newRow("A server Close 4001 \"bye\" is answered with a masked Close echoing 4001 "
                  "(section 5.5.1)")
        << closePayload(4001, "bye") << 4001 << 4001 << QStringLiteral("bye");
    QTest::newRow("A server Close 1012 (Service Restart, registered with IANA) is valid and is "
                  "echoed, not refused (section 7.4.2)")
        << closePayload(1012) << 1012 << 1012 << QString();
    QTest::newRow("A server Close 1014 (Bad Gateway, registered with IANA) is valid and is "
                  "echoed (section 7.4.2)")
        << closePayload(1014) << 1014 << 1014 << QString();
    QTest::newRow("A server Close 3000 (registered range) is echoed (section 7.4.2)")
        << closePayload(3000) << 3000 << 3000 << QString();
    QTest::newRow("A server Close without a payload is answered with a Close; the code reported "
                  "is 1005 (sections 5.5.1 and 7.1.5)")
        << QByteArray() << -1 << 1005 << QString();
}

void tst_ClientConformance::answersTheServersClose()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, echoed);
    QFETCH(int, reported);
    QFETCH(QString, reason);

    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = frame(0x8, payload);
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy closed(&session, &ClientSession::closed);
    QSignalSpy failures(&session, &ClientSession::protocolFailure);
    session.open(configFor(server.url()));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, WaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(server.ended, WaitMs);

    const std::optional<WireFrame> answer = server.clientClose();
    QVERIFY2(answer, "the client never sent a Close frame back");
    QVERIFY(answer->masked); // section 5.3: every client frame is masked
    QVERIFY(server.closeBeforeEnd);
    if (echoed < 0)
        QVERIFY(answer->payload.size() == 0 || answer->closeCode() == 1000);
    else
        QCOMPARE(answer->closeCode(), echoed);
    // Nothing after the Close (section 5.5.1).
    QCOMPARE(server.frames().last().opcode, quint8(0x8));

    QCOMPARE(closed.at(0).at(0).toInt(), reported);
    QCOMPARE(closed.at(0).at(1).toString(), reason);
    QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Remote);
    QCOMPARE(failures.size(), 0);
    QVERIFY2(rec.of(EventKind::Error).isEmpty(), qPrintable(rec.errorIds().join(u',')));
}

void tst_ClientConformance::connectAnswersTheServersClose_data()
{
    answersTheServersClose_data();
}

void tst_ClientConformance::connectAnswersTheServersClose()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, echoed);
    QFETCH(int, reported);

    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = frame(0x8, payload);
    CliRun run;
    runConnect({server.url().toString(), QStringLiteral("--timeout"), QStringLiteral("10")}, &run);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(run.exitCode == 0, qPrintable(rowDescription(run)));
    QVERIFY2(run.err.contains(closedLine(reported)), qPrintable(rowDescription(run)));
    QTRY_VERIFY_WITH_TIMEOUT(server.ended, WaitMs);
    const std::optional<WireFrame> answer = server.clientClose();
    QVERIFY2(answer, "sockpit connect never sent a Close frame back");
    QVERIFY(answer->masked);
    QVERIFY(server.closeBeforeEnd);
    if (echoed >= 0)
        QCOMPARE(answer->closeCode(), echoed);
}

// ---------------------------------------------------------------------------------------
// Items 2, 3, 5 and 7

void tst_ClientConformance::failsTheConnection_data()
{
    QTest::addColumn<QByteArray>("bytes"); // what the server writes after its 101
    QTest::addColumn<qint64>("limit"); // the client's message limit; 0: the default
    QTest::addColumn<int>("code"); // the Close the client must send
    QTest::addColumn<QString>("id"); // the error event's id
    QTest::addColumn<QString>("says"); // part of the error sentence

    const auto row = [](const char *name, const QByteArray &bytes, int code, const char *id,
                        const char *says, qint64 limit = 0) {
        QTest::newRow(name) << bytes << limit << code << QString::fromLatin1(id)
                            << QString::fromLatin1(says);
    };
    // Section 5.1
    row("A masked text frame from the server fails the connection with 1002 (RFC 6455 section "
        "5.1: a client must close the connection on a masked frame)",
        frame(0x1, "hidden", true, true), 1002, "protocol-masked-frame", "masked");
    row("A masked ping from the server fails the connection with 1002, unanswered by a pong "
        "(section 5.1)",
        frame(0x9, "ping", true, true), 1002, "protocol-masked-frame", "masked");
    row("A masked Close from the server fails the connection with 1002 (section 5.1)",
        frame(0x8, closePayload(1000), true, true), 1002, "protocol-masked-frame", "masked");
    row("A masked frame after a valid message fails the connection with 1002 (section 5.1)",
        frame(0x1, "fine") + frame(0x2, "\x01\x02", true, true), 1002, "protocol-masked-frame",
        "masked");
    // Section 5.5.1 and 7.4
    row("A server Close carrying 1005 fails the connection with 1002 (section 7.4.1: 1005 must "
        "not be sent)",
        frame(0x8, closePayload(1005)), 1002, "protocol-bad-close-frame", "1005");
    row("A server Close with a 1-byte payload fails the connection with 1002 (section 5.5.1: "
        "the body starts with a 2-byte code)",
        frame(0x8, QByteArray(1, '\x03')), 1002, "protocol-bad-close-frame", "1-byte");
    row("A server Close carrying 999 fails the connection with 1002 (section 7.4.2: codes "
        "below 1000 are not used)",
        frame(0x8, closePayload(999)), 1002, "protocol-bad-close-frame", "999");
    row("A server Close carrying 0 fails the connection with 1002 (section 7.4.2)",
        frame(0x8, closePayload(0)), 1002, "protocol-bad-close-frame", "close code 0");
    row("A server Close carrying 1004 (reserved) fails the connection with 1002 (section "
        "7.4.1)",
        frame(0x8, closePayload(1004)), 1002, "protocol-bad-close-frame", "1004");
    row("A server Close carrying 1006 fails the connection with 1002 (section 7.4.1: 1006 must "
        "not be sent)",
        frame(0x8, closePayload(1006)), 1002, "protocol-bad-close-frame", "1006");
    row("A server Close carrying 1015 fails the connection with 1002 (section 7.4.1: 1015 must "
        "not be sent)",
        frame(0x8, closePayload(1015)), 1002, "protocol-bad-close-frame", "1015");
    row("A server Close carrying 1016 (unassigned) fails the connection with 1002 (section "
        "7.4.2: 1016-2999 are reserved for the protocol)",
        frame(0x8, closePayload(1016)), 1002, "protocol-bad-close-frame", "1016");
    row("A server Close carrying 2999 (unassigned) fails the connection with 1002 (section "
        "7.4.2)",
        frame(0x8, closePayload(2999)), 1002, "protocol-bad-close-frame", "2999");
    row("A server Close carrying 5000 fails the connection with 1002 (section 7.4.2: codes "
        "above 4999 are not defined)",
        frame(0x8, closePayload(5000)), 1002, "protocol-bad-close-frame", "5000");
    row("A server Close whose reason is not UTF-8 fails the connection with 1007 (section "
        "5.5.1: the reason is UTF-8; section 8.1)",
        frame(0x8, closePayload(1000, "bad \xC3\x28")), 1007, "protocol-invalid-utf8", "UTF-8");
    row("A server Close whose reason is an overlong encoding fails the connection with 1007 "
        "(section 8.1, RFC 3629)",
        frame(0x8, closePayload(4000, "\xC0\xAF")), 1007, "protocol-invalid-utf8", "UTF-8");
    // Section 8.1
    row("A text message that is not UTF-8 fails the connection with 1007 and is not delivered "
        "(section 8.1)",
        frame(0x1, "caf\xE9"), 1007, "protocol-invalid-utf8", "UTF-8");
    // Other frame faults keep their ids.
    row("A reserved opcode fails the connection with 1002 (section 5.2)", frame(0x3, {}), 1002,
        "protocol-reserved-opcode", "reserved opcode");
    // Section 7.4.1 (1009) and the client's limit
    row("A message one byte over a 1000-byte limit fails the connection with 1009 (section "
        "7.4.1) and is not delivered",
        frame(0x1, QByteArray(1001, 'x')), 1009, "message-too-big", "1000", 1000);
    row("A fragmented message over a 1000-byte limit fails the connection with 1009 (section "
        "7.4.1)",
        frame(0x2, QByteArray(600, 'x'), false) + frame(0x0, QByteArray(600, 'y')), 1009,
        "message-too-big", "1000", 1000);
    row("A message one byte over the default limit of 16 MiB fails the connection with 1009 "
        "(section 7.4.1)",
        frame(0x2, QByteArray(DefaultLimit + 1, 'z')), 1009, "message-too-big", "16777216");
}

void tst_ClientConformance::failsTheConnection()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, limit);
    QFETCH(int, code);
    QFETCH(QString, id);
    QFETCH(QString, says);

    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = bytes;
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy closed(&session, &ClientSession::closed);
    QSignalSpy failures(&session, &ClientSession::protocolFailure);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    QSignalSpy binaries(&session, &ClientSession::binaryReceived);
    session.open(configFor(server.url(), limit));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, WaitMs);
    QCOMPARE(opened.size(), 1);

    // The client said so: the protocolFailure signal, then the error event, then the close.
    QCOMPARE(failures.size(), 1);
    QCOMPARE(failures.at(0).at(0).toString(), id);
    QVERIFY2(failures.at(0).at(1).toString().contains(says),
             qPrintable(failures.at(0).at(1).toString()));
    QVERIFY2(rec.errorIds().contains(id), qPrintable(rec.errorIds().join(u',')));
    QCOMPARE(closed.at(0).at(0).toInt(), code);
    QCOMPARE(closed.at(0).at(2).value<CloseInitiator>(), CloseInitiator::Local);
    const QList<Event> closes = rec.of(EventKind::Close);
    QVERIFY(!closes.isEmpty());
    QCOMPARE(closes.last().closeCode, code);
    QCOMPARE(closes.last().initiator, CloseInitiator::Local);

    // The offending message never reached the application or the log; a valid one before
    // it did.
    const int delivered = bytes.startsWith(frame(0x1, "fine")) ? 1 : 0;
    QCOMPARE(texts.size(), delivered);
    QCOMPARE(binaries.size(), 0);
    QCOMPARE(rec.of(EventKind::Text).size(), delivered);
    QCOMPARE(rec.of(EventKind::Binary).size(), 0);
    QCOMPARE(rec.of(EventKind::Ping).size(), 0);
    QCOMPARE(rec.of(EventKind::Pong).size(), 0);

    // On the wire: one masked Close with the code, and nothing after it (section 5.5.1).
    QTRY_VERIFY_WITH_TIMEOUT(server.ended, WaitMs);
    const std::optional<WireFrame> answer = server.clientClose();
    QVERIFY2(answer, "the client did not send a Close frame");
    QVERIFY(answer->masked);
    QCOMPARE(answer->closeCode(), code);
    QVERIFY(server.closeBeforeEnd);
    QCOMPARE(server.frames().last().opcode, quint8(0x8));
    for (const WireFrame &f : server.frames())
        QVERIFY2(f.opcode != 0xA, "the client answered a frame it must refuse");
}

void tst_ClientConformance::connectFailsTheConnection_data()
{
    failsTheConnection_data();
}

void tst_ClientConformance::connectFailsTheConnection()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, limit);
    QFETCH(int, code);
    QFETCH(QString, says);

    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = bytes;
    QStringList arguments
        = {server.url().toString(), QStringLiteral("--timeout"), QStringLiteral("10")};
    if (limit > 0)
        arguments << QStringLiteral("--max-message-size") << QString::number(limit);
    CliRun run;
    runConnect(arguments, &run);
    if (QTest::currentTestFailed())
        return;
    // Section 7.1.7: the client failed the connection: exit 1, the reason on stderr.
    QVERIFY2(run.exitCode == 1, qPrintable(rowDescription(run)));
    QVERIFY2(QString::fromUtf8(run.err).contains(says), qPrintable(rowDescription(run)));
    QVERIFY2(run.err.contains(closedLine(code)), qPrintable(rowDescription(run)));
    const int delivered = bytes.startsWith(frame(0x1, "fine")) ? 1 : 0;
    QCOMPARE(run.out, delivered ? QByteArray("fine\n") : QByteArray());
    QTRY_VERIFY_WITH_TIMEOUT(server.ended, WaitMs);
    const std::optional<WireFrame> answer = server.clientClose();
    QVERIFY2(answer, "sockpit connect did not send a Close frame");
    QVERIFY(answer->masked);
    QCOMPARE(answer->closeCode(), code);
}

void tst_ClientConformance::acceptsMessagesUpToTheLimit_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<qint64>("size");
    QTest::newRow("A message of exactly the 1000-byte limit is delivered (the limit is "
                  "inclusive)")
        << frame(0x1, QByteArray(1000, 'x')) << qint64(1000) << qint64(1000);
    QTest::newRow("A fragmented message of exactly the 1000-byte limit is delivered")
        << frame(0x1, QByteArray(600, 'x'), false) + frame(0x0, QByteArray(400, 'y'))
        << qint64(1000) << qint64(1000);
    QTest::newRow("A message of exactly the default 16 MiB is delivered")
        << frame(0x1, QByteArray(DefaultLimit, 'x')) << qint64(0) << DefaultLimit;
}

void tst_ClientConformance::acceptsMessagesUpToTheLimit()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, limit);
    QFETCH(qint64, size);

    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = bytes + frame(0x8, closePayload(1000));
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    QSignalSpy closed(&session, &ClientSession::closed);
    session.open(configFor(server.url(), limit));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, WaitMs);
    QCOMPARE(texts.size(), 1);
    QCOMPARE(texts.at(0).at(0).toString().size(), size);
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    QCOMPARE(rec.of(EventKind::Text).size(), 1);
    QCOMPARE(rec.of(EventKind::Text).first().size, size);
    QVERIFY2(rec.of(EventKind::Error).isEmpty(), qPrintable(rec.errorIds().join(u',')));
}

void tst_ClientConformance::connectAcceptsMessagesUpToTheLimit_data()
{
    acceptsMessagesUpToTheLimit_data();
}

void tst_ClientConformance::connectAcceptsMessagesUpToTheLimit()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, limit);
    QFETCH(qint64, size);

    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = bytes + frame(0x8, closePayload(1000));
    QStringList arguments
        = {server.url().toString(), QStringLiteral("--timeout"), QStringLiteral("10")};
    if (limit > 0)
        arguments << QStringLiteral("--max-message-size") << QString::number(limit);
    CliRun run;
    runConnect(arguments, &run);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(run.exitCode == 0, qPrintable(rowDescription(run)));
    QCOMPARE(run.out.size(), size + 1); // the message and its newline
    QVERIFY2(run.err.contains(closedLine(1000)), qPrintable(rowDescription(run)));
}

void tst_ClientConformance::connectDocumentsAndChecksTheLimitOption_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("says"); // on stdout (help) or stderr (usage errors)
    QTest::newRow("--help documents --max-message-size and its 16 MiB default")
        << QStringList{QStringLiteral("--help")} << 0 << QStringLiteral("--max-message-size");
    QTest::newRow("--max-message-size 0 is a usage error")
        << QStringList{QStringLiteral("ws://127.0.0.1:1/"), QStringLiteral("--max-message-size"),
                       QStringLiteral("0")}
        << 2 << QStringLiteral("--max-message-size");
    QTest::newRow("--max-message-size with a word is a usage error")
        << QStringList{QStringLiteral("ws://127.0.0.1:1/"), QStringLiteral("--max-message-size"),
                       QStringLiteral("lots")}
        << 2 << QStringLiteral("--max-message-size");
    QTest::newRow("--max-message-size -5 is a usage error")
        << QStringList{QStringLiteral("ws://127.0.0.1:1/"), QStringLiteral("--max-message-size=-5")}
        << 2 << QStringLiteral("--max-message-size");
}

void tst_ClientConformance::connectDocumentsAndChecksTheLimitOption()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, says);
    CliRun run;
    runConnect(arguments, &run);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(run.exitCode == exitCode, qPrintable(rowDescription(run)));
    const QString text = QString::fromUtf8(exitCode == 0 ? run.out : run.err);
    QVERIFY2(text.contains(says), qPrintable(text));
    if (exitCode == 0)
        QVERIFY2(text.contains(QStringLiteral("16777216")), qPrintable(text));
}

// ---------------------------------------------------------------------------------------
// Item 4

void tst_ClientConformance::failsTheHandshake_data()
{
    QTest::addColumn<QStringList>("requested"); // the client's subprotocols
    QTest::addColumn<QByteArray>("headers"); // added to the server's 101
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("says");

    QTest::newRow("A 101 selecting permessage-deflate, which the client did not offer, fails "
                  "the handshake (RFC 6455 section 4.1)")
        << QStringList() << QByteArray("Sec-WebSocket-Extensions: permessage-deflate\r\n")
        << QStringLiteral("handshake-unrequested-extension")
        << QStringLiteral("permessage-deflate");
    QTest::newRow("A 101 selecting an extension with parameters that was not offered fails the "
                  "handshake (section 4.1)")
        << QStringList()
        << QByteArray("Sec-WebSocket-Extensions: x-webkit-deflate-frame; max_window_bits=10\r\n")
        << QStringLiteral("handshake-unrequested-extension")
        << QStringLiteral("x-webkit-deflate-frame");
    QTest::newRow("A 101 selecting a subprotocol when the client requested none fails the "
                  "handshake (section 4.1)")
        << QStringList() << QByteArray("Sec-WebSocket-Protocol: chat\r\n")
        << QStringLiteral("handshake-unrequested-subprotocol") << QStringLiteral("chat");
    QTest::newRow("A 101 selecting a subprotocol other than the requested ones fails the "
                  "handshake (section 4.1)")
        << QStringList{QStringLiteral("a"), QStringLiteral("b")}
        << QByteArray("Sec-WebSocket-Protocol: c\r\n")
        << QStringLiteral("handshake-unrequested-subprotocol") << QStringLiteral("\"c\"");
    QTest::newRow("A 101 selecting two subprotocols at once fails the handshake (section 4.1: "
                  "the server selects one)")
        << QStringList{QStringLiteral("a"), QStringLiteral("b")}
        << QByteArray("Sec-WebSocket-Protocol: a, b\r\n")
        << QStringLiteral("handshake-unrequested-subprotocol") << QStringLiteral("a, b");
}

void tst_ClientConformance::failsTheHandshake()
{
    QFETCH(QStringList, requested);
    QFETCH(QByteArray, headers);
    QFETCH(QString, id);
    QFETCH(QString, says);

    RawServer server;
    QVERIFY(server.listen());
    server.answer = [headers](const QByteArray &key) {
        return switching(key, headers);
    };
    // What would follow if the client took the connection as open.
    server.afterHandshake = frame(0x1, "should not be delivered");
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy failed(&session, &ClientSession::failed);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    ClientConfig config = configFor(server.url());
    config.subprotocols = requested;
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, WaitMs);
    QCOMPARE(failed.at(0).at(0).toString(), id);
    QVERIFY2(failed.at(0).at(1).toString().contains(says),
             qPrintable(failed.at(0).at(1).toString()));
    QCOMPARE(opened.size(), 0);
    QCOMPARE(texts.size(), 0);
    QCOMPARE(session.state(), ClientSession::State::Closed);
    QVERIFY2(rec.errorIds().contains(id), qPrintable(rec.errorIds().join(u',')));
    QVERIFY(rec.of(EventKind::Open).isEmpty());
    QVERIFY(rec.of(EventKind::Text).isEmpty());
    // The inspector has the response that was refused.
    const QList<Event> handshakes = rec.of(EventKind::Handshake);
    QCOMPARE(handshakes.size(), 1);
    QVERIFY(handshakes.first().handshake->response);
    QCOMPARE(handshakes.first().handshake->response->status, 101);
    // The connection is not established: no frame, the TCP connection ends.
    QTRY_VERIFY_WITH_TIMEOUT(server.ended, WaitMs);
    QVERIFY2(server.received.isEmpty(), server.received.toHex().constData());
}

void tst_ClientConformance::connectFailsTheHandshake_data()
{
    failsTheHandshake_data();
}

void tst_ClientConformance::connectFailsTheHandshake()
{
    QFETCH(QStringList, requested);
    QFETCH(QByteArray, headers);
    QFETCH(QString, says);

    RawServer server;
    QVERIFY(server.listen());
    server.answer = [headers](const QByteArray &key) {
        return switching(key, headers);
    };
    server.afterHandshake = frame(0x1, "should not be delivered");
    QStringList arguments
        = {server.url().toString(), QStringLiteral("--timeout"), QStringLiteral("10")};
    for (const QString &name : requested)
        arguments << QStringLiteral("--subprotocol") << name;
    CliRun run;
    runConnect(arguments, &run);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(run.exitCode == 1, qPrintable(rowDescription(run)));
    QVERIFY2(QString::fromUtf8(run.err).contains(says), qPrintable(rowDescription(run)));
    QVERIFY2(!run.err.contains("connected to"), qPrintable(rowDescription(run)));
    QCOMPARE(run.out, QByteArray());
}

void tst_ClientConformance::acceptsARequestedSubprotocol()
{
    RawServer server;
    QVERIFY(server.listen());
    server.answer = [](const QByteArray &key) {
        return switching(key, "Sec-WebSocket-Protocol: b\r\n");
    };
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy failed(&session, &ClientSession::failed);
    ClientConfig config = configFor(server.url());
    config.subprotocols = {QStringLiteral("a"), QStringLiteral("b")};
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, WaitMs);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(session.negotiatedSubprotocol(), QStringLiteral("b"));
}

// ---------------------------------------------------------------------------------------
// Item 6

void tst_ClientConformance::reportsAnAnswerThatIsNotHttp_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<bool>("endAfterwards");
    QTest::addColumn<QString>("says");

    QTest::newRow("\"hello\" and the end of the connection is a bad handshake answer, not a "
                  "refused connection (RFC 6455 section 4.1: the answer is an HTTP response)")
        << QByteArray("hello\r\n") << true << QStringLiteral("not HTTP");
    QTest::newRow("Binary garbage and the end of the connection is a bad handshake answer")
        << QByteArray::fromHex("00ff13379a0b0c0d") << true << QStringLiteral("not HTTP");
    QTest::newRow("\"hello\" on a connection that stays open is reported at once, without "
                  "waiting for a timeout")
        << QByteArray("hello\r\n") << false << QStringLiteral("not HTTP");
    QTest::newRow("An SSH banner is not an HTTP response")
        << QByteArray("SSH-2.0-OpenSSH_9.2p1\r\n") << false << QStringLiteral("not HTTP");
    QTest::newRow("A status line whose code is not a number is not a valid HTTP response")
        << QByteArray("HTTP/1.1 abc Switching\r\n\r\n") << false
        << QStringLiteral("not a valid HTTP");
    QTest::newRow("A response head cut off by the end of the connection is a bad handshake "
                  "answer")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs") << true
        << QStringLiteral("ended before");
}

void tst_ClientConformance::reportsAnAnswerThatIsNotHttp()
{
    QFETCH(QByteArray, answer);
    QFETCH(bool, endAfterwards);
    QFETCH(QString, says);

    RawServer server;
    QVERIFY(server.listen());
    server.answer = [answer](const QByteArray &) {
        return answer;
    };
    server.endAfterWriting = endAfterwards;
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy failed(&session, &ClientSession::failed);
    ClientConfig config = configFor(server.url());
    config.connectTimeoutMs = 10000; // the failure must come from the answer, not the timer
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("bad-handshake-response"));
    const QString sentence = failed.at(0).at(1).toString();
    QVERIFY2(sentence.contains(says), qPrintable(sentence));
    QVERIFY2(!sentence.contains(QStringLiteral("nothing is listening")), qPrintable(sentence));
    QCOMPARE(rec.errorIds(), QStringList{QStringLiteral("bad-handshake-response")});
    // The bytes are kept for the inspector: the handshake event's response body.
    const QList<Event> handshakes = rec.of(EventKind::Handshake);
    QCOMPARE(handshakes.size(), 1);
    QVERIFY(handshakes.first().handshake->response);
    QCOMPARE(handshakes.first().handshake->response->body, answer);
    QTRY_VERIFY_WITH_TIMEOUT(server.ended, WaitMs);
}

void tst_ClientConformance::connectReportsAnAnswerThatIsNotHttp_data()
{
    reportsAnAnswerThatIsNotHttp_data();
}

void tst_ClientConformance::connectReportsAnAnswerThatIsNotHttp()
{
    QFETCH(QByteArray, answer);
    QFETCH(bool, endAfterwards);
    QFETCH(QString, says);

    RawServer server;
    QVERIFY(server.listen());
    server.answer = [answer](const QByteArray &) {
        return answer;
    };
    server.endAfterWriting = endAfterwards;
    CliRun run;
    runConnect({server.url().toString(), QStringLiteral("--timeout"), QStringLiteral("10")}, &run);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(run.exitCode == 1, qPrintable(rowDescription(run)));
    QVERIFY2(QString::fromUtf8(run.err).contains(says), qPrintable(rowDescription(run)));
    QVERIFY2(!run.err.contains("nothing is listening"), qPrintable(rowDescription(run)));
}

// ---------------------------------------------------------------------------------------
// Frames that arrive a byte at a time

void tst_ClientConformance::checksFramesSplitAcrossReads_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("texts"); // delivered
    QTest::addColumn<int>("code"); // of the close
    QTest::addColumn<QString>("id"); // of the error; empty: none
    QTest::newRow("A fragmented text with a ping between its frames, then a Close, each byte "
                  "read on its own, is delivered whole and the Close echoed (sections 5.4, 5.5)")
        << frame(0x1, "Hel", false) + frame(0x9, "are you there") + frame(0x0, "lo")
            + frame(0x1, QByteArray(300, 'x')) + frame(0x8, closePayload(4002, "done"))
        << 2 << 4002 << QString();
    QTest::newRow("A masked frame read a byte at a time still fails the connection with 1002 "
                  "(section 5.1)")
        << frame(0x1, "ok") + frame(0x1, "hidden", true, true) << 1 << 1002
        << QStringLiteral("protocol-masked-frame");
    QTest::newRow("A Close with 1015 read a byte at a time fails the connection with 1002 "
                  "(section 7.4.1)")
        << frame(0x8, closePayload(1015)) << 0 << 1002
        << QStringLiteral("protocol-bad-close-frame");
}

void tst_ClientConformance::checksFramesSplitAcrossReads()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, texts);
    QFETCH(int, code);
    QFETCH(QString, id);

    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = bytes;
    server.dribble = true;
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy received(&session, &ClientSession::textReceived);
    QSignalSpy closed(&session, &ClientSession::closed);
    session.open(configFor(server.url()));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, WaitMs);
    QCOMPARE(received.size(), texts);
    if (texts > 0)
        QCOMPARE(received.at(0).at(0).toString(),
                 id.isEmpty() ? QStringLiteral("Hello") : QStringLiteral("ok"));
    QCOMPARE(closed.at(0).at(0).toInt(), code);
    if (id.isEmpty()) {
        QVERIFY2(rec.of(EventKind::Error).isEmpty(), qPrintable(rec.errorIds().join(u',')));
        QCOMPARE(rec.of(EventKind::Ping).size(), 1);
        QCOMPARE(rec.of(EventKind::Text).first().frames.size(), 2);
    } else {
        QCOMPARE(rec.errorIds(), QStringList{id});
    }
    QTRY_VERIFY_WITH_TIMEOUT(server.ended, WaitMs);
    const std::optional<WireFrame> answer = server.clientClose();
    QVERIFY2(answer, "the client did not send a Close frame");
    QVERIFY(answer->masked);
    QCOMPARE(answer->closeCode(), code);
}

// ---------------------------------------------------------------------------------------
// Bytes as on the wire

void tst_ClientConformance::keepsTextBytesAsReceived()
{
    // A text message that starts with a UTF-8 byte order mark (EF BB BF): valid UTF-8, and
    // part of the message (RFC 6455 section 5.6 gives no license to strip it).
    const QByteArray text = QByteArray::fromHex("efbbbf") + "hi";
    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = frame(0x1, text) + frame(0x8, closePayload(1000));
    Recorder rec;
    ClientSession session(&rec.store);
    QSignalSpy texts(&session, &ClientSession::textReceived);
    QSignalSpy closed(&session, &ClientSession::closed);
    session.open(configFor(server.url()));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, WaitMs);
    QCOMPARE(texts.size(), 1);
    QCOMPARE(texts.at(0).at(0).toString().toUtf8().toHex(), text.toHex());
    const QList<Event> logged = rec.of(EventKind::Text);
    QCOMPARE(logged.size(), 1);
    QCOMPARE(logged.first().payload.toHex(), text.toHex());
    QCOMPARE(logged.first().size, qint64(5));
}

void tst_ClientConformance::connectPrintsTextBytesAsReceived()
{
    const QByteArray text = QByteArray::fromHex("efbbbf") + "hi";
    RawServer server;
    QVERIFY(server.listen());
    server.afterHandshake = frame(0x1, text) + frame(0x8, closePayload(1000));
    CliRun run;
    runConnect({server.url().toString(), QStringLiteral("--timeout"), QStringLiteral("10"),
                QStringLiteral("--log"), QStringLiteral("-")},
               &run);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(run.exitCode == 0, qPrintable(rowDescription(run)));
    // The printed line, then the log's lines; the text line is the bytes received.
    QVERIFY2(run.out.split('\n').contains(text), run.out.constData());
    // The log keeps the bytes too ("\ufeff" is how JSON writes U+FEFF, or the raw bytes).
    QVERIFY2(run.out.contains(QByteArray("\"text\":\"" + text + "\""))
                 || run.out.contains("\"text\":\"\\ufeffhi\""),
             run.out.constData());
}

QTEST_GUILESS_MAIN(tst_ClientConformance)
#include "tst_clientconformance.moc"
