#include "jsonlines.h"

#include "protocol/closecodes.h"

#include <QCoreApplication>
#include <QFileDevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLocale>

#include <cmath>
#include <cstdio>

namespace sockpit {

namespace {

QString trJson(const char *text)
{
    return QCoreApplication::translate("sockpit::JsonLines", text);
}

// RFC 3629: rejects overlong forms, surrogates and code points above U+10FFFF, so that a
// payload written as a JSON string reads back byte for byte.
bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (n - i <= extra)
            return false;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return false;
        for (int k = 2; k <= extra; ++k) {
            if (p[i + k] < 0x80 || p[i + k] > 0xBF)
                return false;
        }
        i += extra + 1;
    }
    return true;
}

// A compact JSON writer that appends straight to one buffer: the writer runs once per
// event, so it avoids building a QJsonObject tree and lets the keys keep a readable order.
class LineBuilder
{
public:
    QByteArray take() { return std::move(m_out); }

    void beginObject()
    {
        prefix();
        m_out += '{';
        m_comma = false;
    }
    void endObject()
    {
        m_out += '}';
        m_comma = true;
    }
    void beginArray()
    {
        prefix();
        m_out += '[';
        m_comma = false;
    }
    void endArray()
    {
        m_out += ']';
        m_comma = true;
    }
    void key(const char *name)
    {
        prefix();
        m_out += '"';
        m_out += name;
        m_out += "\":";
        m_comma = false;
    }
    void utf8(QByteArrayView text)
    {
        prefix();
        m_out += '"';
        appendEscaped(text);
        m_out += '"';
        m_comma = true;
    }
    void string(const QString &text) { utf8(text.toUtf8()); }
    // HTTP head bytes: each byte becomes the code point of the same value, which reads
    // back exactly whatever the bytes were (ASCII stays ASCII).
    void latin1(QByteArrayView bytes)
    {
        bool ascii = true;
        for (const char c : bytes) {
            if (static_cast<unsigned char>(c) >= 0x80) {
                ascii = false;
                break;
            }
        }
        utf8(ascii ? bytes : QByteArrayView(QString::fromLatin1(bytes).toUtf8()));
    }
    void base64(const QByteArray &bytes) { utf8(bytes.toBase64()); }
    void integer(qint64 value)
    {
        prefix();
        m_out += QByteArray::number(value);
        m_comma = true;
    }
    void unsignedInteger(quint64 value)
    {
        prefix();
        m_out += QByteArray::number(value);
        m_comma = true;
    }
    void real(double value)
    {
        prefix();
        // JSON has no NaN or infinity.
        if (std::isfinite(value))
            m_out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
        else
            m_out += "null";
        m_comma = true;
    }
    void boolean(bool value)
    {
        prefix();
        m_out += value ? "true" : "false";
        m_comma = true;
    }

private:
    void prefix()
    {
        if (m_comma)
            m_out += ',';
    }
    void appendEscaped(QByteArrayView text)
    {
        static constexpr char hex[] = "0123456789abcdef";
        qsizetype plainFrom = 0;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            m_out += text.sliced(plainFrom, i - plainFrom);
            plainFrom = i + 1;
            switch (c) {
            case '"':
                m_out += "\\\"";
                break;
            case '\\':
                m_out += "\\\\";
                break;
            case '\n':
                m_out += "\\n";
                break;
            case '\r':
                m_out += "\\r";
                break;
            case '\t':
                m_out += "\\t";
                break;
            case '\b':
                m_out += "\\b";
                break;
            case '\f':
                m_out += "\\f";
                break;
            default:
                m_out += "\\u00";
                m_out += hex[c >> 4];
                m_out += hex[c & 0xF];
            }
        }
        m_out += text.sliced(plainFrom);
    }

    QByteArray m_out;
    bool m_comma = false;
};

void writeHeaders(LineBuilder &b, const HeaderList &headers)
{
    b.key("headers");
    b.beginArray();
    for (const auto &[name, value] : headers) {
        b.beginArray();
        b.latin1(name);
        b.latin1(value);
        b.endArray();
    }
    b.endArray();
}

void writeHandshake(LineBuilder &b, const Handshake &handshake)
{
    b.key("request");
    b.beginObject();
    b.key("method");
    b.latin1(handshake.request.method);
    b.key("target");
    b.latin1(handshake.request.target);
    writeHeaders(b, handshake.request.headers);
    b.endObject();
    if (!handshake.response)
        return;
    const HttpResponseHead &response = *handshake.response;
    b.key("response");
    b.beginObject();
    b.key("status");
    b.integer(response.status);
    b.key("reason");
    b.latin1(response.reason);
    writeHeaders(b, response.headers);
    if (!response.body.isEmpty()) {
        b.key("body");
        if (isValidUtf8(response.body)) {
            b.utf8(response.body);
        } else {
            // Readable where it can be, exact in bodyBase64 (which the reader prefers).
            b.string(QString::fromUtf8(response.body));
            b.key("bodyBase64");
            b.base64(response.body);
        }
    }
    b.endObject();
}

