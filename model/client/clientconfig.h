#pragma once

#include "events/event.h"
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
    qint64 maxMessageSize = qint64(16) * 1024 * 1024; // incoming
    int connectTimeoutMs = 15000;
    bool wireTap = true; // observe the raw handshake response and frames
    TlsClientSettings tls;
};

} // namespace sockpit
