#include "embeddedserver.h"
#include "protocol/timing.h"

#include "descriptorreserve.h"
#include "events/eventsink.h"
#include "listenaddress.h"
#include "protocol/handshakerequest.h"
#include "serverconnection.h"
#include "serverwiretap.h"
#include "tls/tlscontext.h"

#include <QCoreApplication>
#include <QHash>
#include <QPointer>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <map>
#include <vector>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace sockpit {

namespace {

// A request was handed to QWebSocketServer (through its wire tap's hop) and is waiting
// for Qt to finish it.
struct HandedOff
{
    qint64 id = 0;
    QPointer<ServerWireTap> tap;
    QString peer; // the real peer, "host:port"
    QString path;
    QString query;
    QString origin;
    QString subprotocol; // the one this server prefers among those the client offered
    bool secure = false;
};

} // namespace

class EmbeddedServer::Private
{
public:
    Private(EmbeddedServer *owner, EventSink *eventSink)
        : q(owner)
        , sink(eventSink)
    { }

    void record(Event event)
    {
        if (sink)
            sink->record(std::move(event));
    }
    void recordServerError(const QString &id, const QString &sentence)
    {
        record(makeErrorEvent(EventSource::Server, 0, id, sentence));
    }
    bool fail(const QString &id, const QString &sentence)
    {
        errorString = sentence;
        recordServerError(id, sentence);
        Q_EMIT q->failed(sentence);
        return false;
    }

    bool openListeners(const ListenHost &host, const std::optional<QSslConfiguration> &ssl);
    std::unique_ptr<QTcpServer> makeListener(const std::optional<QSslConfiguration> &ssl);
    bool failListen(const QTcpServer &listener, const QString &where);
    void takePendingSockets(QTcpServer *listener);
    void onAcceptError(QTcpServer *listener, QAbstractSocket::SocketError error);
    void shed(QTcpSocket *socket);
    void pauseAccepting();
    void resumeAccepting();
    void watchSocket(QTcpSocket *socket);
    void readHead(QTcpSocket *socket, qint64 id);
    void reject(QTcpSocket *socket, qint64 id, const HttpRequestHead &request,
                const protocol::HandshakeVerdict &verdict);
    void tapConnection(QTcpSocket *socket, qint64 id, qsizetype headLength,
                       const HttpRequestHead &request, HandedOff entry);
    void recordHandshake(qint64 id, const QString &peer, const HttpRequestHead &request,
                         const std::optional<HttpResponseHead> &response);
    void openWhenReady(qint64 id);
    void handOffNext();
    void takeWebSockets();
    void onText(qint64 id, const QString &text);
    void onBinary(qint64 id, const QByteArray &data);
    void onFinished(qint64 id);
    QList<ServerConnection *> openConnections() const;
    QString applyTemplate(const QString &message) const;

    EmbeddedServer *q;
    EventSink *sink;
    ServerConfig config;
    QString errorString;
    QUrl url;
    QSslCertificate certificate;
    QString note; // said once when listening, e.g. that IPv6 loopback is missing
    // Replaced (not reused) on every start, so that ws and wss need no reconfiguration.
    // One per address ("localhost": 127.0.0.1 and ::1), all on the same port.
    std::vector<std::unique_ptr<QTcpServer>> listeners;
    std::unique_ptr<QWebSocketServer> ws;
    // Qt gets each wire tap's in-process hop, never the peer socket itself.
    QHash<const QObject *, HandedOff> handedOff; // by the tap's hop
    // QWebSocketServer picks the first subprotocol in the *client's* order that it
    // supports. To honour the server's preference, each request is handed over alone with
    // only its negotiated protocol as "supported": one handshake inside Qt at a time.
    QList<QPointer<QTcpSocket>> handOffQueue;
    QPointer<QTcpSocket> inQt;
    std::map<qint64, ServerConnection *> connections; // children of q
    // When the process runs out of descriptors, Qt 6.4 retries the failing accept() on
    // every turn of the event loop. So the server stops accepting as soon as a peer takes
    // the last free descriptor, answers that peer 503 (shed) and then, while it is still
    // full, lends the reserve's descriptor to the next peer in the backlog for its 503.
    // Accepting resumes as normal once a descriptor is free again (checked when a shed
    // peer or a connection is gone, and every RetryAcceptMs).
    DescriptorReserve reserve;
    bool shedding = false;
    int shedInFlight = 0;
    QTimer retryAccept;
    static constexpr int RetryAcceptMs = timing::RetryAcceptMs;
    static constexpr int ShedLingerMs = timing::ShedLingerMs;
};

