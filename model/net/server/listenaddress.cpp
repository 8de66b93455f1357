#include "listenaddress.h"

namespace sockpit {

std::optional<ListenHost> parseListenHost(QStringView text)
{
    QStringView host = text.trimmed();
    if (host.isEmpty() || host.compare(u"localhost", Qt::CaseInsensitive) == 0) {
        return ListenHost{
            QStringLiteral("localhost"),
            {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)}};
    }
    if (host.size() > 2 && host.startsWith(u'[') && host.endsWith(u']'))
        host = host.sliced(1, host.size() - 2);
    QHostAddress address;
    // A scope ("fe80::1%eth0") or a name other than localhost is not ours to resolve.
    if (host.contains(u'%') || !address.setAddress(host.toString()))
        return std::nullopt;
    return ListenHost{address.toString(), {address}};
}

QString addressWithPort(QHostAddress address, quint16 port)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        address = QHostAddress(v4); // ::ffff:127.0.0.1 reads better as 127.0.0.1
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return QStringLiteral("[%1]:%2").arg(address.toString()).arg(port);
    return QStringLiteral("%1:%2").arg(address.toString()).arg(port);
}

} // namespace sockpit
