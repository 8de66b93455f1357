#pragma once

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QString>

#include <optional>

namespace sockpit::client {

// What the wire tap needs to terminate a wss client's TLS on the internal loopback hop
// (QWebSocket -> tap): a certificate authority that exists only in this process's memory,
// and a server configuration with a leaf it issued for the target host name. The client
// socket trusts exactly `authority` for that hop; the real server is verified upstream by
// the tap with the user's own settings.
struct LoopbackIdentity
{
    QSslCertificate authority;
    QSslConfiguration serverConfiguration;
};

// The identity for `host` (a DNS name or an IP address, as in the URL). The authority is
// made once per process and the leaves are cached per host; safe to call from any thread.
// Empty, with `why` set, when no certificate can be made for that name.
std::optional<LoopbackIdentity> loopbackIdentityFor(const QString &host, QString *why);

} // namespace sockpit::client
