#pragma once

#include "event.h"

#include <QHash>
#include <QObject>

namespace sockpit {

class EventStore;

// Names the connections of one window's log: a client tab's connection is "client #3"
// (the tab's number), and when the embedded server's connection is that same client
// (the server sees the client's local port as its peer's port) the two ends are linked:
// "client #1 ↔ server #2" and "server #2 ↔ client #1". The server's side is learnt from
// the open events recorded into the store; the client's side is told by whoever numbers
// the clients.
class ConnectionLinks : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionLinks(EventStore *store, QObject *parent = nullptr);

    // Client connection `connection` belongs to client number `clientNumber`; `localPort`
    // is the port the server sees it at (0 while unknown). May be called again as the
    // port becomes known.
    void setClient(qint64 connection, int clientNumber, quint16 localPort);

    // The name of the connection of an event from `source`, or empty when there is
    // nothing more to say than the source itself.
    QString label(EventSource source, qint64 connection) const;
    // The other end of `connection` in this log, or 0.
    qint64 linkedConnection(qint64 connection) const;

Q_SIGNALS:
    void changed();

private:
    void onRecorded(const Event &event);
    void link(qint64 client, qint64 server);

    QHash<qint64, int> m_clientNumbers; // client connection -> client number
    QHash<quint16, qint64> m_clientByPort; // client's local port -> client connection
    QHash<quint16, qint64> m_serverByPeerPort; // peer port -> server connection, unlinked
    QHash<qint64, qint64> m_links; // both directions
};

} // namespace sockpit
