#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace sockpit {

// Where a server listens, as the user wrote it: "localhost" or an IP literal.
// "localhost" means both loopback families (127.0.0.1 and ::1) on one port, so that a
// client reaches the server whichever family its resolver returns first. An address
// listens exactly there: 0.0.0.0 or :: only when asked for.
struct ListenHost
{
    QString name; // "localhost", "127.0.0.1", "::1", ... (as shown in URLs, no brackets)
    QList<QHostAddress> addresses; // in the order they are opened

    bool isLoopbackName() const { return addresses.size() > 1; }
};

// nullopt when the text is neither "localhost" (any case) nor an IP address; an empty
// text means "localhost". IPv6 literals may come with or without brackets.
std::optional<ListenHost> parseListenHost(QStringView text);

// "127.0.0.1:8080" or "[::1]:8080"; an IPv4-mapped IPv6 address is shown as IPv4. The one
// way a peer or listening address is written, by the server and by the client.
QString addressWithPort(QHostAddress address, quint16 port);

} // namespace sockpit
