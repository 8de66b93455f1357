#include "serverwiretap.h"

#include "frames/frameencoder.h"
#include "frames/frameerrorids.h"
#include "protocol/closecodes.h"
#include "protocol/httphead.h"
#include "protocol/opcodes.h"

#include <QHostAddress>
#include <QRandomGenerator>
#include <QTcpSocket>

#include <algorithm>
#include <utility>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace sockpit {

namespace {

// Outgoing messages are Qt's own: the bound only keeps the observer's copy finite.
constexpr quint64 MinOutgoingLimit = quint64(256) * 1024 * 1024;

frames::FrameDecoder::Options decoderOptions(quint64 maxPayload)
{
    frames::FrameDecoder::Options options;
    options.maxPayload = maxPayload;
    options.allowedRsv = 0; // no extension is ever negotiated (QtWebSockets has none)
    return options;
}

// Section 5.5: a Close payload is at most 125 bytes, two of them the code.
QString fitCloseReason(QString reason)
{
    while (reason.toUtf8().size() > 123)
        reason.chop(1);
    return reason;
}

// Section 5.5.1: a Close body is empty, or a 2-byte status code that may travel on the wire
// (section 7.4) followed by a UTF-8 reason. The reason is fixed English: it goes on the wire.
std::optional<std::pair<QString, frames::ProtocolError>>
closePayloadProblem(const QByteArray &payload)
{
    if (payload.isEmpty())
        return std::nullopt;
    const QString id = QStringLiteral("protocol-bad-close-frame");
    if (payload.size() == 1)
        return std::pair(id,
                         frames::ProtocolError{1002,
                                               QStringLiteral("Close frame with a 1-byte body, "
                                                              "too short for a status code "
                                                              "(RFC 6455 section 5.5.1)"),
                                               {}});
    const int code = (int(quint8(payload.at(0))) << 8) | int(quint8(payload.at(1)));
    if (!protocol::isValidCloseCodeOnWire(code))
        return std::pair(id,
                         frames::ProtocolError{1002,
                                               QStringLiteral("invalid close code %1 received "
                                                              "(RFC 6455 section 7.4)")
                                                   .arg(code),
                                               {}});
    if (!frames::isValidUtf8(QByteArrayView(payload).sliced(2)))
        return std::pair(QStringLiteral("protocol-invalid-utf8"),
                         frames::ProtocolError{1007,
                                               QStringLiteral("Close reason is not valid UTF-8 "
                                                              "(RFC 6455 section 5.5.1)"),
                                               {}});
    return std::nullopt;
}

} // namespace

ServerWireTap::ServerWireTap(QTcpSocket *peer, qsizetype headLength, quint64 maxMessageSize,
                             QObject *parent)
    : QObject(parent)
    , m_peer(peer)
    , m_inDecoder(decoderOptions(maxMessageSize))
    , m_inAssembler(maxMessageSize)
    , m_outDecoder(decoderOptions(std::max(maxMessageSize, MinOutgoingLimit)))
    , m_outAssembler(std::max(maxMessageSize, MinOutgoingLimit))
{
    peer->setParent(this);
    m_hop = new HopSocket(this, *peer, this);
    m_hop->deliver(peer->read(headLength));
    // Unread bytes stay bounded: the socket stops reading from the network when full.
    peer->setReadBufferSize(ReadChunkBytes);
    connect(peer, &QTcpSocket::readyRead, this, &ServerWireTap::readPeer);
    connect(peer, &QTcpSocket::bytesWritten, this, &ServerWireTap::readHop);
    connect(peer, &QTcpSocket::disconnected, this, &ServerWireTap::onPeerDisconnected);

    m_linger.setSingleShot(true);
    m_linger.setInterval(LingerMs);
    connect(&m_linger, &QTimer::timeout, this, &ServerWireTap::onLingerExpired);
    m_fenceTimer.setSingleShot(true);
    m_fenceTimer.setInterval(FenceMs);
    connect(&m_fenceTimer, &QTimer::timeout, this, &ServerWireTap::failPending);
}