void writeDate(LineBuilder &b, const char *name, const QDateTime &time)
{
    if (!time.isValid())
        return;
    b.key(name);
    b.string(time.toUTC().toString(Qt::ISODateWithMs));
}

void writeTls(LineBuilder &b, const TlsInfo &tls)
{
    b.key("tls");
    b.beginObject();
    b.key("protocol");
    b.string(tls.protocol);
    b.key("cipher");
    b.string(tls.cipher);
    if (tls.peerCertificate) {
        const CertificateInfo &cert = *tls.peerCertificate;
        b.key("peerCertificate");
        b.beginObject();
        b.key("subject");
        b.string(cert.subject);
        b.key("issuer");
        b.string(cert.issuer);
        writeDate(b, "notBefore", cert.notBefore);
        writeDate(b, "notAfter", cert.notAfter);
        b.key("sha256");
        b.string(cert.sha256);
        b.endObject();
    }
    b.key("errors");
    b.beginArray();
    for (const QString &error : tls.errors)
        b.string(error);
    b.endArray();
    b.key("verificationDisabled");
    b.boolean(tls.verificationDisabled);
    b.endObject();
}

void writeFrames(LineBuilder &b, const QList<FrameInfo> &frames)
{
    b.key("frames");
    b.beginArray();
    for (const FrameInfo &f : frames) {
        b.beginObject();
        b.key("opcode");
        b.integer(f.opcode);
        b.key("fin");
        b.boolean(f.fin);
        b.key("rsv");
        b.integer(f.rsv);
        b.key("masked");
        b.boolean(f.masked);
        b.key("length");
        b.unsignedInteger(f.length);
        b.endObject();
    }
    b.endArray();
}

bool carriesPayload(EventKind kind)
{
    switch (kind) {
    case EventKind::Text:
    case EventKind::Binary:
    case EventKind::Ping:
    case EventKind::Pong:
    case EventKind::Broadcast:
        return true;
    default:
        return false;
    }
}

