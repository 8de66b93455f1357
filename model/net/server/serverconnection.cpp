#include "serverconnection.h"
#include "protocol/timing.h"

#include "events/eventsink.h"
#include "protocol/closecodes.h"
#include "protocol/opcodes.h"
#include "serverwiretap.h"

#include <QCoreApplication>
#include <QStringDecoder>
#include <QWebSocket>

namespace sockpit {

namespace {
constexpr int CloseTimeoutMs = timing::ServerCloseReplyMs;

// The text of a message exactly as received: QString::fromUtf8 (and Qt's receiver) would
// drop a leading byte order mark, which is part of the message (RFC 6455 section 5.6 does
// not strip it). The tap has checked that the bytes are UTF-8.
QString textAsReceived(const QByteArray &utf8)
{
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless
                               | QStringDecoder::Flag::ConvertInitialBom);
    return decoder(utf8);
}
} // namespace

ServerConnection::ServerConnection(QWebSocket *socket, ConnectionInfo info, EventSink *sink,
                                   const ServerConfig &config, ServerWireTap *tap, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_tap(tap)
    , m_info(std::move(info))
    , m_sink(sink)
    , m_closeAfter(config.closeAfter)
{
    m_socket->setParent(nullptr); // owned by m_socket (unique_ptr) from here on
    m_socket->setMaxAllowedIncomingMessageSize(quint64(config.maxMessageSize));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(config.maxMessageSize));
    m_info.subprotocol = m_socket->subprotocol();
    m_info.openedAt = QDateTime::currentDateTimeUtc();

    // Everything is recorded from the wire, as the tap saw it (messages, pings, pongs,
    // closes); Qt's signals only tell that its side is closing or closed.
    //
    // Qt emits aboutToClose whenever it sends a Close frame: first for a close we or Qt
    // start, or as the echo of the peer's Close (section 5.5.1). Without it the TCP
    // connection ended abruptly (1006).
    connect(m_socket.get(), &QWebSocket::aboutToClose, this, [this] { m_closeFrameSeen = true; });
    connect(m_socket.get(), &QWebSocket::disconnected, this, &ServerConnection::onDisconnected);
    if (tap) {
        connect(tap, &ServerWireTap::messageObserved, this, &ServerConnection::onTapMessage);
        connect(tap, &ServerWireTap::peerViolation, this, &ServerConnection::onTapViolation);
        // Qt closes its side right after writing its Close frame (and on the abrupt end of
        // the hop): the connection is over once the tap has passed the last bytes on.
        connect(tap, &ServerWireTap::finished, this, [this] {
            recordCloseWhenObserved();
            finishWhenRelayed();
        });
        connect(tap, &ServerWireTap::outgoingDecodeFailed, this,
                [this](const frames::ProtocolError &error) {
                    record(makeErrorEvent(
                        EventSource::Server, m_info.id, QStringLiteral("wire-decode-failed"),
                        tr("The frames sent to %1 could no longer be decoded (%2); outgoing "
                           "messages are recorded as sent from here on.")
                            .arg(m_info.peer, error.shown())));
                });
    }

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
    return m_started && !m_finished && !m_localClose && !m_violation
        && m_socket->state() == QAbstractSocket::ConnectedState;
}

bool ServerConnection::tapRecordsOutgoing() const
{
    return m_tap && m_tap->decodesOutgoing();
}

void ServerConnection::start()
{
    m_started = true;
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
    if (m_sink)
        m_sink->record(std::move(event));
}

bool ServerConnection::sendText(const QString &text)
{
    if (!isOpen())
        return false;
    m_socket->sendTextMessage(text);
    if (!tapRecordsOutgoing()) {
        const QByteArray utf8 = text.toUtf8();
        record(makeTextEvent(EventSource::Server, m_info.id, EventDirection::Out, utf8));
        countOut(utf8.size());
    }
    return true;
}