ServerWireTap::~ServerWireTap()
{
    // The sockets are children; they must not call back into a half-destroyed tap.
    if (m_peer) {
        m_peer->disconnect(this);
        m_peer->abort();
    }
    if (m_hop)
        m_hop->detachListener(); // Qt sees the end of the stream if it still had it open
}

void ServerWireTap::hopWritten(QByteArrayView bytes)
{
    if (m_fromQtOffset > 0 && m_fromQtOffset >= m_fromQt.size() / 2) {
        m_fromQt.remove(0, m_fromQtOffset);
        m_fromQtOffset = 0;
    }
    m_fromQt.append(bytes);
    postHopService();
}

void ServerWireTap::hopClosedByQt()
{
    if (m_hopState == HopState::Open)
        m_hopState = HopState::Closing;
    postHopService();
}

void ServerWireTap::hopDrained()
{
    readPeer();
}

void ServerWireTap::postHopService()
{
    if (m_hopServicePosted)
        return;
    m_hopServicePosted = true;
    QMetaObject::invokeMethod(this, &ServerWireTap::serviceHop, Qt::QueuedConnection);
}

void ServerWireTap::serviceHop()
{
    m_hopServicePosted = false;
    if (hopAvailable() > 0)
        readHop();
    if (m_hopState == HopState::Closing) {
        m_hopState = HopState::Closed;
        onHopDisconnected();
    }
}

QByteArray ServerWireTap::hopRead(qint64 maxSize)
{
    const qint64 n = std::min(maxSize, hopAvailable());
    QByteArray bytes = m_fromQt.sliced(m_fromQtOffset, n);
    m_fromQtOffset += n;
    if (m_fromQtOffset == m_fromQt.size()) {
        m_fromQt.clear();
        m_fromQtOffset = 0;
    }
    return bytes;
}

void ServerWireTap::writeToQt(QByteArray bytes)
{
    if (hopOpen() && m_hop)
        m_hop->deliver(std::move(bytes));
}

void ServerWireTap::endHop()
{
    if (m_hopState != HopState::Open)
        return;
    m_hopState = HopState::Closing;
    if (m_hop)
        m_hop->endOfStream();
    postHopService();
}

void ServerWireTap::attach()
{
    if (m_stage != Stage::Holding)
        return;
    m_stage = Stage::Relaying;
    const QByteArray held = std::exchange(m_responseBuffer, QByteArray());
    const qsizetype headEnd = held.indexOf("\r\n\r\n") + 4;
    if (m_peer && m_peer->state() == QAbstractSocket::ConnectedState)
        m_peer->write(held.first(headEnd));
    relayOutgoing(held.sliced(headEnd));
    readHop();
    readPeer();
    // Either side may have gone while the 101 was held.
    if (hopClosed())
        onHopDisconnected();
    else if (!m_peer || m_peer->state() == QAbstractSocket::UnconnectedState)
        onPeerDisconnected();
}

void ServerWireTap::abort()
{
    m_stage = Stage::Failed;
    m_linger.stop();
    m_fenceTimer.stop();
    if (m_peer)
        m_peer->abort();
    if (m_hopState != HopState::Closed) {
        m_hopState = HopState::Closed;
        m_fromQt.clear();
        m_fromQtOffset = 0;
        if (m_hop)
            m_hop->cut();
    }
    finishIfDone();
}

void ServerWireTap::onLingerExpired()
{
    if (m_draining && m_peer && m_peer->state() == QAbstractSocket::ConnectedState) {
        // The peer had its time to read our Close: end gracefully, then cut it off if it
        // still does not go.
        m_draining = false;
        m_peer->readAll();
        m_peer->disconnectFromHost();
        if (m_peer->state() != QAbstractSocket::UnconnectedState) {
            m_linger.start();
            return;
        }
        finishIfDone();
        return;
    }
    abort();
}

