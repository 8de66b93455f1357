#include "events/eventstore.h"
#include "server/embeddedserver.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <optional>

using namespace sockpit;

namespace {

// One frame as the peer builds it or reads it back: no WebSocket library on this side.
struct WireFrame
{
    quint8 opcode = 0;
    bool fin = true;
    bool masked = false;
    QByteArray payload;
};

constexpr quint8 Continuation = 0x0;
constexpr quint8 Text = 0x1;
constexpr quint8 Binary = 0x2;
constexpr quint8 Close = 0x8;
constexpr quint8 Ping = 0x9;
constexpr quint8 Pong = 0xA;

// RFC 6455 section 5.2, masked as a client must (section 5.3) unless told otherwise.
QByteArray frame(quint8 opcode, const QByteArray &payload, bool fin = true, bool masked = true)
{
    QByteArray bytes;
    bytes.append(char((fin ? 0x80 : 0x00) | opcode));
    const quint8 maskBit = masked ? 0x80 : 0x00;
    const qsizetype n = payload.size();
    if (n < 126) {
        bytes.append(char(maskBit | n));
    } else if (n <= 0xFFFF) {
        bytes.append(char(maskBit | 126));
        bytes.append(char(n >> 8));
        bytes.append(char(n & 0xFF));
    } else {
        bytes.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            bytes.append(char((quint64(n) >> shift) & 0xFF));
    }
    if (!masked)
        return bytes + payload;
    const char key[4] = {'\x37', '\xFA', '\x21', '\x3D'};
    bytes.append(key, 4);
    for (qsizetype i = 0; i < n; ++i)
        bytes.append(char(payload.at(i) ^ key[i % 4]));
    return bytes;
}

// The same frame with reserved bits set (RSV1 = 4, RSV2 = 2, RSV3 = 1).
QByteArray withRsv(QByteArray frameBytes, quint8 rsv)
{
    frameBytes[0] = char(quint8(frameBytes.at(0)) | quint8(rsv << 4));
    return frameBytes;
}

QByteArray closeBody(int code, const QByteArray &reason = QByteArray())
{
    QByteArray body;
    body.append(char(code >> 8));
    body.append(char(code & 0xFF));
    return body + reason;
}

int closeCode(const QByteArray &payload)
{
    return payload.size() < 2 ? 1005
                              : (int(quint8(payload.at(0))) << 8) | int(quint8(payload.at(1)));
}

// The frames in `bytes`, as far as they are complete.
QList<WireFrame> parseFrames(QByteArrayView bytes)
{
    QList<WireFrame> result;
    qsizetype at = 0;
    while (bytes.size() - at >= 2) {
        WireFrame f;
        const quint8 b0 = quint8(bytes.at(at));
        const quint8 b1 = quint8(bytes.at(at + 1));
        f.fin = (b0 & 0x80) != 0;
        f.opcode = b0 & 0x0F;
        f.masked = (b1 & 0x80) != 0;
        qsizetype header = 2;
        quint64 length = b1 & 0x7F;
        if (length == 126) {
            if (bytes.size() - at < 4)
                break;
            length = (quint64(quint8(bytes.at(at + 2))) << 8) | quint8(bytes.at(at + 3));
            header = 4;
        } else if (length == 127) {
            if (bytes.size() - at < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | quint8(bytes.at(at + 2 + i));
            header = 10;
        }
        if (f.masked)
            header += 4;
        if (quint64(bytes.size() - at - header) < length)
            break;
        f.payload = bytes.sliced(at + header, qsizetype(length)).toByteArray();
        result.append(f);
        at += header + qsizetype(length);
    }
    return result;
}

// A server in echo mode on 127.0.0.1:0, every recorded event kept in order.
struct Harness
{
    EventStore store;
    EmbeddedServer server{&store};
    QList<Event> events;
    bool started = false;

    explicit Harness(qint64 maxMessageSize = 0)
    {
        QObject::connect(&store, &EventStore::recorded, &store,
                         [this](const Event &e) { events.append(e); });
        ServerConfig config;
        config.port = 0;
        config.mode = ServerMode::Echo;
        if (maxMessageSize > 0)
            config.maxMessageSize = maxMessageSize;
        started = server.start(config);
    }
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
};

// The peer: a hand-made upgrade, then crafted bytes; it keeps every byte it receives.
struct RawPeer
{
    QTcpSocket socket;
    QByteArray received;

    explicit RawPeer(quint16 port)
    {
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                         [this] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, port);
        socket.write("GET /conformance HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n");
    }
    qsizetype headEnd() const { return received.indexOf("\r\n\r\n"); }
    bool upgraded() const { return headEnd() >= 0 && received.startsWith("HTTP/1.1 101 "); }
    QList<WireFrame> frames() const
    {
        const qsizetype end = headEnd();
        return end < 0 ? QList<WireFrame>() : parseFrames(QByteArrayView(received).sliced(end + 4));
    }
    QList<WireFrame> framesOf(quint8 opcode) const
    {
        QList<WireFrame> result = frames();
        result.removeIf([opcode](const WireFrame &f) { return f.opcode != opcode; });
        return result;
    }
    // The data messages the server sent, joined from their frames.
    QList<QByteArray> messages() const
    {
        QList<QByteArray> result;
        QByteArray current;
        for (const WireFrame &f : frames()) {
            if (f.opcode != Text && f.opcode != Binary && f.opcode != Continuation)
                continue;
            current += f.payload;
            if (f.fin)
                result.append(std::exchange(current, QByteArray()));
        }
        return result;
    }
    bool closed() const { return socket.state() == QAbstractSocket::UnconnectedState; }
};

using FrameList = QList<QByteArray>;

// A text message in frames cut at `cuts` (byte offsets into the payload).
FrameList textInFrames(const QByteArray &message, const QList<qsizetype> &cuts)
{
    FrameList result;
    qsizetype from = 0;
    for (qsizetype i = 0; i <= cuts.size(); ++i) {
        const qsizetype to = i < cuts.size() ? cuts.at(i) : message.size();
        result.append(
            frame(i == 0 ? Text : Continuation, message.sliced(from, to - from), i == cuts.size()));
        from = to;
    }
    return result;
}

} // namespace

