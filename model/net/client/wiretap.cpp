#include "wiretap.h"

#include "protocol/httphead.h"
#include "server/listenaddress.h"
#include "taplistener.h"

#include "frames/frameencoder.h"
#include "frames/frameerrorids.h"
#include "protocol/closecodes.h"
#include "protocol/opcodes.h"

#include <QHostAddress>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QStringBuilder>
#include <QTcpSocket>

#include <algorithm>
#include <utility>

namespace sockpit::client {

namespace {
// Qt's outgoing messages are its own: the bound only keeps the observer's copy finite.
constexpr quint64 MinOutgoingLimit = quint64(256) * 1024 * 1024;

frames::MaskKey randomMaskKey()
{
    // Section 5.3: a fresh, unpredictable key for every frame a client sends.
    const quint32 value = QRandomGenerator::system()->generate();
    return {quint8(value >> 24), quint8(value >> 16), quint8(value >> 8), quint8(value)};
}

// Section 5.5.1: a Close body is empty, or a 2-byte status code that may travel on the
// wire (section 7.4) followed by a UTF-8 reason. Returns the id and the error otherwise.
std::optional<std::pair<QString, frames::ProtocolError>>
closePayloadProblem(const QByteArray &payload)
{
    if (payload.isEmpty())
        return std::nullopt;
    if (payload.size() == 1)
        return std::pair(QStringLiteral("protocol-bad-close-frame"),
                         frames::ProtocolError{1002,
                                               WireTap::tr("the server's Close frame has a 1-byte "
                                                           "body, too short for a status code "
                                                           "(RFC 6455 section 5.5.1)"),
                                               {}});
    const int code = (int(quint8(payload.at(0))) << 8) | int(quint8(payload.at(1)));
    if (!protocol::isValidCloseCodeOnWire(code))
        return std::pair(QStringLiteral("protocol-bad-close-frame"),
                         frames::ProtocolError{1002,
                                               WireTap::tr("the server's Close frame carries "
                                                           "close code %1, which must not be "
                                                           "sent (RFC 6455 section 7.4)")
                                                   .arg(code),
                                               {}});
    if (!frames::isValidUtf8(QByteArrayView(payload).sliced(2)))
        return std::pair(QStringLiteral("protocol-invalid-utf8"),
                         frames::ProtocolError{1007,
                                               WireTap::tr("the reason in the server's Close "
                                                           "frame is not valid UTF-8 (RFC 6455 "
                                                           "section 5.5.1)"),
                                               {}});
    return std::nullopt;
}

// The start of what the server sent, for a sentence: as text when it reads as text, else
// as hex.
QString previewBytes(QByteArrayView bytes)
{
    constexpr qsizetype MaxText = 40;
    constexpr qsizetype MaxHex = 16;
    const bool printable = std::all_of(bytes.begin(), bytes.end(), [](char c) {
        return (c >= 0x20 && c < 0x7F) || c == '\r' || c == '\n' || c == '\t';
    });
    if (printable) {
        QString text = QString::fromLatin1(bytes.first(std::min(bytes.size(), MaxText)));
        text.replace(QLatin1Char('\r'), QLatin1StringView("\\r"));
        text.replace(QLatin1Char('\n'), QLatin1StringView("\\n"));
        text.replace(QLatin1Char('\t'), QLatin1StringView("\\t"));
        return QLatin1Char('"') + text
            + (bytes.size() > MaxText ? QStringLiteral("\u2026\"") : QStringLiteral("\""));
    }
    QString hex
        = QString::fromLatin1(bytes.first(std::min(bytes.size(), MaxHex)).toByteArray().toHex(' '));
    if (bytes.size() > MaxHex)
        hex += QChar(0x2026);
    return WireTap::tr("the bytes %1").arg(hex);
}

// The names in a Sec-WebSocket-Extensions or -Protocol header (all of its lines): for
// extensions the token before any parameters (RFC 6455 section 9.1).
QList<QByteArray> headerTokens(const HeaderList &headers, QByteArrayView name, bool extensions)
{
    QList<QByteArray> tokens;
    for (const auto &header : headers) {
        if (QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) != 0)
            continue;
        for (QByteArray item : header.second.split(',')) {
            const qsizetype parameters = extensions ? item.indexOf(';') : -1;
            if (parameters >= 0)
                item.truncate(parameters);
            item = item.trimmed();
            if (!item.isEmpty())
                tokens.append(item);
        }
    }
    return tokens;
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
    m_stopped = true;
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
    if (!m_upstream || bytes.isEmpty())
        return;
    if (!m_decodeFrames) {
        m_upstream->write(bytes);
        return;
    }
    if (m_requestDone) {
        relayOutgoing(bytes);
        return;
    }
    m_downBuffer.append(bytes);
    const qsizetype end = m_downBuffer.indexOf("\r\n\r\n");
    if (end >= 0) {
        m_requestDone = true;
        const QByteArray all = std::exchange(m_downBuffer, QByteArray());
        m_request = http::parseRequestHead(QByteArrayView(all).first(end));
        if (m_request)
            Q_EMIT requestObserved(*m_request);
        if (m_stopped)
            return;
        m_upstream->write(all.first(end + 4));
        relayOutgoing(QByteArrayView(all).sliced(end + 4));
    } else if (m_downBuffer.size() > MaxHeadBytes) {
        // Not a request head Qt would send: relay it without observing.
        m_requestDone = true;
        m_out.failed = true;
        m_upstream->write(std::exchange(m_downBuffer, QByteArray()));
    }
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
        = http::parseRequestHead(QByteArrayView(m_downBuffer).first(end));
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
    m_upstreamPeer = addressWithPort(m_upstream->peerAddress(), m_upstream->peerPort());
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
    if (m_failed || m_stopped)
        return; // after the tap failed the connection, what the server still sends is dropped
    if (m_responseDone) {
        relayIncoming(bytes);
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
    if (!checkResponseStart())
        return;
    const qsizetype end = m_upBuffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_upBuffer.size() > MaxHeadBytes) {
            m_response = HttpResponseHead{};
            m_response->body = m_upBuffer.first(MaxBodyBytes);
            failResponse(
                QStringLiteral("bad-handshake-response"),
                tr("The server's HTTP response head is larger than %1 bytes.").arg(MaxHeadBytes));
        }
        return;
    }
    m_response = http::parseResponseHead(QByteArrayView(m_upBuffer).first(end));
    if (!m_response) {
        const QByteArray statusLine = m_upBuffer.first(m_upBuffer.indexOf("\r\n"));
        m_response = HttpResponseHead{};
        m_response->body = m_upBuffer.first(std::min(m_upBuffer.size(), MaxBodyBytes));
        failResponse(QStringLiteral("bad-handshake-response"),
                     tr("The server's answer is not a valid HTTP response head; its first line "
                        "is %1.")
                         .arg(previewBytes(statusLine)));
        return;
    }
    if (m_response->status != 101) {
        // Hold a rejection until its body is here, so the session can report it whole.
        m_holdingRejection = true;
        const QByteArray length = http::headerValue(m_response->headers, "Content-Length");
        bool ok = false;
        const qsizetype bodyLength = length.toLongLong(&ok);
        m_expectedBodyBytes = ok ? end + 4 + bodyLength : -1;
        m_bodyTimer.start();
        if (m_expectedBodyBytes >= 0 && m_upBuffer.size() >= m_expectedBodyBytes)
            finishRejection();
        return;
    }
    m_responseDone = true;
    if (!checkNegotiation())
        return;
    Q_EMIT responseObserved(*m_response);
    if (m_stopped)
        return;
    const QByteArray all = std::exchange(m_upBuffer, QByteArray());
    forwardToDownstream(all.first(end + 4));
    relayIncoming(QByteArrayView(all).sliced(end + 4));
}

