#include "wiretap.h"

#include "httphead.h"
#include "taplistener.h"

#include <QHostAddress>
#include <QSslSocket>
#include <QStringBuilder>
#include <QTcpSocket>

namespace sockpit::client {

namespace {
QString peerString(const QTcpSocket *socket)
{
    const QHostAddress address = socket->peerAddress();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    return host + QLatin1Char(':') + QString::number(socket->peerPort());
}
} // namespace

WireTap::WireTap(QObject *parent)
    : QObject(parent)
    , m_server(new TapListener(this))
{
    m_connectTimer.setSingleShot(true);
    m_connectTimer.setInterval(15000);
    connect(&m_connectTimer, &QTimer::timeout, this, &WireTap::onConnectTimeout);
    // A rejecting server that sends no Content-Length and keeps the connection open must
    // not hold the client forever: forward what came after a short wait.
    m_bodyTimer.setSingleShot(true);
    m_bodyTimer.setInterval(500);
    connect(&m_bodyTimer, &QTimer::timeout, this, &WireTap::finishRejection);
    connect(m_server, &QTcpServer::newConnection, this, &WireTap::acceptConnection);
    m_lingerTimer.setSingleShot(true);
    m_lingerTimer.setInterval(LingerMs);
    connect(&m_lingerTimer, &QTimer::timeout, this, &WireTap::finishLinger);
}

WireTap::~WireTap()
{
    if (m_upstream)
        m_upstream->abort();
    if (m_downstream)
        m_downstream->abort();
}

bool WireTap::listen(QString *errorString)
{
    if (m_server->listen(QHostAddress::LocalHost, 0))
        return true;
    if (errorString)
        *errorString = m_server->errorString();
    return false;
}

quint16 WireTap::port() const
{
    return m_server->serverPort();
}

void WireTap::setTlsTermination(const QSslConfiguration &upstream,
                                const QSslConfiguration &downstream)
{
    m_terminateTls = true;
    m_decodeFrames = true;
    m_upstreamTls = upstream;
    m_downstreamTls = downstream;
    m_server->setAcceptsTls(true);
}

QSslConfiguration WireTap::upstreamTlsSession() const
{
    const auto *ssl = qobject_cast<const QSslSocket *>(m_upstream.data());
    return ssl ? ssl->sslConfiguration() : QSslConfiguration();
}

void WireTap::ignoreUpstreamTlsErrors()
{
    if (auto *ssl = qobject_cast<QSslSocket *>(m_upstream.data()))
        ssl->ignoreSslErrors();
}

void WireTap::abortAll()
{
    m_connectTimer.stop();
    m_bodyTimer.stop();
    m_lingerTimer.stop();
    m_lingering = false;
    if (m_upstream)
        m_upstream->abort();
    if (m_downstream)
        m_downstream->abort();
}

void WireTap::acceptConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        // One tap serves exactly one WebSocket connection.
        if (m_downstream) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        socket->setParent(this);
        m_downstream = socket;
        connect(socket, &QTcpSocket::readyRead, this, &WireTap::readDownstream);
        connect(socket, &QTcpSocket::disconnected, this, &WireTap::onDownstreamDisconnected);
        m_server->close();
        readDownstream();
    }
}

void WireTap::readDownstream()
{
    if (!m_downstream)
        return;
    const QByteArray bytes = m_downstream->readAll();
    if (!m_connectAnswered) {
        m_downBuffer.append(bytes);
        if (m_upstream == nullptr)
            handleConnectRequest();
        return;
    }
    if (!m_upstream)
        return;
    if (m_decodeFrames) {
        if (!m_requestDone) {
            m_downBuffer.append(bytes);
            const qsizetype end = m_downBuffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                m_requestDone = true;
                m_request = parseRequestHead(QByteArrayView(m_downBuffer).first(end));
                if (m_request)
                    Q_EMIT requestObserved(*m_request);
                decode(&m_out, EventDirection::Out, QByteArrayView(m_downBuffer).sliced(end + 4));
                m_downBuffer.clear();
            } else if (m_downBuffer.size() > MaxHeadBytes) {
                m_requestDone = true;
                m_downBuffer.clear();
            }
        } else {
            decode(&m_out, EventDirection::Out, bytes);
        }
    }
    m_upstream->write(bytes);
}

