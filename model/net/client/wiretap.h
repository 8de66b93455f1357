#pragma once

#include "events/event.h"
#include "frames/framedecoder.h"
#include "frames/messageassembler.h"
#include "protocol/timing.h"

#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

#include <optional>

class QSslSocket;
class QTcpSocket;

namespace sockpit::client {

class TapListener;

// An in-process HTTP CONNECT proxy on 127.0.0.1 that one QWebSocket is pointed at, so
// that the bytes on the wire can be observed: QWebSocket has no API for the handshake
// response or the frames. The tap opens the upstream TCP connection itself (so connection
// failures are precise: refused, host not found, timeout), then relays both ways while
// recording the raw request and response heads and decoding frames in both directions.
// For wss it sees only TLS records unless it terminates TLS (setTlsTermination): then it
// is the TLS server of the internal loopback hop (QWebSocket -> tap) and a TLS client of the
// real server, verified with the user's settings, and sees the plaintext between them.
// Without termination, set decodeFrames to false and it relays the TLS records blindly.
//
// RFC 6455 is enforced here, where Qt 6.4 is lax (the tap is Sockpit's instrument):
// - The 101 must select only what the client offered (section 4.1): an extension or a
//   subprotocol the request did not name fails the handshake before Qt sees the 101. An
//   answer that is not HTTP at all fails it too ("bad-handshake-response"), its bytes kept.
// - Server frames reach Qt only whole and checked (sections 5.1, 5.2, 5.4, 5.5, 8.1 and the
//   message limit). On a violation the tap fails the connection (section 7.1.7): a masked
//   Close with the error's code goes to the server, Qt gets the frames before the offending
//   one and then the end of its side; serverViolation() says why.
// - The server's Close is answered by the tap itself, echoing its code (section 5.5.1): Qt
//   6.4 refuses the IANA codes 1012-1014 and would answer 1002. Qt still gets the Close (so
//   that it closes); its own answer, and anything after a Close that went out, is dropped.
// - Outgoing bytes go to the server as whole frames, so that a Close can be put between
//   two of them.
// The tap outlives QWebSocket's side of a connection: after Qt closed, the last bytes are
// still written and the server is given time (LingerMs) to end TCP first (section 7.1.1).
//
// Order guarantee: everything observed in the server-to-client direction is signalled
// before those bytes are forwarded to the client socket, so the session sees the tap's
// account of a message before QWebSocket delivers it.
class WireTap : public QObject
{
    Q_OBJECT
public:
    explicit WireTap(QObject *parent = nullptr);
    ~WireTap() override;

    bool listen(QString *errorString);
    quint16 port() const;

    void setDecodeFrames(bool decode) { m_decodeFrames = decode; }
    void setConnectTimeoutMs(int ms) { m_connectTimer.setInterval(ms); }
    // The largest message (and frame) the server may send; larger ones fail with 1009.
    void setMaxMessageSize(quint64 bytes) { m_maxMessageSize = bytes; }

    // Terminate TLS (before listen()): `upstream` is the user's client configuration for the
    // real server (CAs, client certificate, VerifyPeer); `downstream` the tap's own server
    // configuration for the loopback hop. The real server is verified against the host name
    // of the CONNECT target (also sent as SNI).
    void setTlsTermination(const QSslConfiguration &upstream, const QSslConfiguration &downstream);
    bool terminatesTls() const { return m_terminateTls; }
    // The real server's session (protocol, cipher, certificate) once upstreamConnected().
    QSslConfiguration upstreamTlsSession() const;
    // Only from a slot connected directly to upstreamTlsErrors().
    void ignoreUpstreamTlsErrors();

    bool isUpstreamConnected() const { return m_upstreamConnected; }
    QString upstreamPeer() const { return m_upstreamPeer; } // "host:port"
    // The local port of the real connection: what the server sees as this client's port.
    quint16 upstreamLocalPort() const { return m_upstreamLocalPort; }
    QString target() const
    {
        return m_targetHost + QLatin1Char(':') + QString::number(m_targetPort);
    }
    const std::optional<HttpRequestHead> &request() const { return m_request; }
    const std::optional<HttpResponseHead> &response() const { return m_response; }

    // True once both sides are closed. After QWebSocket dropped its side, the tap still
    // writes what Qt sent last and waits (at most LingerMs) for the server's Close frame and
    // the end of TCP, so the relay may finish after QWebSocket reported disconnected().
    bool isRelayFinished() const { return m_relayFinished; }

    // Drops both connections at once (no close handshake).
    void abortAll();