Q_DECLARE_METATYPE(FrameList)

class tst_ServerConformance : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void validTextSplitInsideACharacterIsEchoedWhole_data();
    void validTextSplitInsideACharacterIsEchoedWhole();
    void invalidUtf8FailsWithExactlyOne1007_data();
    void invalidUtf8FailsWithExactlyOne1007();
    void theFragmentAfterInvalidUtf8GetsNoSecondClose();
    void aByteOrderMarkIsPartOfTheMessage_data();
    void aByteOrderMarkIsPartOfTheMessage();
    void aValidMessageBeforeAViolationIsAnsweredFirst_data();
    void aValidMessageBeforeAViolationIsAnsweredFirst();
    void aCloseWithAnInvalidCodeFailsNamingTheCode_data();
    void aCloseWithAnInvalidCodeFailsNamingTheCode();
    void aCloseWithARegisteredCodeIsEchoed_data();
    void aCloseWithARegisteredCodeIsEchoed();
    void anUnsolicitedPongIsRecordedFromItsFrameWithoutARoundTrip();
    void autobahnGroups_data();
    void autobahnGroups();

private:
    void openPeer(Harness &h, std::unique_ptr<RawPeer> *peer);
};

void tst_ServerConformance::openPeer(Harness &h, std::unique_ptr<RawPeer> *peer)
{
    QVERIFY(h.started);
    *peer = std::make_unique<RawPeer>(h.server.port());
    QTRY_VERIFY((*peer)->upgraded());
    QTRY_COMPARE(h.of(EventKind::Open).size(), 1);
}

void tst_ServerConformance::validTextSplitInsideACharacterIsEchoedWhole_data()
{
    QTest::addColumn<FrameList>("wire");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<int>("dataFrames");
    const QList<std::pair<const char *, QByteArray>> characters = {
        {"2-byte", QByteArray("\xC3\xA9")}, // é
        {"3-byte", QByteArray("\xE2\x82\xAC")}, // €
        {"4-byte", QByteArray("\xF0\x9F\x98\x80")}, // U+1F600
    };
    for (const auto &[name, character] : characters) {
        const QByteArray message = "a" + character + "b";
        for (qsizetype cut = 1; cut < character.size(); ++cut) {
            QTest::addRow("a text message split after byte %d of a %s character is echoed whole "
                          "(RFC 6455 sections 5.6, 8.1)",
                          int(cut), name)
                << textInFrames(message, {1 + cut}) << message << 2;
        }
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < message.size(); ++i)
            everyByte.append(i);
        QTest::addRow("a text message with a %s character sent one byte per frame is echoed "
                      "whole (RFC 6455 sections 5.4, 8.1)",
                      name)
            << textInFrames(message, everyByte) << message << int(message.size());
        FrameList withPing = textInFrames(message, {2});
        withPing.insert(1, frame(Ping, "between"));
        QTest::addRow("a ping between the fragments of a split %s character is answered and "
                      "the message echoed whole (RFC 6455 section 5.4)",
                      name)
            << withPing << message << 2;
    }
}