void WireTap::handleConnectRequest()
{
    const qsizetype end = m_downBuffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_downBuffer.size() > MaxHeadBytes)
            failUpstream(QStringLiteral("proxy-error"),
                         tr("The wire tap received an oversized proxy request."),
                         "400 Bad Request");
        return;
    }
    const std::optional<HttpRequestHead> head
        = parseRequestHead(QByteArrayView(m_downBuffer).first(end));
    m_downBuffer.remove(0, end + 4);
    const qsizetype colon = head ? head->target.lastIndexOf(':') : -1;
    if (!head || head->method != "CONNECT" || colon <= 0) {
        failUpstream(QStringLiteral("proxy-error"),
                     tr("The wire tap received a request it does not understand."),
                     "400 Bad Request");
        return;
    }
    QByteArray host = head->target.first(colon);
    if (host.startsWith('[') && host.endsWith(']'))
        host = host.mid(1, host.size() - 2);
    m_targetHost = QString::fromUtf8(host);
    m_targetPort = head->target.mid(colon + 1).toUShort();

    QTcpSocket *upstream = nullptr;
    QSslSocket *secure = nullptr;
    if (m_terminateTls) {
        secure = new QSslSocket(this);
        secure->setSslConfiguration(m_upstreamTls);
        // The real server counts as connected once its TLS handshake, with its certificate
        // checked against the target host name, has succeeded.
        connect(secure, &QSslSocket::encrypted, this, &WireTap::onUpstreamConnected);
        connect(secure, &QSslSocket::sslErrors, this, &WireTap::onUpstreamTlsErrors);
        upstream = secure;
    } else {
        upstream = new QTcpSocket(this);
        connect(upstream, &QTcpSocket::connected, this, &WireTap::onUpstreamConnected);
    }
    m_upstream = upstream;
    connect(upstream, &QTcpSocket::errorOccurred, this, &WireTap::onUpstreamError);
    connect(upstream, &QTcpSocket::readyRead, this, &WireTap::readUpstream);
    connect(upstream, &QTcpSocket::disconnected, this, &WireTap::onUpstreamDisconnected);
    m_connectTimer.start();
    if (secure)
        secure->connectToHostEncrypted(m_targetHost, m_targetPort); // peer name and SNI: the host
    else
        upstream->connectToHost(m_targetHost, m_targetPort);
}

void WireTap::onUpstreamTlsErrors(const QList<QSslError> &errors)
{
    Q_EMIT upstreamTlsErrors(errors);
}

void WireTap::onUpstreamConnected()
{
    m_connectTimer.stop();
    m_upstreamConnected = true;
    m_upstreamPeer = peerString(m_upstream);
    m_upstreamLocalPort = m_upstream->localPort();
    Q_EMIT upstreamConnected(m_upstreamPeer);
    m_connectAnswered = true;
    if (m_downstream)
        m_downstream->write("HTTP/1.1 200 Connection established\r\n\r\n");
    if (m_terminateTls) {
        // The 200 goes out in the clear; from here on QWebSocket talks TLS to the tap. This
        // hop never leaves the machine: it exists only so that the tap sees plaintext.
        m_downBuffer.clear();
        if (auto *ssl = qobject_cast<QSslSocket *>(m_downstream.data())) {
            ssl->setSslConfiguration(m_downstreamTls);
            ssl->startServerEncryption();
        }
        return;
    }
    // Anything QWebSocket sent early (it waits for the 200, so normally nothing).
    if (!m_downBuffer.isEmpty()) {
        const QByteArray early = m_downBuffer;
        m_downBuffer.clear();
        m_upstream->write(early);
    }
}

