#include "clientsession.h"
#include "protocol/timing.h"

#include "events/eventsink.h"
#include "frames/frameencoder.h"
#include "loopbackidentity.h"
#include "protocol/closecodes.h"
#include "protocol/httphead.h"
#include "protocol/opcodes.h"
#include "protocol/pingclock.h"
#include "server/listenaddress.h"
#include "tls/tlscontext.h"
#include "wiretap.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkProxy>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslSocket>
#include <QStringBuilder>
#include <QStringDecoder>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <deque>
#include <functional>

namespace sockpit {

using client::WireTap;
using frames::AssembledMessage;
using protocol::Opcode;

namespace {
constexpr int CloseHandshakeTimeoutMs = timing::ClientCloseReplyMs;

// The body as one short line for the error sentence (an HTML page would flood a terminal);
// the handshake event keeps the body itself.
QString describeBody(const QByteArray &body)
{
    constexpr qsizetype MaxShown = 200;
    const QString text = QString::fromUtf8(body).simplified();
    if (text.isEmpty())
        return QCoreApplication::translate("sockpit::ClientSession", "no body");
    if (text.size() <= MaxShown)
        return text;
    return text.first(MaxShown) + QChar(0x2026);
}
// An answer that is not a refusal of the upgrade but a page: a success or a redirect
// (the URL is an ordinary web resource), or any answer whose body is HTML.
bool isWebPage(const HttpResponseHead &response)
{
    if (response.status >= 200 && response.status < 400)
        return true;
    const QByteArray type = http::headerValue(response.headers, "Content-Type").toLower();
    const QByteArray body = response.body.trimmed().left(64).toLower();
    return type.startsWith("text/html") || body.startsWith("<!doctype html")
        || body.startsWith("<html");
}

// The text of a message exactly as sent: QString::fromUtf8 would drop a leading byte order
// mark, which is part of the message (the tap has checked that the bytes are UTF-8).
QString textAsSent(const QByteArray &utf8)
{
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless
                               | QStringDecoder::Flag::ConvertInitialBom);
    return decoder(utf8);
}
} // namespace

class ClientSession::Private
{
public:
    ClientSession *q;
    EventSink *sink;
    ClientConfig config;
    State state = State::Idle;
    qint64 connectionId = 0;
    QString subprotocol;

    QPointer<QWebSocket> socket;
    QPointer<WireTap> tap;
    bool observeFrames = false; // the tap decodes this connection's frames
    bool terminatedTls = false; // wss through the tap: TLS ends at the tap, which verifies
    QString notObservedReason; // why a wss connection's wire cannot be observed
    QTimer phaseTimer; // guards connecting and closing
    protocol::PingClock pingClock; // pings out and pongs in, where their frames pass
    bool handshakeRecorded = false;
    bool failedReported = false;
    bool localCloseRequested = false;
    bool aboutToCloseSeen = false;
    bool aborted = false;
    bool waitingForRelay = false;
    bool verificationDisabled = false;
    QList<QSslError> sslErrors;
    HttpRequestHead builtRequest;
    std::optional<frames::ClosePayload> peerCloseFrame; // observed by the tap
    std::optional<frames::ClosePayload> localCloseFrame;
    // What the tap saw from the server before Qt reported the connection open (the 101 and
    // the first frames can arrive together): delivered right after the open event.
    std::deque<AssembledMessage> pendingIncoming;
    struct Violation
    {
        QString id;
        frames::ProtocolError error;
    };
    std::optional<Violation> pendingViolation;
    std::optional<Violation> tapFailure; // the tap failed the connection (section 7.1.7)

    explicit Private(ClientSession *session, EventSink *eventSink)
        : q(session)
        , sink(eventSink)
    {
        phaseTimer.setSingleShot(true);
    }

    Event base(EventKind kind, EventDirection direction) const
    {
        Event e;
        e.source = EventSource::Client;
        e.connection = connectionId;
        e.kind = kind;
        e.direction = direction;
        return e;
    }

    void record(Event event)
    {
        if (sink)
            sink->record(std::move(event));
    }

    void setState(State next)
    {
        if (state == next)
            return;
        state = next;
        Q_EMIT q->stateChanged(next);
    }

    void fail(const QString &id, const QString &sentence)
    {
        if (failedReported)
            return;
        failedReported = true;
        phaseTimer.stop();
        recordHandshakeIfObserved();
        record(makeErrorEvent(EventSource::Client, connectionId, id, sentence));
        teardown();
        setState(State::Closed);
        Q_EMIT q->failed(id, sentence);
    }