void tst_ServerConformance::validTextSplitInsideACharacterIsEchoedWhole()
{
    QFETCH(FrameList, wire);
    QFETCH(QByteArray, message);
    QFETCH(int, dataFrames);
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    for (const QByteArray &bytes : std::as_const(wire))
        peer->socket.write(bytes);
    QTRY_COMPARE(peer->messages().size(), 1);
    QCOMPARE(peer->messages().at(0), message);
    QVERIFY(peer->framesOf(Close).isEmpty());
    QTRY_COMPARE(peer->framesOf(Pong).size(), qsizetype(wire.size() - dataFrames));

    // The log shows the frames as they were on the wire, and the exact bytes.
    const QList<Event> in = h.of(EventKind::Text, EventDirection::In);
    QCOMPARE(in.size(), 1);
    QCOMPARE(in.at(0).payload, message);
    QCOMPARE(in.at(0).size, message.size());
    QCOMPARE(in.at(0).frames.size(), dataFrames);
    QTRY_COMPARE(h.of(EventKind::Text, EventDirection::Out).size(), 1);
    QCOMPARE(h.of(EventKind::Text, EventDirection::Out).at(0).payload, message);
    QVERIFY(h.of(EventKind::Error).isEmpty());
}

void tst_ServerConformance::invalidUtf8FailsWithExactlyOne1007_data()
{
    QTest::addColumn<FrameList>("wire");
    QTest::newRow("a byte that never occurs in UTF-8 fails with 1007 (RFC 6455 section 8.1)")
        << FrameList{frame(Text,
                           "a\xFF"
                           "b")};
    QTest::newRow("invalid UTF-8 in a fragment that is not the last fails at once, before the "
                  "message is complete (RFC 6455 section 8.1)")
        << FrameList{frame(Text, "ab\xFE", false)};
    QTest::newRow("invalid UTF-8 in the first fragment and a final fragment after it get one "
                  "Close with 1007 (RFC 6455 sections 5.5.1, 8.1)")
        << FrameList{frame(Text, "a\xFF", false), frame(Continuation, "b")};
    QTest::newRow("a character cut off by the end of the message fails with 1007 (RFC 6455 "
                  "section 8.1)")
        << FrameList{frame(Text, "a\xE2\x82", false), frame(Continuation, QByteArray())};
    QTest::newRow("an overlong encoding split across frames fails with 1007 (RFC 6455 section "
                  "8.1, RFC 3629)")
        << FrameList{frame(Text, "\xC0", false), frame(Continuation, "\x80")};
    QTest::newRow("a surrogate split across frames fails with 1007 (RFC 6455 section 8.1, RFC "
                  "3629)")
        << FrameList{frame(Text, "\xED", false), frame(Continuation, "\xA0\x80")};
    QTest::newRow("a code point above U+10FFFF fails with 1007 (RFC 6455 section 8.1, RFC 3629)")
        << FrameList{frame(Text, "\xF4\x90\x80\x80")};
}

void tst_ServerConformance::invalidUtf8FailsWithExactlyOne1007()
{
    QFETCH(FrameList, wire);
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    for (const QByteArray &bytes : std::as_const(wire))
        peer->socket.write(bytes);
    QTRY_VERIFY(peer->closed());

    // Exactly one Close (section 5.5.1), with 1007, and nothing echoed.
    const QList<WireFrame> closes = peer->framesOf(Close);
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closeCode(closes.at(0).payload), 1007);
    QVERIFY(!closes.at(0).masked);
    QVERIFY(peer->messages().isEmpty());

    // The log says what was sent.
    QTRY_COMPARE(h.of(EventKind::Close).size(), 1);
    const Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.closeCode, 1007);
    QCOMPARE(close.reason.toUtf8(), closes.at(0).payload.sliced(2));
    QCOMPARE(close.initiator, CloseInitiator::Local);
    const QList<Event> errors = h.of(EventKind::Error);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).errorId, QStringLiteral("protocol-invalid-utf8"));
    QVERIFY(h.of(EventKind::Text).isEmpty());
}