bool WireTap::failUpstreamTls()
{
    switch (m_upstream->error()) {
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        break;
    default:
        return false;
    }
    failUpstream(
        QStringLiteral("tls-handshake-failed"),
        tr("The TLS handshake with %1 failed: %2").arg(target(), m_upstream->errorString()),
        "502 Bad Gateway");
    return true;
}

void WireTap::onUpstreamError()
{
    if (!m_upstream)
        return;
    if (m_upstreamConnected) {
        // With TLS 1.3 a server that refuses the client certificate says so only after the
        // client finished its handshake: before the HTTP response, that is a TLS failure.
        if (m_terminateTls && !m_responseDone)
            failUpstreamTls();
        // Otherwise the disconnected() path reports the end of the connection.
        return;
    }
    if (m_terminateTls && failUpstreamTls())
        return;
    const QString target = this->target();
    switch (m_upstream->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        failUpstream(QStringLiteral("connection-refused"),
                     tr("Connection refused by %1: nothing is listening there.").arg(target),
                     "502 Bad Gateway");
        break;
    case QAbstractSocket::HostNotFoundError:
        failUpstream(QStringLiteral("host-not-found"),
                     tr("The host name \"%1\" could not be resolved.").arg(m_targetHost),
                     "502 Bad Gateway");
        break;
    case QAbstractSocket::SocketTimeoutError:
        onConnectTimeout();
        break;
    default:
        failUpstream(QStringLiteral("network-error"),
                     tr("Could not connect to %1: %2.").arg(target, m_upstream->errorString()),
                     "502 Bad Gateway");
        break;
    }
}

void WireTap::onConnectTimeout()
{
    if (m_upstreamConnected)
        return;
    failUpstream(QStringLiteral("timeout"),
                 tr("Timed out after %1 ms while connecting to %2.")
                     .arg(m_connectTimer.interval())
                     .arg(target()),
                 "504 Gateway Timeout");
}

void WireTap::failUpstream(const QString &id, const QString &sentence, const QByteArray &httpStatus)
{
    m_connectTimer.stop();
    if (m_upstream) {
        m_upstream->disconnect(this);
        m_upstream->abort();
    }
    // Answer the CONNECT before telling the session, which may tear the tap down at once.
    if (m_downstream && !m_connectAnswered
        && m_downstream->state() == QAbstractSocket::ConnectedState) {
        m_connectAnswered = true;
        m_downstream->write(QByteArray("HTTP/1.1 " + httpStatus + "\r\nContent-Length: 0\r\n\r\n"));
        m_downstream->disconnectFromHost();
    }
    Q_EMIT upstreamFailed(id, sentence);
}

void WireTap::readUpstream()
{
    if (!m_upstream)
        return;
    const QByteArray bytes = m_upstream->readAll();
    if (!m_decodeFrames) {
        forwardToDownstream(bytes);
        return;
    }
    if (m_responseDone) {
        decode(&m_in, EventDirection::In, bytes);
        forwardToDownstream(bytes);
        return;
    }
    m_upBuffer.append(bytes);
    if (m_holdingRejection) {
        if (m_expectedBodyBytes >= 0 && m_upBuffer.size() >= m_expectedBodyBytes)
            finishRejection();
        else if (m_upBuffer.size() > MaxHeadBytes)
            finishRejection();
        return;
    }
    const qsizetype end = m_upBuffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_upBuffer.size() > MaxHeadBytes) {
            m_responseDone = true; // give up observing; keep relaying
            forwardToDownstream(std::exchange(m_upBuffer, QByteArray()));
        }
        return;
    }
    const QByteArray head = m_upBuffer.first(end);
    m_response = parseResponseHead(head);
    if (m_response && m_response->status != 101) {
        // Hold a rejection until its body is here, so the session can report it whole.
        m_holdingRejection = true;
        const QByteArray length = headerValue(m_response->headers, "Content-Length");
        bool ok = false;
        const qsizetype bodyLength = length.toLongLong(&ok);
        m_expectedBodyBytes = ok ? end + 4 + bodyLength : -1;
        m_bodyTimer.start();
        if (m_expectedBodyBytes >= 0 && m_upBuffer.size() >= m_expectedBodyBytes)
            finishRejection();
        return;
    }
    m_responseDone = true;
    if (m_response)
        Q_EMIT responseObserved(*m_response);
    const QByteArray all = std::exchange(m_upBuffer, QByteArray());
    decode(&m_in, EventDirection::In, QByteArrayView(all).sliced(end + 4));
    forwardToDownstream(all);
}

