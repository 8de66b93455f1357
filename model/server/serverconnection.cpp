#include "serverconnection.h"

#include "events/eventstore.h"
#include "protocol/closecodes.h"

#include <QCoreApplication>
#include <QWebSocket>

namespace sockpit {

namespace {
// How long a peer may take to answer our Close frame before the TCP connection is cut
// (RFC 6455 section 7.1.1 lets the server close the connection itself).
constexpr int CloseTimeoutMs = 3000;
} // namespace

ServerConnection::ServerConnection(QWebSocket *socket, ConnectionInfo info, EventStore *store,
                                   const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_info(std::move(info))
    , m_store(store)
    , m_closeAfter(config.closeAfter)
{
    m_socket->setParent(nullptr); // owned by m_socket (unique_ptr) from here on
    m_socket->setMaxAllowedIncomingMessageSize(quint64(config.maxMessageSize));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(config.maxMessageSize));
    m_info.subprotocol = m_socket->subprotocol();
    m_info.openedAt = QDateTime::currentDateTimeUtc();

    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &ServerConnection::onText);
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this, &ServerConnection::onBinary);
    connect(m_socket.get(), &QWebSocket::pong, this, &ServerConnection::onPong);
    // Qt emits aboutToClose whenever it sends a Close frame: first for a close we or Qt
    // start, or as the echo of the peer's Close (section 5.5.1). Without it the TCP
    // connection ended abruptly (1006).
    connect(m_socket.get(), &QWebSocket::aboutToClose, this, [this] { m_closeFrameSeen = true; });
    connect(m_socket.get(), &QWebSocket::disconnected, this, &ServerConnection::onDisconnected);

    m_closeAfterTimer.setSingleShot(true);
    connect(&m_closeAfterTimer, &QTimer::timeout, this, [this] {
        if (m_closeAfter)
            close(m_closeAfter->code, m_closeAfter->reason);
    });
    m_closeTimeout.setSingleShot(true);
    m_closeTimeout.setInterval(CloseTimeoutMs);
    connect(&m_closeTimeout, &QTimer::timeout, this, [this] {
        if (m_socket)
            m_socket->abort();
    });
}

ServerConnection::~ServerConnection()
{
    if (m_socket)
        m_socket->disconnect(this);
}

bool ServerConnection::isOpen() const
{
    return !m_finished && !m_localClose && m_socket->state() == QAbstractSocket::ConnectedState;
}

void ServerConnection::start()
{
    Event e;
    e.source = EventSource::Server;
    e.connection = m_info.id;
    e.direction = EventDirection::None;
    e.kind = EventKind::Open;
    e.peer = m_info.peer;
    e.subprotocol = m_info.subprotocol;
    e.url = m_info.query.isEmpty() ? m_info.path : QString(m_info.path % u'?' % m_info.query);
    record(std::move(e));
    if (m_closeAfter && m_closeAfter->seconds >= 0)
        m_closeAfterTimer.start(std::chrono::seconds(m_closeAfter->seconds));
    // The peer may already have sent data or closed while the handshake finished.
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &ServerConnection::onDisconnected, Qt::QueuedConnection);
}

void ServerConnection::record(Event event)
{
    if (m_store)
        m_store->append(std::move(event));
}

bool ServerConnection::sendText(const QString &text)
{
    if (!isOpen())
        return false;
    const QByteArray utf8 = text.toUtf8();
    m_socket->sendTextMessage(text);
    ++m_info.messagesOut;
    m_info.bytesOut += quint64(utf8.size());
    record(makeTextEvent(EventSource::Server, m_info.id, EventDirection::Out, utf8));
    Q_EMIT changed(m_info.id);
    return true;
}

bool ServerConnection::sendBinary(const QByteArray &data)
{
    if (!isOpen())
        return false;
    m_socket->sendBinaryMessage(data);
    ++m_info.messagesOut;
    m_info.bytesOut += quint64(data.size());
    record(makeBinaryEvent(EventSource::Server, m_info.id, EventDirection::Out, data));
    Q_EMIT changed(m_info.id);
    return true;
}