// ---- reading ----------------------------------------------------------------------------

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
            wrongType(key, trJson("a string"));
            return {};
        }
        return v.toString();
    }
    QByteArray latin1(QLatin1StringView key) { return fromLatin1Text(string(key), key); }
    QByteArray fromLatin1Text(const QString &text, QLatin1StringView key)
    {
        for (const QChar c : text) {
            if (c.unicode() > 0xFF) {
                fail(trJson("The key \"%1\" holds a character that is not an HTTP byte.").arg(key));
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
            fail(trJson("The key \"%1\" is not valid base64.").arg(key));
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
            wrongType(key, trJson("an integer"));
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
            wrongType(key, trJson("true or false"));
            return fallback;
        }
        return v.toBool();
    }
    QJsonObject object(QLatin1StringView key)
    {
        const QJsonValue v = m_object.value(key);
        if (!v.isUndefined() && !v.isNull() && !v.isObject())
            wrongType(key, trJson("an object"));
        return v.toObject();
    }
    QJsonArray array(QLatin1StringView key)
    {
        const QJsonValue v = m_object.value(key);
        if (!v.isUndefined() && !v.isNull() && !v.isArray())
            wrongType(key, trJson("an array"));
        return v.toArray();
    }
    QDateTime date(QLatin1StringView key)
    {
        const QString text = string(key);
        if (text.isEmpty())
            return {};
        QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!time.isValid()) {
            fail(trJson("The key \"%1\" is not an ISO 8601 time: \"%2\".").arg(key, text));
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
        fail(trJson("The key \"%1\" has an unknown value \"%2\".").arg(key, text));
        return fallback;
    }

private:
    void wrongType(QLatin1StringView key, const QString &expected)
    {
        fail(trJson("The key \"%1\" is not %2.").arg(key, expected));
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
            outer.fail(trJson("A header is not a [name, value] pair of strings."));
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
            outer.fail(trJson("A TLS error is not a string."));
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
            outer.fail(trJson("A frame is not an object."));
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

QByteArray eventToJsonLine(const Event &e)
{
    LineBuilder b;
    b.beginObject();
    b.key("seq");
    b.unsignedInteger(e.seq);
    b.key("time");
    if (e.time.isValid())
        b.string(e.time.toUTC().toString(Qt::ISODateWithMs));
    else
        b.utf8("");
    b.key("source");
    b.utf8(sourceName(e.source).toLatin1());
    b.key("connection");
    b.integer(e.connection);
    b.key("direction");
    b.utf8(directionName(e.direction).toLatin1());
    b.key("kind");
    b.utf8(kindName(e.kind).toLatin1());

    // Every field a kind defines is always written; any other field only when set, so
    // that any Event reads back equal.
    if (e.kind == EventKind::Listening || e.kind == EventKind::Stopped || !e.url.isEmpty()) {
        b.key("url");
        b.string(e.url);
    }
    if (e.kind == EventKind::Open || !e.peer.isEmpty()) {
        b.key("peer");
        b.string(e.peer);
    }
    if (e.kind == EventKind::Open || !e.subprotocol.isEmpty()) {
        b.key("subprotocol");
        b.string(e.subprotocol);
    }
    if (e.kind == EventKind::Broadcast || e.recipients != 0) {
        b.key("recipients");
        b.integer(e.recipients);
    }
    if (carriesPayload(e.kind) || !e.payload.isEmpty() || e.size != 0) {
        if (e.isTextual()) {
            b.key("text");
            if (isValidUtf8(e.payload)) {
                b.utf8(e.payload);
            } else {
                // A capped or broken text message: readable in `text`, exact here.
                b.string(QString::fromUtf8(e.payload));
                b.key("textBase64");
                b.base64(e.payload);
            }
        } else {
            b.key("base64");
            b.base64(e.payload);
        }
        b.key("size");
        b.integer(e.size);
        if (e.size > e.payload.size()) {
            b.key("truncated");
            b.boolean(true);
        }
    }
    if (e.rttMs) {
        b.key("rttMs");
        b.real(*e.rttMs);
    }
    if (e.kind == EventKind::Close) {
        b.key("code");
        b.integer(e.closeCode);
    }
    if (e.kind == EventKind::Close || !e.reason.isEmpty()) {
        b.key("reason");
        b.string(e.reason);
    }
    if (e.kind == EventKind::Close) {
        b.key("initiator");
        b.utf8(initiatorName(e.initiator).toLatin1());
        b.key("codeName");
        b.string(protocol::closeCodeInfo(e.closeCode).name);
    }
    if (e.kind == EventKind::Error || !e.error.isEmpty()) {
        b.key("error");
        b.string(e.error);
    }
    if (e.kind == EventKind::Error || !e.errorId.isEmpty()) {
        b.key("id");
        b.string(e.errorId);
    }
    if (e.handshake)
        writeHandshake(b, *e.handshake);
    if (e.tls)
        writeTls(b, *e.tls);
    if (!e.frames.isEmpty())
        writeFrames(b, e.frames);
    b.endObject();
    return b.take();
}

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
        return failWith(trJson("The line is not JSON: %1 at character %2.")
                            .arg(parseError.errorString())
                            .arg(parseError.offset + 1));
    }
    if (!doc.isObject())
        return failWith(trJson("The line is JSON but not an object."));
    const QJsonObject object = doc.object();
    const QJsonValue kindValue = object.value(QLatin1StringView("kind"));
    if (kindValue.isUndefined())
        return failWith(trJson("The line has no \"kind\"."));
    const std::optional<EventKind> kind = kindFromName(kindValue.toString());
    if (!kindValue.isString())
        return failWith(trJson("The key \"kind\" is not a string."));
    if (!kind)
        return failWith(trJson("The line has an unknown kind \"%1\".").arg(kindValue.toString()));

    LineReader r(object);
    Event e;
    e.kind = *kind;
    e.seq = quint64(r.integer(QLatin1StringView("seq")));
    e.time = r.date(QLatin1StringView("time"));
    e.source = r.name(QLatin1StringView("source"), EventSource::Server, &sourceFromName);
    e.connection = r.integer(QLatin1StringView("connection"));
    e.direction = r.name(QLatin1StringView("direction"), EventDirection::None, &directionFromName);
    e.url = r.string(QLatin1StringView("url"));
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
            r.fail(trJson("The key \"rttMs\" is not a number."));
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
        result.errors.append({0, trJson("The event log is not open for reading.")});
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
            *openError = trJson("Cannot open the event log %1: %2.").arg(path, file.errorString());
        }
        return {};
    }
    return readJsonLines(&file);
}

JsonLinesWriter::JsonLinesWriter(QObject *parent)
    : QObject(parent)
{ }

JsonLinesWriter::~JsonLinesWriter()
{
    close();
}

bool JsonLinesWriter::open(const QString &path)
{
    close();
    m_error.clear();
    bool opened = false;
    if (path == QLatin1StringView("-"))
        opened = m_file.open(stdout, QIODevice::WriteOnly);
    else {
        m_file.setFileName(path);
        opened = m_file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    }
    if (!opened) {
        m_error = trJson("Cannot write the event log %1: %2.")
                      .arg(path == QLatin1StringView("-") ? trJson("to standard output") : path,
                           m_file.errorString());
        return false;
    }
    m_device = &m_file;
    return true;
}

void JsonLinesWriter::setDevice(QIODevice *device)
{
    close();
    m_error.clear();
    m_device = device;
}

bool JsonLinesWriter::isOpen() const
{
    return m_device && m_device->isOpen() && m_device->isWritable();
}

void JsonLinesWriter::close()
{
    if (m_file.isOpen()) {
        m_file.flush();
        m_file.close();
    }
    m_device = nullptr;
}

QString JsonLinesWriter::errorString() const
{
    return m_error;
}

void JsonLinesWriter::write(const sockpit::Event &event)
{
    if (!isOpen())
        return;
    QByteArray line = eventToJsonLine(event);
    line += '\n';
    if (m_device->write(line) != line.size()) {
        if (m_error.isEmpty())
            m_error = trJson("Cannot write the event log: %1.").arg(m_device->errorString());
        return;
    }
    // Flushed per line: a crash loses nothing already written.
    if (auto *file = qobject_cast<QFileDevice *>(m_device))
        file->flush();
    ++m_written;
}

} // namespace sockpit