    void teardown()
    {
        if (socket) {
            socket->disconnect(q);
            socket->abort();
            socket->deleteLater();
        }
        socket.clear();
        if (tap) {
            tap->disconnect(q);
            tap->abortAll();
            tap->deleteLater();
        }
        tap.clear();
    }

    // What QWebSocket will send (its createHandShakeRequest order), for when the wire
    // cannot be observed.
    HttpRequestHead buildRequest(const QNetworkRequest &request) const
    {
        HttpRequestHead head;
        head.method = "GET";
        const QUrl url = config.url;
        QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
        if (target.isEmpty())
            target = "/";
        if (url.hasQuery())
            target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
        head.target = target;
        QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
        if (url.port() != -1)
            host += ':' + QByteArray::number(url.port());
        head.headers.append(qMakePair(QByteArray("Host"), host));
        head.headers.append(qMakePair(QByteArray("Upgrade"), QByteArray("websocket")));
        head.headers.append(qMakePair(QByteArray("Connection"), QByteArray("Upgrade")));
        head.headers.append(qMakePair(QByteArray("Sec-WebSocket-Key"),
                                      tr("(generated by Qt, not observed)").toUtf8()));
        if (!config.origin.isEmpty())
            head.headers.append(qMakePair(QByteArray("Origin"), config.origin.toUtf8()));
        head.headers.append(qMakePair(QByteArray("Sec-WebSocket-Version"), QByteArray("13")));
        if (!config.subprotocols.isEmpty())
            head.headers.append(qMakePair(QByteArray("Sec-WebSocket-Protocol"),
                                          config.subprotocols.join(QStringLiteral(", ")).toUtf8()));
        for (const QByteArray &name : request.rawHeaderList())
            head.headers.append(qMakePair(name, request.rawHeader(name)));
        return head;
    }

    // `sent`: the handshake request is known to have gone out (the connection opened), so
    // the request as built may stand in for an unobservable one (wss).
    void recordHandshakeIfObserved(bool sent = false)
    {
        if (handshakeRecorded)
            return;
        auto handshake = std::make_shared<Handshake>();
        if (tap && tap->request())
            handshake->request = *tap->request();
        else if (sent && !observeFrames)
            handshake->request = builtRequest;
        else
            return;
        if (tap)
            handshake->response = tap->response();
        handshakeRecorded = true;
        Event e = base(EventKind::Handshake, EventDirection::Out);
        e.handshake = std::move(handshake);
        record(std::move(e));
    }

    void onTapResponse(const HttpResponseHead &) { recordHandshakeIfObserved(); }

    // A ping or pong as the tap saw it on the wire, with its frames.
    Event wireControlEvent(EventDirection direction, EventKind kind,
                           const AssembledMessage &message) const
    {
        Event e
            = makeControlEvent(EventSource::Client, connectionId, direction, kind, message.payload);
        e.frames = message.frames;
        return e;
    }

    void onTapMessage(EventDirection direction, const AssembledMessage &message)
    {
        const auto opcode = Opcode(message.opcode);
        if (direction == EventDirection::In) {
            if (state == State::Connecting)
                pendingIncoming.push_back(message);
            else
                deliverIncoming(message);
            return;
        }
        switch (opcode) {
        case Opcode::Text:
        case Opcode::Binary: {
            // Outgoing messages are recorded as the tap saw them on the wire, with frames.
            Event e = opcode == Opcode::Text
                ? makeTextEvent(EventSource::Client, connectionId, EventDirection::Out,
                                message.payload)
                : makeBinaryEvent(EventSource::Client, connectionId, EventDirection::Out,
                                  message.payload);
            e.frames = message.frames;
            record(std::move(e));
            break;
        }
        case Opcode::Ping: {
            pingClock.sent(message.payload);
            record(wireControlEvent(EventDirection::Out, EventKind::Ping, message));
            break;
        }
        case Opcode::Pong: {
            // QWebSocket's automatic answer to a server's ping (section 5.5.3).
            record(wireControlEvent(EventDirection::Out, EventKind::Pong, message));
            break;
        }
        case Opcode::Close:
            localCloseFrame = frames::parseClosePayload(message.payload);
            break;
        default:
            break;
        }
    }

