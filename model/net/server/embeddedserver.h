#pragma once

#include "serverconfig.h"

#include <QDateTime>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>

namespace sockpit {

class EventSink;

struct ConnectionInfo
{
    qint64 id = 0;
    QString peer; // "host:port"
    QString path;
    QString query;
    QString subprotocol;
    QString origin;
    bool secure = false;
    QDateTime openedAt; // UTC
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
};

// The embedded WebSocket server. It accepts TCP (or TLS) connections itself, records and
// validates each upgrade request, hands good ones to QWebSocketServer, and records every
// event of every connection into the EventSink it is given (which it does not own).
// The GUI's server panel and `sockpit serve` both drive this class.
class EmbeddedServer : public QObject
{
    Q_OBJECT
public:
    explicit EmbeddedServer(EventSink *sink, QObject *parent = nullptr);
    ~EmbeddedServer() override;

    // Starts listening. On failure returns false, records an error event and leaves
    // errorString() set; the server is then not listening and not half-configured.
    bool start(const ServerConfig &config);
    // Closes every connection with (code, reason) and stops listening.
    void stop(int code = 1001, const QString &reason = QString());

    bool isListening() const;
    QUrl url() const; // ws://HOST:PORT or wss://HOST:PORT: the host as configured, the real port
    quint16 port() const;
    QString errorString() const;
    // Said once when listening and not an error, e.g. that ::1 is missing on this machine.
    QString note() const;
    // Every "host:port" listened on: 127.0.0.1:PORT and [::1]:PORT for "localhost".
    QStringList addresses() const;
    const ServerConfig &config() const;
    // The certificate a wss server presents (null for ws), e.g. to show its fingerprint.
    QSslCertificate localCertificate() const;

    // Settings that may change while listening (they apply to the next message).
    void setMode(ServerMode mode);
    void setReplyTemplate(const QString &replyTemplate);

    QList<ConnectionInfo> connections() const;
    std::optional<ConnectionInfo> connection(qint64 id) const;

    bool sendText(qint64 id, const QString &text);
    bool sendBinary(qint64 id, const QByteArray &data);
    bool ping(qint64 id, const QByteArray &payload = QByteArray());
    // Sends to every open connection; records one broadcast event plus the messages.
    int broadcastText(const QString &text);
    int broadcastBinary(const QByteArray &data);
    bool closeConnection(qint64 id, int code = 1000, const QString &reason = QString());
    void closeAll(int code = 1000, const QString &reason = QString());

Q_SIGNALS:
    void started(const QUrl &url);
    void stopped();
    void failed(const QString &message);
    void connectionOpened(qint64 id);
    void connectionChanged(qint64 id); // counters changed
    void connectionClosed(qint64 id);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace sockpit