// RFC 6455 section 5.5.1: after its Close an endpoint sends no further frame, so the
// fragment that arrives after the server failed the message must not draw a second Close.
void tst_ServerConformance::theFragmentAfterInvalidUtf8GetsNoSecondClose()
{
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    peer->socket.write(frame(Text, "a\xFF", false));
    QTRY_COMPARE(peer->framesOf(Close).size(), 1);
    peer->socket.write(frame(Continuation, "b"));
    QTRY_VERIFY(peer->closed());
    const QList<WireFrame> closes = peer->framesOf(Close);
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closeCode(closes.at(0).payload), 1007);
    QTRY_COMPARE(h.of(EventKind::Close).size(), 1);
    QCOMPARE(h.of(EventKind::Close).at(0).reason.toUtf8(), closes.at(0).payload.sliced(2));
    QCOMPARE(h.of(EventKind::Error).size(), 1);
}

void tst_ServerConformance::aByteOrderMarkIsPartOfTheMessage_data()
{
    QTest::addColumn<FrameList>("wire");
    QTest::addColumn<QByteArray>("message");
    const QByteArray bom("\xEF\xBB\xBF");
    QTest::newRow("a leading U+FEFF is data and is echoed with the message (RFC 6455 section "
                  "5.6)")
        << FrameList{frame(Text, bom + "abc")} << QByteArray(bom + "abc");
    QTest::newRow("a message that is only U+FEFF is echoed as U+FEFF (RFC 6455 section 5.6)")
        << FrameList{frame(Text, bom)} << bom;
    QTest::newRow("U+FEFF split across the first frames is echoed with the message (RFC 6455 "
                  "sections 5.4, 5.6)")
        << textInFrames(bom + "abc", {1, 2}) << QByteArray(bom + "abc");
    QTest::newRow("U+FEFF at the start of a continuation frame is kept (RFC 6455 section 5.4)")
        << textInFrames("ab" + bom + "c", {2}) << QByteArray("ab" + bom + "c");
}

void tst_ServerConformance::aByteOrderMarkIsPartOfTheMessage()
{
    QFETCH(FrameList, wire);
    QFETCH(QByteArray, message);
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    for (const QByteArray &bytes : std::as_const(wire))
        peer->socket.write(bytes);
    QTRY_COMPARE(peer->messages().size(), 1);
    QCOMPARE(peer->messages().at(0), message);

    const QList<Event> in = h.of(EventKind::Text, EventDirection::In);
    QCOMPARE(in.size(), 1);
    QCOMPARE(in.at(0).payload, message);
    QCOMPARE(in.at(0).size, message.size());
    QCOMPARE(in.at(0).frames.size(), wire.size());
    QTRY_COMPARE(h.of(EventKind::Text, EventDirection::Out).size(), 1);
    const Event out = h.of(EventKind::Text, EventDirection::Out).at(0);
    QCOMPARE(out.payload, message);
    QCOMPARE(out.size, message.size());
}

void tst_ServerConformance::aValidMessageBeforeAViolationIsAnsweredFirst_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("errorId");
    QTest::newRow("a text message and an unmasked frame in one write: the message is echoed, "
                  "then the Close with 1002 (RFC 6455 sections 5.1, 7.1.7)")
        << QByteArray(frame(Text, "ok") + frame(Text, "bad", true, false)) << 1002
        << QStringLiteral("protocol-unmasked-frame");
    QTest::newRow("a binary message and invalid UTF-8 in one write: the message is echoed, "
                  "then the Close with 1007 (RFC 6455 sections 8.1, 7.1.7)")
        << QByteArray(frame(Binary, "ok") + frame(Text, "\xFF")) << 1007
        << QStringLiteral("protocol-invalid-utf8");
    QTest::newRow("a text message and a reserved opcode in one write: the message is echoed, "
                  "then the Close with 1002 (RFC 6455 section 5.2)")
        << QByteArray(frame(Text, "ok") + frame(0x3, "x")) << 1002
        << QStringLiteral("protocol-reserved-opcode");
}