    // A message from the server as the tap saw it on the wire: the log and the application
    // get exactly those bytes (Qt's own message signals would, for instance, drop a leading
    // byte order mark).
    void deliverIncoming(const AssembledMessage &message)
    {
        switch (Opcode(message.opcode)) {
        case Opcode::Text: {
            Event e = makeTextEvent(EventSource::Client, connectionId, EventDirection::In,
                                    message.payload);
            e.frames = message.frames;
            record(std::move(e));
            Q_EMIT q->textReceived(textAsSent(message.payload));
            break;
        }
        case Opcode::Binary: {
            Event e = makeBinaryEvent(EventSource::Client, connectionId, EventDirection::In,
                                      message.payload);
            e.frames = message.frames;
            record(std::move(e));
            Q_EMIT q->binaryReceived(message.payload);
            break;
        }
        case Opcode::Close:
            peerCloseFrame = frames::parseClosePayload(message.payload);
            break;
        case Opcode::Ping: {
            // QWebSocket answers pings itself and does not tell: only the tap sees them.
            record(wireControlEvent(EventDirection::In, EventKind::Ping, message));
            break;
        }
        case Opcode::Pong: {
            Event e = wireControlEvent(EventDirection::In, EventKind::Pong, message);
            e.rttMs = pingClock.answered(message.payload);
            const double rtt = e.rttMs.value_or(-1);
            record(std::move(e));
            Q_EMIT q->pongReceived(rtt, message.payload);
            break;
        }
        default:
            break;
        }
    }

    void onTapViolation(const QString &id, const frames::ProtocolError &error)
    {
        if (state == State::Connecting) {
            pendingViolation = Violation{id, error};
            return;
        }
        applyViolation(Violation{id, error});
    }

    // The tap failed the connection: say so (the error event and protocolFailure()); the
    // close is reported once the connection has ended.
    void applyViolation(const Violation &violation)
    {
        tapFailure = violation;
        const QString sentence = violation.error.closeCode == 1009
            ? tr("The server sent a message over the limit: %1. The connection was failed with "
                 "close code 1009.")
                  .arg(violation.error.shown())
            : tr("The server violated the protocol: %1. The connection was failed with close "
                 "code %2.")
                  .arg(violation.error.shown())
                  .arg(violation.error.closeCode);
        record(makeErrorEvent(EventSource::Client, connectionId, violation.id, sentence));
        if (state == State::Open)
            setState(State::Closing);
        if (!phaseTimer.isActive())
            phaseTimer.start(CloseHandshakeTimeoutMs);
        Q_EMIT q->protocolFailure(violation.id, sentence);
    }

    void onTapDecodeFailed(EventDirection direction, const frames::ProtocolError &error)
    {
        record(
            makeErrorEvent(EventSource::Client, connectionId, QStringLiteral("protocol-error"),
                           (direction == EventDirection::In
                                ? tr("The server sent an invalid frame: %1 (close code %2).")
                                : tr("An outgoing frame could not be decoded: %1 (close code %2)."))
                               .arg(error.shown())
                               .arg(error.closeCode)));
    }

    void onConnected()
    {
        phaseTimer.stop();
        subprotocol = socket->subprotocol();
        recordHandshakeIfObserved(true);
        if (config.url.scheme() == QLatin1StringView("wss")) {
            // Through the terminating tap, QWebSocket's own session is the loopback hop to
            // the tap: the facts that matter are those of the tap's session with the server.
            const QSslConfiguration session
                = terminatedTls && tap ? tap->upstreamTlsSession() : socket->sslConfiguration();
            Event tlsEvent = base(EventKind::Tls, EventDirection::None);
            tlsEvent.tls = std::make_shared<TlsInfo>(
                tls::describeSession(session, sslErrors, verificationDisabled));
            record(std::move(tlsEvent));
            if (!terminatedTls) {
                QString sentence
                    = tr("Over wss the wire is encrypted: the handshake request shown is the one "
                         "Qt was asked to send, and the response headers and frame boundaries "
                         "could not be observed.");
                if (!notObservedReason.isEmpty())
                    sentence += QLatin1Char(' ') + notObservedReason;
                record(makeErrorEvent(EventSource::Client, connectionId,
                                      QStringLiteral("wire-not-observed"), sentence));
            }
        }
        Event e = base(EventKind::Open, EventDirection::None);
        if (tap && !tap->upstreamPeer().isEmpty()) {
            e.peer = tap->upstreamPeer();
        } else {
            e.peer = addressWithPort(socket->peerAddress(), socket->peerPort());
        }
        e.subprotocol = subprotocol;
        record(std::move(e));
        setState(State::Open);
        Q_EMIT q->opened();
        // What the server sent right behind its 101, in wire order, then a violation in it.
        while (!pendingIncoming.empty() && state != State::Closed) {
            const AssembledMessage message = std::move(pendingIncoming.front());
            pendingIncoming.pop_front();
            deliverIncoming(message);
        }
        if (pendingViolation && state != State::Closed)
            applyViolation(*std::exchange(pendingViolation, std::nullopt));
    }

