#include "jsonlines.h"
#include "jsonlinesdetail.h"

#include <QCoreApplication>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <cmath>

namespace sockpit {

using namespace jsonlines_detail;

namespace {

// Reads typed values from one line's object; the first key of the wrong type (or with a
// value that cannot be decoded) becomes the line's error.
class LineReader
{
public:
    explicit LineReader(const QJsonObject &object)
        : m_object(object)
    { }

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    void fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
    }

    bool has(QLatin1StringView key) const { return m_object.contains(key); }

    QString string(QLatin1StringView key)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return {};
        if (!v.isString()) {
            wrongType(key, QCoreApplication::translate("sockpit::JsonLines", "a string"));
            return {};
        }
        return v.toString();
    }
    QByteArray latin1(QLatin1StringView key) { return fromLatin1Text(string(key), key); }
    QByteArray fromLatin1Text(const QString &text, QLatin1StringView key)
    {
        for (const QChar c : text) {
            if (c.unicode() > 0xFF) {
                fail(QCoreApplication::translate(
                         "sockpit::JsonLines",
                         "The key \"%1\" holds a character that is not an HTTP byte.")
                         .arg(key));
                return {};
            }
        }
        return text.toLatin1();
    }
    QByteArray base64(QLatin1StringView key)
    {
        const QString text = string(key);
        auto decoded = QByteArray::fromBase64Encoding(
            text.toLatin1(), QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            fail(QCoreApplication::translate("sockpit::JsonLines",
                                             "The key \"%1\" is not valid base64.")
                     .arg(key));
            return {};
        }
        return std::move(decoded.decoded);
    }
    qint64 integer(QLatin1StringView key, qint64 fallback = 0)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        const double d = v.toDouble();
        if (!v.isDouble() || d != std::floor(d)) {
            wrongType(key, QCoreApplication::translate("sockpit::JsonLines", "an integer"));
            return fallback;
        }
        return v.toInteger(qint64(d));
    }
    bool boolean(QLatin1StringView key, bool fallback = false)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isBool()) {
            wrongType(key, QCoreApplication::translate("sockpit::JsonLines", "true or false"));
            return fallback;
        }
        return v.toBool();
    }
    QJsonObject object(QLatin1StringView key)
    {
        const QJsonValue v = m_object.value(key);
        if (!v.isUndefined() && !v.isNull() && !v.isObject())
            wrongType(key, QCoreApplication::translate("sockpit::JsonLines", "an object"));
        return v.toObject();
    }
    QJsonArray array(QLatin1StringView key)
    {
        const QJsonValue v = m_object.value(key);
        if (!v.isUndefined() && !v.isNull() && !v.isArray())
            wrongType(key, QCoreApplication::translate("sockpit::JsonLines", "an array"));
        return v.toArray();
    }
    QDateTime date(QLatin1StringView key)
    {
        const QString text = string(key);
        if (text.isEmpty())
            return {};
        QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!time.isValid()) {
            fail(QCoreApplication::translate("sockpit::JsonLines",
                                             "The key \"%1\" is not an ISO 8601 time: \"%2\".")
                     .arg(key, text));
            return {};
        }
        return time.toUTC();
    }
    template<typename Enum>
    Enum name(QLatin1StringView key, Enum fallback, std::optional<Enum> (*fromName)(QStringView))
    {
        const QString text = string(key);
        if (!has(key) || !ok())
            return fallback;
        if (const std::optional<Enum> value = fromName(text))
            return *value;
        fail(QCoreApplication::translate("sockpit::JsonLines",
                                         "The key \"%1\" has an unknown value \"%2\".")
                 .arg(key, text));
        return fallback;
    }

private:
    void wrongType(QLatin1StringView key, const QString &expected)
    {
        fail(QCoreApplication::translate("sockpit::JsonLines", "The key \"%1\" is not %2.")
                 .arg(key, expected));
    }

    QJsonObject m_object;
    QString m_error;
};

HeaderList readHeaders(LineReader &outer, const QJsonObject &head)
{
    LineReader r(head);
    HeaderList headers;
    const QJsonArray list = r.array(QLatin1StringView("headers"));
    headers.reserve(list.size());
    for (const QJsonValue &item : list) {
        const QJsonArray pair = item.toArray();
        if (!item.isArray() || pair.size() != 2 || !pair.at(0).isString()
            || !pair.at(1).isString()) {
            outer.fail(QCoreApplication::translate(
                "sockpit::JsonLines", "A header is not a [name, value] pair of strings."));
            return headers;
        }
        headers.append({r.fromLatin1Text(pair.at(0).toString(), QLatin1StringView("headers")),
                        r.fromLatin1Text(pair.at(1).toString(), QLatin1StringView("headers"))});
    }
    if (!r.ok())
        outer.fail(r.error());
    return headers;
}

