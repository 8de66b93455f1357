#pragma once

#include "frameinfo.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace sockpit::frames {

// A protocol violation, always as the pair a Close frame would carry (RFC 6455 section 7.4).
// A protocol error is a (close code, reason) pair. The reason is English: it is the Close
// reason sent on the wire, and wire text is never translated. `sentence` is the same in
// the user's language, for the log; shown() falls back to the reason.
struct ProtocolError
{
    int closeCode = 1002;
    QString reason;
    QString sentence;
    QString shown() const { return sentence.isEmpty() ? reason : sentence; }
    friend bool operator==(const ProtocolError &, const ProtocolError &) = default;
};

// `source` is an English text marked with QT_TRANSLATE_NOOP(context, ...); %1, %2... are
// filled from `args` in both languages.
ProtocolError makeProtocolError(int closeCode, const char *context, const char *source,
                                const QStringList &args = {});

// One decoded frame (RFC 6455 section 5.2). The payload is unmasked.
struct Frame
{
    quint8 opcode = 0;
    bool fin = true;
    quint8 rsv = 0; // RSV1..RSV3 as bits 2..0
    bool masked = false;
    std::array<quint8, 4> maskKey = {0, 0, 0, 0};
    quint64 length = 0;
    QByteArray payload;

    FrameInfo info() const { return FrameInfo{opcode, fin, rsv, masked, length}; }
};

// The bytes a decoded frame took on the wire (section 5.2). The decoder refuses lengths
// that are not minimally encoded, so this is exact.
qsizetype bytesOnWire(const Frame &frame);

// A pure, resumable decoder: bytes may be fed in any chunking, frames come out once
// complete. After a protocol error it stops (the connection must be failed, section 7.1.7)
// and keeps reporting the same error.
class FrameDecoder
{
public:
    struct Options
    {
        quint64 maxPayload = quint64(16) * 1024 * 1024; // larger frames fail with 1009
        quint8 allowedRsv = 0; // RSV bits an agreed extension defines (section 5.2)
    };

    FrameDecoder();
    explicit FrameDecoder(Options options);

    void feed(QByteArrayView bytes);

    enum class Status : quint8 { Frame, NeedMore, Error };
    // Takes the next complete frame out of the buffered bytes.
    Status next(Frame *frame);

    const std::optional<ProtocolError> &error() const { return m_error; }
    qsizetype bufferedBytes() const { return m_buffer.size() - m_offset; }
    void reset();

private:
    Status fail(int closeCode, const char *source, const QStringList &args = {});

    Options m_options;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    std::optional<ProtocolError> m_error;
};

} // namespace sockpit::frames
