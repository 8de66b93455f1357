#pragma once

#include "events/event.h"
#include "frames/framedecoder.h"
#include "frames/messageassembler.h"
#include "hopsocket.h"
#include "protocol/timing.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <optional>

class QTcpSocket;

namespace sockpit {

// The server side's wire tap: it sits between an accepted peer socket (plain, or TLS
// already decrypted by QSslServer) and QWebSocketServer, which gets the tap's in-process
// HopSocket instead of the peer socket. QWebSocketServer answers pings
// silently, has no API for the response head it writes, and in Qt 6.4 accepts frames a
// server must refuse; between the two sockets the tap sees every byte and can act first.
//
// Directions are the server's: In is peer -> Qt, Out is Qt -> peer.
// - The peer's request head (already validated) goes to Qt; the peer's further bytes wait
//   in its socket until attach(), so Qt never sees frames before its own 101.
// - Qt's response head is parsed and signalled; a 101 is held until attach(), so the
//   connection's observers are in place before the peer can send a frame.
// - Incoming frames are decoded and checked (RFC 6455 sections 5.1, 5.2, 5.4, 5.5, the
//   size limit) before their bytes go to Qt: a bad frame never reaches Qt. The tap then
//   fails the connection (section 7.1.7): Close with the error's code to the peer, the
//   hop to Qt dropped.
//   UTF-8 is checked as it arrives (section 8.1), so invalid text fails at the frame that
//   carries it. Qt 6.4 checks UTF-8 frame by frame and would refuse a valid character split
//   across frames: the tap hands Qt a fragmented text message re-split at character
//   boundaries (the log keeps the frames as they were on the wire).
// - The peer's Close is checked (section 5.5.1, 7.4): a 1-byte body or a code that must not
//   be sent fails with 1002, a reason that is not UTF-8 with 1007. Qt 6.4 refuses the
//   IANA-registered 1012-1014: Qt gets 1000 instead, and its echo goes out with the peer's
//   code.
// - A violation is acted on only after Qt has handled the frames before it (a ping to Qt
//   is the fence: its pong comes after Qt's answers to them), so that what the peer sent
//   first is answered and logged first; then the tap sends its one Close.
// - Outgoing bytes are decoded alongside and forwarded as whole frames.
// Every observation is signalled before the observed bytes are forwarded.
class ServerWireTap : public QObject, private HopSocket::Listener
{
    Q_OBJECT
public:
    // Takes `peer` (reparented to the tap). Its first `headLength` unread bytes are the
    // request head; `maxMessageSize` bounds incoming frames and messages (1009 beyond).
    ServerWireTap(QTcpSocket *peer, qsizetype headLength, quint64 maxMessageSize,
                  QObject *parent = nullptr);
    ~ServerWireTap() override;

    // The socket to hand to QWebSocketServer::handleConnection(), the request head already
    // readable from it. It is the tap's child; Qt may delete it once it is disconnected.
    HopSocket *hop() const { return m_hop; }

    const std::optional<HttpResponseHead> &response() const { return m_response; }
    // Outgoing messages are observed (false once Qt sent something the decoder refused).
    bool decodesOutgoing() const { return !m_outFailed; }
    // Both sides are closed (finished() was emitted).
    bool isFinished() const { return m_finished; }

    // Lets the connection run: the held 101 goes to the peer, the peer's frames to Qt.
    void attach();
    // Drops both sides at once (no close handshake) and finishes.
    void abort();

    static constexpr qsizetype MaxResponseHeadBytes = 64 * 1024;
    static constexpr qsizetype MaxBodyBytes = 4096;
    // A side is not read while the other side has this much still to write.
    static constexpr qint64 HighWaterBytes = 4 * 1024 * 1024;
    static constexpr qint64 ReadChunkBytes = 256 * 1024;
    // How long a closing peer may take to read our last bytes before it is cut off.
    static constexpr int LingerMs = timing::ServerTapLingerMs;
    // How long Qt may take to answer the fence before the violation is acted on anyway.
    static constexpr int FenceMs = timing::FenceMs;

Q_SIGNALS:
    // A 101 is held until attach(); a rejection has already been forwarded.
    void responseObserved(const sockpit::HttpResponseHead &response);
    // Qt (or the hop) closed before answering the request.
    void handshakeDropped(const QString &sentence);
    // A whole data message or a control frame, with its frames, in wire order.
    void messageObserved(sockpit::EventDirection direction,
                         const sockpit::frames::AssembledMessage &message);
    // The peer broke the protocol: the tap sent `closeFrame` (a Close carrying the
    // error's code) and is tearing the connection down. `errorId` is stable kebab-case:
    // "protocol-unmasked-frame", "protocol-reserved-bits", "protocol-reserved-opcode",
    // "protocol-bad-control-frame", "protocol-bad-fragmentation", "protocol-invalid-utf8",
    // "protocol-bad-close-frame",
    // "message-too-big", "protocol-error".
    void peerViolation(const QString &errorId, const sockpit::frames::ProtocolError &error,
                       const sockpit::FrameInfo &closeFrame);
    // Qt sent bytes the decoder refused; outgoing messages are no longer observed.
    void outgoingDecodeFailed(const sockpit::frames::ProtocolError &error);
    // Both sides are closed; the tap deletes itself.
    void finished();

private:
    enum class Stage : quint8 {
        AwaitingResponse, // the request is with Qt
        Holding, // Qt answered 101, waiting for attach()
        Relaying,
        Rejected, // Qt answered something else; relayed blindly until Qt closes
        Fencing, // a violation is pending until Qt has answered the frames before it
        Failed, // the tap failed the connection: nothing is relayed any more
    };