// Our Close is out: send FIN at once (the peer learns we are done and closes its side) but
// keep reading, so that nothing the peer still sends meets a closed socket and a reset.
void ServerWireTap::halfCloseWhenFlushed()
{
    if (!m_draining || m_halfClosed || !m_peer || m_peer->bytesToWrite() > 0
        || m_peer->state() != QAbstractSocket::ConnectedState)
        return;
    m_halfClosed = true;
#ifdef Q_OS_UNIX
    ::shutdown(int(m_peer->socketDescriptor()), SHUT_WR);
#endif
}

void ServerWireTap::readPeer()
{
    if (m_draining && m_peer) {
        m_peer->readAll();
        return;
    }
    if (!m_peer || m_stage != Stage::Relaying)
        return; // before attach() the bytes wait in the peer socket
    while (m_stage == Stage::Relaying && m_peer->bytesAvailable() > 0) {
        const bool peerGone = m_peer->state() == QAbstractSocket::UnconnectedState;
        if (!peerGone && m_hop && m_hop->undelivered() > HighWaterBytes)
            return; // resumed by hopDrained()
        if (!relayIncoming(m_peer->read(ReadChunkBytes)))
            return;
    }
}

bool ServerWireTap::relayIncoming(const QByteArray &chunk)
{
    if (m_inCloseSeen)
        return true; // section 5.5.1: nothing follows the peer's Close
    if (m_inRawOffset > 0) {
        m_inRaw.remove(0, m_inRawOffset);
        m_inRawOffset = 0;
    }
    m_inRaw.append(chunk);
    m_inDecoder.feed(chunk);

    // m_inRaw from 0 to `checked` holds whole frames that passed every check; `toQt` is what
    // Qt gets for them.
    qsizetype checked = 0;
    QByteArray toQt;
    auto forwardChecked = [this, &checked, &toQt] {
        if (!toQt.isEmpty())
            writeToQt(std::exchange(toQt, QByteArray()));
        m_inRawOffset = checked;
    };
    auto fail = [this, &forwardChecked](const QString &id, const frames::ProtocolError &error) {
        forwardChecked();
        failAfterQt(id, error);
        return false;
    };
    for (;;) {
        // Section 5.1: "The server MUST close the connection upon receiving a frame that is
        // not masked." Checked on the header, before the payload is even buffered.
        if (m_inRaw.size() - checked >= 2 && (quint8(m_inRaw.at(checked + 1)) & 0x80) == 0)
            return fail(QStringLiteral("protocol-unmasked-frame"),
                        frames::ProtocolError{1002,
                                              tr("unmasked frame from the client "
                                                 "(RFC 6455 section 5.1)"),
                                              {}});
        frames::Frame frame;
        const auto status = m_inDecoder.next(&frame);
        if (status == frames::FrameDecoder::Status::NeedMore)
            break;
        if (status == frames::FrameDecoder::Status::Error) {
            const frames::ProtocolError error = *m_inDecoder.error();
            return fail(frames::decoderErrorId(quint8(m_inRaw.at(checked)), error), error);
        }
        const bool isClose = frame.opcode == quint8(protocol::Opcode::Close);
        if (isClose) {
            if (const auto problem = closePayloadProblem(frame.payload))
                return fail(problem->first, problem->second);
        }
        frames::AssembledMessage message;
        const auto assembled = m_inAssembler.add(frame, &message);
        if (assembled == frames::MessageAssembler::Status::Error) {
            const frames::ProtocolError error = *m_inAssembler.error();
            return fail(frames::assemblerErrorId(error), error);
        }
        const qsizetype size = frames::bytesOnWire(frame);
        toQt += bytesForQt(frame, m_inRaw.sliced(checked, size));
        checked += size;
        if (isClose)
            m_inCloseSeen = true;
        if (assembled != frames::MessageAssembler::Status::Incomplete)
            Q_EMIT messageObserved(EventDirection::In, message);
        if (m_stage != Stage::Relaying)
            return false; // an observer tore the connection down
        if (isClose) {
            checked = m_inRaw.size(); // what follows the Close is dropped
            break;
        }
    }
    forwardChecked();
    if (m_awaitingPeerClose && m_inCloseSeen) {
        m_awaitingPeerClose = false;
        m_peer->disconnectFromHost(); // both Close frames have crossed: end TCP cleanly
    }
    return true;
}

