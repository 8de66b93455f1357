#include "handshakerequest.h"

#include "acceptkey.h"

#include <QCoreApplication>
#include <QStringBuilder>

namespace sockpit::protocol {

namespace {

// A sentence of this file: English on the wire, translated in the log. The source is
// marked with QT_TRANSLATE_NOOP so that lupdate files it under "sockpit::protocol".
struct Text
{
    const char *source = "";
    QStringList args;

    Text arg(const QString &value) const
    {
        Text t = *this;
        t.args.append(value);
        return t;
    }
    Text arg(qint64 value) const { return arg(QString::number(value)); }
    QString english() const { return substitute(QString::fromUtf8(source)); }
    QString translated() const
    {
        return substitute(QCoreApplication::translate("sockpit::protocol", source));
    }

private:
    QString substitute(QString text) const
    {
        for (const QString &value : args)
            text = text.arg(value);
        return text;
    }
};

Text text(const char *source)
{
    return Text{source, {}};
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

HandshakeVerdict reject(int status, QByteArray phrase, QString errorId, const Text &why,
                        HeaderList extra = {})
{
    HandshakeVerdict v;
    v.status = status;
    v.reasonPhrase = std::move(phrase);
    v.errorId = std::move(errorId);
    v.sentence = why.translated();
    v.wireText = why.english();
    v.extraHeaders = std::move(extra);
    return v;
}

HandshakeVerdict malformed(const Text &why)
{
    return reject(400, "Bad Request", QStringLiteral("handshake-rejected-malformed"), why);
}

HandshakeVerdict tooLarge(const Text &why)
{
    return reject(431, "Request Header Fields Too Large",
                  QStringLiteral("handshake-rejected-too-large"), why);
}

// RFC 7231 section 6.5.15: a 426 must say which protocol to switch to. (No
// "Connection: Upgrade": this answer closes the connection.)
HeaderList upgradeRequiredHeaders()
{
    return {{QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket")}};
}

std::optional<ParsedRequestHead> parseHead(QByteArrayView head, Text *why)
{
    auto fail = [why](const Text &reason) -> std::optional<ParsedRequestHead> {
        *why = reason;
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
        return fail(text(QT_TRANSLATE_NOOP("sockpit::protocol", "The request is empty.")));

    // request-line = method SP request-target SP HTTP-version (RFC 7230 section 3.1.1)
    const QByteArrayView requestLine = lines.front();
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        return fail(text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                           "The request line is not \"METHOD TARGET HTTP/1.1\".")));
    ParsedRequestHead parsed;
    const QByteArrayView method = requestLine.first(firstSpace);
    const QByteArrayView target = requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);
    int major = 0;
    int minor = 0;
    if (!isToken(method))
        return fail(text(
            QT_TRANSLATE_NOOP("sockpit::protocol", "The request method is not a valid token.")));
    if (target.contains(' ') || target.contains('\t'))
        return fail(text(
            QT_TRANSLATE_NOOP("sockpit::protocol", "The request target contains white space.")));
    if (!parseVersion(version, &major, &minor))
        return fail(text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                           "The request line does not end with an HTTP version.")));
    parsed.head.method = method.toByteArray();
    parsed.head.target = target.toByteArray();
    parsed.version = version.toByteArray();

    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = lines.at(i);
        // RFC 7230 section 3.2.4: obsolete line folding may be rejected with 400.
        if (line.startsWith(' ') || line.startsWith('\t'))
            return fail(text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                               "A header field is folded over several lines.")));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                               "A header line has no name followed by a colon.")));
        const QByteArrayView name = line.first(colon);
        // Section 3.2.4: no white space between the field name and the colon.
        if (!isToken(name))
            return fail(text(
                QT_TRANSLATE_NOOP("sockpit::protocol", "A header name is not a valid token.")));
        parsed.head.headers.append(
            {name.toByteArray(), trimmedView(line.sliced(colon + 1)).toByteArray()});
    }
    return parsed;
}

} // namespace

std::optional<ParsedRequestHead> parseRequestHead(QByteArrayView head, QString *error)
{
    Text why;
    std::optional<ParsedRequestHead> parsed = parseHead(head, &why);
    if (!parsed && error)
        *error = why.translated();
    return parsed;
}