    // HopSocket::Listener: Qt's side of the hop, acted on from the event loop (serviceHop).
    void hopWritten(QByteArrayView bytes) override;
    void hopClosedByQt() override;
    void hopDrained() override;
    void postHopService();
    void serviceHop();
    bool hopOpen() const { return m_hopState == HopState::Open; }
    bool hopClosed() const { return m_hopState == HopState::Closed; }
    qint64 hopAvailable() const { return m_fromQt.size() - m_fromQtOffset; }
    QByteArray hopRead(qint64 maxSize);
    void writeToQt(QByteArray bytes);
    // Qt reads what it was given, then sees the end of the stream.
    void endHop();

    void readPeer();
    void readHop();
    bool relayIncoming(const QByteArray &chunk);
    void observeResponse();
    void relayOutgoing(const QByteArray &bytes);
    void failPeer(const QString &errorId, const frames::ProtocolError &error);
    // Fails the connection once Qt has handled what was forwarded to it (see Fencing).
    void failAfterQt(const QString &errorId, const frames::ProtocolError &error);
    void failPending();
    // The bytes Qt gets for a checked data or Close frame (`wire`, as the peer sent it).
    QByteArray bytesForQt(const frames::Frame &frame, const QByteArray &wire);
    void onPeerDisconnected();
    void onHopDisconnected();
    void finishIfDone();
    void onLingerExpired();
    void halfCloseWhenFlushed();

    QPointer<QTcpSocket> m_peer;
    QPointer<HopSocket> m_hop; // child (Qt deletes it when it is done with it)
    // Closing: either end closed it and onHopDisconnected() has yet to run.
    enum class HopState : quint8 { Open, Closing, Closed };
    HopState m_hopState = HopState::Open;
    bool m_hopServicePosted = false;
    // What Qt wrote, not yet relayed: kept here, since Qt may delete its socket.
    QByteArray m_fromQt;
    qsizetype m_fromQtOffset = 0;
    Stage m_stage = Stage::AwaitingResponse;
    QByteArray m_responseBuffer; // the response head (and what followed it) until attach()
    std::optional<HttpResponseHead> m_response;
    QTimer m_linger;
    bool m_finished = false;
    // Section 7.1.1: after Qt's Close went out, the TCP connection stays open until the
    // peer's Close comes back (or the linger time runs out), so that the peer sees a clean
    // close instead of a reset.
    bool m_outCloseSeen = false;
    bool m_inCloseSeen = false;
    bool m_awaitingPeerClose = false;
    // After the tap failed the connection, what the peer still sends (the rest of an
    // oversized message, its Close) is read and dropped until it closes or the linger ends:
    // closing on unread data would reset the connection and lose our Close frame.
    bool m_draining = false;
    bool m_halfClosed = false;

    // In: raw bytes from the first frame not yet complete (only whole, checked frames are
    // forwarded), the decoder and the assembler.
    QByteArray m_inRaw;
    qsizetype m_inRawOffset = 0;
    frames::FrameDecoder m_inDecoder;
    frames::MessageAssembler m_inAssembler;
    // What Qt has of the text message in progress: the start of a character that the next
    // fragment completes is held back, and whether Qt got the message's first frame.
    QByteArray m_textCarry;
    bool m_textStartedForQt = false;
    bool m_inText = false;
    // A peer Close code Qt 6.4 refuses (1012-1014): Qt's echo goes out with it instead.
    int m_peerCloseCode = 0;
    // The violation waiting for the fence, and the ping payload that is the fence.
    struct PendingViolation
    {
        QString errorId;
        frames::ProtocolError error;
    };
    std::optional<PendingViolation> m_pending;
    QByteArray m_fence;
    QTimer m_fenceTimer;
    // Out: decoded alongside; bytes are forwarded as they come.
    frames::FrameDecoder m_outDecoder;
    frames::MessageAssembler m_outAssembler;
    QByteArray m_outRaw; // the bytes of Qt's frame not yet complete
    bool m_outFailed = false;
};

} // namespace sockpit
