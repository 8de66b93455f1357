#include "protocol/handshakerequest.h"

#include <QTest>

using namespace sockpit;
using namespace sockpit::protocol;

namespace {

// The request of the reference tutorial (RFC 6455 section 1.2), with optional changes.
QByteArray tutorialRequest(const QByteArray &extraOrReplacement = QByteArray(),
                           const QByteArray &dropHeader = QByteArray(),
                           const QByteArray &requestLine = "GET /chat HTTP/1.1")
{
    QList<QByteArray> lines = {
        "Host: localhost:8080",      "Upgrade: websocket",
        "Connection: Upgrade",       "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==",
        "Sec-WebSocket-Version: 13",
    };
    QByteArray bytes = requestLine + "\r\n";
    for (const QByteArray &line : lines) {
        const QByteArray name = line.left(line.indexOf(':'));
        if (!dropHeader.isEmpty() && name.compare(dropHeader, Qt::CaseInsensitive) == 0)
            continue;
        if (!extraOrReplacement.isEmpty()
            && extraOrReplacement.startsWith(QByteArray(name + ':'))) // replaced below
            continue;
        bytes += line + "\r\n";
    }
    if (!extraOrReplacement.isEmpty())
        bytes += extraOrReplacement + "\r\n";
    return bytes + "\r\n";
}

HandshakeVerdict verdictFor(const QByteArray &raw, const QStringList &origins = {})
{
    const HeadScan scan = scanRequestHead(raw);
    if (scan.status == HeadScan::Rejected)
        return scan.rejection;
    if (scan.status != HeadScan::Complete) {
        HandshakeVerdict incomplete;
        incomplete.status = 0;
        return incomplete;
    }
    HandshakeVerdict malformed;
    const auto parsed = parseRequestHead(QByteArrayView(raw).first(scan.length), &malformed);
    if (!parsed)
        return malformed;
    return validateUpgradeRequest(*parsed, UpgradePolicy{origins});
}

// The tutorial's request with `count` extra header fields, or one of `lineLength` bytes.
QByteArray requestWithFields(int count)
{
    QByteArray extra;
    for (int i = 0; i < count; ++i)
        extra += "X-Field-" + QByteArray::number(i) + ": v\r\n";
    return tutorialRequest().chopped(2) + extra + "\r\n";
}

QByteArray requestWithLine(qsizetype lineLength)
{
    const QByteArray name = "X-Long: ";
    return tutorialRequest().chopped(2) + name + QByteArray(lineLength - name.size(), 'a')
        + "\r\n\r\n";
}

} // namespace

class tst_Handshake : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ladder_data();
    void ladder();
    void headerCaseAndOrderArePreserved();
    void headSplitAcrossManyChunks();
    void headOverTheCapIsTooLarge();
    void rejectionResponseIsCompleteHttp();
    void aHeadRequestIsAnsweredWithoutABody();
    void badFramingIsRejectedBeforeTheHeadEnds_data();
    void badFramingIsRejectedBeforeTheHeadEnds();
    void theLimitsAreSettings();
    void acceptResponseCarriesTheAcceptKey();
    void subprotocolFollowsServerPreference_data();
    void subprotocolFollowsServerPreference();
    void tokensAreCaseInsensitiveLists();
};

