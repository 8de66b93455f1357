#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QTcpSocket>

#include <deque>

namespace sockpit {

// The end of the server's wire tap that QWebSocketServer gets instead of the peer socket:
// a QTcpSocket with no kernel socket behind it. QWebSocketServer::handleConnection() and
// QWebSocket only read, write, close and watch the state of the socket they are given, so
// the tap can stand between the peer and Qt in-process: no loopback pair, one descriptor
// per connection, no kernel crossings between the tap and Qt.
//
// The socket reports the real peer's and listener's addresses. Towards Qt it behaves like a
// connected TCP socket: what the tap delivers is readable after readyRead() (emitted from
// the event loop, as a kernel socket would), what Qt writes goes to the tap at once, and
// the end of the stream arrives as "remote host closed" after the bytes before it.
//
// The tap is told through Listener, not signals: QWebSocket disconnects every signal of
// its socket when it goes away, and Qt deletes the socket (deleteLater) once it is
// disconnected; neither may lose what Qt wrote last.
class HopSocket : public QTcpSocket
{
    Q_OBJECT
public:
    class Listener
    {
    public:
        virtual ~Listener() = default;
        // Qt wrote bytes (called inside Qt's write: only keep them, act later).
        virtual void hopWritten(QByteArrayView bytes) = 0;
        // Qt closed or aborted its end (called inside Qt's close: act later).
        virtual void hopClosedByQt() = 0;
        // Qt read what was delivered (called from the event loop).
        virtual void hopDrained() = 0;
    };

    HopSocket(Listener *listener, const QTcpSocket &peer, QObject *parent = nullptr);
    ~HopSocket() override;

    // The tap's side.
    void deliver(QByteArray bytes);
    qint64 undelivered() const { return m_inBytes; }
    // After what was delivered, Qt sees the remote end close.
    void endOfStream();
    // Qt sees the remote end close now; what it has not read is dropped.
    void cut();
    // The tap goes away: no more calls to it. If Qt still has its end open, Qt sees the
    // remote end close (from the event loop) and the socket deletes itself after that.
    void detachListener();

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override;
    void disconnectFromHost() override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    void postDelivery();
    void deliverPending();
    void closeFromTap();

    Listener *m_listener;
    std::deque<QByteArray> m_in; // delivered, not yet read by Qt
    qsizetype m_inOffset = 0; // read from m_in.front()
    qint64 m_inBytes = 0;
    qint64 m_writtenSinceSignal = 0;
    bool m_deliveryPosted = false;
    bool m_delivered = false; // bytes came since the last readyRead
    bool m_endOfStream = false;
    bool m_closingFromTap = false;
    bool m_orphaned = false; // the tap is gone: delete after closing
};

} // namespace sockpit