    // Without the tap's frames (wss it cannot terminate, or no tap), Qt's messages are all
    // there is.
    void onText(const QString &text)
    {
        record(makeTextEvent(EventSource::Client, connectionId, EventDirection::In, text.toUtf8()));
        Q_EMIT q->textReceived(text);
    }

    void onBinary(const QByteArray &data)
    {
        record(makeBinaryEvent(EventSource::Client, connectionId, EventDirection::In, data));
        Q_EMIT q->binaryReceived(data);
    }

    // Only when the tap does not decode frames (wss it does not terminate).
    void onPong(quint64 elapsedMs, const QByteArray &payload)
    {
        const double rtt = pingClock.answered(payload).value_or(double(elapsedMs));
        Event e = makeControlEvent(EventSource::Client, connectionId, EventDirection::In,
                                   EventKind::Pong, payload);
        e.rttMs = rtt;
        record(std::move(e));
        Q_EMIT q->pongReceived(rtt, payload);
    }

    // The real server's certificate errors: from QWebSocket's socket, or from the tap
    // when it terminates TLS (then `ignore` tells the tap to go on).
    void onSslErrors(const QList<QSslError> &errors, const std::function<void()> &ignore)
    {
        sslErrors = errors;
        for (const QSslError &error : errors) {
            const QString where = error.certificate().isNull()
                ? QString()
                : tr(" (certificate: %1)")
                      .arg(error.certificate()
                               .subjectInfo(QSslCertificate::CommonName)
                               .join(QStringLiteral(", ")));
            record(makeErrorEvent(EventSource::Client, connectionId, QStringLiteral("tls-error"),
                                  error.errorString() + where));
        }
        if (config.tls.ignoreCertificateErrors) {
            verificationDisabled = true;
            record(makeErrorEvent(
                EventSource::Client, connectionId, QStringLiteral("tls-verification-disabled"),
                tr("Certificate verification is disabled for this connection by the user: the "
                   "errors above were ignored.")));
            ignore();
        }
    }

    // Certificate errors on the loopback hop between QWebSocket and the terminating tap: a
    // fault of Sockpit, not of the server. Never ignored.
    void onLoopbackSslErrors(const QList<QSslError> &errors)
    {
        for (const QSslError &error : errors)
            record(makeErrorEvent(EventSource::Client, connectionId,
                                  QStringLiteral("wire-tap-tls-error"),
                                  tr("The internal TLS hop to the wire tap was not trusted: %1")
                                      .arg(error.errorString())));
    }