void tst_Handshake::ladder_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QStringList>("origins");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("errorId");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");

    const QStringList any;
    QTest::newRow("the tutorial's request is accepted")
        << tutorialRequest() << any << 101 << QString() << QByteArray() << QByteArray();
    QTest::newRow("a request without Sec-WebSocket-Key gets 400")
        << tutorialRequest({}, "Sec-WebSocket-Key") << any << 400
        << QStringLiteral("handshake-rejected-missing-key") << QByteArray() << QByteArray();
    QTest::newRow("a key that is not base64 of 16 bytes gets 400")
        << tutorialRequest("Sec-WebSocket-Key: c2hvcnQ=") << any << 400
        << QStringLiteral("handshake-rejected-bad-key") << QByteArray() << QByteArray();
    QTest::newRow("version 8 gets 426 naming version 13")
        << tutorialRequest("Sec-WebSocket-Version: 8") << any << 426
        << QStringLiteral("handshake-rejected-bad-version") << QByteArray("Sec-WebSocket-Version")
        << QByteArray("13");
    QTest::newRow("a missing version gets 400")
        << tutorialRequest({}, "Sec-WebSocket-Version") << any << 400
        << QStringLiteral("handshake-rejected-missing-version") << QByteArray() << QByteArray();
    QTest::newRow("POST gets 405 with Allow: GET")
        << tutorialRequest({}, {}, "POST /chat HTTP/1.1") << any << 405
        << QStringLiteral("handshake-rejected-method") << QByteArray("Allow") << QByteArray("GET");
    QTest::newRow("HTTP/1.0 gets 400")
        << tutorialRequest({}, {}, "GET /chat HTTP/1.0") << any << 400
        << QStringLiteral("handshake-rejected-http-version") << QByteArray() << QByteArray();
    QTest::newRow("no Upgrade header gets 426 naming websocket")
        << tutorialRequest({}, "Upgrade") << any << 426
        << QStringLiteral("handshake-rejected-bad-upgrade") << QByteArray("Upgrade")
        << QByteArray("websocket");
    QTest::newRow("an Upgrade to another protocol gets 426")
        << tutorialRequest("Upgrade: h2c") << any << 426
        << QStringLiteral("handshake-rejected-bad-upgrade") << QByteArray("Upgrade")
        << QByteArray("websocket");
    QTest::newRow("Connection without the Upgrade token gets 400")
        << tutorialRequest("Connection: keep-alive") << any << 400
        << QStringLiteral("handshake-rejected-no-connection-upgrade") << QByteArray()
        << QByteArray();
    QTest::newRow("a missing Host gets 400")
        << tutorialRequest({}, "Host") << any << 400 << QStringLiteral("handshake-rejected-no-host")
        << QByteArray() << QByteArray();
    QTest::newRow("a plain GET gets 426 explaining the endpoint")
        << QByteArray("GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n") << any
        << 426 << QStringLiteral("handshake-rejected-not-websocket") << QByteArray("Upgrade")
        << QByteArray("websocket");
    QTest::newRow("a disallowed origin gets 403")
        << tutorialRequest("Origin: http://evil.example")
        << QStringList{QStringLiteral("http://localhost:3000")} << 403
        << QStringLiteral("handshake-rejected-origin") << QByteArray() << QByteArray();
    QTest::newRow("no origin with an allow-list gets 403")
        << tutorialRequest() << QStringList{QStringLiteral("http://localhost:3000")} << 403
        << QStringLiteral("handshake-rejected-origin") << QByteArray() << QByteArray();
    QTest::newRow("an allowed origin in other case is accepted")
        << tutorialRequest("Origin: HTTP://LOCALHOST:3000")
        << QStringList{QStringLiteral("http://localhost:3000")} << 101 << QString() << QByteArray()
        << QByteArray();
    QTest::newRow("upper-case tokens and list values are accepted")
        << QByteArray("GET /x HTTP/1.1\r\nHOST: h\r\nUPGRADE: WebSocket\r\n"
                      "connection: keep-alive, UPGRADE\r\nsec-websocket-key: "
                      "dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n")
        << any << 101 << QString() << QByteArray() << QByteArray();
    QTest::newRow("a garbage request line gets 400")
        << QByteArray("HELLO\r\n\r\n") << any << 400
        << QStringLiteral("handshake-rejected-malformed") << QByteArray() << QByteArray();
    QTest::newRow("white space before a header colon gets 400")
        << QByteArray("GET / HTTP/1.1\r\nHost : h\r\n\r\n") << any << 400
        << QStringLiteral("handshake-rejected-malformed") << QByteArray() << QByteArray();
    QTest::newRow("* as the request target gets 400 (section 4.1: a resource name)")
        << tutorialRequest({}, {}, "GET * HTTP/1.1") << any << 400
        << QStringLiteral("handshake-rejected-bad-target") << QByteArray() << QByteArray();
    QTest::newRow("an absolute ws URL as the target is accepted")
        << tutorialRequest({}, {}, "GET ws://localhost:8080/chat HTTP/1.1") << any << 101
        << QString() << QByteArray() << QByteArray();
    QTest::newRow("HTTP/2.0 on a request line gets 505")
        << tutorialRequest({}, {}, "GET /chat HTTP/2.0") << any << 505
        << QStringLiteral("handshake-rejected-http-version") << QByteArray() << QByteArray();
    QTest::newRow("bare LF line endings get 400")
        << QByteArray(tutorialRequest()).replace("\r\n", "\n") << any << 400
        << QStringLiteral("handshake-rejected-malformed") << QByteArray() << QByteArray();
    QTest::newRow("a header line of 8000 bytes is accepted")
        << requestWithLine(8000) << any << 101 << QString() << QByteArray() << QByteArray();
    QTest::newRow("a header line of 8001 bytes gets 431")
        << requestWithLine(8001) << any << 431 << QStringLiteral("handshake-rejected-too-large")
        << QByteArray() << QByteArray();
    QTest::newRow("100 header fields are accepted")
        << requestWithFields(100 - 5) << any << 101 << QString() << QByteArray() << QByteArray();
    QTest::newRow("101 header fields get 431")
        << requestWithFields(101 - 5) << any << 431
        << QStringLiteral("handshake-rejected-too-large") << QByteArray() << QByteArray();
    QTest::newRow("a head over 16 KiB gets 431")
        << QByteArray(tutorialRequest().chopped(2) + "X-Big: " + QByteArray(17000, 'a')
                      + "\r\n\r\n")
        << any << 431 << QStringLiteral("handshake-rejected-too-large") << QByteArray()
        << QByteArray();
}

