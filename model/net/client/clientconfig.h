#pragma once

#include "events/event.h"
#include "protocol/timing.h"
#include "tls/tlssettings.h"

#include <QUrl>

namespace sockpit {

struct ClientConfig
{
    QUrl url;
    HeaderList headers; // extra request headers, in the order given
    QString origin;
    QStringList subprotocols;
    qint64 frameSize = 0; // outgoing frame size; 0: Qt's default
    // The largest message the server may send, all fragments together; a larger one fails
    // the connection with 1009 (the wire tap checks it at the frame header). `sockpit
    // connect --max-message-size`; the default is the server's, 16 MiB.
    qint64 maxMessageSize = qint64(16) * 1024 * 1024;
    int connectTimeoutMs = timing::ClientConnectMs;
    bool wireTap = true; // observe the raw handshake response and frames
    TlsClientSettings tls;
};

} // namespace sockpit