EmbeddedServer::EmbeddedServer(EventSink *sink, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, sink))
{
    d->retryAccept.setSingleShot(true);
    d->retryAccept.setInterval(Private::RetryAcceptMs);
    connect(&d->retryAccept, &QTimer::timeout, this, [this] { d->resumeAccepting(); });
}

EmbeddedServer::~EmbeddedServer()
{
    // Connections are children and go with us; their close events are not recorded then,
    // since the sink may already be gone.
    for (auto &[id, connection] : d->connections)
        connection->disconnect(this);
    // Sockets still with the listeners must not call back while d goes away.
    d->handOffQueue.clear();
    for (const HandedOff &entry : std::as_const(d->handedOff)) {
        if (entry.tap)
            entry.tap->disconnect(this);
    }
}

bool EmbeddedServer::start(const ServerConfig &config)
{
    if (isListening())
        stop();
    d->errorString.clear();
    d->config = config;
    d->certificate = QSslCertificate();
    d->note.clear();

    if (config.maxMessageSize <= 0) {
        return d->fail(QStringLiteral("bad-max-message-size"),
                       tr("The maximum message size must be at least one byte."));
    }
    const std::optional<ListenHost> host = parseListenHost(config.host);
    if (!host) {
        return d->fail(QStringLiteral("bad-listen-host"),
                       tr("Cannot listen on \"%1\": use localhost or an IP address such as "
                          "127.0.0.1 or ::1.")
                           .arg(config.host));
    }

    std::optional<QSslConfiguration> ssl;
    if (config.tls.enabled) {
        tls::TlsProblem problem;
        ssl = tls::serverConfiguration(config.tls, &problem);
        if (!ssl)
            return d->fail(problem.id, problem.message);
        d->certificate = ssl->localCertificate();
    }

    if (!d->openListeners(*host, ssl))
        return false;
    d->reserve.acquire();
    d->shedding = false;

    // NonSecureMode even for wss: TLS is already terminated by QSslServer, and
    // handleConnection() works on the encrypted QSslSocket like on a plain one.
    auto ws = std::make_unique<QWebSocketServer>(QStringLiteral("Sockpit"),
                                                 QWebSocketServer::NonSecureMode);
    ws->setSupportedSubprotocols(config.subprotocols);
    ws->setHandshakeTimeout(config.handshakeTimeoutMs);
    connect(ws.get(), &QWebSocketServer::newConnection, this, [this] { d->takeWebSockets(); });
    d->ws = std::move(ws);

    QUrl url;
    url.setScheme(config.tls.enabled ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(host->name);
    url.setPort(port());
    d->url = url;

    Event e;
    e.kind = EventKind::Listening;
    e.url = url.toString();
    e.addresses = addresses();
    e.note = d->note;
    d->record(std::move(e));
    Q_EMIT started(url);
    return true;
}

bool EmbeddedServer::Private::openListeners(const ListenHost &host,
                                            const std::optional<QSslConfiguration> &ssl)
{
    // Port 0 on several addresses: the kernel picks a free port for the first, and that
    // port may be taken on the others; then everything is tried again with a new pick.
    constexpr int PortPicks = 8;
    const int attempts = config.port == 0 && host.addresses.size() > 1 ? PortPicks : 1;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        listeners.clear();
        QStringList missing;
        quint16 port = config.port;
        bool retry = false;
        for (const QHostAddress &address : host.addresses) {
            std::unique_ptr<QTcpServer> listener = makeListener(ssl);
            if (listener->listen(address, port)) {
                port = listener->serverPort();
                listeners.push_back(std::move(listener));
                continue;
            }
            const QAbstractSocket::SocketError error = listener->serverError();
            const bool familyMissing = error == QAbstractSocket::SocketAddressNotAvailableError
                || error == QAbstractSocket::UnsupportedSocketOperationError;
            if (host.isLoopbackName() && familyMissing) {
                // A machine without IPv6 (or IPv4) loopback still serves the other family.
                missing.append(address.toString());
                continue;
            }
            if (error == QAbstractSocket::AddressInUseError && !listeners.empty()
                && attempt < attempts) {
                retry = true;
                break;
            }
            listeners.clear();
            return failListen(*listener, addressWithPort(address, port));
        }
        if (retry)
            continue;
        if (listeners.empty()) {
            return fail(
                QStringLiteral("address-not-available"),
                tr("Cannot listen on %1: no loopback address is available.").arg(host.name));
        }
        if (!missing.isEmpty()) {
            QStringList open;
            for (const auto &listener : listeners)
                open.append(listener->serverAddress().toString());
            note = tr("%1 is not available on this machine; listening on %2 only.")
                       .arg(missing.join(QStringLiteral(", ")), open.join(QStringLiteral(", ")));
        }
        return true;
    }
    return false; // not reached: the last attempt never retries
}