QByteArray ServerWireTap::bytesForQt(const frames::Frame &frame, const QByteArray &wire)
{
    using protocol::Opcode;
    // Qt's receiver does not need the peer's mask: a zero key keeps re-made frames cheap.
    static constexpr frames::MaskKey ZeroMask = {0, 0, 0, 0};
    if (frame.opcode == quint8(Opcode::Close)) {
        const int code = frame.payload.size() >= 2
            ? (int(quint8(frame.payload.at(0))) << 8) | int(quint8(frame.payload.at(1)))
            : 0;
        if (code < 1012 || code > 1014)
            return wire;
        // Registered with IANA, refused by Qt 6.4 (it would fail the connection with 1002).
        m_peerCloseCode = code;
        QByteArray payload = frame.payload;
        payload[0] = char(1000 >> 8);
        payload[1] = char(1000 & 0xFF);
        return frames::encodeFrame(frame.opcode, payload, true, ZeroMask);
    }
    if (protocol::isControlOpcode(frame.opcode))
        return wire;
    if (frame.opcode == quint8(Opcode::Text))
        m_inText = true;
    else if (frame.opcode != quint8(Opcode::Continuation))
        m_inText = false;
    if (!m_inText)
        return wire;

    // Section 8.1 allows a character to be split across frames; Qt 6.4 checks each frame
    // alone. Qt gets the text up to the last whole character; the rest goes with the next.
    const int pending = m_inAssembler.pendingUtf8Bytes();
    QByteArray result;
    if (m_textCarry.isEmpty() && pending == 0) {
        result = wire;
        m_textStartedForQt = true;
    } else {
        QByteArray payload = m_textCarry + frame.payload;
        m_textCarry = payload.last(pending);
        payload.chop(pending);
        if (!payload.isEmpty() || frame.fin) {
            const quint8 opcode
                = m_textStartedForQt ? quint8(Opcode::Continuation) : quint8(Opcode::Text);
            result = frames::encodeFrame(opcode, payload, frame.fin, ZeroMask);
            m_textStartedForQt = true;
        }
    }
    if (frame.fin) {
        m_inText = false;
        m_textStartedForQt = false;
        m_textCarry.clear();
    }
    return result;
}

void ServerWireTap::readHop()
{
    switch (m_stage) {
    case Stage::AwaitingResponse:
        m_responseBuffer.append(hopRead(hopAvailable()));
        observeResponse();
        return;
    case Stage::Holding:
        // Qt sends nothing after its 101 before the connection is attached; bounded anyway.
        if (m_responseBuffer.size() < MaxResponseHeadBytes + HighWaterBytes)
            m_responseBuffer.append(hopRead(ReadChunkBytes));
        return;
    case Stage::Relaying:
    case Stage::Rejected:
    case Stage::Fencing:
        while (hopAvailable() > 0) {
            if (hopOpen() && m_peer && m_peer->bytesToWrite() > HighWaterBytes)
                return; // resumed by the peer's bytesWritten
            relayOutgoing(hopRead(ReadChunkBytes));
            if (m_stage == Stage::Failed)
                return;
        }
        return;
    case Stage::Failed:
        hopRead(hopAvailable());
        return;
    }
}

