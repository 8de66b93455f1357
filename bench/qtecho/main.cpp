// A bare QWebSocketServer for bench/run.mjs: echo (the default) or --broadcast, on
// 127.0.0.1 and a free port. No logging, no checks beyond Qt's own: the baseline that
// sockpit serve is compared with.
#include <QCoreApplication>
#include <QHostAddress>
#include <QList>
#include <QStringList>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cstdio>
#include <utility>

namespace {

class BenchServer
{
public:
    explicit BenchServer(bool broadcast)
        : m_server(QStringLiteral("sockpit_bench_qtecho"), QWebSocketServer::NonSecureMode)
        , m_broadcast(broadcast)
    {
        QObject::connect(&m_server, &QWebSocketServer::newConnection, &m_server,
                         [this] { acceptPending(); });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QString errorString() const { return m_server.errorString(); }

private:
    void acceptPending()
    {
        while (QWebSocket *socket = m_server.nextPendingConnection()) {
            m_clients.append(socket);
            QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                             [this, socket](const QString &message) { onText(socket, message); });
            QObject::connect(
                socket, &QWebSocket::binaryMessageReceived, socket,
                [this, socket](const QByteArray &message) { onBinary(socket, message); });
            QObject::connect(socket, &QWebSocket::disconnected, socket, [this, socket] {
                m_clients.removeOne(socket);
                socket->deleteLater();
            });
        }
    }

    void onText(QWebSocket *from, const QString &message)
    {
        if (!m_broadcast) {
            from->sendTextMessage(message);
            return;
        }
        for (QWebSocket *client : std::as_const(m_clients))
            client->sendTextMessage(message);
    }

    void onBinary(QWebSocket *from, const QByteArray &message)
    {
        if (!m_broadcast) {
            from->sendBinaryMessage(message);
            return;
        }
        for (QWebSocket *client : std::as_const(m_clients))
            client->sendBinaryMessage(message);
    }

    QWebSocketServer m_server;
    QList<QWebSocket *> m_clients;
    bool m_broadcast;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.contains(QStringLiteral("--help"))) {
        std::fputs("Usage: sockpit_bench_qtecho [--broadcast]\n"
                   "Echoes every message back (or sends it to every client with --broadcast)\n"
                   "on ws://127.0.0.1 and a free port, named on stderr.\n",
                   stdout);
        return 0;
    }
    BenchServer server(arguments.contains(QStringLiteral("--broadcast")));
    if (!server.listen()) {
        std::fprintf(stderr, "listen failed: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::fprintf(stderr, "listening on ws://127.0.0.1:%u\n", unsigned(server.port()));
    std::fflush(stderr);
    return app.exec();
}