void tst_ServerConformance::aValidMessageBeforeAViolationIsAnsweredFirst()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    QFETCH(QString, errorId);
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    peer->socket.write(bytes);
    QTRY_VERIFY(peer->closed());

    // On the wire: the echo, then one Close.
    const QList<WireFrame> answer = peer->frames();
    QCOMPARE(answer.size(), 2);
    QVERIFY(answer.at(0).opcode == Text || answer.at(0).opcode == Binary);
    QCOMPARE(answer.at(0).payload, QByteArray("ok"));
    QCOMPARE(answer.at(1).opcode, Close);
    QCOMPARE(closeCode(answer.at(1).payload), code);

    // In the log: wire order.
    QTRY_COMPARE(h.of(EventKind::Close).size(), 1);
    QList<EventKind> kinds;
    for (const Event &e : std::as_const(h.events)) {
        if (e.connection != 0 && e.kind != EventKind::Handshake && e.kind != EventKind::Open)
            kinds.append(e.kind);
    }
    const EventKind data = answer.at(0).opcode == Text ? EventKind::Text : EventKind::Binary;
    QCOMPARE(kinds, (QList<EventKind>{data, data, EventKind::Error, EventKind::Close}));
    QCOMPARE(h.of(data, EventDirection::In).value(0).direction, EventDirection::In);
    QCOMPARE(h.of(data, EventDirection::Out).size(), 1);
    QCOMPARE(h.of(EventKind::Error).at(0).errorId, errorId);
    QCOMPARE(h.of(EventKind::Close).at(0).closeCode, code);
}

void tst_ServerConformance::aCloseWithAnInvalidCodeFailsNamingTheCode_data()
{
    QTest::addColumn<int>("code");
    for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
        QTest::addRow("a Close with code %d is failed with 1002 and a reason naming %d (RFC "
                      "6455 section 7.4)",
                      code, code)
            << code;
    }
}

void tst_ServerConformance::aCloseWithAnInvalidCodeFailsNamingTheCode()
{
    QFETCH(int, code);
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    peer->socket.write(frame(Close, closeBody(code, "why")));
    QTRY_VERIFY(peer->closed());

    const QList<WireFrame> closes = peer->framesOf(Close);
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closeCode(closes.at(0).payload), 1002);
    const QByteArray reason = closes.at(0).payload.sliced(2);
    QVERIFY2(reason.contains(QByteArray::number(code)), reason.constData());

    QTRY_COMPARE(h.of(EventKind::Close).size(), 1);
    const Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.closeCode, 1002);
    QCOMPARE(close.reason.toUtf8(), reason);
    QCOMPARE(close.initiator, CloseInitiator::Local);
    QCOMPARE(h.of(EventKind::Error).value(0).errorId, QStringLiteral("protocol-bad-close-frame"));
}

void tst_ServerConformance::aCloseWithARegisteredCodeIsEchoed_data()
{
    QTest::addColumn<int>("code");
    for (const int code : {1000, 1001, 1011, 1012, 1013, 1014, 3000, 4999}) {
        QTest::addRow("a Close with the registered code %d is answered with %d (RFC 6455 "
                      "section 5.5.1, IANA registry)",
                      code, code)
            << code;
    }
}

void tst_ServerConformance::aCloseWithARegisteredCodeIsEchoed()
{
    QFETCH(int, code);
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    peer->socket.write(frame(Close, closeBody(code, "bye")));
    QTRY_VERIFY(peer->closed());

    const QList<WireFrame> closes = peer->framesOf(Close);
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closeCode(closes.at(0).payload), code);

    QTRY_COMPARE(h.of(EventKind::Close).size(), 1);
    const Event close = h.of(EventKind::Close).at(0);
    QCOMPARE(close.closeCode, code);
    QCOMPARE(close.reason, QStringLiteral("bye"));
    QCOMPARE(close.initiator, CloseInitiator::Remote);
    QVERIFY(h.of(EventKind::Error).isEmpty());
}

// Section 5.5.3: a Pong may be sent unsolicited (a heartbeat); it answers no ping. The
// server records it from its frame, and only a Pong that answers its own Ping has a
// round trip (Qt's pong signal would give any Pong one: the time since its last ping).
void tst_ServerConformance::anUnsolicitedPongIsRecordedFromItsFrameWithoutARoundTrip()
{
    Harness h;
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    QVERIFY(h.server.ping(h.server.connections().at(0).id, "probe"));
    QTRY_COMPARE(peer->framesOf(0x9).size(), 1);
    peer->socket.write(frame(0xA, "heartbeat") + frame(0xA, "probe"));
    QTRY_COMPARE(h.of(EventKind::Pong, EventDirection::In).size(), 2);
    const QList<Event> pongs = h.of(EventKind::Pong, EventDirection::In);
    QCOMPARE(pongs.at(0).payload, QByteArray("heartbeat"));
    QVERIFY(!pongs.at(0).rttMs);
    QCOMPARE(pongs.at(0).frames, (QList<FrameInfo>{{0xA, true, 0, true, 9}}));
    QCOMPARE(pongs.at(1).payload, QByteArray("probe"));
    QVERIFY(pongs.at(1).rttMs);
    QCOMPARE(pongs.at(1).frames, (QList<FrameInfo>{{0xA, true, 0, true, 5}}));
}

