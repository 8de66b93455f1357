#include "event.h"

#include <array>
#include <atomic>

namespace sockpit {

namespace {

constexpr std::array<const char *, EventKindCount> kKindNames = {
    "listening", "stopped", "handshake", "open",  "text",      "binary",
    "ping",      "pong",    "close",     "error", "broadcast", "tls",
};

template<typename Enum, std::size_t N>
std::optional<Enum> fromName(const std::array<const char *, N> &names, QStringView name)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QLatin1StringView(names[i]))
            return Enum(i);
    }
    return std::nullopt;
}

constexpr std::array<const char *, 2> kSourceNames = {"server", "client"};
constexpr std::array<const char *, 3> kDirectionNames = {"in", "out", "none"};
constexpr std::array<const char *, 2> kInitiatorNames = {"local", "remote"};

} // namespace

QString kindName(EventKind kind)
{
    return QString::fromLatin1(kKindNames.at(std::size_t(kind)));
}

bool carriesPayload(EventKind kind)
{
    switch (kind) {
    case EventKind::Text:
    case EventKind::Binary:
    case EventKind::Ping:
    case EventKind::Pong:
    case EventKind::Broadcast:
        return true;
    default:
        return false;
    }
}

std::optional<EventKind> kindFromName(QStringView name)
{
    return fromName<EventKind>(kKindNames, name);
}

QString sourceName(EventSource source)
{
    return QString::fromLatin1(kSourceNames.at(std::size_t(source)));
}

std::optional<EventSource> sourceFromName(QStringView name)
{
    return fromName<EventSource>(kSourceNames, name);
}

QString directionName(EventDirection direction)
{
    return QString::fromLatin1(kDirectionNames.at(std::size_t(direction)));
}

std::optional<EventDirection> directionFromName(QStringView name)
{
    return fromName<EventDirection>(kDirectionNames, name);
}

QString initiatorName(CloseInitiator initiator)
{
    return QString::fromLatin1(kInitiatorNames.at(std::size_t(initiator)));
}

std::optional<CloseInitiator> initiatorFromName(QStringView name)
{
    return fromName<CloseInitiator>(kInitiatorNames, name);
}

namespace {
template<typename T>
bool samePointee(const std::shared_ptr<const T> &a, const std::shared_ptr<const T> &b)
{
    if (!a || !b)
        return !a && !b;
    return *a == *b;
}
} // namespace

bool operator==(const Event &a, const Event &b)
{
    return a.seq == b.seq && a.time == b.time && a.source == b.source
        && a.connection == b.connection && a.direction == b.direction && a.kind == b.kind
        && a.url == b.url && a.addresses == b.addresses && a.note == b.note && a.peer == b.peer
        && a.subprotocol == b.subprotocol && a.payload == b.payload && a.size == b.size
        && a.textPayload == b.textPayload && a.rttMs == b.rttMs && a.closeCode == b.closeCode
        && a.reason == b.reason && a.initiator == b.initiator && a.error == b.error
        && a.errorId == b.errorId && a.recipients == b.recipients
        && samePointee(a.handshake, b.handshake) && samePointee(a.tls, b.tls)
        && a.frames == b.frames;
}

Event makeTextEvent(EventSource source, qint64 connection, EventDirection direction,
                    const QByteArray &utf8)
{
    Event e;
    e.source = source;
    e.connection = connection;
    e.direction = direction;
    e.kind = EventKind::Text;
    e.payload = utf8;
    e.size = utf8.size();
    e.textPayload = true;
    return e;
}

Event makeBinaryEvent(EventSource source, qint64 connection, EventDirection direction,
                      const QByteArray &data)
{
    Event e;
    e.source = source;
    e.connection = connection;
    e.direction = direction;
    e.kind = EventKind::Binary;
    e.payload = data;
    e.size = data.size();
    return e;
}

Event makeControlEvent(EventSource source, qint64 connection, EventDirection direction,
                       EventKind kind, const QByteArray &payload)
{
    Event e;
    e.source = source;
    e.connection = connection;
    e.direction = direction;
    e.kind = kind;
    e.payload = payload;
    e.size = payload.size();
    return e;
}

Event makeCloseEvent(EventSource source, qint64 connection, EventDirection direction, int code,
                     const QString &reason, CloseInitiator initiator)
{
    Event e;
    e.source = source;
    e.connection = connection;
    e.direction = direction;
    e.kind = EventKind::Close;
    e.closeCode = code;
    e.reason = reason;
    e.initiator = initiator;
    return e;
}

Event makeErrorEvent(EventSource source, qint64 connection, const QString &id,
                     const QString &sentence)
{
    Event e;
    e.source = source;
    e.connection = connection;
    e.direction = EventDirection::None;
    e.kind = EventKind::Error;
    e.errorId = id;
    e.error = sentence;
    return e;
}

qint64 nextConnectionId()
{
    static std::atomic<qint64> counter{0};
    return ++counter;
}

} // namespace sockpit