std::unique_ptr<QTcpServer>
EmbeddedServer::Private::makeListener(const std::optional<QSslConfiguration> &ssl)
{
    std::unique_ptr<QTcpServer> listener;
    if (ssl) {
        auto sslServer = std::make_unique<QSslServer>();
        sslServer->setSslConfiguration(*ssl);
        sslServer->setHandshakeTimeout(config.handshakeTimeoutMs);
        QObject::connect(sslServer.get(), &QSslServer::errorOccurred, q,
                         [this](QSslSocket *socket, QAbstractSocket::SocketError) {
                             recordServerError(QStringLiteral("tls-handshake-failed"),
                                               tr("The TLS handshake with %1 failed: %2")
                                                   .arg(addressWithPort(socket->peerAddress(),
                                                                        socket->peerPort()),
                                                        socket->errorString()));
                         });
        listener = std::move(sslServer);
    } else {
        listener = std::make_unique<QTcpServer>();
    }
    QTcpServer *raw = listener.get();
    QObject::connect(raw, &QTcpServer::pendingConnectionAvailable, q,
                     [this, raw] { takePendingSockets(raw); });
    QObject::connect(
        raw, &QTcpServer::acceptError, q,
        [this, raw](QAbstractSocket::SocketError error) { onAcceptError(raw, error); });
    return listener;
}

void EmbeddedServer::Private::onAcceptError(QTcpServer *listener,
                                            QAbstractSocket::SocketError error)
{
    // Qt has paused accepting on this listener; try again shortly.
    if (error != QAbstractSocket::SocketResourceError) {
        recordServerError(QStringLiteral("accept-failed"),
                          tr("Accepting a connection failed: %1").arg(listener->errorString()));
    }
    retryAccept.start();
}

void EmbeddedServer::Private::pauseAccepting()
{
    for (const auto &listener : listeners)
        listener->pauseAccepting();
}

void EmbeddedServer::Private::resumeAccepting()
{
    if (listeners.empty() || shedInFlight > 0)
        return;
    if (!reserve.isHeld())
        reserve.acquire();
    if (!shedding || DescriptorReserve::canOpenAnother()) {
        shedding = false;
        for (const auto &listener : listeners)
            listener->resumeAccepting();
        return;
    }
    // Still full. Without the reserve there is no descriptor for a 503 either: accepting
    // now would only make Qt retry a failing accept() in a loop.
    if (reserve.isHeld()) {
        reserve.release(); // for the next peer in the backlog, who is shed
        for (const auto &listener : listeners)
            listener->resumeAccepting();
    } else {
        pauseAccepting();
    }
    retryAccept.start(); // a closed connection may free descriptors meanwhile
}