    void onError(QAbstractSocket::SocketError error)
    {
        if (state == State::Connecting) {
            if (failedReported)
                return;
            const QString target = config.url.host() + QLatin1Char(':')
                + QString::number(config.url.port(
                    config.url.scheme() == QLatin1StringView("wss") ? 443 : 80));
            if (tap && tap->response() && tap->response()->status != 101) {
                const HttpResponseHead &r = *tap->response();
                // A page (an ordinary web server, a proxy's error page) says nothing a
                // person can read in one line: name the answer and leave the body to the
                // handshake event, where the inspector shows it.
                if (isWebPage(r)) {
                    fail(QStringLiteral("handshake-rejected"),
                         tr("HTTP %1 %2: not a WebSocket endpoint")
                             .arg(r.status)
                             .arg(QString::fromLatin1(r.reason)));
                    return;
                }
                fail(QStringLiteral("handshake-rejected"),
                     tr("The server rejected the WebSocket handshake with HTTP %1 %2: %3.")
                         .arg(r.status)
                         .arg(QString::fromLatin1(r.reason), describeBody(r.body)));
                return;
            }
            switch (error) {
            case QAbstractSocket::HostNotFoundError:
                fail(QStringLiteral("host-not-found"),
                     tr("The host name \"%1\" could not be resolved.").arg(config.url.host()));
                return;
            case QAbstractSocket::ConnectionRefusedError:
                if (socket->errorString().contains(QLatin1StringView("status code"))
                    || socket->errorString().contains(QLatin1StringView("processHandshake"))) {
                    fail(QStringLiteral("handshake-rejected"),
                         tr("The server rejected the WebSocket handshake: %1")
                             .arg(socket->errorString()));
                } else if (tap && tap->response()) {
                    fail(QStringLiteral("handshake-invalid"),
                         tr("The server's handshake response was not accepted: %1")
                             .arg(socket->errorString()));
                } else {
                    fail(QStringLiteral("connection-refused"),
                         tr("Connection refused by %1: nothing is listening there.").arg(target));
                }
                return;
            case QAbstractSocket::SocketTimeoutError:
                fail(QStringLiteral("timeout"),
                     tr("Timed out while connecting to %1.").arg(target));
                return;
            case QAbstractSocket::SslHandshakeFailedError:
                if (terminatedTls) {
                    fail(QStringLiteral("wire-tap-failed"),
                         tr("The internal TLS hop between Qt and the wire tap failed: %1")
                             .arg(socket->errorString()));
                    return;
                }
                fail(QStringLiteral("tls-handshake-failed"),
                     tr("The TLS handshake with %1 failed: %2").arg(target, socket->errorString()));
                return;
            case QAbstractSocket::RemoteHostClosedError: {
                QString sentence
                    = tr("%1 closed the connection before completing the WebSocket handshake.")
                          .arg(target);
                // Seen by the terminating tap: TLS succeeded and the server then hung up
                // without an HTTP answer, which is how TLS 1.3 servers refuse a client
                // certificate.
                if (terminatedTls && tap && tap->isUpstreamConnected() && !tap->response())
                    sentence += QLatin1Char(' ')
                        + tr("It hung up right after the TLS handshake without an HTTP answer: a "
                             "server that requires a client certificate does this when it "
                             "refuses the one presented, or its absence.");
                fail(QStringLiteral("handshake-failed"), sentence);
                return;
            }
            default:
                fail(QStringLiteral("network-error"),
                     tr("Could not connect to %1: %2").arg(target, socket->errorString()));
                return;
            }
        }
        // After the handshake, the end of the connection is reported by onDisconnected.
    }

    void onAboutToClose()
    {
        aboutToCloseSeen = true;
        if (state == State::Open)
            setState(State::Closing);
        if (!phaseTimer.isActive())
            phaseTimer.start(CloseHandshakeTimeoutMs);
    }

    void onDisconnected()
    {
        phaseTimer.stop();
        if (failedReported || state == State::Closed)
            return;
        if (tap && !tap->isRelayFinished()) {
            // QWebSocket drops its side right after its own Close frame; the tap still writes
            // Qt's last bytes (a Close answering the server's) and the server's answer may
            // still be in flight to it. Wait for the relay to end (bounded by the tap's linger
            // and by this guard): deleting the tap earlier would lose them.
            waitingForRelay = true;
            QObject::connect(
                tap, &WireTap::relayFinished, q, [this] { finishDisconnect(); },
                Qt::SingleShotConnection);
            phaseTimer.start(WireTap::LingerMs + 1000);
            return;
        }
        finishDisconnect();
    }

