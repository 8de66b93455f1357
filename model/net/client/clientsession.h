#pragma once

#include "clientconfig.h"

#include <QObject>

namespace sockpit {

class EventSink;

// One client connection as a client tab or `sockpit connect` uses it. Every open() is a
// new connection with a new id in the log; the session records the handshake (request
// as sent and response as received), messages, frames, pings, closes and errors into
// the EventSink it is given (which it does not own).
class ClientSession : public QObject
{
    Q_OBJECT
public:
    enum class State : quint8 { Idle, Connecting, Open, Closing, Closed };
    Q_ENUM(State)

    explicit ClientSession(EventSink *sink, QObject *parent = nullptr);
    ~ClientSession() override;

    // Starts connecting; failures (bad URL, refused, DNS, timeout, rejected handshake, TLS)
    // arrive as an error event and the failed() signal, never as an exception or a hang.
    void open(const ClientConfig &config);

    State state() const;
    qint64 connectionId() const; // of the current (or last) connection; 0 before open()
    QString negotiatedSubprotocol() const;
    // The local port of the TCP connection that reaches the server (the wire tap's, when
    // there is one): the port the server sees this client at. 0 while not connected.
    quint16 localPort() const;
    const ClientConfig &config() const;

    bool sendText(const QString &text);
    bool sendBinary(const QByteArray &data);
    bool ping(const QByteArray &payload = QByteArray());
    void close(int code = 1000, const QString &reason = QString());
    void abort(); // drop the TCP connection without a close handshake

Q_SIGNALS:
    void stateChanged(sockpit::ClientSession::State state);
    void opened();
    void textReceived(const QString &text);
    void binaryReceived(const QByteArray &data);
    // rttMs: since the ping with this payload went out; negative for an unsolicited pong.
    void pongReceived(double rttMs, const QByteArray &payload);
    // code 1006 for an abnormal end; initiator as in the close event
    void closed(int code, const QString &reason, sockpit::CloseInitiator initiator);
    void failed(const QString &errorId, const QString &sentence);
    // The client failed an open connection (RFC 6455 section 7.1.7) because of what the
    // server sent: a protocol violation (1002), text that is not UTF-8 (1007) or a message
    // over the limit (1009). The error event is recorded first; closed() follows.
    void protocolFailure(const QString &errorId, const QString &sentence);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace sockpit