    static constexpr qsizetype MaxHeadBytes = 64 * 1024;
    static constexpr qsizetype MaxBodyBytes = 4096;
    static constexpr int LingerMs = timing::ClientTapLingerMs;

Q_SIGNALS:
    void upstreamConnected(const QString &peer);
    // When terminating TLS, after the real server's TLS handshake (upstream side) succeeded.
    // id: "connection-refused", "host-not-found", "timeout", "network-error", "proxy-error",
    // "tls-handshake-failed"; and for a handshake answer the client must refuse:
    // "bad-handshake-response", "handshake-unrequested-extension",
    // "handshake-unrequested-subprotocol" (response() then holds what was received).
    void upstreamFailed(const QString &id, const QString &sentence);
    // The real server's certificate errors, during its handshake: a directly connected slot
    // may call ignoreUpstreamTlsErrors(); otherwise upstreamFailed("tls-handshake-failed").
    void upstreamTlsErrors(const QList<QSslError> &errors);
    void requestObserved(const sockpit::HttpRequestHead &request);
    // For a rejection (not 101) the body is complete (or capped) when this is emitted.
    void responseObserved(const sockpit::HttpResponseHead &response);
    // A whole data message or a control frame, with its frames, in wire order.
    void messageObserved(sockpit::EventDirection direction,
                         const sockpit::frames::AssembledMessage &message);
    // Both sides are closed.
    void relayFinished();
    // Qt sent bytes the decoder refused: outgoing messages are no longer observed (the bytes
    // are still relayed).
    void decodeFailed(sockpit::EventDirection direction,
                      const sockpit::frames::ProtocolError &error);
    // The tap failed the connection because of what the server sent: it sent a masked Close
    // with error.closeCode and `errorId` as its reason. errorId: "protocol-masked-frame",
    // "protocol-bad-close-frame", "protocol-invalid-utf8", "message-too-big",
    // "protocol-reserved-opcode", "protocol-reserved-bits", "protocol-bad-control-frame",
    // "protocol-bad-fragmentation", "protocol-error".
    void serverViolation(const QString &errorId, const sockpit::frames::ProtocolError &error);

private:
    struct Direction
    {
        frames::FrameDecoder decoder;
        std::optional<frames::MessageAssembler> assembler;
        QByteArray raw; // bytes of frames not yet forwarded (a frame not yet complete)
        bool failed = false; // not decoded any more
    };

    void acceptConnection();
    void readDownstream();
    void readUpstream();
    void handleConnectRequest();
    void onUpstreamConnected();
    void onUpstreamTlsErrors(const QList<QSslError> &errors);
    bool failUpstreamTls();
    void onUpstreamError();
    void onConnectTimeout();
    void failUpstream(const QString &id, const QString &sentence, const QByteArray &httpStatus);
    bool checkResponseStart();
    bool checkNegotiation();
    void failResponse(const QString &id, const QString &sentence);
    void finishRejection();
    void startDirection(Direction *direction, quint64 limit);
    void relayIncoming(QByteArrayView bytes);
    void relayOutgoing(QByteArrayView bytes);
    void forwardChecked(Direction *direction, qsizetype checked, QTcpSocket *to);
    void answerClose(const QByteArray &payload);
    void sendClose(int code, const QString &reason);
    void failConnection(const QString &errorId, const frames::ProtocolError &error);
    void forwardToDownstream(const QByteArray &bytes);
    void onUpstreamDisconnected();
    void onDownstreamDisconnected();
    void startLinger();
    void finishLinger();
    void markRelayFinished();

    TapListener *m_server = nullptr;
    QPointer<QTcpSocket> m_downstream; // QWebSocket's side
    QPointer<QTcpSocket> m_upstream; // the real server
    QTimer m_connectTimer;
    QTimer m_bodyTimer;
    QTimer m_lingerTimer;
    bool m_lingering = false;
    bool m_relayFinished = false;
    bool m_closeSent = false; // a Close went to the server (Qt's or the tap's)
    bool m_closeReceived = false; // the server's Close arrived
    bool m_failed = false; // the tap failed the connection
    bool m_stopped = false; // abortAll(): an observer tore the connection down

    bool m_decodeFrames = true;
    bool m_terminateTls = false;
    QSslConfiguration m_upstreamTls;
    QSslConfiguration m_downstreamTls;
    quint64 m_maxMessageSize = quint64(16) * 1024 * 1024;
    bool m_connectAnswered = false;
    bool m_upstreamConnected = false;
    QString m_targetHost;
    quint16 m_targetPort = 0;
    QString m_upstreamPeer;
    quint16 m_upstreamLocalPort = 0;

    QByteArray m_downBuffer; // CONNECT request, then the WebSocket request head
    QByteArray m_upBuffer; // the response head (and a rejection's body)
    bool m_requestDone = false;
    bool m_responseDone = false;
    bool m_holdingRejection = false;
    qsizetype m_expectedBodyBytes = -1;
    std::optional<HttpRequestHead> m_request;
    std::optional<HttpResponseHead> m_response;
    Direction m_out; // client to server
    Direction m_in; // server to client
};

} // namespace sockpit::client