// The Autobahn|Testsuite groups, as raw bytes: 1 framing, 2 pings and pongs, 3 reserved
// bits, 4 opcodes, 5 fragmentation, 7 closing, 9 limits (6, UTF-8, is above). Each row says
// what RFC 6455 expects of a server: the messages echoed, the pongs answered, and the close
// code of the Close it sends (0: none; the connection must stay open).
void tst_ServerConformance::autobahnGroups_data()
{
    QTest::addColumn<FrameList>("wire");
    QTest::addColumn<bool>("bytewise"); // one byte per TCP write
    QTest::addColumn<QList<QByteArray>>("echoes");
    QTest::addColumn<QList<QByteArray>>("pongs");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<qint64>("maxMessageSize");
    using L = QList<QByteArray>;
    const qint64 defaultLimit = 0;

    // 1: framing (sections 5.2, 5.6).
    for (const qsizetype size : {0, 1, 125, 126, 127, 128, 65535, 65536, 1024 * 1024}) {
        const QByteArray text(size, 't');
        QTest::addRow("1. a text message of %lld bytes is echoed exactly (5.2)", qlonglong(size))
            << FrameList{frame(Text, text)} << false << L{text} << L{} << 0 << defaultLimit;
        QByteArray binary(size, '\0');
        for (qsizetype i = 0; i < size; ++i)
            binary[i] = char(i * 7);
        QTest::addRow("1. a binary message of %lld bytes is echoed exactly (5.2)", qlonglong(size))
            << FrameList{frame(Binary, binary)} << false << L{binary} << L{} << 0 << defaultLimit;
    }
    QTest::newRow("1. a text message written one byte per TCP segment is echoed (5.2)")
        << FrameList{frame(Text, QByteArray(200, 'b'))} << true << L{QByteArray(200, 'b')} << L{}
        << 0 << defaultLimit;

    // 2: pings and pongs (section 5.5.2, 5.5.3).
    QTest::newRow("2. a ping without payload gets a pong without payload (5.5.2)")
        << FrameList{frame(Ping, {})} << false << L{} << L{QByteArray()} << 0 << defaultLimit;
    QTest::newRow("2. a ping of 125 bytes gets a pong with the same 125 bytes (5.5.3)")
        << FrameList{frame(Ping, QByteArray(125, 'p'))} << false << L{} << L{QByteArray(125, 'p')}
        << 0 << defaultLimit;
    QTest::newRow("2. a ping with binary data gets it back (5.5.3)")
        << FrameList{frame(Ping, QByteArray::fromHex("00ff10fe80"))} << false << L{}
        << L{QByteArray::fromHex("00ff10fe80")} << 0 << defaultLimit;
    QTest::newRow("2. a ping of 126 bytes fails the connection with 1002 (5.5)")
        << FrameList{frame(Ping, QByteArray(126, 'p'))} << false << L{} << L{} << 1002
        << defaultLimit;
    FrameList tenPings;
    L tenPongs;
    for (int i = 0; i < 10; ++i) {
        tenPings.append(frame(Ping, QByteArray::number(i)));
        tenPongs.append(QByteArray::number(i));
    }
    QTest::newRow("2. ten pings get ten pongs, in order (5.5.3)")
        << tenPings << false << L{} << tenPongs << 0 << defaultLimit;
    QTest::newRow("2. a ping written one byte per TCP segment is answered (5.5.3)")
        << FrameList{frame(Ping, "slow")} << true << L{} << L{"slow"} << 0 << defaultLimit;
    QTest::newRow("2. an unsolicited pong gets no answer (5.5.3)")
        << FrameList{frame(Pong, "unasked")} << false << L{} << L{} << 0 << defaultLimit;
    QTest::newRow("2. an unmasked ping fails the connection with 1002 (5.1)")
        << FrameList{frame(Ping, "bare", true, false)} << false << L{} << L{} << 1002
        << defaultLimit;

    // 3: reserved bits (section 5.2: no extension is negotiated).
    for (const quint8 rsv : {quint8(4), quint8(2), quint8(1), quint8(7)}) {
        QTest::addRow("3. a text frame with RSV bits %d fails with 1002 (5.2)", int(rsv))
            << FrameList{withRsv(frame(Text, "rsv"), rsv)} << false << L{} << L{} << 1002
            << defaultLimit;
    }
    QTest::newRow("3. a ping with RSV1 set fails with 1002 (5.2)")
        << FrameList{withRsv(frame(Ping, "rsv"), 4)} << false << L{} << L{} << 1002 << defaultLimit;
    QTest::newRow("3. a valid message before a frame with RSV2 set is echoed first (5.2)")
        << FrameList{frame(Text, "first"), withRsv(frame(Binary, "x"), 2)} << false << L{"first"}
        << L{} << 1002 << defaultLimit;

    // 4: opcodes (section 5.2: 3-7 and 11-15 are reserved).
    for (const quint8 opcode : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
        QTest::addRow("4. reserved opcode %d fails with 1002 (5.2)", int(opcode))
            << FrameList{frame(opcode, "x")} << false << L{} << L{} << 1002 << defaultLimit;
    }
    QTest::newRow("4. a valid message before a reserved opcode is echoed first (5.2)")
        << FrameList{frame(Text, "before"), frame(5, {})} << false << L{"before"} << L{} << 1002
        << defaultLimit;

    // 5: fragmentation (section 5.4).
    QTest::newRow("5. a fragmented ping fails with 1002 (5.5)")
        << FrameList{frame(Ping, "frag", false), frame(Continuation, "ment")} << false << L{} << L{}
        << 1002 << defaultLimit;
    QTest::newRow("5. a text message in two fragments is echoed whole (5.4)")
        << FrameList{frame(Text, "frag", false), frame(Continuation, "ment")} << false
        << L{"fragment"} << L{} << 0 << defaultLimit;
    QTest::newRow("5. a ping between fragments is answered first, then the message (5.4)")
        << FrameList{frame(Text, "ab", false), frame(Ping, "mid"), frame(Continuation, "cd")}
        << false << L{"abcd"} << L{"mid"} << 0 << defaultLimit;
    QTest::newRow("5. fragments with empty payloads make one message (5.4)")
        << FrameList{frame(Text, {}, false), frame(Continuation, "ab", false),
                     frame(Continuation, {})}
        << false << L{"ab"} << L{} << 0 << defaultLimit;
    FrameList bytePieces{frame(Binary, QByteArray(1, '\x01'), false)};
    for (int i = 2; i <= 40; ++i)
        bytePieces.append(frame(Continuation, QByteArray(1, char(i)), i == 40));
    QByteArray joined;
    for (int i = 1; i <= 40; ++i)
        joined.append(char(i));
    QTest::newRow("5. a binary message in 40 one-byte fragments is echoed whole (5.4)")
        << bytePieces << false << L{joined} << L{} << 0 << defaultLimit;
    QTest::newRow("5. fragments written one byte per TCP segment are echoed whole (5.4)")
        << FrameList{frame(Text, "by", false), frame(Continuation, "tes")} << true << L{"bytes"}
        << L{} << 0 << defaultLimit;
    QTest::newRow("5. a continuation frame with no message to continue fails with 1002 (5.4)")
        << FrameList{frame(Continuation, "orphan")} << false << L{} << L{} << 1002 << defaultLimit;
    QTest::newRow("5. a new text frame while a message is unfinished fails with 1002 (5.4)")
        << FrameList{frame(Text, "one", false), frame(Text, "two")} << false << L{} << L{} << 1002
        << defaultLimit;
    QTest::newRow("5. a message after a finished fragmented one is echoed too (5.4)")
        << FrameList{frame(Text, "a", false), frame(Continuation, "b"), frame(Text, "c")} << false
        << L{"ab", "c"} << L{} << 0 << defaultLimit;

    // 7: closing (sections 5.5.1, 7.4).
    // No code to echo: a normal close (1000) is the answer Autobahn accepts besides an empty one.
    QTest::newRow("7. a Close without a body is answered with a normal Close (5.5.1)")
        << FrameList{frame(Close, {})} << false << L{} << L{} << 1000 << defaultLimit;
    QTest::newRow("7. a Close with 1000 and a reason is answered with 1000 (5.5.1)")
        << FrameList{frame(Close, closeBody(1000, "bye"))} << false << L{} << L{} << 1000
        << defaultLimit;
    QTest::newRow("7. a Close with the longest reason (123 bytes) is answered (5.5)")
        << FrameList{frame(Close, closeBody(1000, QByteArray(123, 'r')))} << false << L{} << L{}
        << 1000 << defaultLimit;
    QTest::newRow("7. a Close of 126 bytes fails with 1002 (5.5)")
        << FrameList{frame(Close, closeBody(1000, QByteArray(124, 'r')))} << false << L{} << L{}
        << 1002 << defaultLimit;
    QTest::newRow("7. nothing is echoed of a message after the Close (5.5.1)")
        << FrameList{frame(Close, closeBody(1000)), frame(Text, "late"), frame(Ping, "late")}
        << false << L{} << L{} << 1000 << defaultLimit;
    QTest::newRow("7. a message before the Close is echoed, then the Close (5.5.1)")
        << FrameList{frame(Text, "early"), frame(Close, closeBody(1000))} << false << L{"early"}
        << L{} << 1000 << defaultLimit;
    for (const int code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
        QTest::addRow("7. a Close with code %d is answered with %d (7.4.1, 7.4.2)", code, code)
            << FrameList{frame(Close, closeBody(code))} << false << L{} << L{} << code
            << defaultLimit;
    }

    // 9: limits (section 7.4.1: 1009 for a message too big to process).
    const qint64 limit = 1024;
    QTest::newRow("9. a message of exactly the server's limit is echoed (7.4.1)")
        << FrameList{frame(Text, QByteArray(limit, 'l'))} << false << L{QByteArray(limit, 'l')}
        << L{} << 0 << limit;
    QTest::newRow("9. a frame one byte over the server's limit fails with 1009 (7.4.1)")
        << FrameList{frame(Text, QByteArray(limit + 1, 'l'))} << false << L{} << L{} << 1009
        << limit;
    QTest::newRow("9. fragments over the limit together fail with 1009 (7.4.1)")
        << FrameList{frame(Binary, QByteArray(600, 'f'), false),
                     frame(Continuation, QByteArray(600, 'f'))}
        << false << L{} << L{} << 1009 << limit;
}

