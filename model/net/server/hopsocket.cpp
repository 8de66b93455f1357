#include "hopsocket.h"

#include <QMetaObject>

#include <cstring>
#include <utility>

namespace sockpit {

HopSocket::HopSocket(Listener *listener, const QTcpSocket &peer, QObject *parent)
    : QTcpSocket(parent)
    , m_listener(listener)
{
    setPeerAddress(peer.peerAddress());
    setPeerPort(peer.peerPort());
    setLocalAddress(peer.localAddress());
    setLocalPort(peer.localPort());
    setSocketState(ConnectedState);
    setOpenMode(ReadWrite);
}

HopSocket::~HopSocket()
{
    m_listener = nullptr;
}

void HopSocket::deliver(QByteArray bytes)
{
    if (bytes.isEmpty() || state() != ConnectedState || m_endOfStream)
        return;
    m_inBytes += bytes.size();
    m_in.push_back(std::move(bytes));
    m_delivered = true;
    postDelivery();
}

void HopSocket::endOfStream()
{
    m_endOfStream = true;
    postDelivery();
}

void HopSocket::cut()
{
    m_in.clear();
    m_inOffset = 0;
    m_inBytes = 0;
    endOfStream();
}

void HopSocket::detachListener()
{
    m_listener = nullptr;
    if (state() == UnconnectedState)
        return;
    // Not now: this runs while the tap (and maybe its server) is being destroyed, and Qt's
    // reaction to the end of the stream must not run into them. Qt sees the end from the
    // event loop, and the socket goes once Qt is done with it.
    setParent(nullptr);
    m_orphaned = true;
    endOfStream();
}

qint64 HopSocket::bytesAvailable() const
{
    // QIODevice's own buffer holds what a peek() or a small read already took from m_in.
    return QIODevice::bytesAvailable() + m_inBytes;
}

void HopSocket::disconnectFromHost()
{
    const bool wasOpen = state() != UnconnectedState;
    QTcpSocket::disconnectFromHost();
    if (!wasOpen || m_closingFromTap)
        return;
    m_in.clear();
    m_inOffset = 0;
    m_inBytes = 0;
    if (m_listener)
        m_listener->hopClosedByQt();
}

qint64 HopSocket::readData(char *data, qint64 maxSize)
{
    qint64 copied = 0;
    while (copied < maxSize && !m_in.empty()) {
        const QByteArray &front = m_in.front();
        const qint64 n = std::min<qint64>(maxSize - copied, front.size() - m_inOffset);
        std::memcpy(data + copied, front.constData() + m_inOffset, size_t(n));
        copied += n;
        m_inOffset += n;
        if (m_inOffset == front.size()) {
            m_in.pop_front();
            m_inOffset = 0;
        }
    }
    m_inBytes -= copied;
    return copied;
}

qint64 HopSocket::writeData(const char *data, qint64 size)
{
    if (state() != ConnectedState)
        return -1;
    if (m_listener)
        m_listener->hopWritten(QByteArrayView(data, size));
    m_writtenSinceSignal += size;
    postDelivery();
    return size;
}

void HopSocket::postDelivery()
{
    if (m_deliveryPosted)
        return;
    m_deliveryPosted = true;
    QMetaObject::invokeMethod(this, &HopSocket::deliverPending, Qt::QueuedConnection);
}

void HopSocket::deliverPending()
{
    m_deliveryPosted = false;
    if (state() == UnconnectedState) {
        if (m_orphaned)
            deleteLater();
        return;
    }
    if (const qint64 written = std::exchange(m_writtenSinceSignal, 0); written > 0)
        Q_EMIT bytesWritten(written);
    // New bytes may already sit in QIODevice's buffer: a peek() (QWebSocketServer peeks at
    // the request) moves them there, so readyRead goes by bytesAvailable(), not m_inBytes.
    const qint64 before = bytesAvailable();
    if (std::exchange(m_delivered, false) && before > 0)
        Q_EMIT readyRead();
    if (m_listener && bytesAvailable() < before)
        m_listener->hopDrained();
    if (m_endOfStream) {
        closeFromTap();
        if (m_orphaned)
            deleteLater();
    }
}

void HopSocket::closeFromTap()
{
    if (state() == UnconnectedState)
        return;
    m_closingFromTap = true;
    setSocketError(RemoteHostClosedError);
    setErrorString(QStringLiteral("The remote host closed the connection"));
    Q_EMIT errorOccurred(RemoteHostClosedError);
    QTcpSocket::disconnectFromHost();
}

} // namespace sockpit