std::shared_ptr<const Handshake> readHandshake(LineReader &outer, const QJsonObject &request,
                                               const QJsonObject &response, bool hasResponse)
{
    auto handshake = std::make_shared<Handshake>();
    LineReader req(request);
    handshake->request.method = req.latin1(QLatin1StringView("method"));
    handshake->request.target = req.latin1(QLatin1StringView("target"));
    handshake->request.headers = readHeaders(outer, request);
    if (!req.ok())
        outer.fail(req.error());
    if (hasResponse) {
        LineReader res(response);
        HttpResponseHead head;
        head.status = int(res.integer(QLatin1StringView("status")));
        head.reason = res.latin1(QLatin1StringView("reason"));
        head.headers = readHeaders(outer, response);
        if (res.has(QLatin1StringView("bodyBase64")))
            head.body = res.base64(QLatin1StringView("bodyBase64"));
        else
            head.body = res.string(QLatin1StringView("body")).toUtf8();
        if (!res.ok())
            outer.fail(res.error());
        handshake->response = std::move(head);
    }
    return handshake;
}

std::shared_ptr<const TlsInfo> readTls(LineReader &outer, const QJsonObject &object)
{
    auto tls = std::make_shared<TlsInfo>();
    LineReader r(object);
    tls->protocol = r.string(QLatin1StringView("protocol"));
    tls->cipher = r.string(QLatin1StringView("cipher"));
    if (r.has(QLatin1StringView("peerCertificate"))) {
        LineReader c(r.object(QLatin1StringView("peerCertificate")));
        CertificateInfo cert;
        cert.subject = c.string(QLatin1StringView("subject"));
        cert.issuer = c.string(QLatin1StringView("issuer"));
        cert.notBefore = c.date(QLatin1StringView("notBefore"));
        cert.notAfter = c.date(QLatin1StringView("notAfter"));
        cert.sha256 = c.string(QLatin1StringView("sha256"));
        if (!c.ok())
            outer.fail(c.error());
        tls->peerCertificate = std::move(cert);
    }
    for (const QJsonValue &error : r.array(QLatin1StringView("errors"))) {
        if (!error.isString()) {
            outer.fail(
                QCoreApplication::translate("sockpit::JsonLines", "A TLS error is not a string."));
            break;
        }
        tls->errors.append(error.toString());
    }
    tls->verificationDisabled = r.boolean(QLatin1StringView("verificationDisabled"));
    if (!r.ok())
        outer.fail(r.error());
    return tls;
}

QList<FrameInfo> readFrames(LineReader &outer, const QJsonArray &list)
{
    QList<FrameInfo> frames;
    frames.reserve(list.size());
    for (const QJsonValue &item : list) {
        if (!item.isObject()) {
            outer.fail(
                QCoreApplication::translate("sockpit::JsonLines", "A frame is not an object."));
            break;
        }
        LineReader r(item.toObject());
        FrameInfo f;
        f.opcode = quint8(r.integer(QLatin1StringView("opcode")) & 0xF);
        f.fin = r.boolean(QLatin1StringView("fin"), true);
        f.rsv = quint8(r.integer(QLatin1StringView("rsv")) & 0x7);
        f.masked = r.boolean(QLatin1StringView("masked"));
        f.length = quint64(r.integer(QLatin1StringView("length")));
        if (!r.ok()) {
            outer.fail(r.error());
            break;
        }
        frames.append(f);
    }
    return frames;
}

} // namespace