void WireTap::finishRejection()
{
    if (!m_holdingRejection)
        return;
    m_holdingRejection = false;
    m_responseDone = true;
    m_bodyTimer.stop();
    const QByteArray all = std::exchange(m_upBuffer, QByteArray());
    const qsizetype end = all.indexOf("\r\n\r\n");
    if (m_response) {
        m_response->body = all.mid(end + 4, MaxBodyBytes);
        Q_EMIT responseObserved(*m_response);
    }
    forwardToDownstream(all);
}

void WireTap::decode(Direction *direction, EventDirection which, QByteArrayView bytes)
{
    if (direction->failed || bytes.isEmpty())
        return;
    if (!direction->assembler) {
        frames::FrameDecoder::Options options;
        options.maxPayload = m_maxPayload;
        direction->decoder = frames::FrameDecoder(options);
        direction->assembler.emplace(m_maxPayload);
    }
    direction->decoder.feed(bytes);
    frames::Frame frame;
    for (;;) {
        const auto status = direction->decoder.next(&frame);
        if (status == frames::FrameDecoder::Status::NeedMore)
            return;
        if (status == frames::FrameDecoder::Status::Error) {
            direction->failed = true;
            Q_EMIT decodeFailed(which, *direction->decoder.error());
            return;
        }
        frames::AssembledMessage message;
        const auto assembled = direction->assembler->add(frame, &message);
        if (assembled == frames::MessageAssembler::Status::Error) {
            direction->failed = true;
            Q_EMIT decodeFailed(which, *direction->assembler->error());
            return;
        }
        if (assembled == frames::MessageAssembler::Status::Incomplete)
            continue;
        const bool isClose = message.opcode == 0x8;
        if (isClose && which == EventDirection::Out)
            m_outCloseSeen = true;
        if (isClose && which == EventDirection::In)
            m_inCloseSeen = true;
        Q_EMIT messageObserved(which, message);
        if (isClose && which == EventDirection::In && m_lingering)
            finishLinger();
    }
}

void WireTap::forwardToDownstream(const QByteArray &bytes)
{
    if (m_downstream && !bytes.isEmpty())
        m_downstream->write(bytes);
}

void WireTap::onUpstreamDisconnected()
{
    if (m_holdingRejection)
        finishRejection();
    if (m_lingering)
        finishLinger();
    // Pass the end on: the client sees the TCP connection end as the server ended it.
    if (m_downstream)
        m_downstream->disconnectFromHost();
    markRelayFinished();
}

void WireTap::markRelayFinished()
{
    if (m_relayFinished)
        return;
    m_relayFinished = true;
    Q_EMIT relayFinished();
}

void WireTap::onDownstreamDisconnected()
{
    m_connectTimer.stop();
    if (!m_upstream || m_upstream->state() == QAbstractSocket::UnconnectedState) {
        markRelayFinished();
        return;
    }
    // QWebSocket drops its TCP connection right after sending its Close frame; the server's
    // answering Close frame is still on its way and is the truth of how the close ended
    // (section 7.1.2). Keep the upstream side open for it, briefly.
    if (m_decodeFrames && m_outCloseSeen && !m_inCloseSeen) {
        m_lingering = true;
        m_lingerTimer.start();
        return;
    }
    m_upstream->disconnectFromHost();
}

void WireTap::finishLinger()
{
    if (!m_lingering)
        return;
    m_lingering = false;
    m_lingerTimer.stop();
    if (m_upstream && m_upstream->state() != QAbstractSocket::UnconnectedState)
        m_upstream->disconnectFromHost();
    else
        markRelayFinished();
}

} // namespace sockpit::client
