#include "connectionlinks.h"

#include "eventstore.h"

namespace sockpit {

namespace {
// "127.0.0.1:5000", "[::1]:5000" -> 5000; 0 when there is no port.
quint16 portOf(const QString &peer)
{
    const qsizetype colon = peer.lastIndexOf(u':');
    if (colon < 0)
        return 0;
    bool ok = false;
    const uint port = peer.mid(colon + 1).toUInt(&ok);
    return ok && port <= 65535 ? quint16(port) : quint16(0);
}
} // namespace

ConnectionLinks::ConnectionLinks(EventStore *store, QObject *parent)
    : QObject(parent)
{
    connect(store, &EventStore::recorded, this, &ConnectionLinks::onRecorded);
}

void ConnectionLinks::setClient(qint64 connection, int clientNumber, quint16 localPort)
{
    if (connection == 0)
        return;
    const bool renamed = m_clientNumbers.value(connection) != clientNumber;
    m_clientNumbers.insert(connection, clientNumber);
    if (localPort != 0 && !m_links.contains(connection)) {
        m_clientByPort.insert(localPort, connection);
        const qint64 server = m_serverByPeerPort.value(localPort);
        if (server != 0) {
            link(connection, server);
            return;
        }
    }
    if (renamed)
        Q_EMIT changed();
}

void ConnectionLinks::onRecorded(const Event &event)
{
    if (event.kind != EventKind::Open || event.source != EventSource::Server)
        return;
    const quint16 port = portOf(event.peer);
    if (port == 0)
        return;
    const qint64 client = m_clientByPort.value(port);
    if (client != 0 && !m_links.contains(client))
        link(client, event.connection);
    else
        m_serverByPeerPort.insert(port, event.connection);
}

void ConnectionLinks::link(qint64 client, qint64 server)
{
    // A port is reused by later connections: once linked, it names nobody new.
    for (auto it = m_clientByPort.begin(); it != m_clientByPort.end();) {
        it = it.value() == client ? m_clientByPort.erase(it) : std::next(it);
    }
    for (auto it = m_serverByPeerPort.begin(); it != m_serverByPeerPort.end();) {
        it = it.value() == server ? m_serverByPeerPort.erase(it) : std::next(it);
    }
    m_links.insert(client, server);
    m_links.insert(server, client);
    Q_EMIT changed();
}

QString ConnectionLinks::label(EventSource source, qint64 connection) const
{
    const qint64 other = m_links.value(connection);
    if (source == EventSource::Client) {
        const int number = m_clientNumbers.value(connection);
        if (number == 0)
            return {};
        if (other != 0)
            return tr("client #%1 \u2194 server #%2").arg(number).arg(other);
        return tr("client #%1").arg(number);
    }
    if (other == 0)
        return {};
    return tr("server #%1 \u2194 client #%2").arg(connection).arg(m_clientNumbers.value(other));
}

qint64 ConnectionLinks::linkedConnection(qint64 connection) const
{
    return m_links.value(connection);
}

} // namespace sockpit