void ServerWireTap::observeResponse()
{
    const qsizetype end = m_responseBuffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_responseBuffer.size() > MaxResponseHeadBytes) {
            m_responseBuffer.clear();
            Q_EMIT handshakeDropped(tr("The WebSocket stack answered with an oversized head."));
            abort();
        }
        return;
    }
    m_response = http::parseResponseHead(QByteArrayView(m_responseBuffer).first(end));
    if (!m_response) {
        Q_EMIT handshakeDropped(tr("The WebSocket stack's answer could not be parsed."));
        abort();
        return;
    }
    if (m_response->status == 101) {
        m_stage = Stage::Holding;
        Q_EMIT responseObserved(*m_response);
        return;
    }
    // A refusal from Qt goes to the peer as it is; the connection ends when Qt closes it.
    m_stage = Stage::Rejected;
    m_response->body = m_responseBuffer.mid(end + 4, MaxBodyBytes);
    const QByteArray all = std::exchange(m_responseBuffer, QByteArray());
    Q_EMIT responseObserved(*m_response);
    if (m_peer && m_peer->state() == QAbstractSocket::ConnectedState)
        m_peer->write(all);
}

void ServerWireTap::relayOutgoing(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    const bool decoding = m_stage == Stage::Relaying || m_stage == Stage::Fencing;
    if (!decoding || m_outFailed) {
        if (m_peer && m_peer->state() == QAbstractSocket::ConnectedState)
            m_peer->write(bytes);
        return;
    }
    m_outRaw.append(bytes);
    m_outDecoder.feed(bytes);
    // Whole frames go out, so that the fence's pong can be taken out and a Close rewritten.
    QByteArray out;
    qsizetype offset = 0;
    bool fenceReached = false;
    frames::Frame frame;
    for (;;) {
        const auto status = m_outDecoder.next(&frame);
        if (status == frames::FrameDecoder::Status::NeedMore)
            break;
        std::optional<frames::ProtocolError> error = m_outDecoder.error();
        if (error) {
            m_outFailed = true;
            Q_EMIT outgoingDecodeFailed(*error);
            break; // the rest goes out as it is, no longer observed
        }
        QByteArray wire = m_outRaw.sliced(offset, frames::bytesOnWire(frame));
        offset += wire.size();
        if (frame.opcode == quint8(protocol::Opcode::Pong) && m_stage == Stage::Fencing
            && frame.payload == m_fence) {
            fenceReached = true; // Qt has answered everything before the violation
            break;
        }
        if (frame.opcode == quint8(protocol::Opcode::Close)) {
            m_outCloseSeen = true;
            if (m_peerCloseCode != 0 && frame.payload.size() >= 2) {
                // Qt echoed the 1000 it was given: the peer gets its own code back.
                frame.payload[0] = char(m_peerCloseCode >> 8);
                frame.payload[1] = char(m_peerCloseCode & 0xFF);
                wire = frames::encodeFrame(frame.opcode, frame.payload, true);
            }
        }
        frames::AssembledMessage message;
        const auto assembled = m_outAssembler.add(frame, &message);
        if (assembled == frames::MessageAssembler::Status::Error) {
            m_outFailed = true;
            Q_EMIT outgoingDecodeFailed(*m_outAssembler.error());
            out += wire;
            break;
        }
        out += wire;
        if (assembled == frames::MessageAssembler::Status::Incomplete)
            continue;
        Q_EMIT messageObserved(EventDirection::Out, message);
        if (m_stage != Stage::Relaying && m_stage != Stage::Fencing)
            return;
    }
    if (m_outFailed)
        out += m_outRaw.sliced(offset);
    m_outRaw = fenceReached || m_outFailed ? QByteArray() : m_outRaw.sliced(offset);
    if (m_peer && m_peer->state() == QAbstractSocket::ConnectedState && !out.isEmpty())
        m_peer->write(out);
    if (fenceReached)
        failPending();
}

void ServerWireTap::failAfterQt(const QString &errorId, const frames::ProtocolError &error)
{
    if (m_stage != Stage::Relaying || !hopOpen()) {
        failPeer(errorId, error);
        return;
    }
    // Qt answers pings in order, after whatever it sent for the frames it already has.
    m_stage = Stage::Fencing;
    m_pending = PendingViolation{errorId, error};
    const quint64 token = QRandomGenerator::system()->generate64();
    m_fence = QByteArray("sockpit-fence-") + QByteArray::number(token, 16);
    writeToQt(frames::encodeFrame(quint8(protocol::Opcode::Ping), m_fence, true,
                                  frames::MaskKey{0, 0, 0, 0}));
    m_fenceTimer.start();
}

