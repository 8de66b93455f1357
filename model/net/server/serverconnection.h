#pragma once

#include "embeddedserver.h"
#include "events/event.h"
#include "frames/frameencoder.h"
#include "frames/messageassembler.h"
#include "protocol/pingclock.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

class QWebSocket;

namespace sockpit {

class EventSink;
class ServerWireTap;

// One accepted WebSocket connection of the embedded server: it owns the QWebSocket,
// records every message, pong and the close into the event sink, keeps the counters and
// applies the close-after timer. What to answer is the server's business (the signals).
// Every event comes from the wire tap (ServerWireTap) between the peer and Qt, with the
// frames it saw: messages both ways (the exact bytes, in wire order with the tap's
// verdicts), pings and pongs both ways (Qt answers pings silently; a pong's round trip is
// timed from the ping's frame), closes; the tap's protocol verdicts end the connection
// with its close code. Qt's message signals are not used; Qt only drives behaviour.
class ServerConnection : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of `socket`. `info` carries id, peer, path, query, origin, secure.
    // `tap` is the connection's wire tap (not owned; it deletes itself when both its sides
    // are closed).
    ServerConnection(QWebSocket *socket, ConnectionInfo info, EventSink *sink,
                     const ServerConfig &config, ServerWireTap *tap, QObject *parent = nullptr);
    ~ServerConnection() override;

    qint64 id() const { return m_info.id; }
    const ConnectionInfo &info() const { return m_info; }
    bool isOpen() const;
    // Whether start() was called: before, the connection is not listed or sent to.
    bool isStarted() const { return m_started; }
    // The tap this connection was made with: null when there was none or it is gone.
    ServerWireTap *tap() const { return m_tap; }

    // Records the `open` event and starts the close-after timer.
    void start();

    bool sendText(const QString &text);
    bool sendBinary(const QByteArray &data);
    bool ping(const QByteArray &payload);
    // Starts the closing handshake (RFC 6455 section 7.1.2); false for a code that may
    // not be sent (section 7.4.2) or a connection already closing.
    bool close(int code, const QString &reason);

Q_SIGNALS:
    void textReceived(qint64 id, const QString &text);
    void binaryReceived(qint64 id, const QByteArray &data);
    void changed(qint64 id);
    void finished(qint64 id); // the close event is recorded; the object may be deleted

private:
    void onDisconnected(); // Qt's side is closed
    void recordCloseWhenObserved();
    void finishWhenRelayed();
    void record(Event event);
    void countOut(qint64 bytes);
    QString tooBigSentence() const;
    // The tap records outgoing messages (with frames) instead of the send functions.
    bool tapRecordsOutgoing() const;
    void onTapMessage(EventDirection direction, const frames::AssembledMessage &message);
    void onTapData(const frames::AssembledMessage &message);
    void onTapViolation(const QString &errorId, const frames::ProtocolError &error,
                        const FrameInfo &closeFrame);

    // A Close frame seen by the tap, with its frames.
    struct ObservedClose
    {
        frames::ClosePayload payload;
        QList<FrameInfo> frames;
    };
    struct Violation
    {
        frames::ProtocolError error;
        FrameInfo closeFrame;
    };

    std::unique_ptr<QWebSocket> m_socket;
    QPointer<ServerWireTap> m_tap;
    bool m_started = false;
    ConnectionInfo m_info;
    EventSink *m_sink = nullptr;
    std::optional<CloseAfter> m_closeAfter;
    QTimer m_closeAfterTimer;
    QTimer m_closeTimeout; // a peer that never answers our Close frame is cut off
    bool m_closeFrameSeen = false; // a Close frame was sent or echoed (not an abrupt end)
    bool m_localClose = false;
    int m_localCode = 1000;
    QString m_localReason;
    bool m_finished = false;
    bool m_qtGone = false;
    bool m_closeRecorded = false;

    protocol::PingClock m_pingClock; // pings out and pongs in, as the tap saw them
    std::optional<ObservedClose> m_inClose;
    std::optional<ObservedClose> m_outClose;
    std::optional<EventDirection> m_firstClose; // who sent the first Close frame
    std::optional<Violation> m_violation;
};

} // namespace sockpit
