#include "handshakerequest.h"

#include "acceptkey.h"

#include <QCoreApplication>
#include <QStringBuilder>

namespace sockpit::protocol {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("sockpit::protocol", text);
}

// RFC 7230 section 3.2.6: tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

QByteArrayView trimmedView(QByteArrayView text)
{
    while (!text.isEmpty() && (text.front() == ' ' || text.front() == '\t'))
        text = text.sliced(1);
    while (!text.isEmpty() && (text.back() == ' ' || text.back() == '\t'))
        text.chop(1);
    return text;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 7230 section 2.6).
bool parseVersion(QByteArrayView version, int *major, int *minor)
{
    if (version.size() != 8 || !version.startsWith("HTTP/") || version.at(6) != '.')
        return false;
    const char ma = version.at(5);
    const char mi = version.at(7);
    if (ma < '0' || ma > '9' || mi < '0' || mi > '9')
        return false;
    *major = ma - '0';
    *minor = mi - '0';
    return true;
}

HandshakeVerdict reject(int status, QByteArray phrase, QString errorId, QString sentence,
                        HeaderList extra = {})
{
    HandshakeVerdict v;
    v.status = status;
    v.reasonPhrase = std::move(phrase);
    v.errorId = std::move(errorId);
    v.sentence = std::move(sentence);
    v.extraHeaders = std::move(extra);
    return v;
}

// RFC 7231 section 6.5.15: a 426 must say which protocol to switch to. (No
// "Connection: Upgrade": this answer closes the connection.)
HeaderList upgradeRequiredHeaders()
{
    return {{QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket")}};
}

} // namespace

HeadScan scanRequestHead(QByteArrayView received, qsizetype maxSize)
{
    // The head ends with an empty line. RFC 7230 section 3.5 lets a recipient accept a bare
    // LF as a line terminator, so "\n\n" and "\n\r\n" end it too.
    const qsizetype limit = std::min(received.size(), maxSize);
    for (qsizetype i = 0; i < limit; ++i) {
        if (received.at(i) != '\n')
            continue;
        if (i + 1 < received.size() && received.at(i + 1) == '\n' && i + 2 <= maxSize)
            return {HeadScan::Complete, i + 2};
        if (i + 2 < received.size() && received.at(i + 1) == '\r' && received.at(i + 2) == '\n'
            && i + 3 <= maxSize)
            return {HeadScan::Complete, i + 3};
    }
    if (received.size() >= maxSize)
        return {HeadScan::TooLarge, 0};
    return {HeadScan::Incomplete, 0};
}

std::optional<ParsedRequestHead> parseRequestHead(QByteArrayView head, QString *error)
{
    auto fail = [error](const QString &why) -> std::optional<ParsedRequestHead> {
        if (error)
            *error = why;
        return std::nullopt;
    };

    QList<QByteArrayView> lines;
    qsizetype start = 0;
    while (start < head.size()) {
        qsizetype end = head.indexOf('\n', start);
        if (end < 0)
            end = head.size();
        QByteArrayView line = head.sliced(start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        lines.append(line);
        start = end + 1;
    }
    // RFC 7230 section 3.5: ignore at least one empty line before the request line.
    while (!lines.isEmpty() && lines.front().isEmpty())
        lines.removeFirst();
    while (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return fail(tr("The request is empty."));

    // request-line = method SP request-target SP HTTP-version (RFC 7230 section 3.1.1)
    const QByteArrayView requestLine = lines.front();
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        return fail(tr("The request line is not \"METHOD TARGET HTTP/1.1\"."));
    ParsedRequestHead parsed;
    const QByteArrayView method = requestLine.first(firstSpace);
    const QByteArrayView target = requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);
    int major = 0;
    int minor = 0;
    if (!isToken(method))
        return fail(tr("The request method is not a valid token."));
    if (target.contains(' ') || target.contains('\t'))
        return fail(tr("The request target contains white space."));
    if (!parseVersion(version, &major, &minor))
        return fail(tr("The request line does not end with an HTTP version."));
    parsed.head.method = method.toByteArray();
    parsed.head.target = target.toByteArray();
    parsed.version = version.toByteArray();

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = lines.at(i);
        // RFC 7230 section 3.2.4: obsolete line folding may be rejected with 400.
        if (line.startsWith(' ') || line.startsWith('\t'))
            return fail(tr("A header field is folded over several lines."));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(tr("A header line has no name followed by a colon."));
        const QByteArrayView name = line.first(colon);
        // Section 3.2.4: no white space between the field name and the colon.
        if (!isToken(name))
            return fail(tr("A header name is not a valid token."));
        parsed.head.headers.append(
            {name.toByteArray(), trimmedView(line.sliced(colon + 1)).toByteArray()});
    }
    return parsed;
}

std::optional<QByteArray> headerValue(const HeaderList &headers, QByteArrayView name)
{
    std::optional<QByteArray> value;
    for (const auto &[headerName, headerValueText] : headers) {
        if (!equalsIgnoringCase(headerName, name))
            continue;
        if (value)
            *value = QByteArray(*value % ", " % headerValueText);
        else
            value = headerValueText;
    }
    return value;
}

bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token)
{
    const std::optional<QByteArray> value = headerValue(headers, name);
    if (!value)
        return false;
    const QList<QByteArray> parts = value->split(',');
    for (const QByteArray &part : parts) {
        if (equalsIgnoringCase(trimmedView(part), token))
            return true;
    }
    return false;
}