void EmbeddedServer::Private::shed(QTcpSocket *socket)
{
    ++shedInFlight;
    const QString peer = addressWithPort(socket->peerAddress(), socket->peerPort());
    const long limit = DescriptorReserve::openFileLimit();
    record(makeErrorEvent(
        EventSource::Server, nextConnectionId(), QStringLiteral("descriptors-exhausted"),
        limit > 0 ? tr("No file descriptor is left for the connection from %1 (this process "
                       "may have %2 open): answered 503.")
                        .arg(peer)
                        .arg(limit)
                  : tr("No file descriptor is left for the connection from %1: answered 503.")
                        .arg(peer)));
    protocol::HandshakeVerdict verdict;
    verdict.status = 503;
    verdict.reasonPhrase = QByteArrayLiteral("Service Unavailable");
    verdict.wireText = QStringLiteral(
        "The server has no file descriptor left for another connection; try again later.");
    verdict.extraHeaders = {{QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1")}};
    socket->readAll();
    socket->write(protocol::serializeResponse(protocol::rejectionResponse(verdict, "GET")));

    // The answer goes out, then FIN; what the peer still sends is read and dropped, so that
    // closing does not reset the connection before the peer has read the 503.
    const bool tls = qobject_cast<QSslSocket *>(socket) != nullptr;
    auto halfClose = [socket, tls] {
        if (socket->bytesToWrite() > 0 || socket->state() != QAbstractSocket::ConnectedState)
            return;
        if (tls) {
            socket->disconnectFromHost();
            return;
        }
#ifdef Q_OS_UNIX
        ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
#else
        socket->disconnectFromHost();
#endif
    };
    QObject::connect(socket, &QTcpSocket::bytesWritten, socket, halfClose);
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    auto *linger = new QTimer(socket);
    linger->setSingleShot(true);
    QObject::connect(linger, &QTimer::timeout, socket, [socket] { socket->abort(); });
    linger->start(ShedLingerMs);
    QObject::connect(socket, &QTcpSocket::disconnected, q, [this, socket] {
        socket->deleteLater();
        if (--shedInFlight == 0)
            resumeAccepting();
    });
    socket->flush();
    halfClose();
}

bool EmbeddedServer::Private::failListen(const QTcpServer &listener, const QString &where)
{
    switch (listener.serverError()) {
    case QAbstractSocket::AddressInUseError:
        return fail(QStringLiteral("port-in-use"),
                    tr("Cannot listen on %1: the port is already in use.").arg(where));
    case QAbstractSocket::SocketAddressNotAvailableError:
        return fail(
            QStringLiteral("address-not-available"),
            tr("Cannot listen on %1: the address is not one of this machine's.").arg(where));
    case QAbstractSocket::SocketAccessError:
        return fail(QStringLiteral("port-access-denied"),
                    tr("Cannot listen on %1: permission denied (ports below 1024 "
                       "need privileges).")
                        .arg(where));
    default:
        return fail(QStringLiteral("listen-failed"),
                    tr("Cannot listen on %1: %2").arg(where, listener.errorString()));
    }
}

void EmbeddedServer::stop(int code, const QString &reason)
{
    if (d->listeners.empty())
        return;
    closeAll(code, reason);
    for (const auto &listener : d->listeners)
        listener->close();
    // Requests still being read or handed to Qt end here; their sockets die with the
    // listening server, and their taps are cut.
    const QHash<const QObject *, HandedOff> pending = std::exchange(d->handedOff, {});
    for (const HandedOff &entry : pending) {
        if (entry.tap)
            entry.tap->abort();
    }
    for (const auto &[id, connection] : d->connections) {
        if (!connection->isStarted() && connection->tap())
            connection->tap()->abort();
    }
    d->handOffQueue.clear();
    d->inQt = nullptr;
    std::vector<std::unique_ptr<QTcpServer>> listeners = std::exchange(d->listeners, {});
    std::unique_ptr<QWebSocketServer> ws = std::move(d->ws);
    QList<QTcpSocket *> sockets;
    for (const auto &listener : listeners)
        sockets += listener->findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets)
        socket->abort();
    d->shedding = false;
    d->shedInFlight = 0;
    d->retryAccept.stop();
    d->reserve.release();
    for (auto &listener : listeners)
        listener.release()->deleteLater();
    ws.release()->deleteLater();

    Event e;
    e.kind = EventKind::Stopped;
    e.url = d->url.toString();
    d->record(std::move(e));
    Q_EMIT stopped();
}

bool EmbeddedServer::isListening() const
{
    return !d->listeners.empty() && d->listeners.front()->isListening();
}

QUrl EmbeddedServer::url() const
{
    return isListening() ? d->url : QUrl();
}

quint16 EmbeddedServer::port() const
{
    return isListening() ? d->listeners.front()->serverPort() : 0;
}

QSslCertificate EmbeddedServer::localCertificate() const
{
    return d->certificate;
}

QString EmbeddedServer::errorString() const
{
    return d->errorString;
}

QString EmbeddedServer::note() const
{
    return isListening() ? d->note : QString();
}

QStringList EmbeddedServer::addresses() const
{
    QStringList result;
    for (const auto &listener : d->listeners) {
        if (listener->isListening())
            result.append(addressWithPort(listener->serverAddress(), listener->serverPort()));
    }
    return result;
}

const ServerConfig &EmbeddedServer::config() const
{
    return d->config;
}

void EmbeddedServer::setMode(ServerMode mode)
{
    d->config.mode = mode;
}

void EmbeddedServer::setReplyTemplate(const QString &replyTemplate)
{
    d->config.replyTemplate = replyTemplate;
}

QList<ConnectionInfo> EmbeddedServer::connections() const
{
    QList<ConnectionInfo> result;
    for (const auto &[id, connection] : d->connections) {
        if (connection->isStarted())
            result.append(connection->info());
    }
    return result;
}

std::optional<ConnectionInfo> EmbeddedServer::connection(qint64 id) const
{
    const auto it = d->connections.find(id);
    if (it == d->connections.end() || !it->second->isStarted())
        return std::nullopt;
    return it->second->info();
}

bool EmbeddedServer::sendText(qint64 id, const QString &text)
{
    const auto it = d->connections.find(id);
    return it != d->connections.end() && it->second->sendText(text);
}

bool EmbeddedServer::sendBinary(qint64 id, const QByteArray &data)
{
    const auto it = d->connections.find(id);
    return it != d->connections.end() && it->second->sendBinary(data);
}

bool EmbeddedServer::ping(qint64 id, const QByteArray &payload)
{
    const auto it = d->connections.find(id);
    return it != d->connections.end() && it->second->ping(payload);
}

int EmbeddedServer::broadcastText(const QString &text)
{
    const QList<ServerConnection *> recipients = d->openConnections();
    Event e;
    e.kind = EventKind::Broadcast;
    e.direction = EventDirection::Out;
    e.payload = text.toUtf8();
    e.size = e.payload.size();
    e.textPayload = true;
    e.recipients = int(recipients.size());
    d->record(std::move(e));
    int sent = 0;
    for (ServerConnection *connection : recipients)
        sent += connection->sendText(text) ? 1 : 0;
    return sent;
}

int EmbeddedServer::broadcastBinary(const QByteArray &data)
{
    const QList<ServerConnection *> recipients = d->openConnections();
    Event e;
    e.kind = EventKind::Broadcast;
    e.direction = EventDirection::Out;
    e.payload = data;
    e.size = data.size();
    e.recipients = int(recipients.size());
    d->record(std::move(e));
    int sent = 0;
    for (ServerConnection *connection : recipients)
        sent += connection->sendBinary(data) ? 1 : 0;
    return sent;
}

bool EmbeddedServer::closeConnection(qint64 id, int code, const QString &reason)
{
    const auto it = d->connections.find(id);
    return it != d->connections.end() && it->second->close(code, reason);
}

void EmbeddedServer::closeAll(int code, const QString &reason)
{
    const QList<ServerConnection *> open = d->openConnections();
    for (ServerConnection *connection : open)
        connection->close(code, reason);
}

QList<ServerConnection *> EmbeddedServer::Private::openConnections() const
{
    QList<ServerConnection *> result;
    for (const auto &[id, connection] : connections) {
        if (connection->isOpen())
            result.append(connection);
    }
    return result;
}

void EmbeddedServer::Private::takePendingSockets(QTcpServer *listener)
{
    while (listener->hasPendingConnections()) {
        QTcpSocket *socket = listener->nextPendingConnection();
        if (!socket)
            continue;
        if (!shedding && !DescriptorReserve::canOpenAnother())
            shedding = true; // this peer took the last free descriptor
        if (shedding) {
            pauseAccepting();
            shed(socket);
        } else {
            watchSocket(socket);
        }
    }
}

void EmbeddedServer::Private::watchSocket(QTcpSocket *socket)
{
    const qint64 id = nextConnectionId();
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        Event e;
        e.kind = EventKind::Tls;
        e.connection = id;
        e.direction = EventDirection::In;
        e.peer = addressWithPort(socket->peerAddress(), socket->peerPort());
        e.tls = std::make_shared<const TlsInfo>(
            tls::describeSession(ssl->sslConfiguration(), ssl->sslHandshakeErrors(), false));
        record(std::move(e));
    }

    // Bounded wait for the whole head: a peer that connects and sends nothing (or too
    // little) must not hold a socket open for ever.
    auto *timer = new QTimer(socket);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, socket, [this, socket, id] {
        record(makeErrorEvent(EventSource::Server, id, QStringLiteral("handshake-timeout"),
                              tr("%1 did not send a complete upgrade request within %2 ms.")
                                  .arg(addressWithPort(socket->peerAddress(), socket->peerPort()))
                                  .arg(config.handshakeTimeoutMs)));
        socket->abort();
        socket->deleteLater();
    });
    timer->start(config.handshakeTimeoutMs);
    QObject::connect(socket, &QTcpSocket::readyRead, timer,
                     [this, socket, id] { readHead(socket, id); });
    QObject::connect(socket, &QTcpSocket::disconnected, timer, [socket] {
        // Gone before a complete request: nothing to answer.
        socket->deleteLater();
    });
    if (socket->bytesAvailable() > 0)
        readHead(socket, id);
}