void tst_ServerConformance::autobahnGroups()
{
    QFETCH(FrameList, wire);
    QFETCH(bool, bytewise);
    QFETCH(QList<QByteArray>, echoes);
    QFETCH(QList<QByteArray>, pongs);
    QFETCH(int, closeCode);
    QFETCH(qint64, maxMessageSize);
    Harness h(maxMessageSize);
    std::unique_ptr<RawPeer> peer;
    openPeer(h, &peer);
    for (const QByteArray &bytes : std::as_const(wire)) {
        if (!bytewise) {
            peer->socket.write(bytes);
            continue;
        }
        for (const char byte : bytes) {
            peer->socket.write(&byte, 1);
            peer->socket.flush();
        }
    }
    auto pongPayloads = [&peer] {
        QList<QByteArray> result;
        for (const WireFrame &f : peer->framesOf(Pong))
            result.append(f.payload);
        return result;
    };

    if (closeCode == 0) {
        // A last ping is the fence: its pong comes after the answers to everything before.
        peer->socket.write(frame(Ping, "fence"));
        QTRY_VERIFY(pongPayloads().contains("fence"));
        QList<QByteArray> answered = pongPayloads();
        answered.removeAll("fence");
        QCOMPARE(answered, pongs);
        QCOMPARE(peer->messages(), echoes);
        QVERIFY(peer->framesOf(Close).isEmpty());
        QVERIFY(!peer->closed());
        return;
    }
    QTRY_VERIFY(!peer->framesOf(Close).isEmpty());
    QCOMPARE(peer->messages(), echoes);
    QCOMPARE(pongPayloads(), pongs);
    const QList<WireFrame> closes = peer->framesOf(Close);
    QCOMPARE(closes.size(), 1);
    QVERIFY(!closes.at(0).masked); // section 5.1: a server never masks
    QCOMPARE(::closeCode(closes.at(0).payload), closeCode);
    // Answer the server's Close (or complete ours) so that it ends TCP at once.
    if (peer->socket.state() == QAbstractSocket::ConnectedState)
        peer->socket.write(frame(Close, closes.at(0).payload.left(2)));
    QTRY_VERIFY(peer->closed());
    QCOMPARE(peer->framesOf(Close).size(), 1);
}

QTEST_GUILESS_MAIN(tst_ServerConformance)
#include "tst_serverconformance.moc"