void tst_Handshake::ladder()
{
    QFETCH(QByteArray, raw);
    QFETCH(QStringList, origins);
    QFETCH(int, status);
    QFETCH(QString, errorId);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);

    const HandshakeVerdict verdict = verdictFor(raw, origins);
    QCOMPARE(verdict.status, status);
    QCOMPARE(verdict.errorId, errorId);
    QCOMPARE(verdict.accepted(), status == 101);
    if (!verdict.accepted()) {
        QVERIFY(!verdict.sentence.isEmpty());
        QVERIFY(!verdict.wireText.isEmpty());
    }
    if (!headerName.isEmpty()) {
        const auto value = sockpit::protocol::headerValue(verdict.extraHeaders, headerName);
        QVERIFY2(value.has_value(), headerName.constData());
        QCOMPARE(*value, headerValue);
    }
}

void tst_Handshake::headerCaseAndOrderArePreserved()
{
    const QByteArray raw = "GET /chat?room=1 HTTP/1.1\r\nhost: a\r\nX-Custom-THING:  v a l  \r\n"
                           "upgrade: websocket\r\nX-Custom-Thing: second\r\n\r\n";
    const auto parsed = parseRequestHead(raw);
    QVERIFY(parsed);
    QCOMPARE(parsed->head.method, QByteArray("GET"));
    QCOMPARE(parsed->head.target, QByteArray("/chat?room=1"));
    QCOMPARE(parsed->version, QByteArray("HTTP/1.1"));
    const HeaderList expected = {{"host", "a"},
                                 {"X-Custom-THING", "v a l"},
                                 {"upgrade", "websocket"},
                                 {"X-Custom-Thing", "second"}};
    QCOMPARE(parsed->head.headers, expected);
    QCOMPARE(headerValue(parsed->head.headers, "x-custom-thing"), QByteArray("v a l, second"));
}

void tst_Handshake::headSplitAcrossManyChunks()
{
    const QByteArray raw = tutorialRequest() + "trailing frame bytes";
    const qsizetype headLength = tutorialRequest().size();
    QByteArray received;
    for (qsizetype i = 0; i < raw.size(); ++i) {
        received += raw.at(i);
        const HeadScan scan = scanRequestHead(received);
        if (received.size() < headLength) {
            QCOMPARE(scan.status, HeadScan::Incomplete);
        } else {
            QCOMPARE(scan.status, HeadScan::Complete);
            QCOMPARE(scan.length, headLength);
        }
    }
    QVERIFY(verdictFor(raw).accepted());
}