void EmbeddedServer::Private::readHead(QTcpSocket *socket, qint64 id)
{
    // peek, never read: QWebSocketServer must find the request untouched.
    const QByteArray received = socket->peek(config.headLimits.maxHeadBytes + 1);
    const protocol::HeadScan scan = protocol::scanRequestHead(received, config.headLimits);
    if (scan.status == protocol::HeadScan::Incomplete)
        return;
    auto *timer = socket->findChild<QTimer *>(QString(), Qt::FindDirectChildrenOnly);
    if (timer)
        delete timer; // also drops the readyRead/disconnected connections made with it

    if (scan.status == protocol::HeadScan::Rejected) {
        reject(socket, id, HttpRequestHead(), scan.rejection);
        return;
    }
    protocol::HandshakeVerdict malformed;
    const std::optional<protocol::ParsedRequestHead> parsed
        = protocol::parseRequestHead(QByteArrayView(received).first(scan.length), &malformed);
    if (!parsed) {
        reject(socket, id, HttpRequestHead(), malformed);
        return;
    }
    const protocol::HandshakeVerdict verdict
        = protocol::validateUpgradeRequest(*parsed, protocol::UpgradePolicy{config.allowedOrigins});
    if (!verdict.accepted()) {
        reject(socket, id, parsed->head, verdict);
        return;
    }

    HandedOff entry;
    entry.id = id;
    entry.peer = addressWithPort(socket->peerAddress(), socket->peerPort());
    const QByteArray &target = parsed->head.target;
    const qsizetype question = target.indexOf('?');
    entry.path = QString::fromLatin1(question < 0 ? target : target.first(question));
    entry.query = question < 0 ? QString() : QString::fromLatin1(target.sliced(question + 1));
    entry.origin = QString::fromLatin1(
        protocol::headerValue(parsed->head.headers, "Origin").value_or(QByteArray()));
    entry.secure = qobject_cast<QSslSocket *>(socket) != nullptr;
    entry.subprotocol = protocol::negotiateSubprotocol(
        config.subprotocols, protocol::requestedSubprotocols(parsed->head.headers));
    tapConnection(socket, id, scan.length, parsed->head, std::move(entry));
}

