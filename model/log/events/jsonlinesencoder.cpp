#include "jsonlines.h"
#include "jsonlinesdetail.h"

#include "protocol/closecodes.h"

#include <QDate>
#include <QLocale>

#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include <cmath>
#include <cstdio>

namespace sockpit {

using namespace jsonlines_detail;

namespace {

// A compact JSON writer that appends straight to one buffer: the writer runs once per
// event, so it avoids building a QJsonObject tree and lets the keys keep a readable order.
// The buffer is a std::string, whose appends are inlined; QByteArray's go through its
// general insert() (measured: a third of the encoder's time).
class LineBuilder
{
public:
    LineBuilder() { m_out.reserve(512); }

    const std::string &text() const { return m_out; }
    void newline() { m_out += '\n'; }

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
    void key(std::string_view name)
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
    // A name that needs no escaping.
    void ascii(std::string_view name)
    {
        prefix();
        m_out += '"';
        m_out += name;
        m_out += '"';
        m_comma = true;
    }
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
    void integer(qint64 value) { number(value); }
    void unsignedInteger(quint64 value) { number(value); }
    void real(double value)
    {
        prefix();
        // JSON has no NaN or infinity.
        if (std::isfinite(value))
            m_out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest).toStdString();
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
    // A UTC time as Qt::ISODateWithMs writes it, "2026-12-02T03:15:42.914Z".
    void time(const QDateTime &time)
    {
        prefix();
        m_out += '"';
        appendIsoTime(time);
        m_out += '"';
        m_comma = true;
    }

private:
    void prefix()
    {
        if (m_comma)
            m_out += ',';
    }
    template<typename Integer> void number(Integer value)
    {
        prefix();
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        m_out.append(digits, std::size_t(end - digits));
        m_comma = true;
    }
    void digits(int value, int width)
    {
        char text[8];
        for (int i = width - 1; i >= 0; --i) {
            text[i] = char('0' + value % 10);
            value /= 10;
        }
        m_out.append(text, std::size_t(width));
    }
    void appendIsoTime(const QDateTime &time)
    {
        constexpr qint64 MsPerDay = 24 * 60 * 60 * 1000;
        const qint64 ms = time.toMSecsSinceEpoch();
        const qint64 day = ms >= 0 ? ms / MsPerDay : (ms - MsPerDay + 1) / MsPerDay;
        const QDate date = QDate(1970, 1, 1).addDays(day);
        if (date.year() < 0 || date.year() > 9999) {
            m_out += time.toUTC().toString(Qt::ISODateWithMs).toStdString();
            return;
        }
        int msOfDay = int(ms - day * MsPerDay);
        digits(date.year(), 4);
        m_out += '-';
        digits(date.month(), 2);
        m_out += '-';
        digits(date.day(), 2);
        m_out += 'T';
        digits(msOfDay / 3600000, 2);
        msOfDay %= 3600000;
        m_out += ':';
        digits(msOfDay / 60000, 2);
        msOfDay %= 60000;
        m_out += ':';
        digits(msOfDay / 1000, 2);
        m_out += '.';
        digits(msOfDay % 1000, 3);
        m_out += 'Z';
    }
    void appendEscaped(QByteArrayView text)
    {
        static constexpr char hex[] = "0123456789abcdef";
        qsizetype plainFrom = 0;
        for (qsizetype i = 0; i < text.size(); ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            m_out.append(text.data() + plainFrom, std::size_t(i - plainFrom));
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
        m_out.append(text.data() + plainFrom, std::size_t(text.size() - plainFrom));
    }

    std::string m_out;
    bool m_comma = false;
};

// The names of the enums, as Latin-1 once, not converted for every event.
template<typename Enum, int Count> std::string_view cachedName(Enum value, QString (*name)(Enum))
{
    static const std::array<std::string, Count> names = [name] {
        std::array<std::string, Count> all;
        for (int i = 0; i < Count; ++i)
            all[std::size_t(i)] = name(Enum(i)).toStdString();
        return all;
    }();
    const int index = int(value);
    return index >= 0 && index < Count ? std::string_view(names[std::size_t(index)])
                                       : std::string_view();
}

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
    b.time(time);
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

void writeEvent(LineBuilder &b, const Event &e)
{
    b.beginObject();
    b.key("seq");
    b.unsignedInteger(e.seq);
    b.key("time");
    if (e.time.isValid())
        b.time(e.time);
    else
        b.utf8("");
    b.key("source");
    b.ascii(cachedName<EventSource, 2>(e.source, sourceName));
    b.key("connection");
    b.integer(e.connection);
    b.key("direction");
    b.ascii(cachedName<EventDirection, 3>(e.direction, directionName));
    b.key("kind");
    b.ascii(cachedName<EventKind, EventKindCount>(e.kind, kindName));

    // Every field a kind defines is always written; any other field only when set, so
    // that any Event reads back equal.
    if (e.kind == EventKind::Listening || e.kind == EventKind::Stopped || !e.url.isEmpty()) {
        b.key("url");
        b.string(e.url);
    }
    if (!e.addresses.isEmpty()) {
        b.key("addresses");
        b.beginArray();
        for (const QString &address : e.addresses)
            b.string(address);
        b.endArray();
    }
    if (!e.note.isEmpty()) {
        b.key("note");
        b.string(e.note);
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
        b.ascii(cachedName<CloseInitiator, 2>(e.initiator, initiatorName));
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
}

} // namespace

QByteArray eventToJsonLine(const Event &event)
{
    LineBuilder b;
    writeEvent(b, event);
    return QByteArray(b.text().data(), qsizetype(b.text().size()));
}

void appendJsonLine(QByteArray &out, const Event &event)
{
    LineBuilder b;
    writeEvent(b, event);
    b.newline();
    out.append(b.text().data(), qsizetype(b.text().size()));
}

} // namespace sockpit