bool ServerConnection::sendBinary(const QByteArray &data)
{
    if (!isOpen())
        return false;
    m_socket->sendBinaryMessage(data);
    if (!tapRecordsOutgoing()) {
        record(makeBinaryEvent(EventSource::Server, m_info.id, EventDirection::Out, data));
        countOut(data.size());
    }
    return true;
}

void ServerConnection::countOut(qint64 bytes)
{
    ++m_info.messagesOut;
    m_info.bytesOut += quint64(bytes);
    Q_EMIT changed(m_info.id);
}

bool ServerConnection::ping(const QByteArray &payload)
{
    // RFC 6455 section 5.5: control frame payloads are at most 125 bytes.
    if (!isOpen() || payload.size() > 125)
        return false;
    m_socket->ping(payload);
    if (tapRecordsOutgoing())
        return true; // recorded with its frame as it passes the tap
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

void ServerConnection::onTapMessage(EventDirection direction,
                                    const frames::AssembledMessage &message)
{
    using protocol::Opcode;
    const auto opcode = Opcode(message.opcode);
    if (opcode == Opcode::Close) {
        ObservedClose observed{frames::parseClosePayload(message.payload), message.frames};
        (direction == EventDirection::In ? m_inClose : m_outClose) = std::move(observed);
        if (!m_firstClose)
            m_firstClose = direction;
        recordCloseWhenObserved();
        return;
    }
    if (direction == EventDirection::In) {
        switch (opcode) {
        case Opcode::Text:
        case Opcode::Binary:
            onTapData(message);
            break;
        case Opcode::Pong: {
            Event e = makeControlEvent(EventSource::Server, m_info.id, EventDirection::In,
                                       EventKind::Pong, message.payload);
            e.rttMs = m_pingClock.answered(message.payload);
            e.frames = message.frames;
            record(std::move(e));
            break;
        }
        case Opcode::Ping: {
            // Qt answers pings itself and does not tell (section 5.5.2): only the tap sees them.
            Event e = makeControlEvent(EventSource::Server, m_info.id, EventDirection::In,
                                       EventKind::Ping, message.payload);
            e.frames = message.frames;
            record(std::move(e));
            break;
        }
        default:
            break;
        }
        return;
    }
    // Outgoing: what Qt put on the wire, recorded before the peer can have it.
    Event e;
    switch (opcode) {
    case Opcode::Text:
        e = makeTextEvent(EventSource::Server, m_info.id, EventDirection::Out, message.payload);
        break;
    case Opcode::Binary:
        e = makeBinaryEvent(EventSource::Server, m_info.id, EventDirection::Out, message.payload);
        break;
    case Opcode::Ping:
        m_pingClock.sent(message.payload);
        e = makeControlEvent(EventSource::Server, m_info.id, EventDirection::Out, EventKind::Ping,
                             message.payload);
        break;
    case Opcode::Pong: // Qt's automatic answer to the peer's ping (section 5.5.3)
        e = makeControlEvent(EventSource::Server, m_info.id, EventDirection::Out, EventKind::Pong,
                             message.payload);
        break;
    default:
        return;
    }
    e.frames = message.frames;
    record(std::move(e));
    if (opcode == Opcode::Text || opcode == Opcode::Binary)
        countOut(message.payload.size());
}

// A message the peer sent, as the tap saw it on the wire: recorded and answered in wire
// order (before a violation that followed it in the same read), with its exact bytes.
void ServerConnection::onTapData(const frames::AssembledMessage &message)
{
    if (!m_started || m_finished)
        return;
    const bool text = message.opcode == quint8(protocol::Opcode::Text);
    ++m_info.messagesIn;
    m_info.bytesIn += quint64(message.payload.size());
    Event e = text
        ? makeTextEvent(EventSource::Server, m_info.id, EventDirection::In, message.payload)
        : makeBinaryEvent(EventSource::Server, m_info.id, EventDirection::In, message.payload);
    e.frames = message.frames;
    record(std::move(e));
    Q_EMIT changed(m_info.id);
    if (text)
        Q_EMIT textReceived(m_info.id, textAsReceived(message.payload));
    else
        Q_EMIT binaryReceived(m_info.id, message.payload);
}

void ServerConnection::onTapViolation(const QString &errorId, const frames::ProtocolError &error,
                                      const FrameInfo &closeFrame)
{
    m_violation = Violation{error, closeFrame};
    m_closeAfterTimer.stop();
    const QString sentence = errorId == QLatin1StringView("message-too-big")
        ? tooBigSentence()
        : tr("%1 broke the WebSocket protocol: %2. The connection was closed with %3.")
              .arg(m_info.peer, error.shown())
              .arg(error.closeCode);
    record(makeErrorEvent(EventSource::Server, m_info.id, errorId, sentence));
}

QString ServerConnection::tooBigSentence() const
{
    return QCoreApplication::translate("sockpit::ServerConnection",
                                       "A message from %1 was larger than the limit; "
                                       "the connection was closed with 1009.")
        .arg(m_info.peer);
}

void ServerConnection::onDisconnected()
{
    if (m_qtGone)
        return;
    m_qtGone = true;
    m_closeAfterTimer.stop();
    m_closeTimeout.stop();
    recordCloseWhenObserved();
    finishWhenRelayed();
}

void ServerConnection::finishWhenRelayed()
{
    if (m_finished || !m_qtGone || (m_started && !m_closeRecorded))
        return;
    if (m_tap && !m_tap->isFinished())
        return;
    m_finished = true;
    Q_EMIT finished(m_info.id);
}

void ServerConnection::recordCloseWhenObserved()
{
    // The hop to Qt may end before the connection opened (the peer left, or the server
    // stopped): there is no open to close then.
    if (!m_qtGone || !m_started || m_closeRecorded)
        return;
    // Qt's Close frame is on its way through the tap: record the close with it, still
    // before the tap passes it on to the peer.
    const bool closeFrameInFlight = m_closeFrameSeen && !m_outClose && !m_violation;
    if (closeFrameInFlight && m_tap && !m_tap->isFinished() && m_tap->decodesOutgoing())
        return;
    m_closeRecorded = true;

    int code = 1006;
    QString reason;
    CloseInitiator initiator = CloseInitiator::Remote;
    QList<FrameInfo> frames;
    if (m_violation) {
        // The tap failed the connection (section 7.1.7) with its own Close frame.
        initiator = CloseInitiator::Local;
        code = m_violation->error.closeCode;
        reason = m_violation->error.reason;
        frames = {m_violation->closeFrame};
    } else if (m_localClose) {
        initiator = CloseInitiator::Local;
        code = m_closeFrameSeen ? m_localCode : 1006;
        reason = m_closeFrameSeen ? m_localReason : QString();
        if (m_outClose)
            frames = m_outClose->frames;
    } else if (m_closeFrameSeen && m_firstClose == EventDirection::Out && m_outClose) {
        // Qt sent the first Close frame without being asked (e.g. 1007 for text that is not
        // UTF-8, section 8.1): the wire says the server initiated it.
        initiator = CloseInitiator::Local;
        code = m_outClose->payload.code;
        reason = m_outClose->payload.reason;
        frames = m_outClose->frames;
        if (code == 1009)
            record(makeErrorEvent(EventSource::Server, m_info.id, QStringLiteral("message-too-big"),
                                  tooBigSentence()));
    } else if (m_closeFrameSeen) {
        code = int(m_socket->closeCode());
        reason = m_socket->closeReason();
        if (m_inClose) {
            // What the peer sent: Qt was given 1000 for the 1012-1014 it refuses.
            code = m_inClose->payload.code;
            reason = m_inClose->payload.reason;
            frames = m_inClose->frames;
        }
    }
    const EventDirection direction
        = initiator == CloseInitiator::Local ? EventDirection::Out : EventDirection::In;
    Event e = makeCloseEvent(EventSource::Server, m_info.id, direction, code, reason, initiator);
    e.frames = frames;
    record(std::move(e));
}

} // namespace sockpit
