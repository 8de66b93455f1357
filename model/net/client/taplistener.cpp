#include "taplistener.h"

#include <QSslSocket>
#include <QTcpSocket>

namespace sockpit::client {

void TapListener::incomingConnection(qintptr descriptor)
{
    QTcpSocket *socket = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    addPendingConnection(socket);
}

} // namespace sockpit::client