    void finishDisconnect()
    {
        waitingForRelay = false;
        phaseTimer.stop();
        if (failedReported || state == State::Closed)
            return;
        if (state == State::Connecting) {
            // Without the tap QWebSocket may report disconnected() before error(): the
            // socket's last error is still the precise cause.
            if (socket && socket->error() != QAbstractSocket::UnknownSocketError)
                onError(socket->error());
            fail(QStringLiteral("handshake-failed"),
                 tr("The connection ended before the WebSocket handshake completed."));
            return;
        }
        int code = 1006;
        bool unobservedAnswer = false;
        bool localSent = false; // the code is that of a Close this side sent
        QString reason = tr("abnormal closure");
        CloseInitiator initiator = CloseInitiator::Remote;
        if (aborted) {
            initiator = CloseInitiator::Local;
            reason = tr("abnormal closure (aborted locally)");
        } else if (tapFailure) {
            // The Close the tap sent when it failed the connection (section 7.1.7).
            initiator = CloseInitiator::Local;
            code = tapFailure->error.closeCode;
            reason = tapFailure->id;
            localSent = true;
        } else if (localCloseRequested) {
            initiator = CloseInitiator::Local;
            if (peerCloseFrame) {
                code = peerCloseFrame->code;
                reason = peerCloseFrame->reason;
            } else if (!observeFrames && aboutToCloseSeen) {
                // Over wss the server's answer cannot be seen: QWebSocket reports our own
                // code back, so this close is not claimed as the server's ("none").
                code = int(socket ? socket->closeCode() : 1006);
                reason = socket ? socket->closeReason() : QString();
                unobservedAnswer = true;
            } else {
                reason = tr("abnormal closure: the server did not answer the close frame");
            }
        } else if (peerCloseFrame) {
            code = peerCloseFrame->code;
            reason = peerCloseFrame->reason;
        } else if (localCloseFrame) {
            // QWebSocket failed the connection on its own: the tap passed what Qt then refused
            // (Qt 6.4 checks UTF-8 per frame, so a character split across frames).
            initiator = CloseInitiator::Local;
            code = localCloseFrame->code;
            reason = localCloseFrame->reason;
            localSent = true;
            const QString sentence = tr("The connection was failed locally with close code %1: %2")
                                         .arg(code)
                                         .arg(reason);
            record(makeErrorEvent(EventSource::Client, connectionId,
                                  QStringLiteral("protocol-error"), sentence));
            Q_EMIT q->protocolFailure(QStringLiteral("protocol-error"), sentence);
        } else if (!observeFrames && aboutToCloseSeen && socket) {
            code = int(socket->closeCode());
            reason = socket->closeReason();
        }
        const EventDirection direction = code == 1006 || unobservedAnswer
            ? EventDirection::None
            : (localSent ? EventDirection::Out : EventDirection::In);
        record(
            makeCloseEvent(EventSource::Client, connectionId, direction, code, reason, initiator));
        setState(State::Closed);
        if (tap) {
            tap->disconnect(q);
            tap->deleteLater();
            tap.clear();
        }
        Q_EMIT q->closed(code, reason, initiator);
    }

    void onPhaseTimeout()
    {
        if (state == State::Connecting) {
            const QString target = config.url.host() + QLatin1Char(':')
                + QString::number(config.url.port(
                    config.url.scheme() == QLatin1StringView("wss") ? 443 : 80));
            if (tap && tap->isUpstreamConnected())
                fail(QStringLiteral("timeout"),
                     tr("Timed out after %1 ms: %2 accepted the connection but did not answer the "
                        "WebSocket handshake.")
                         .arg(config.connectTimeoutMs)
                         .arg(target));
            else
                fail(QStringLiteral("timeout"),
                     tr("Timed out after %1 ms while connecting to %2.")
                         .arg(config.connectTimeoutMs)
                         .arg(target));
            return;
        }
        if (waitingForRelay) {
            finishDisconnect();
            return;
        }
        if (state == State::Closing && socket) {
            // The peer did not finish the closing handshake in time (section 7.1.1).
            socket->abort();
        }
    }
};

ClientSession::ClientSession(EventSink *sink, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, sink))
{
    connect(&d->phaseTimer, &QTimer::timeout, this, [this] { d->onPhaseTimeout(); });
}

ClientSession::~ClientSession()
{
    d->teardown();
}

ClientSession::State ClientSession::state() const
{
    return d->state;
}

qint64 ClientSession::connectionId() const
{
    return d->connectionId;
}

quint16 ClientSession::localPort() const
{
    if (d->tap && d->tap->upstreamLocalPort() != 0)
        return d->tap->upstreamLocalPort();
    return d->socket ? d->socket->localPort() : quint16(0);
}

QString ClientSession::negotiatedSubprotocol() const
{
    return d->subprotocol;
}

const ClientConfig &ClientSession::config() const
{
    return d->config;
}

