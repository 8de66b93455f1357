#pragma once

#include "protocol/httptypes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>

namespace sockpit::protocol {

// The bounds on an upgrade request. Past any of them the request is answered with 431
// (RFC 6585 section 5) before it is parsed, so that a slow or hostile peer cannot grow the
// buffer without end and nothing reaches Qt's WebSocket stack that it would drop silently
// (it reads at most 8 KiB per line and 100 header fields).
inline constexpr qsizetype MaxRequestHeadSize = 16 * 1024;
inline constexpr qsizetype MaxRequestLineSize = 8000;
inline constexpr int MaxHeaderFields = 100;
struct HeadLimits
{
    qsizetype maxHeadBytes = MaxRequestHeadSize; // the whole head, with the empty line
    qsizetype maxLineBytes = MaxRequestLineSize; // one line, without its CRLF
    int maxHeaderFields = MaxHeaderFields;
};

// The decision on one upgrade request: 101 means "hand it to the WebSocket stack", any
// other status is the HTTP answer to send, with the reason and a stable id. The reason
// exists twice: in English for the peer (wire text is never translated) and in the
// user's language for the log.
struct HandshakeVerdict
{
    int status = 101;
    QByteArray reasonPhrase = QByteArrayLiteral("Switching Protocols");
    QString sentence; // why, for the log (translated)
    QString wireText; // why, for the response body (English)
    QString errorId; // "handshake-rejected-..." (empty when accepted)
    HeaderList extraHeaders; // e.g. Allow: GET, Sec-WebSocket-Version: 13
    bool accepted() const { return status == 101; }
};

// Where the request head (request line + header fields + empty line, RFC 7230 section 3)
// ends in the bytes received so far. Feed it the whole buffer each time more arrives; it
// is cheap and keeps no state, which suits a socket that is peeked, never consumed.
// It decides as early as the bytes allow: a bare LF, a first byte that cannot start a
// request line (a TLS ClientHello on a ws port, say) or a line over the limits is
// Rejected at once, not when the head is complete or the deadline passes.
struct HeadScan
{
    enum Status : quint8 { Incomplete, Complete, Rejected };
    Status status = Incomplete;
    qsizetype length = 0; // Complete: bytes of the head including the empty line
    HandshakeVerdict rejection; // Rejected: the answer (431 or 400)
};
HeadScan scanRequestHead(QByteArrayView received, const HeadLimits &limits = {});

struct ParsedRequestHead
{
    HttpRequestHead head; // method, target, headers in wire order and case
    QByteArray version; // "HTTP/1.1"
};

// Parses a complete head (as delimited by scanRequestHead). Returns nullopt with a
// sentence in *error (or the 400 answer in *rejection) when the request line or a header
// field is malformed.
std::optional<ParsedRequestHead> parseRequestHead(QByteArrayView head, QString *error = nullptr);
std::optional<ParsedRequestHead> parseRequestHead(QByteArrayView head, HandshakeVerdict *rejection);

// Every value of the header `name` (case-insensitive, RFC 7230 section 3.2), joined with
// ", " as section 3.2.2 allows; nullopt when the header is absent.
std::optional<QByteArray> headerValue(const HeaderList &headers, QByteArrayView name);
// Whether a comma-separated header contains `token`, compared case-insensitively.
bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token);
// The request's Sec-WebSocket-Protocol values in the client's order.
QStringList requestedSubprotocols(const HeaderList &headers);

struct UpgradePolicy
{
    QStringList allowedOrigins; // empty: any origin (and none) is accepted
};

// The validation ladder of RFC 6455 section 4.2.1, first failure wins.
HandshakeVerdict validateUpgradeRequest(const ParsedRequestHead &request,
                                        const UpgradePolicy &policy);

// The HTTP answer for a rejection: status line, the verdict's headers, Content-Type,
// Content-Length, Connection: close and a short English text body; no body for a HEAD
// request (RFC 7231 section 4.3.2), with the Content-Length a GET would have had.
HttpResponseHead rejectionResponse(const HandshakeVerdict &verdict,
                                   QByteArrayView requestMethod = "GET");
QByteArray serializeResponse(const HttpResponseHead &response);

// The 101 answer the WebSocket stack gives to an accepted request, for the log: the
// headers of RFC 6455 section 4.2.2 with the computed Sec-WebSocket-Accept.
HttpResponseHead acceptResponse(const ParsedRequestHead &request, const QString &subprotocol);

// The subprotocol a server with `supported` (in preference order) picks for `requested`:
// the first of the server's list that the client offered (RFC 6455 section 4.2.2 leaves
// the choice to the server; this is the rule QWebSocketServer applies).
QString negotiateSubprotocol(const QStringList &supported, const QStringList &requested);

} // namespace sockpit::protocol
