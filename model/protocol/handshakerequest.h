#pragma once

#include "events/event.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>

namespace sockpit::protocol {

// A request head larger than this is refused with 431 before it is parsed: the bound that
// keeps a slow or hostile peer from growing the buffer without end.
inline constexpr qsizetype MaxRequestHeadSize = 16 * 1024;

// Where the request head (request line + header fields + empty line, RFC 7230 section 3)
// ends in the bytes received so far. Feed it the whole buffer each time more arrives; it
// is cheap and keeps no state, which suits a socket that is peeked, never consumed.
struct HeadScan
{
    enum Status : quint8 { Incomplete, Complete, TooLarge };
    Status status = Incomplete;
    qsizetype length = 0; // Complete: bytes of the head including the empty line
};
HeadScan scanRequestHead(QByteArrayView received, qsizetype maxSize = MaxRequestHeadSize);

struct ParsedRequestHead
{
    HttpRequestHead head; // method, target, headers in wire order and case
    QByteArray version; // "HTTP/1.1"
};

// Parses a complete head (as delimited by scanRequestHead). Returns nullopt with a
// sentence in *error when the request line or a header field is malformed.
std::optional<ParsedRequestHead> parseRequestHead(QByteArrayView head, QString *error = nullptr);

// Every value of the header `name` (case-insensitive, RFC 7230 section 3.2), joined with
// ", " as section 3.2.2 allows; nullopt when the header is absent.
std::optional<QByteArray> headerValue(const HeaderList &headers, QByteArrayView name);
// Whether a comma-separated header contains `token`, compared case-insensitively.
bool headerHasToken(const HeaderList &headers, QByteArrayView name, QByteArrayView token);
// The request's Sec-WebSocket-Protocol values in the client's order.
QStringList requestedSubprotocols(const HeaderList &headers);

// The decision on one upgrade request: 101 means "hand it to the WebSocket stack", any
// other status is the HTTP answer to send, with the reason as a sentence and a stable id.
struct HandshakeVerdict
{
    int status = 101;
    QByteArray reasonPhrase = QByteArrayLiteral("Switching Protocols");
    QString sentence; // why, for the log and the response body
    QString errorId; // "handshake-rejected-..." (empty when accepted)
    HeaderList extraHeaders; // e.g. Allow: GET, Sec-WebSocket-Version: 13
    bool accepted() const { return status == 101; }
};

struct UpgradePolicy
{
    QStringList allowedOrigins; // empty: any origin (and none) is accepted
};

// The validation ladder of RFC 6455 section 4.2.1, first failure wins.
HandshakeVerdict validateUpgradeRequest(const ParsedRequestHead &request,
                                        const UpgradePolicy &policy);

// The verdict for a head that could not be read at all (too large, malformed).
HandshakeVerdict tooLargeVerdict();
HandshakeVerdict malformedVerdict(const QString &why);

// The HTTP answer for a rejection: status line, the verdict's headers, Content-Type,
// Content-Length, Connection: close and a short text body.
HttpResponseHead rejectionResponse(const HandshakeVerdict &verdict);
QByteArray serializeResponse(const HttpResponseHead &response);

// The 101 answer the WebSocket stack gives to an accepted request, for the log: the
// headers of RFC 6455 section 4.2.2 with the computed Sec-WebSocket-Accept.
HttpResponseHead acceptResponse(const ParsedRequestHead &request, const QString &subprotocol);

// The subprotocol a server with `supported` (in preference order) picks for `requested`:
// the first of the server's list that the client offered (RFC 6455 section 4.2.2 leaves
// the choice to the server; this is the rule QWebSocketServer applies).
QString negotiateSubprotocol(const QStringList &supported, const QStringList &requested);

} // namespace sockpit::protocol