void ClientSession::open(const ClientConfig &config)
{
    d->teardown();
    d->config = config;
    d->connectionId = nextConnectionId();
    d->subprotocol.clear();
    d->handshakeRecorded = false;
    d->failedReported = false;
    d->localCloseRequested = false;
    d->aboutToCloseSeen = false;
    d->aborted = false;
    d->waitingForRelay = false;
    d->verificationDisabled = false;
    d->sslErrors.clear();
    d->peerCloseFrame.reset();
    d->localCloseFrame.reset();
    d->pendingIncoming.clear();
    d->pendingViolation.reset();
    d->tapFailure.reset();
    d->pingClock = protocol::PingClock();
    d->setState(State::Connecting);

    const QUrl &url = config.url;
    const QString scheme = url.scheme().toLower();
    if (!url.isValid()
        || (scheme != QLatin1StringView("ws") && scheme != QLatin1StringView("wss"))) {
        d->fail(QStringLiteral("bad-url"),
                tr("\"%1\" is not a WebSocket URL: it must start with ws:// or wss://.")
                    .arg(url.toDisplayString()));
        return;
    }
    if (url.host().isEmpty()) {
        d->fail(QStringLiteral("bad-url"),
                tr("\"%1\" has no host name.").arg(url.toDisplayString()));
        return;
    }
    const bool secure = scheme == QLatin1StringView("wss");

    auto *socket = new QWebSocket(config.origin, QWebSocketProtocol::VersionLatest, this);
    d->socket = socket;
    socket->setMaxAllowedIncomingMessageSize(quint64(qMax<qint64>(config.maxMessageSize, 0)));
    if (config.frameSize > 0)
        socket->setOutgoingFrameSize(quint64(config.frameSize));

    std::optional<QSslConfiguration> userTls;
    if (secure) {
        tls::TlsProblem problem;
        userTls = tls::clientConfiguration(config.tls, &problem);
        if (!userTls) {
            d->fail(problem.id.isEmpty() ? QStringLiteral("tls-error") : problem.id,
                    problem.message);
            return;
        }
    }

    d->observeFrames = false;
    d->terminatedTls = false;
    d->notObservedReason.clear();
    WireTap *tap = nullptr;
    if (config.wireTap) {
        tap = new WireTap(this);
        QString tapError;
        if (!tap->listen(&tapError)) {
            delete tap;
            tap = nullptr;
            d->record(makeErrorEvent(EventSource::Client, d->connectionId,
                                     QStringLiteral("wire-tap-unavailable"),
                                     tr("The wire tap could not listen (%1): the handshake "
                                        "response and frames will not be observed.")
                                         .arg(tapError)));
        }
    }

    std::optional<client::LoopbackIdentity> loopback;
    if (secure && tap) {
        QString why;
        loopback = client::loopbackIdentityFor(url.host(), &why);
        if (!loopback)
            d->notObservedReason
                = tr("The wire tap could not make a certificate for \"%1\" (%2), so it relays "
                     "the encrypted bytes without reading them.")
                      .arg(url.host(), why);
    }

    if (secure && loopback) {
        // The tap terminates TLS: it verifies the real server with the user's settings
        // (CAs, client certificate, ignore-errors choice) and sees the plaintext. QWebSocket's
        // own TLS session is only an internal loopback hop to the tap, on this machine; it
        // trusts exactly the tap's in-memory authority (no system CA, nothing else) and keeps
        // verifying it, and it never presents the user's client certificate.
        tap->setTlsTermination(*userTls, loopback->serverConfiguration);
        QSslConfiguration hop = QSslConfiguration::defaultConfiguration();
        hop.setProtocol(QSsl::TlsV1_2OrLater);
        hop.setCaCertificates({loopback->authority});
        hop.setLocalCertificateChain({});
        hop.setPrivateKey(QSslKey());
        hop.setPeerVerifyMode(QSslSocket::VerifyPeer);
        socket->setSslConfiguration(hop);
        d->terminatedTls = true;
        connect(socket, &QWebSocket::sslErrors, this,
                [this](const QList<QSslError> &errors) { d->onLoopbackSslErrors(errors); });
        connect(tap, &WireTap::upstreamTlsErrors, this, [this](const QList<QSslError> &errors) {
            d->onSslErrors(errors, [this] {
                if (d->tap)
                    d->tap->ignoreUpstreamTlsErrors();
            });
        });
    } else if (secure) {
        socket->setSslConfiguration(*userTls);
        connect(socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            d->onSslErrors(errors, [this] {
                if (d->socket)
                    d->socket->ignoreSslErrors();
            });
        });
    }

    if (tap) {
        d->tap = tap;
        d->observeFrames = !secure || d->terminatedTls;
        tap->setDecodeFrames(d->observeFrames);
        tap->setConnectTimeoutMs(config.connectTimeoutMs);
        tap->setMaxMessageSize(quint64(qMax<qint64>(config.maxMessageSize, 0)));
        // Only this socket goes through the tap: a per-socket proxy, honoured for
        // loopback targets too (the application proxy is not).
        socket->setProxy(
            QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), tap->port()));
        connect(tap, &WireTap::upstreamFailed, this,
                [this](const QString &id, const QString &sentence) { d->fail(id, sentence); });
        connect(tap, &WireTap::responseObserved, this,
                [this](const HttpResponseHead &response) { d->onTapResponse(response); });
        connect(tap, &WireTap::messageObserved, this,
                [this](EventDirection direction, const AssembledMessage &message) {
                    d->onTapMessage(direction, message);
                });
        connect(tap, &WireTap::decodeFailed, this,
                [this](EventDirection direction, const frames::ProtocolError &error) {
                    d->onTapDecodeFailed(direction, error);
                });
        connect(tap, &WireTap::serverViolation, this,
                [this](const QString &id, const frames::ProtocolError &error) {
                    d->onTapViolation(id, error);
                });
    } else {
        socket->setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    }

    connect(socket, &QWebSocket::connected, this, [this] { d->onConnected(); });
    connect(socket, &QWebSocket::disconnected, this, [this] { d->onDisconnected(); });
    connect(socket, &QWebSocket::aboutToClose, this, [this] { d->onAboutToClose(); });
    if (!d->observeFrames) {
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { d->onText(text); });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
                [this](const QByteArray &data) { d->onBinary(data); });
    }
    if (!d->observeFrames) {
        connect(
            socket, &QWebSocket::pong, this,
            [this](quint64 elapsed, const QByteArray &payload) { d->onPong(elapsed, payload); });
    }
    connect(socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError error) { d->onError(error); });

    QNetworkRequest request(url);
    for (const auto &header : config.headers)
        request.setRawHeader(header.first, header.second);
    d->builtRequest = d->buildRequest(request);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols(config.subprotocols);

    d->phaseTimer.start(config.connectTimeoutMs);
    socket->open(request, options);
}