void tst_Handshake::headOverTheCapIsTooLarge()
{
    // Many short lines, so that the head's bound (not a line's) is the one that counts.
    QByteArray endless = "GET / HTTP/1.1\r\n";
    while (endless.size() < MaxRequestHeadSize)
        endless += "X: " + QByteArray(60, 'a') + "\r\n";
    HeadLimits manyFields;
    manyFields.maxHeaderFields = 10000;
    QCOMPARE(scanRequestHead(endless, manyFields).status, HeadScan::Rejected);
    QCOMPARE(scanRequestHead(endless, manyFields).rejection.status, 431);
    QCOMPARE(scanRequestHead(endless.first(MaxRequestHeadSize - 1), manyFields).status,
             HeadScan::Incomplete);
    // Exactly at the cap with the empty line still inside: complete.
    QByteArray atCap = "GET / HTTP/1.1\r\n";
    while (atCap.size() + 64 + 2 < MaxRequestHeadSize)
        atCap += "X: " + QByteArray(59, 'a') + "\r\n";
    atCap += "Y: " + QByteArray(MaxRequestHeadSize - atCap.size() - 7, 'a') + "\r\n\r\n";
    QCOMPARE(atCap.size(), MaxRequestHeadSize);
    QCOMPARE(scanRequestHead(atCap, manyFields).status, HeadScan::Complete);
}

void tst_Handshake::rejectionResponseIsCompleteHttp()
{
    const HandshakeVerdict verdict = verdictFor(tutorialRequest("Sec-WebSocket-Version: 8"));
    const HttpResponseHead response = rejectionResponse(verdict);
    const QByteArray bytes = serializeResponse(response);
    QVERIFY(bytes.startsWith("HTTP/1.1 426 Upgrade Required\r\n"));
    QVERIFY(bytes.contains("\r\nSec-WebSocket-Version: 13\r\n"));
    QVERIFY(bytes.contains("\r\nConnection: close\r\n"));
    const qsizetype bodyStart = bytes.indexOf("\r\n\r\n") + 4;
    QCOMPARE(headerValue(response.headers, "Content-Length"),
             QByteArray::number(bytes.size() - bodyStart));
    QVERIFY(bytes.mid(bodyStart).contains("13"));
}