std::optional<Event> eventFromJsonLine(QByteArrayView line, QString *error)
{
    auto failWith = [error](const QString &message) -> std::optional<Event> {
        if (error)
            *error = message;
        return std::nullopt;
    };

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return failWith(QCoreApplication::translate("sockpit::JsonLines",
                                                    "The line is not JSON: %1 at character %2.")
                            .arg(parseError.errorString())
                            .arg(parseError.offset + 1));
    }
    if (!doc.isObject())
        return failWith(QCoreApplication::translate("sockpit::JsonLines",
                                                    "The line is JSON but not an object."));
    const QJsonObject object = doc.object();
    const QJsonValue kindValue = object.value(QLatin1StringView("kind"));
    if (kindValue.isUndefined())
        return failWith(
            QCoreApplication::translate("sockpit::JsonLines", "The line has no \"kind\"."));
    const std::optional<EventKind> kind = kindFromName(kindValue.toString());
    if (!kindValue.isString())
        return failWith(
            QCoreApplication::translate("sockpit::JsonLines", "The key \"kind\" is not a string."));
    if (!kind)
        return failWith(QCoreApplication::translate("sockpit::JsonLines",
                                                    "The line has an unknown kind \"%1\".")
                            .arg(kindValue.toString()));

    LineReader r(object);
    Event e;
    e.kind = *kind;
    e.seq = quint64(r.integer(QLatin1StringView("seq")));
    e.time = r.date(QLatin1StringView("time"));
    e.source = r.name(QLatin1StringView("source"), EventSource::Server, &sourceFromName);
    e.connection = r.integer(QLatin1StringView("connection"));
    e.direction = r.name(QLatin1StringView("direction"), EventDirection::None, &directionFromName);
    e.url = r.string(QLatin1StringView("url"));
    for (const QJsonValue &address : r.array(QLatin1StringView("addresses"))) {
        if (!address.isString()) {
            r.fail(QCoreApplication::translate("sockpit::JsonLines",
                                               "A listening address is not a string."));
            break;
        }
        e.addresses.append(address.toString());
    }
    e.note = r.string(QLatin1StringView("note"));
    e.peer = r.string(QLatin1StringView("peer"));
    e.subprotocol = r.string(QLatin1StringView("subprotocol"));
    e.recipients = int(r.integer(QLatin1StringView("recipients")));
    if (r.has(QLatin1StringView("textBase64"))) {
        e.payload = r.base64(QLatin1StringView("textBase64"));
        e.textPayload = true;
    } else if (r.has(QLatin1StringView("text"))) {
        e.payload = r.string(QLatin1StringView("text")).toUtf8();
        e.textPayload = true;
    } else if (r.has(QLatin1StringView("base64"))) {
        e.payload = r.base64(QLatin1StringView("base64"));
    }
    e.size = r.integer(QLatin1StringView("size"), e.payload.size());
    if (r.has(QLatin1StringView("rttMs"))) {
        const QJsonValue v = object.value(QLatin1StringView("rttMs"));
        if (v.isDouble())
            e.rttMs = v.toDouble();
        else if (!v.isNull())
            r.fail(QCoreApplication::translate("sockpit::JsonLines",
                                               "The key \"rttMs\" is not a number."));
    }
    e.closeCode = int(r.integer(QLatin1StringView("code"), 1005));
    e.reason = r.string(QLatin1StringView("reason"));
    e.initiator
        = r.name(QLatin1StringView("initiator"), CloseInitiator::Remote, &initiatorFromName);
    e.error = r.string(QLatin1StringView("error"));
    e.errorId = r.string(QLatin1StringView("id"));
    if (r.has(QLatin1StringView("request")) || r.has(QLatin1StringView("response"))) {
        e.handshake = readHandshake(r, r.object(QLatin1StringView("request")),
                                    r.object(QLatin1StringView("response")),
                                    r.has(QLatin1StringView("response")));
    }
    if (r.has(QLatin1StringView("tls")))
        e.tls = readTls(r, r.object(QLatin1StringView("tls")));
    e.frames = readFrames(r, r.array(QLatin1StringView("frames")));

    if (!r.ok())
        return failWith(r.error());
    return e;
}

JsonLinesReadResult readJsonLines(QIODevice *device)
{
    JsonLinesReadResult result;
    if (!device || !device->isReadable()) {
        result.errors.append({0,
                              QCoreApplication::translate(
                                  "sockpit::JsonLines", "The event log is not open for reading.")});
        return result;
    }
    qint64 lineNumber = 0;
    while (!device->atEnd()) {
        QByteArray line = device->readLine();
        ++lineNumber;
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        QString error;
        if (std::optional<Event> event = eventFromJsonLine(line, &error))
            result.events.append(std::move(*event));
        else
            result.errors.append({lineNumber, error});
    }
    return result;
}

JsonLinesReadResult readJsonLinesFile(const QString &path, QString *openError)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (openError) {
            *openError = QCoreApplication::translate("sockpit::JsonLines",
                                                     "Cannot open the event log %1: %2.")
                             .arg(path, file.errorString());
        }
        return {};
    }
    return readJsonLines(&file);
}
} // namespace sockpit