std::optional<ParsedRequestHead> parseRequestHead(QByteArrayView head, HandshakeVerdict *rejection)
{
    Text why;
    std::optional<ParsedRequestHead> parsed = parseHead(head, &why);
    if (!parsed && rejection)
        *rejection = malformed(why);
    return parsed;
}

HeadScan scanRequestHead(QByteArrayView received, const HeadLimits &limits)
{
    HeadScan scan;
    auto rejected = [&scan](HandshakeVerdict verdict) {
        scan.status = HeadScan::Rejected;
        scan.rejection = std::move(verdict);
        return scan;
    };
    auto lineTooLong = [&] {
        return rejected(
            tooLarge(text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                            "A line of the request is longer than %1 bytes."))
                         .arg(limits.maxLineBytes)));
    };
    auto headTooLarge = [&] {
        return rejected(
            tooLarge(text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                            "The request head is larger than %1 bytes."))
                         .arg(limits.maxHeadBytes)));
    };
    bool requestLineSeen = false;
    int fields = 0;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < received.size(); ++i) {
        const char c = received.at(i);
        // The first byte of a request is a method's (RFC 7230 section 3.1.1); RFC 7230
        // section 3.5 allows empty lines before it.
        if (!requestLineSeen && i == lineStart && c != '\r' && c != '\n' && !isTokenChar(c)) {
            // 0x16 0x03: a TLS handshake record, i.e. a wss:// client on a ws:// port.
            if (c == 0x16 && i + 1 < received.size() && received.at(i + 1) == 0x03) {
                return rejected(reject(
                    400, "Bad Request", QStringLiteral("handshake-rejected-tls-on-plain-port"),
                    text(QT_TRANSLATE_NOOP(
                        "sockpit::protocol",
                        "This is a plain ws:// server, and the client began a TLS handshake: "
                        "connect with ws://, or serve wss:// with a certificate."))));
            }
            return rejected(malformed(text(QT_TRANSLATE_NOOP(
                "sockpit::protocol", "The request does not start with an HTTP method."))));
        }
        if (c != '\n')
            continue;
        // Qt's WebSocket stack reads CR LF lines only: a bare LF would leave it waiting.
        if (i == lineStart || received.at(i - 1) != '\r')
            return rejected(malformed(text(QT_TRANSLATE_NOOP(
                "sockpit::protocol", "The request's lines must end with CR LF."))));
        const qsizetype length = i - 1 - lineStart;
        if (length > limits.maxLineBytes)
            return lineTooLong();
        lineStart = i + 1;
        if (length == 0 && !requestLineSeen)
            continue;
        if (length == 0) {
            if (i + 1 > limits.maxHeadBytes)
                return headTooLarge();
            scan.status = HeadScan::Complete;
            scan.length = i + 1;
            return scan;
        }
        if (requestLineSeen && ++fields > limits.maxHeaderFields) {
            return rejected(
                tooLarge(text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                                "The request has more than %1 header fields."))
                             .arg(limits.maxHeaderFields)));
        }
        requestLineSeen = true;
    }
    // Incomplete so far; the limits hold for what has arrived (a CR may still end the line).
    if (received.size() - lineStart > limits.maxLineBytes + 1)
        return lineTooLong();
    if (received.size() >= limits.maxHeadBytes)
        return headTooLarge();
    return scan;
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
                      text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "A WebSocket handshake must use the GET method.")),
                      {{QByteArrayLiteral("Allow"), QByteArrayLiteral("GET")}});
    }
    int major = 0;
    int minor = 0;
    if (!parseVersion(request.version, &major, &minor) || major < 1 || (major == 1 && minor < 1)) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-http-version"),
                      text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "A WebSocket handshake needs HTTP/1.1 or later.")));
    }
    // An upgrade is an HTTP/1.1 mechanism; "HTTP/2.0" on a request line is no HTTP/2
    // (which has no request line) and no version this server speaks (RFC 7231 6.6.6).
    if (major > 1) {
        return reject(505, "HTTP Version Not Supported",
                      QStringLiteral("handshake-rejected-http-version"),
                      text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "This server speaks HTTP/1.1; the request says %1."))
                          .arg(QString::fromLatin1(request.version)));
    }
    // Section 4.1: the target is a /resource name, or an absolute ws(s) or http(s) URL
    // (RFC 7230 section 5.3.2); "*" and other forms name no resource.
    const QByteArray &target = request.head.target;
    if (!target.startsWith('/') && !target.contains("://")) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-bad-target"),
                      text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "The request target %1 is not a path such as /chat."))
                          .arg(QString::fromLatin1(target)));
    }

    const bool hasUpgrade = headerValue(headers, "Upgrade").has_value();
    const bool connectionUpgrade = headerHasToken(headers, "Connection", "Upgrade");
    // A plain page request (no upgrade asked for at all): tell the visitor what this is.
    if (!hasUpgrade && !connectionUpgrade) {
        return reject(
            426, "Upgrade Required", QStringLiteral("handshake-rejected-not-websocket"),
            text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                   "This is a WebSocket endpoint: connect with a WebSocket client "
                                   "(Upgrade: websocket).")),
            upgradeRequiredHeaders());
    }

    // Item 2: a Host header field.
    if (!headerValue(headers, "Host"))
        return reject(
            400, "Bad Request", QStringLiteral("handshake-rejected-no-host"),
            text(QT_TRANSLATE_NOOP("sockpit::protocol", "The handshake has no Host header.")));

    // Item 3: Upgrade must contain "websocket" (case-insensitive). A missing or different
    // protocol gets 426, not 400: RFC 7231 section 6.5.15 defines 426 for exactly "the
    // server refuses the current protocol and names, in Upgrade, the one it requires", and
    // the request is otherwise well-formed HTTP, so 400 would blame its syntax wrongly.
    if (!headerHasToken(headers, "Upgrade", "websocket")) {
        return reject(426, "Upgrade Required", QStringLiteral("handshake-rejected-bad-upgrade"),
                      text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "The Upgrade header does not ask for \"websocket\".")),
                      upgradeRequiredHeaders());
    }

    // Item 4: Connection must contain the "Upgrade" token (RFC 7230 section 6.1 list).
    if (!connectionUpgrade) {
        return reject(
            400, "Bad Request", QStringLiteral("handshake-rejected-no-connection-upgrade"),
            text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                   "The Connection header does not contain \"Upgrade\".")));
    }

    // Item 5: Sec-WebSocket-Key, base64 of 16 bytes (section 4.1), exactly once.
    const std::optional<QByteArray> key = headerValue(headers, "Sec-WebSocket-Key");
    if (!key || key->isEmpty()) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-missing-key"),
                      text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "The handshake has no Sec-WebSocket-Key header.")));
    }
    if (!isValidClientKey(*key)) {
        return reject(
            400, "Bad Request", QStringLiteral("handshake-rejected-bad-key"),
            text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                   "The Sec-WebSocket-Key is not the base64 of 16 bytes.")));
    }

    // Item 6 and section 4.4: a version the server does not speak gets 426 with the
    // versions it does speak. A missing version is a malformed handshake (400).
    const std::optional<QByteArray> version = headerValue(headers, "Sec-WebSocket-Version");
    if (!version) {
        return reject(400, "Bad Request", QStringLiteral("handshake-rejected-missing-version"),
                      text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "The handshake has no Sec-WebSocket-Version header.")),
                      {{QByteArrayLiteral("Sec-WebSocket-Version"), QByteArrayLiteral("13")}});
    }
    if (trimmedView(*version) != "13") {
        return reject(
            426, "Upgrade Required", QStringLiteral("handshake-rejected-bad-version"),
            text(QT_TRANSLATE_NOOP(
                     "sockpit::protocol",
                     "WebSocket version %1 is not supported; this server speaks version 13."))
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
            return reject(
                403, "Forbidden", QStringLiteral("handshake-rejected-origin"),
                origin
                    ? text(QT_TRANSLATE_NOOP("sockpit::protocol", "The origin %1 is not allowed."))
                          .arg(originText)
                    : text(QT_TRANSLATE_NOOP("sockpit::protocol",
                                             "The handshake has no Origin header and only listed "
                                             "origins are allowed.")));
        }
    }
    return HandshakeVerdict{};
}

HttpResponseHead rejectionResponse(const HandshakeVerdict &verdict, QByteArrayView requestMethod)
{
    HttpResponseHead response;
    response.status = verdict.status;
    response.reason = verdict.reasonPhrase;
    const QByteArray body = QByteArray(verdict.wireText.toUtf8() % '\n');
    response.headers = verdict.extraHeaders;
    response.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain; charset=utf-8")});
    response.headers.append({QByteArrayLiteral("Content-Length"), QByteArray::number(body.size())});
    if (requestMethod != "HEAD")
        response.body = body;
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
