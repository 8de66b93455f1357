#pragma once

#include "protocol/handshakerequest.h"
#include "protocol/timing.h"
#include "tls/tlssettings.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace sockpit {

enum class ServerMode : quint8 {
    Echo, // reply to the sender
    Broadcast, // send to every open connection, the sender included
    Silent, // record only
};

QString serverModeName(ServerMode mode); // "echo", "broadcast", "silent"
std::optional<ServerMode> serverModeFromName(QStringView name);

struct CloseAfter
{
    int seconds = 0;
    int code = 1000;
    QString reason;
};

struct ServerConfig
{
    // "localhost" (127.0.0.1 and ::1 on one port) or an IP address; see listenaddress.h.
    QString host = QStringLiteral("localhost");
    quint16 port = 8080; // 0 picks a free port (one port that every address shares)
    ServerMode mode = ServerMode::Echo;
    QString replyTemplate = QStringLiteral("%m"); // %m: the received message
    std::optional<CloseAfter> closeAfter;
    QStringList subprotocols; // accepted, in preference order
    QStringList allowedOrigins; // empty: any origin
    qint64 maxMessageSize = qint64(16) * 1024 * 1024;
    TlsServerSettings tls;
    // The whole opening handshake must be done this long after the TCP accept (TLS, the
    // upgrade request and Qt's answer), or the connection is dropped with an error event.
    int handshakeTimeoutMs = timing::ServerHandshakeMs;
    // Bounds on the upgrade request; past them the answer is 431 (see handshakerequest.h).
    protocol::HeadLimits headLimits;
};

} // namespace sockpit
