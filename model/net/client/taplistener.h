#pragma once

#include <QTcpServer>

namespace sockpit::client {

// The wire tap's listening socket. When the tap terminates TLS, each accepted connection is
// a QSslSocket that still talks plain text: the tap reads the HTTP CONNECT request and
// answers it in the clear, then starts the server side of TLS on the same socket.
class TapListener : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;

    void setAcceptsTls(bool tls) { m_tls = tls; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    bool m_tls = false;
};

} // namespace sockpit::client