void EmbeddedServer::Private::tapConnection(QTcpSocket *socket, qint64 id, qsizetype headLength,
                                            const HttpRequestHead &request, HandedOff entry)
{
    // The handshake event waits for the response Qt really writes, seen by the tap.
    auto *tap = new ServerWireTap(socket, headLength, quint64(config.maxMessageSize), q);
    const QString peer = entry.peer;
    QObject::connect(tap, &ServerWireTap::responseObserved, q,
                     [this, id, peer, request](const HttpResponseHead &response) {
                         recordHandshake(id, peer, request, response);
                         if (response.status == 101) {
                             openWhenReady(id);
                             return;
                         }
                         record(makeErrorEvent(
                             EventSource::Server, id, QStringLiteral("handshake-rejected-by-qt"),
                             tr("The WebSocket stack refused the request from %1 with %2.")
                                 .arg(peer)
                                 .arg(response.status)));
                     });
    QObject::connect(tap, &ServerWireTap::handshakeDropped, q,
                     [this, id, peer, request](const QString &sentence) {
                         recordHandshake(id, peer, request, std::nullopt);
                         record(makeErrorEvent(EventSource::Server, id,
                                               QStringLiteral("handshake-dropped"),
                                               peer % QStringLiteral(": ") % sentence));
                     });
    const QObject *hop = tap->hop();
    QObject::connect(tap, &QObject::destroyed, q, [this, hop] { handedOff.remove(hop); });
    entry.tap = tap;
    handedOff.insert(hop, std::move(entry));
    handOffQueue.append(tap->hop());
    handOffNext();
}

