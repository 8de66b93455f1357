#include "framedecoder.h"

#include "frameencoder.h"
#include "protocol/opcodes.h"

#include <QCoreApplication>

namespace sockpit::frames {

namespace {
quint8 byteAt(const QByteArray &buffer, qsizetype index)
{
    return quint8(buffer.at(index));
}
} // namespace

qsizetype bytesOnWire(const Frame &frame)
{
    qsizetype size = 2;
    if (frame.length > 0xFFFF)
        size += 8;
    else if (frame.length >= 126)
        size += 2;
    if (frame.masked)
        size += 4;
    return size + qsizetype(frame.length);
}

FrameDecoder::FrameDecoder()
    : FrameDecoder(Options{})
{ }

FrameDecoder::FrameDecoder(Options options)
    : m_options(options)
{ }

void FrameDecoder::feed(QByteArrayView bytes)
{
    if (m_error)
        return;
    // Drop what was consumed before growing, so a long stream keeps a small buffer.
    if (m_offset > 0) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

void FrameDecoder::reset()
{
    m_buffer.clear();
    m_offset = 0;
    m_error.reset();
}

ProtocolError makeProtocolError(int closeCode, const char *context, const char *source,
                                const QStringList &args)
{
    ProtocolError error{closeCode, QString::fromUtf8(source),
                        QCoreApplication::translate(context, source)};
    for (const QString &arg : args) {
        error.reason = error.reason.arg(arg);
        error.sentence = error.sentence.arg(arg);
    }
    return error;
}

FrameDecoder::Status FrameDecoder::fail(int closeCode, const char *source, const QStringList &args)
{
    // The one place a protocol error is set.
    m_error = makeProtocolError(closeCode, "sockpit::frames::FrameDecoder", source, args);
    m_buffer.clear();
    m_offset = 0;
    return Status::Error;
}

FrameDecoder::Status FrameDecoder::next(Frame *frame)
{
    if (m_error)
        return Status::Error;
    const qsizetype available = m_buffer.size() - m_offset;
    if (available < 2)
        return Status::NeedMore;

    // Section 5.2: FIN, RSV1-3, opcode; MASK, payload length (7 bits, then 16 or 64).
    const quint8 b0 = byteAt(m_buffer, m_offset);
    const quint8 b1 = byteAt(m_buffer, m_offset + 1);
    const bool fin = (b0 & 0x80) != 0;
    const quint8 rsv = quint8((b0 >> 4) & 0x7);
    const quint8 opcode = b0 & 0x0F;
    const bool masked = (b1 & 0x80) != 0;
    const quint8 length7 = b1 & 0x7F;

    if ((rsv & ~m_options.allowedRsv) != 0)
        return fail(1002,
                    QT_TRANSLATE_NOOP(
                        "sockpit::frames::FrameDecoder",
                        "RSV bits set without a negotiated extension (RFC 6455 section 5.2)"));
    if (protocol::isReservedOpcode(opcode))
        return fail(1002,
                    QT_TRANSLATE_NOOP("sockpit::frames::FrameDecoder",
                                      "reserved opcode 0x%1 (RFC 6455 section 5.2)"),
                    {QString::number(opcode, 16).toUpper()});
    const bool control = protocol::isControlOpcode(opcode);
    if (control && !fin)
        return fail(1002,
                    QT_TRANSLATE_NOOP("sockpit::frames::FrameDecoder",
                                      "fragmented control frame (RFC 6455 section 5.5)"));
    if (control && length7 > protocol::MaxControlPayload)
        return fail(1002,
                    QT_TRANSLATE_NOOP(
                        "sockpit::frames::FrameDecoder",
                        "control frame payload longer than 125 bytes (RFC 6455 section 5.5)"));

    qsizetype headerSize = 2;
    quint64 length = length7;
    if (length7 == 126) {
        headerSize += 2;
        if (available < headerSize)
            return Status::NeedMore;
        length = (quint64(byteAt(m_buffer, m_offset + 2)) << 8) | byteAt(m_buffer, m_offset + 3);
        // Section 5.2: "the minimal number of bytes MUST be used to encode the length".
        if (length < 126)
            return fail(1002,
                        QT_TRANSLATE_NOOP("sockpit::frames::FrameDecoder",
                                          "payload length %1 not minimally encoded in 16 bits "
                                          "(RFC 6455 section 5.2)"),
                        {QString::number(length)});
    } else if (length7 == 127) {
        headerSize += 8;
        if (available < headerSize)
            return Status::NeedMore;
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | byteAt(m_buffer, m_offset + 2 + i);
        if ((length >> 63) != 0)
            return fail(1002,
                        QT_TRANSLATE_NOOP("sockpit::frames::FrameDecoder",
                                          "64-bit payload length with the most significant bit set "
                                          "(RFC 6455 section 5.2)"));
        if (length <= 0xFFFF)
            return fail(1002,
                        QT_TRANSLATE_NOOP("sockpit::frames::FrameDecoder",
                                          "payload length %1 not minimally encoded in 64 bits "
                                          "(RFC 6455 section 5.2)"),
                        {QString::number(length)});
    }
    if (length > m_options.maxPayload)
        return fail(1009,
                    QT_TRANSLATE_NOOP("sockpit::frames::FrameDecoder",
                                      "frame payload of %1 bytes exceeds the limit of %2 bytes "
                                      "(RFC 6455 section 7.4.1, 1009)"),
                    {QString::number(length), QString::number(m_options.maxPayload)});

    MaskKey key = {0, 0, 0, 0};
    if (masked) {
        if (available < headerSize + 4)
            return Status::NeedMore;
        for (int i = 0; i < 4; ++i)
            key[std::size_t(i)] = byteAt(m_buffer, m_offset + headerSize + i);
        headerSize += 4;
    }
    if (quint64(available - headerSize) < length)
        return Status::NeedMore;

    frame->opcode = opcode;
    frame->fin = fin;
    frame->rsv = rsv;
    frame->masked = masked;
    frame->maskKey = key;
    frame->length = length;
    frame->payload = m_buffer.mid(m_offset + headerSize, qsizetype(length));
    if (masked)
        applyMask(&frame->payload, key);
    m_offset += headerSize + qsizetype(length);
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    }
    return Status::Frame;
}

} // namespace sockpit::frames