QStringList requestedSubprotocols(const HeaderList &headers)
{
    QStringList result;
    const std::optional<QByteArray> value = headerValue(headers, "Sec-WebSocket-Protocol");
    if (!value)
        return result;
    const QList<QByteArray> parts = value->split(',');
    for (const QByteArray &part : parts) {
        const QByteArrayView name = trimmedView(part);
        if (!name.isEmpty())
            result.append(QString::fromLatin1(name));
    }
    return result;
}

HandshakeVerdict validateUpgradeRequest(const ParsedRequestHead &request,
                                        const UpgradePolicy &policy)
{
    const HeaderList &headers = request.head.headers;

    // Section 4.2.1 item 1: "An HTTP/1.1 or higher GET request". RFC 7231 section 6.5.5
    // requires an Allow header with 405.
    if (request.head.method != "GET") {
        return reject(405, "Method Not Allowed", QStringLiteral("handshake-rejected-method"),
                      tr("A WebSocket handshake must use the GET method."),
                      {{QByteArrayLiteral("Allow"), QByteArrayLiteral("GET")}});
    }
    int major = 0;
    int minor = 0;
    if (!parseVersion(request.version, &major, &minor) || major < 1 || (major == 1 && minor < 1)) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-http-version"),
                      tr("A WebSocket handshake needs HTTP/1.1 or later."));
    }

    const bool hasUpgrade = headerValue(headers, "Upgrade").has_value();
    const bool connectionUpgrade = headerHasToken(headers, "Connection", "Upgrade");
    // A plain page request (no upgrade asked for at all): tell the visitor what this is.
    if (!hasUpgrade && !connectionUpgrade) {
        return reject(426, "Upgrade Required", QStringLiteral("handshake-rejected-not-websocket"),
                      tr("This is a WebSocket endpoint: connect with a WebSocket client "
                         "(Upgrade: websocket)."),
                      upgradeRequiredHeaders());
    }

    // Item 2: a Host header field.
    if (!headerValue(headers, "Host"))
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-no-host"),
                      tr("The handshake has no Host header."));

    // Item 3: Upgrade must contain "websocket" (case-insensitive). A missing or different
    // protocol gets 426, not 400: RFC 7231 section 6.5.15 defines 426 for exactly "the
    // server refuses the current protocol and names, in Upgrade, the one it requires", and
    // the request is otherwise well-formed HTTP, so 400 would blame its syntax wrongly.
    if (!headerHasToken(headers, "Upgrade", "websocket")) {
        return reject(426, "Upgrade Required", QStringLiteral("handshake-rejected-bad-upgrade"),
                      tr("The Upgrade header does not ask for \"websocket\"."),
                      upgradeRequiredHeaders());
    }

    // Item 4: Connection must contain the "Upgrade" token (RFC 7230 section 6.1 list).
    if (!connectionUpgrade) {
        return reject(400, "Bad Request",
                      QStringLiteral("handshake-rejected-no-connection-upgrade"),
                      tr("The Connection header does not contain \"Upgrade\"."));
    }

    // Item 5: Sec-WebSocket-Key, base64 of 16 bytes (section 4.1), exactly once.
    const std::optional<QByteArray> key = headerValue(headers, "Sec-WebSocket-Key");
    if (!key || key->isEmpty()) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-missing-key"),
                      tr("The handshake has no Sec-WebSocket-Key header."));
    }
    if (!isValidClientKey(*key)) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-bad-key"),
                      tr("The Sec-WebSocket-Key is not the base64 of 16 bytes."));
    }

    // Item 6 and section 4.4: a version the server does not speak gets 426 with the
    // versions it does speak. A missing version is a malformed handshake (400).
    const std::optional<QByteArray> version = headerValue(headers, "Sec-WebSocket-Version");
    if (!version) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-missing-version"),
                      tr("The handshake has no Sec-WebSocket-Version header."),
                      {{QByteArrayLiteral("Sec-WebSocket-Version"), QByteArrayLiteral("13")}});
    }
    if (trimmedView(*version) != "13") {
        return reject(426, "Upgrade Required", QStringLiteral("handshake-rejected-bad-version"),
                      tr("WebSocket version %1 is not supported; this server speaks version 13.")
                          .arg(QString::fromLatin1(*version)),
                      {{QByteArrayLiteral("Sec-WebSocket-Version"), QByteArrayLiteral("13")}});
    }

    // Section 4.2.2 item 4 / section 10.2: a server may refuse origins it does not trust
    // with 403. With an allow-list, a request without Origin is refused as well, so that
    // the list cannot be bypassed by leaving the header out.
    if (!policy.allowedOrigins.isEmpty()) {
        const std::optional<QByteArray> origin = headerValue(headers, "Origin");
        const QString originText = origin ? QString::fromLatin1(*origin) : QString();
        bool allowed = false;
        for (const QString &candidate : policy.allowedOrigins) {
            // RFC 6454 section 6.2: the serialisation is lower-case; compare case-insensitively.
            if (origin && candidate.compare(originText, Qt::CaseInsensitive) == 0)
                allowed = true;
        }
        if (!allowed) {
            return reject(403, "Forbidden", QStringLiteral("handshake-rejected-origin"),
                          origin ? tr("The origin %1 is not allowed.").arg(originText)
                                 : tr("The handshake has no Origin header and only listed "
                                      "origins are allowed."));
        }
    }
    return HandshakeVerdict{};
}