void ServerWireTap::failPending()
{
    m_fenceTimer.stop();
    if (!m_pending || m_stage != Stage::Fencing)
        return;
    const PendingViolation pending = *std::exchange(m_pending, std::nullopt);
    m_stage = Stage::Relaying; // so that failPeer acts
    failPeer(pending.errorId, pending.error);
}

void ServerWireTap::failPeer(const QString &errorId, const frames::ProtocolError &error)
{
    if (m_stage == Stage::Failed)
        return;
    m_stage = Stage::Failed;
    const frames::ProtocolError sent{error.closeCode, fitCloseReason(error.reason), error.sentence};
    // Section 7.1.7: fail the connection; a server sends Close unmasked (section 5.1).
    const QByteArray closeFrame = frames::encodeClose(sent.closeCode, sent.reason);
    const FrameInfo closeInfo{quint8(protocol::Opcode::Close), true, 0, false,
                              quint64(closeFrame.size() - 2)};
    Q_EMIT peerViolation(errorId, sent, closeInfo);
    if (m_peer && m_peer->state() == QAbstractSocket::ConnectedState) {
        m_peer->write(closeFrame);
        m_draining = true;
        m_linger.start();
        m_peer->readAll();
        connect(m_peer, &QTcpSocket::bytesWritten, this, &ServerWireTap::halfCloseWhenFlushed);
        m_peer->flush();
        halfCloseWhenFlushed();
    }
    // Qt gets the frames that passed, then the end of the hop: its side closes as after an
    // abrupt end, and the connection records the tap's close instead.
    endHop();
    finishIfDone();
}

void ServerWireTap::onPeerDisconnected()
{
    switch (m_stage) {
    case Stage::Holding:
        return; // attach() relays what the peer sent before it left, then closes the hop
    case Stage::Relaying:
        readPeer(); // what arrived just before the end
        if (m_stage == Stage::Fencing)
            return; // the violation is acted on when Qt has answered (or its hop ends)
        break;
    case Stage::Fencing:
        return;
    default:
        break;
    }
    endHop();
    finishIfDone();
}

void ServerWireTap::onHopDisconnected()
{
    switch (m_stage) {
    case Stage::AwaitingResponse:
        readHop();
        if (m_stage == Stage::AwaitingResponse) {
            m_stage = Stage::Failed;
            Q_EMIT handshakeDropped(
                tr("The WebSocket stack closed the connection without answering the request."));
        } else if (m_stage == Stage::Holding) {
            return; // attach() forwards the 101 and what followed, then closes the peer
        }
        break;
    case Stage::Holding:
        return;
    case Stage::Relaying:
    case Stage::Rejected:
        readHop();
        break;
    case Stage::Fencing:
        readHop();
        failPending(); // Qt went without answering the fence
        break;
    case Stage::Failed:
        break;
    }
    if (m_peer && m_peer->state() == QAbstractSocket::ConnectedState && !m_draining) {
        if (m_stage == Stage::Relaying && m_outCloseSeen && !m_inCloseSeen) {
            // Qt closed first: wait (bounded by the linger) for the peer's Close.
            m_awaitingPeerClose = true;
            m_linger.start();
            readPeer();
        } else {
            m_peer->disconnectFromHost(); // after everything Qt sent is written
            if (m_peer->state() != QAbstractSocket::UnconnectedState)
                m_linger.start();
        }
    }
    finishIfDone();
}

void ServerWireTap::finishIfDone()
{
    if (m_finished)
        return;
    const bool peerClosed = !m_peer || m_peer->state() == QAbstractSocket::UnconnectedState;
    if (!peerClosed || !hopClosed())
        return;
    m_finished = true;
    m_linger.stop();
    Q_EMIT finished();
    deleteLater();
}

} // namespace sockpit
