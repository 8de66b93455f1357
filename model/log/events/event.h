#pragma once

#include "frames/frameinfo.h"
#include "protocol/httptypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace sockpit {

// The kinds of the JSON Lines format (docs/event-log.md, "Kinds"). `Tls` carries the
// facts of a secure connection (protocol, cipher, peer certificate, errors).
enum class EventKind : quint8 {
    Listening,
    Stopped,
    Handshake,
    Open,
    Text,
    Binary,
    Ping,
    Pong,
    Close,
    Error,
    Broadcast,
    Tls,
};
inline constexpr int EventKindCount = int(EventKind::Tls) + 1;

enum class EventSource : quint8 { Server, Client };
enum class EventDirection : quint8 { In, Out, None };
enum class CloseInitiator : quint8 { Local, Remote };

QString kindName(EventKind kind);
// The kinds that carry a message payload and its size: text, binary, ping, pong, broadcast.
bool carriesPayload(EventKind kind);
std::optional<EventKind> kindFromName(QStringView name);
QString sourceName(EventSource source);
std::optional<EventSource> sourceFromName(QStringView name);
QString directionName(EventDirection direction);
std::optional<EventDirection> directionFromName(QStringView name);
QString initiatorName(CloseInitiator initiator);
std::optional<CloseInitiator> initiatorFromName(QStringView name);

struct Handshake
{
    HttpRequestHead request;
    std::optional<HttpResponseHead> response; // present when it was observed
    friend bool operator==(const Handshake &, const Handshake &) = default;
};

struct CertificateInfo
{
    QString subject;
    QString issuer;
    QDateTime notBefore;
    QDateTime notAfter;
    QString sha256; // colon-separated upper-case hex
    friend bool operator==(const CertificateInfo &, const CertificateInfo &) = default;
};

struct TlsInfo
{
    QString protocol; // "TLSv1.3"
    QString cipher;
    std::optional<CertificateInfo> peerCertificate;
    QStringList errors; // each certificate error as a sentence
    bool verificationDisabled = false;
    friend bool operator==(const TlsInfo &, const TlsInfo &) = default;
};

// One thing that happened. A plain value: cheap to copy (payload and the rarely used
// blocks are implicitly shared), small when the optional parts are empty.
struct Event
{
    quint64 seq = 0; // assigned by the EventStore
    QDateTime time; // UTC; assigned by the EventStore when null
    EventSource source = EventSource::Server;
    qint64 connection = 0; // 0: the server itself, not one connection
    EventDirection direction = EventDirection::None;
    EventKind kind = EventKind::Error;

    QString url; // listening, stopped
    QStringList addresses; // listening: every "host:port" listened on ("[::1]:8080")
    QString note; // listening: something worth saying that is not an error
    QString peer; // open: "host:port"
    QString subprotocol; // open

    // text (UTF-8), binary, ping, pong, broadcast. `size` is the message size on the wire,
    // which may exceed payload.size() when a producer stored only a capped prefix.
    QByteArray payload;
    qint64 size = 0;
    bool textPayload = false; // broadcast: whether payload is text
    std::optional<double> rttMs; // pong

    int closeCode = 1005; // close: 1005 when the Close frame carried no code, 1006 abnormal
    QString reason; // close
    CloseInitiator initiator = CloseInitiator::Remote;

    QString error; // error: a sentence
    QString errorId; // error: stable kebab-case identifier

    int recipients = 0; // broadcast

    std::shared_ptr<const Handshake> handshake;
    std::shared_ptr<const TlsInfo> tls;
    QList<FrameInfo> frames;

    bool isTextual() const
    {
        return kind == EventKind::Text || (kind == EventKind::Broadcast && textPayload);
    }

    friend bool operator==(const Event &a, const Event &b);
};

// Convenience constructors for the producers (server, client, tap).
Event makeTextEvent(EventSource source, qint64 connection, EventDirection direction,
                    const QByteArray &utf8);
Event makeBinaryEvent(EventSource source, qint64 connection, EventDirection direction,
                      const QByteArray &data);
// A ping or pong with its payload (kind must be Ping or Pong).
Event makeControlEvent(EventSource source, qint64 connection, EventDirection direction,
                       EventKind kind, const QByteArray &payload);
Event makeCloseEvent(EventSource source, qint64 connection, EventDirection direction, int code,
                     const QString &reason, CloseInitiator initiator);
Event makeErrorEvent(EventSource source, qint64 connection, const QString &id,
                     const QString &sentence);

// Connection ids are unique in one process (and so in one log): server connections and
// client sessions draw from the same counter.
qint64 nextConnectionId();

} // namespace sockpit
