#pragma once

#include "embeddedserver.h"
#include "events/event.h"

#include <QObject>
#include <QTimer>

#include <memory>

class QWebSocket;

namespace sockpit {

class EventStore;

// One accepted WebSocket connection of the embedded server: it owns the QWebSocket,
// records every message, pong and the close into the event store, keeps the counters and
// applies the close-after timer. What to answer is the server's business (the signals).
class ServerConnection : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of `socket`. `info` carries id, peer, path, query, origin, secure.
    ServerConnection(QWebSocket *socket, ConnectionInfo info, EventStore *store,
                     const ServerConfig &config, QObject *parent = nullptr);
    ~ServerConnection() override;

    qint64 id() const { return m_info.id; }
    const ConnectionInfo &info() const { return m_info; }
    bool isOpen() const;

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
    void onText(const QString &text);
    void onBinary(const QByteArray &data);
    void onPong(quint64 elapsedMs, const QByteArray &payload);
    void onDisconnected();
    void record(Event event);

    std::unique_ptr<QWebSocket> m_socket;
    ConnectionInfo m_info;
    EventStore *m_store = nullptr;
    std::optional<CloseAfter> m_closeAfter;
    QTimer m_closeAfterTimer;
    QTimer m_closeTimeout; // a peer that never answers our Close frame is cut off
    bool m_closeFrameSeen = false; // a Close frame was sent or echoed (not an abrupt end)
    bool m_localClose = false;
    int m_localCode = 1000;
    QString m_localReason;
    bool m_finished = false;
};

} // namespace sockpit