bool ServerConnection::ping(const QByteArray &payload)
{
    // RFC 6455 section 5.5: control frame payloads are at most 125 bytes.
    if (!isOpen() || payload.size() > 125)
        return false;
    m_socket->ping(payload);
    Event e;
    e.source = EventSource::Server;
    e.connection = m_info.id;
    e.direction = EventDirection::Out;
    e.kind = EventKind::Ping;
    e.payload = payload;
    e.size = payload.size();
    record(std::move(e));
    return true;
}

bool ServerConnection::close(int code, const QString &reason)
{
    if (!isOpen() || !protocol::isSendableCloseCode(code))
        return false;
    m_localClose = true;
    m_localCode = code;
    // Section 5.5: the reason and the code must fit a 125-byte control frame.
    QByteArray reasonUtf8 = reason.toUtf8();
    QString fitted = reason;
    while (reasonUtf8.size() > 123) {
        fitted.chop(1);
        reasonUtf8 = fitted.toUtf8();
    }
    m_localReason = fitted;
    m_socket->close(QWebSocketProtocol::CloseCode(code), fitted);
    m_closeTimeout.start();
    return true;
}

void ServerConnection::onText(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    ++m_info.messagesIn;
    m_info.bytesIn += quint64(utf8.size());
    record(makeTextEvent(EventSource::Server, m_info.id, EventDirection::In, utf8));
    Q_EMIT changed(m_info.id);
    Q_EMIT textReceived(m_info.id, text);
}

void ServerConnection::onBinary(const QByteArray &data)
{
    ++m_info.messagesIn;
    m_info.bytesIn += quint64(data.size());
    record(makeBinaryEvent(EventSource::Server, m_info.id, EventDirection::In, data));
    Q_EMIT changed(m_info.id);
    Q_EMIT binaryReceived(m_info.id, data);
}

void ServerConnection::onPong(quint64 elapsedMs, const QByteArray &payload)
{
    Event e;
    e.source = EventSource::Server;
    e.connection = m_info.id;
    e.direction = EventDirection::In;
    e.kind = EventKind::Pong;
    e.payload = payload;
    e.size = payload.size();
    e.rttMs = double(elapsedMs);
    record(std::move(e));
}

void ServerConnection::onDisconnected()
{
    if (m_finished)
        return;
    m_finished = true;
    m_closeAfterTimer.stop();
    m_closeTimeout.stop();

    int code = 1006;
    QString reason;
    CloseInitiator initiator = CloseInitiator::Remote;
    if (m_localClose) {
        initiator = CloseInitiator::Local;
        code = m_closeFrameSeen ? m_localCode : 1006;
        reason = m_closeFrameSeen ? m_localReason : QString();
    } else if (m_closeFrameSeen) {
        code = int(m_socket->closeCode());
        reason = m_socket->closeReason();
        // Qt itself closes with 1009 when an incoming message or frame exceeds the
        // configured maximum (section 7.4.1); a client has no reason to send 1009 to a
        // server that did not send it anything too big, so this is Qt's close.
        if (code == 1009) {
            initiator = CloseInitiator::Local;
            record(makeErrorEvent(
                EventSource::Server, m_info.id, QStringLiteral("message-too-big"),
                QCoreApplication::translate("sockpit::ServerConnection",
                                            "A message from %1 was larger than the limit; "
                                            "the connection was closed with 1009.")
                    .arg(m_info.peer)));
        }
    }
    const EventDirection direction
        = initiator == CloseInitiator::Local ? EventDirection::Out : EventDirection::In;
    record(makeCloseEvent(EventSource::Server, m_info.id, direction, code, reason, initiator));
    Q_EMIT finished(m_info.id);
}

} // namespace sockpit