void tst_Handshake::aHeadRequestIsAnsweredWithoutABody()
{
    // RFC 7231 section 4.3.2: a response to HEAD has no body; its Content-Length may say
    // what a GET would have received.
    const HandshakeVerdict verdict = verdictFor(tutorialRequest({}, {}, "HEAD /chat HTTP/1.1"));
    QCOMPARE(verdict.status, 405);
    const QByteArray bytes = serializeResponse(rejectionResponse(verdict, "HEAD"));
    QVERIFY(bytes.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
    QVERIFY(bytes.endsWith("\r\n\r\n"));
    QCOMPARE(headerValue(rejectionResponse(verdict, "HEAD").headers, "Content-Length"),
             QByteArray::number(verdict.wireText.toUtf8().size() + 1));
    QVERIFY(serializeResponse(rejectionResponse(verdict, "GET")).endsWith("\n"));
    QVERIFY(!serializeResponse(rejectionResponse(verdict, "GET")).endsWith("\r\n\r\n"));
}

void tst_Handshake::badFramingIsRejectedBeforeTheHeadEnds_data()
{
    QTest::addColumn<QByteArray>("start");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("errorId");
    QTest::newRow("a TLS ClientHello on a plain port is named as TLS")
        << QByteArray::fromHex("1603010200010001fc0303") << 400
        << QStringLiteral("handshake-rejected-tls-on-plain-port");
    QTest::newRow("binary garbage is no request")
        << QByteArray::fromHex("00ff10") << 400 << QStringLiteral("handshake-rejected-malformed");
    QTest::newRow("a bare LF after the request line")
        << QByteArray("GET / HTTP/1.1\nHost: x") << 400
        << QStringLiteral("handshake-rejected-malformed");
    QTest::newRow("a line growing past 8000 bytes")
        << QByteArray("GET / HTTP/1.1\r\nX: " + QByteArray(8100, 'a')) << 431
        << QStringLiteral("handshake-rejected-too-large");
}

void tst_Handshake::badFramingIsRejectedBeforeTheHeadEnds()
{
    // No empty line has arrived: without an early answer these would wait for the deadline.
    QFETCH(QByteArray, start);
    QFETCH(int, status);
    QFETCH(QString, errorId);
    const HeadScan scan = scanRequestHead(start);
    QCOMPARE(scan.status, HeadScan::Rejected);
    QCOMPARE(scan.rejection.status, status);
    QCOMPARE(scan.rejection.errorId, errorId);
    QVERIFY(!scan.rejection.wireText.isEmpty());
}

void tst_Handshake::theLimitsAreSettings()
{
    HeadLimits tight;
    tight.maxLineBytes = 100;
    tight.maxHeaderFields = 3;
    QCOMPARE(scanRequestHead(requestWithLine(101), tight).rejection.status, 431);
    QCOMPARE(scanRequestHead(requestWithLine(100), tight).status,
             HeadScan::Rejected); // 5 + 1 fields
    QCOMPARE(scanRequestHead(requestWithFields(0), tight).status, HeadScan::Rejected);
    tight.maxHeaderFields = 5;
    QCOMPARE(scanRequestHead(requestWithFields(0), tight).status, HeadScan::Complete);
    QCOMPARE(scanRequestHead(requestWithFields(1), tight).rejection.status, 431);
    tight.maxHeadBytes = 64;
    QVERIFY(scanRequestHead(requestWithFields(0), tight)
                .rejection.wireText.contains(QStringLiteral("64 bytes")));
}

void tst_Handshake::acceptResponseCarriesTheAcceptKey()
{
    const auto parsed = parseRequestHead(tutorialRequest("Sec-WebSocket-Protocol: chat, json"));
    QVERIFY(parsed);
    const HttpResponseHead response = acceptResponse(*parsed, QStringLiteral("json"));
    QCOMPARE(response.status, 101);
    const HeaderList expected = {{"Upgrade", "websocket"},
                                 {"Connection", "Upgrade"},
                                 {"Sec-WebSocket-Accept", "HSmrc0sMlYUkAGmm5OPpG2HaGWk="},
                                 {"Sec-WebSocket-Protocol", "json"}};
    QCOMPARE(response.headers, expected);
    QCOMPARE(requestedSubprotocols(parsed->head.headers),
             QStringList({QStringLiteral("chat"), QStringLiteral("json")}));
}

void tst_Handshake::subprotocolFollowsServerPreference_data()
{
    QTest::addColumn<QStringList>("supported");
    QTest::addColumn<QStringList>("requested");
    QTest::addColumn<QString>("chosen");
    QTest::newRow("the server's first choice wins over the client's order")
        << QStringList{QStringLiteral("json"), QStringLiteral("chat")}
        << QStringList{QStringLiteral("chat"), QStringLiteral("json")} << QStringLiteral("json");
    QTest::newRow("no common protocol gives none")
        << QStringList{QStringLiteral("json")} << QStringList{QStringLiteral("xml")} << QString();
    QTest::newRow("a server without protocols picks none")
        << QStringList() << QStringList{QStringLiteral("chat")} << QString();
}

void tst_Handshake::subprotocolFollowsServerPreference()
{
    QFETCH(QStringList, supported);
    QFETCH(QStringList, requested);
    QFETCH(QString, chosen);
    QCOMPARE(negotiateSubprotocol(supported, requested), chosen);
}

void tst_Handshake::tokensAreCaseInsensitiveLists()
{
    const HeaderList headers = {{"Connection", "keep-alive"}, {"connection", " UpGrade "}};
    QVERIFY(headerHasToken(headers, "CONNECTION", "upgrade"));
    QVERIFY(!headerHasToken(headers, "Connection", "close"));
    QVERIFY(!headerHasToken(headers, "Upgrade", "websocket"));
}

QTEST_GUILESS_MAIN(tst_Handshake)
#include "tst_handshake.moc"