bool WireTap::checkResponseStart()
{
    // Section 4.1: the answer is an HTTP response, so it starts with "HTTP/" (RFC 9112
    // section 2.3: the name is case-sensitive). Anything else is refused at once, without
    // waiting for a head that will never come.
    static constexpr QByteArrayView Start("HTTP/");
    const qsizetype n = std::min(m_upBuffer.size(), Start.size());
    if (QByteArrayView(m_upBuffer).first(n) == Start.first(n))
        return true;
    m_response = HttpResponseHead{};
    m_response->body = m_upBuffer.first(std::min(m_upBuffer.size(), MaxBodyBytes));
    failResponse(QStringLiteral("bad-handshake-response"),
                 tr("The server's answer is not HTTP: it began with %1 where a status line "
                    "such as \"HTTP/1.1 101 Switching Protocols\" was expected.")
                     .arg(previewBytes(m_upBuffer)));
    return false;
}

bool WireTap::checkNegotiation()
{
    // Section 4.1: the client MUST fail the connection if the 101 selects an extension
    // that was not in its request, or a subprotocol it did not request.
    const HeaderList requestHeaders = m_request ? m_request->headers : HeaderList();
    const QList<QByteArray> offered
        = headerTokens(requestHeaders, "Sec-WebSocket-Extensions", true);
    for (const QByteArray &name :
         headerTokens(m_response->headers, "Sec-WebSocket-Extensions", true)) {
        const bool wasOffered = std::any_of(offered.begin(), offered.end(), [&](const auto &o) {
            return QByteArrayView(o).compare(name, Qt::CaseInsensitive) == 0;
        });
        if (!wasOffered) {
            failResponse(QStringLiteral("handshake-unrequested-extension"),
                         tr("The server's handshake response selects the extension \"%1\", "
                            "which the client did not offer (RFC 6455 section 4.1).")
                             .arg(QString::fromUtf8(name)));
            return false;
        }
    }
    const QList<QByteArray> selected
        = headerTokens(m_response->headers, "Sec-WebSocket-Protocol", false);
    if (selected.isEmpty())
        return true;
    const QList<QByteArray> requested
        = headerTokens(requestHeaders, "Sec-WebSocket-Protocol", false);
    if (selected.size() > 1) {
        failResponse(QStringLiteral("handshake-unrequested-subprotocol"),
                     tr("The server's handshake response selects %1 subprotocols (\"%2\"); it "
                        "must select one of those requested (RFC 6455 section 4.1).")
                         .arg(selected.size())
                         .arg(QString::fromUtf8(selected.join(", "))));
        return false;
    }
    if (!requested.contains(selected.first())) {
        failResponse(QStringLiteral("handshake-unrequested-subprotocol"),
                     tr("The server's handshake response selects the subprotocol \"%1\", "
                        "which the client did not request (RFC 6455 section 4.1).")
                         .arg(QString::fromUtf8(selected.first())));
        return false;
    }
    return true;
}