void EmbeddedServer::Private::recordHandshake(qint64 id, const QString &peer,
                                              const HttpRequestHead &request,
                                              const std::optional<HttpResponseHead> &response)
{
    auto handshake = std::make_shared<Handshake>();
    handshake->request = request;
    handshake->response = response;
    Event e;
    e.kind = EventKind::Handshake;
    e.connection = id;
    e.direction = EventDirection::In;
    e.peer = peer;
    e.handshake = std::move(handshake);
    record(std::move(e));
}

// A connection opens once Qt has accepted it (takeWebSockets) and its tap has seen the 101,
// in whichever order: the handshake event comes first, then open, then the frames.
void EmbeddedServer::Private::openWhenReady(qint64 id)
{
    const auto it = connections.find(id);
    if (it == connections.end() || it->second->isStarted())
        return;
    ServerConnection *connection = it->second;
    ServerWireTap *tap = connection->tap();
    if (!tap || !tap->response())
        return;
    connection->start();
    if (tap)
        tap->attach();
    Q_EMIT q->connectionOpened(id);
}

void EmbeddedServer::Private::handOffNext()
{
    while (!inQt && ws && !handOffQueue.isEmpty()) {
        QTcpSocket *socket = handOffQueue.takeFirst();
        if (!socket || socket->state() != QAbstractSocket::ConnectedState)
            continue;
        const QString subprotocol = handedOff.value(socket).subprotocol;
        ws->setSupportedSubprotocols(subprotocol.isEmpty() ? QStringList()
                                                           : QStringList{subprotocol});
        inQt = socket;
        // Qt refuses or times out by closing the socket: then the next one may go.
        auto release = [this, socket] {
            if (inQt == socket || !inQt) {
                inQt = nullptr;
                handOffNext();
            }
        };
        QObject::connect(socket, &QTcpSocket::disconnected, q, release);
        QObject::connect(socket, &QObject::destroyed, q, release);
        ws->handleConnection(socket);
    }
}