HandshakeVerdict tooLargeVerdict()
{
    // RFC 6585 section 5.
    return reject(431, "Request Header Fields Too Large",
                  QStringLiteral("handshake-rejected-too-large"),
                  tr("The request head is larger than %1 bytes.").arg(MaxRequestHeadSize));
}

HandshakeVerdict malformedVerdict(const QString &why)
{
    return reject(400, "Bad Request", QStringLiteral("handshake-rejected-malformed"), why);
}

HttpResponseHead rejectionResponse(const HandshakeVerdict &verdict)
{
    HttpResponseHead response;
    response.status = verdict.status;
    response.reason = verdict.reasonPhrase;
    response.body = QByteArray(verdict.sentence.toUtf8() % '\n');
    response.headers = verdict.extraHeaders;
    response.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain; charset=utf-8")});
    response.headers.append(
        {QByteArrayLiteral("Content-Length"), QByteArray::number(response.body.size())});
    response.headers.append({QByteArrayLiteral("Connection"), QByteArrayLiteral("close")});
    return response;
}

QByteArray serializeResponse(const HttpResponseHead &response)
{
    QByteArray bytes = QByteArray("HTTP/1.1 " % QByteArray::number(response.status) % ' '
                                  % response.reason % "\r\n");
    for (const auto &[name, value] : response.headers)
        bytes += QByteArray(name % ": " % value % "\r\n");
    bytes += "\r\n";
    bytes += response.body;
    return bytes;
}

HttpResponseHead acceptResponse(const ParsedRequestHead &request, const QString &subprotocol)
{
    HttpResponseHead response;
    response.status = 101;
    response.reason = QByteArrayLiteral("Switching Protocols");
    const QByteArray key
        = headerValue(request.head.headers, "Sec-WebSocket-Key").value_or(QByteArray());
    response.headers.append({QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket")});
    response.headers.append({QByteArrayLiteral("Connection"), QByteArrayLiteral("Upgrade")});
    response.headers.append({QByteArrayLiteral("Sec-WebSocket-Accept"),
                             computeAcceptKey(trimmedView(key).toByteArray())});
    if (!subprotocol.isEmpty())
        response.headers.append(
            {QByteArrayLiteral("Sec-WebSocket-Protocol"), subprotocol.toLatin1()});
    return response;
}

QString negotiateSubprotocol(const QStringList &supported, const QStringList &requested)
{
    for (const QString &candidate : supported) {
        if (requested.contains(candidate))
            return candidate;
    }
    return QString();
}

} // namespace sockpit::protocol