void WireTap::failResponse(const QString &id, const QString &sentence)
{
    // The handshake is refused, so the WebSocket connection never existed: no Close frame
    // (section 7.1.7), Qt never sees the answer, and response() keeps it for the log.
    m_responseDone = true;
    m_failed = true;
    m_bodyTimer.stop();
    failUpstream(id, sentence, QByteArray());
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

void WireTap::startDirection(Direction *direction, quint64 limit)
{
    frames::FrameDecoder::Options options;
    options.maxPayload = limit;
    options.allowedRsv = 0; // no extension is ever negotiated (QtWebSockets has none)
    direction->decoder = frames::FrameDecoder(options);
    direction->assembler.emplace(limit);
}

void WireTap::forwardChecked(Direction *direction, qsizetype checked, QTcpSocket *to)
{
    if (checked <= 0)
        return;
    if (to && to->state() == QAbstractSocket::ConnectedState)
        to->write(direction->raw.constData(), checked);
    direction->raw.remove(0, checked);
}

void WireTap::relayIncoming(QByteArrayView bytes)
{
    // Section 5.5.1: nothing follows the server's Close.
    if (bytes.isEmpty() || m_closeReceived || m_failed)
        return;
    if (!m_in.assembler)
        startDirection(&m_in, m_maxMessageSize);
    m_in.raw.append(bytes);
    m_in.decoder.feed(bytes);
    // m_in.raw up to `checked` holds whole frames that passed every check.
    qsizetype checked = 0;
    frames::Frame frame;
    for (;;) {
        // Section 5.1: "A client MUST close a connection if it detects a masked frame."
        // Checked on the header, before the payload is even buffered.
        if (m_in.raw.size() - checked >= 2 && (quint8(m_in.raw.at(checked + 1)) & 0x80) != 0) {
            forwardChecked(&m_in, checked, m_downstream);
            failConnection(QStringLiteral("protocol-masked-frame"),
                           frames::ProtocolError{1002,
                                                 tr("the server sent a masked frame (RFC 6455 "
                                                    "section 5.1)"),
                                                 {}});
            return;
        }
        const auto status = m_in.decoder.next(&frame);
        if (status == frames::FrameDecoder::Status::NeedMore)
            break;
        if (status == frames::FrameDecoder::Status::Error) {
            const frames::ProtocolError error = *m_in.decoder.error();
            const QString id = frames::decoderErrorId(quint8(m_in.raw.at(checked)), error);
            forwardChecked(&m_in, checked, m_downstream);
            failConnection(id, error);
            return;
        }
        frames::AssembledMessage message;
        const auto assembled = m_in.assembler->add(frame, &message);
        if (assembled == frames::MessageAssembler::Status::Error) {
            const frames::ProtocolError error = *m_in.assembler->error();
            forwardChecked(&m_in, checked, m_downstream);
            failConnection(frames::assemblerErrorId(error), error);
            return;
        }
        const bool isClose = frame.opcode == quint8(protocol::Opcode::Close);
        if (isClose) {
            if (const auto problem = closePayloadProblem(frame.payload)) {
                forwardChecked(&m_in, checked, m_downstream);
                failConnection(problem->first, problem->second);
                return;
            }
        }
        checked += frames::bytesOnWire(frame);
        if (assembled == frames::MessageAssembler::Status::Incomplete)
            continue;
        Q_EMIT messageObserved(EventDirection::In, message);
        if (m_stopped || m_failed)
            return;
        if (isClose) {
            m_closeReceived = true;
            answerClose(frame.payload);
            // Qt gets the Close too, so that it closes; its answer is dropped (the tap's went).
            forwardChecked(&m_in, checked, m_downstream);
            m_in.raw.clear();
            return;
        }
    }
    forwardChecked(&m_in, checked, m_downstream);
}

void WireTap::relayOutgoing(QByteArrayView bytes)
{
    // Section 5.5.1: after a Close nothing more is sent. Once the tap sent one (an answer, or
    // a failed connection), what Qt still sends, its own answer included, is dropped.
    if (bytes.isEmpty() || !m_upstream || m_closeSent)
        return;
    if (m_out.failed) {
        m_upstream->write(bytes.data(), bytes.size());
        return;
    }
    if (!m_out.assembler)
        startDirection(&m_out, std::max(m_maxMessageSize, MinOutgoingLimit));
    m_out.raw.append(bytes);
    m_out.decoder.feed(bytes);
    qsizetype checked = 0;
    frames::Frame frame;
    for (;;) {
        const auto status = m_out.decoder.next(&frame);
        if (status == frames::FrameDecoder::Status::NeedMore)
            break;
        if (status == frames::FrameDecoder::Status::Error) {
            // Qt's own bytes: they go on as they are, no longer observed.
            m_out.failed = true;
            Q_EMIT decodeFailed(EventDirection::Out, *m_out.decoder.error());
            if (m_upstream)
                m_upstream->write(std::exchange(m_out.raw, QByteArray()));
            return;
        }
        checked += frames::bytesOnWire(frame);
        if (!m_out.assembler->error()) {
            frames::AssembledMessage message;
            const auto assembled = m_out.assembler->add(frame, &message);
            if (assembled == frames::MessageAssembler::Status::Error)
                Q_EMIT decodeFailed(EventDirection::Out, *m_out.assembler->error());
            else if (assembled != frames::MessageAssembler::Status::Incomplete)
                Q_EMIT messageObserved(EventDirection::Out, message);
            if (m_stopped || !m_upstream)
                return;
        }
        if (frame.opcode == quint8(protocol::Opcode::Close)) {
            forwardChecked(&m_out, checked, m_upstream);
            m_closeSent = true;
            m_out.raw.clear();
            return;
        }
    }
    forwardChecked(&m_out, checked, m_upstream);
}

void WireTap::answerClose(const QByteArray &payload)
{
    if (m_closeSent)
        return; // the server's Close answers ours
    // Section 5.5.1: answer with a Close, echoing the status code; an empty Close is answered
    // with an empty one. The tap answers, not Qt: Qt 6.4 refuses 1012-1014 (registered with
    // IANA) and would answer 1002.
    const int code
        = payload.size() >= 2 ? (int(quint8(payload.at(0))) << 8) | int(quint8(payload.at(1))) : 0;
    sendClose(code, QString());
}

void WireTap::sendClose(int code, const QString &reason)
{
    if (m_closeSent || !m_upstream || m_upstream->state() != QAbstractSocket::ConnectedState)
        return;
    // Between whole frames: a frame Qt had only begun to send is not finished, since nothing
    // may follow the Close.
    m_out.raw.clear();
    m_closeSent = true;
    m_upstream->write(frames::encodeClose(code, reason, randomMaskKey()));
}

void WireTap::failConnection(const QString &errorId, const frames::ProtocolError &error)
{
    if (m_failed)
        return;
    m_failed = true;
    Q_EMIT serverViolation(errorId, error);
    if (m_stopped)
        return;
    // Section 7.1.7: Close with the error's code; its reason is the id (text on the wire is
    // fixed English, and the id says what happened).
    sendClose(error.closeCode, errorId);
    m_in.raw.clear();
    // Qt has the frames that passed; its side ends, and the session reports the tap's close.
    if (m_downstream && m_downstream->state() == QAbstractSocket::ConnectedState)
        m_downstream->disconnectFromHost();
    // Section 7.1.1: the server answers and ends TCP first; wait for that, bounded.
    startLinger();
}

void WireTap::forwardToDownstream(const QByteArray &bytes)
{
    if (m_downstream && !bytes.isEmpty())
        m_downstream->write(bytes);
}

void WireTap::onUpstreamDisconnected()
{
    readUpstream(); // what arrived just before the end
    if (m_holdingRejection)
        finishRejection();
    if (m_decodeFrames && m_connectAnswered && !m_responseDone && !m_failed && !m_stopped
        && !m_upBuffer.isEmpty()) {
        // The server sent the start of an HTTP head and then hung up.
        m_response = HttpResponseHead{};
        m_response->body = m_upBuffer.first(std::min(m_upBuffer.size(), MaxBodyBytes));
        failResponse(QStringLiteral("bad-handshake-response"),
                     tr("The server's answer ended before its HTTP head was complete; it "
                        "began with %1.")
                         .arg(previewBytes(m_upBuffer)));
        return;
    }
    m_lingering = false;
    m_lingerTimer.stop();
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
    readDownstream(); // Qt's last bytes (its Close) may still be unread
    m_connectTimer.stop();
    if (!m_upstream || m_upstream->state() == QAbstractSocket::UnconnectedState) {
        markRelayFinished();
        return;
    }
    // After a Close went out, the server's Close (if it is not here yet) and the end of TCP
    // are the server's to send (section 7.1.1): keep the upstream side open for them,
    // briefly. Its pending bytes (the Close) are written either way.
    if (m_decodeFrames && m_closeSent) {
        startLinger();
        return;
    }
    m_upstream->disconnectFromHost();
}

void WireTap::startLinger()
{
    if (m_lingering)
        return;
    m_lingering = true;
    m_lingerTimer.start();
}

void WireTap::finishLinger()
{
    if (!m_lingering)
        return;
    m_lingering = false;
    m_lingerTimer.stop();
    // The server did not end TCP in time: end it from here (after what is still to write).
    if (m_upstream && m_upstream->state() != QAbstractSocket::UnconnectedState)
        m_upstream->disconnectFromHost();
    else
        markRelayFinished();
}

} // namespace sockpit::client
