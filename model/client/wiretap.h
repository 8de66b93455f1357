#pragma once

#include "events/event.h"
#include "frames/framedecoder.h"
#include "frames/messageassembler.h"

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
    void setMaxPayload(quint64 bytes) { m_maxPayload = bytes; }

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

    // True once both sides are closed. After QWebSocket sent a Close frame and dropped its
    // side, the tap still waits (at most LingerMs) for the server's Close frame, so the
    // relay may finish after QWebSocket reported disconnected().
    bool isRelayFinished() const { return m_relayFinished; }

    // Drops both connections at once (no close handshake).
    void abortAll();

    static constexpr qsizetype MaxHeadBytes = 64 * 1024;
    static constexpr qsizetype MaxBodyBytes = 4096;
    static constexpr int LingerMs = 2000;

Q_SIGNALS:
    void upstreamConnected(const QString &peer);
    // When terminating TLS, after the real server's TLS handshake (upstream side) succeeded.
    // id: "connection-refused", "host-not-found", "timeout", "network-error", "proxy-error",
    // "tls-handshake-failed"
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
    // The tap stops decoding that direction (it still relays).
    void relayFinished();
    void decodeFailed(sockpit::EventDirection direction,
                      const sockpit::frames::ProtocolError &error);

private:
    struct Direction
    {
        frames::FrameDecoder decoder;
        std::optional<frames::MessageAssembler> assembler;
        bool failed = false;
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
    void finishRejection();
    void decode(Direction *direction, EventDirection which, QByteArrayView bytes);
    void forwardToDownstream(const QByteArray &bytes);
    void onUpstreamDisconnected();
    void onDownstreamDisconnected();
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
    bool m_outCloseSeen = false;
    bool m_inCloseSeen = false;

    bool m_decodeFrames = true;
    bool m_terminateTls = false;
    QSslConfiguration m_upstreamTls;
    QSslConfiguration m_downstreamTls;
    quint64 m_maxPayload = quint64(64) * 1024 * 1024;
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