void EmbeddedServer::Private::reject(QTcpSocket *socket, qint64 id, const HttpRequestHead &request,
                                     const protocol::HandshakeVerdict &verdict)
{
    const HttpResponseHead response = protocol::rejectionResponse(verdict, request.method);
    const QString peer = addressWithPort(socket->peerAddress(), socket->peerPort());
    recordHandshake(id, peer, request, response);
    record(makeErrorEvent(EventSource::Server, id, verdict.errorId,
                          tr("Handshake from %1 rejected with %2: %3")
                              .arg(peer)
                              .arg(verdict.status)
                              .arg(verdict.sentence)));

    // Drain what the peer sent, so that closing does not reset the connection before the
    // peer has read our answer.
    socket->readAll();
    socket->write(protocol::serializeResponse(response));
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->disconnectFromHost();
    // A peer that never reads must not keep the socket: drop it after a bound.
    QTimer::singleShot(config.handshakeTimeoutMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
}

void EmbeddedServer::Private::takeWebSockets()
{
    while (ws && ws->hasPendingConnections()) {
        QWebSocket *webSocket = ws->nextPendingConnection();
        if (!webSocket)
            continue;
        // One request is inside Qt at a time (handOffNext), so this is the one in Qt.
        const QTcpSocket *hop = inQt;
        HandedOff entry = hop ? handedOff.take(hop) : HandedOff();
        if (entry.id == 0 || webSocket->peerPort() != hop->peerPort()
            || webSocket->peerAddress() != hop->peerAddress()) {
            webSocket->abort();
            webSocket->deleteLater();
            continue;
        }
        inQt = nullptr;
        QMetaObject::invokeMethod(
            q, [this] { handOffNext(); }, Qt::QueuedConnection);

        ConnectionInfo info;
        info.id = entry.id;
        info.peer = entry.peer; // the real peer, as the hop also reports it
        info.path = entry.path;
        info.query = entry.query;
        info.origin = entry.origin;
        info.secure = entry.secure;
        auto *connection = new ServerConnection(webSocket, info, sink, config, entry.tap, q);
        connections.emplace(info.id, connection);
        QObject::connect(connection, &ServerConnection::textReceived, q,
                         [this](qint64 id, const QString &text) { onText(id, text); });
        QObject::connect(connection, &ServerConnection::binaryReceived, q,
                         [this](qint64 id, const QByteArray &data) { onBinary(id, data); });
        QObject::connect(connection, &ServerConnection::changed, q,
                         &EmbeddedServer::connectionChanged);
        QObject::connect(connection, &ServerConnection::finished, q,
                         [this](qint64 id) { onFinished(id); });
        openWhenReady(info.id);
    }
}

QString EmbeddedServer::Private::applyTemplate(const QString &message) const
{
    QString reply = config.replyTemplate;
    return reply.replace(QStringLiteral("%m"), message);
}

void EmbeddedServer::Private::onText(qint64 id, const QString &text)
{
    switch (config.mode) {
    case ServerMode::Echo:
        if (const auto it = connections.find(id); it != connections.end())
            it->second->sendText(applyTemplate(text));
        break;
    case ServerMode::Broadcast:
        q->broadcastText(applyTemplate(text));
        break;
    case ServerMode::Silent:
        break;
    }
}

void EmbeddedServer::Private::onBinary(qint64 id, const QByteArray &data)
{
    // A template is text; binary goes back unchanged, as binary.
    switch (config.mode) {
    case ServerMode::Echo:
        if (const auto it = connections.find(id); it != connections.end())
            it->second->sendBinary(data);
        break;
    case ServerMode::Broadcast:
        q->broadcastBinary(data);
        break;
    case ServerMode::Silent:
        break;
    }
}

void EmbeddedServer::Private::onFinished(qint64 id)
{
    const auto it = connections.find(id);
    if (it == connections.end())
        return;
    ServerConnection *connection = it->second;
    connections.erase(it);
    connection->deleteLater();
    if (shedding)
        QMetaObject::invokeMethod(
            q, [this] { resumeAccepting(); }, Qt::QueuedConnection); // once its socket is gone
    if (connection->isStarted())
        Q_EMIT q->connectionClosed(id);
}

} // namespace sockpit