bool ClientSession::sendText(const QString &text)
{
    if (d->state != State::Open || !d->socket)
        return false;
    const qint64 sent = d->socket->sendTextMessage(text);
    if (!d->observeFrames)
        d->record(makeTextEvent(EventSource::Client, d->connectionId, EventDirection::Out,
                                text.toUtf8()));
    return sent >= 0;
}

bool ClientSession::sendBinary(const QByteArray &data)
{
    if (d->state != State::Open || !d->socket)
        return false;
    const qint64 sent = d->socket->sendBinaryMessage(data);
    if (!d->observeFrames)
        d->record(makeBinaryEvent(EventSource::Client, d->connectionId, EventDirection::Out, data));
    return sent >= 0;
}

bool ClientSession::ping(const QByteArray &payload)
{
    if (d->state != State::Open || !d->socket)
        return false;
    // Section 5.5: a control frame carries at most 125 bytes.
    if (quint64(payload.size()) > protocol::MaxControlPayload)
        return false;
    // With frames decoded, the tap records the ping as it goes out (and times it there).
    if (!d->observeFrames) {
        d->record(makeControlEvent(EventSource::Client, d->connectionId, EventDirection::Out,
                                   EventKind::Ping, payload));
        d->pingClock.sent(payload);
    }
    d->socket->ping(payload);
    return true;
}

void ClientSession::close(int code, const QString &reason)
{
    if (!d->socket)
        return;
    if (d->state == State::Connecting) {
        d->fail(QStringLiteral("cancelled"), tr("The connection attempt was cancelled."));
        return;
    }
    if (d->state != State::Open)
        return;
    d->localCloseRequested = true;
    d->record(makeCloseEvent(EventSource::Client, d->connectionId, EventDirection::Out, code,
                             reason, CloseInitiator::Local));
    d->setState(State::Closing);
    d->phaseTimer.start(CloseHandshakeTimeoutMs);
    d->socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void ClientSession::abort()
{
    if (!d->socket || d->state == State::Closed || d->state == State::Idle)
        return;
    if (d->state == State::Connecting) {
        d->fail(QStringLiteral("cancelled"), tr("The connection attempt was cancelled."));
        return;
    }
    d->aborted = true;
    if (d->tap)
        d->tap->abortAll();
    d->socket->abort();
}

} // namespace sockpit
