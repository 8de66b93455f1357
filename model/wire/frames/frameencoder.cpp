#include "frameencoder.h"

#include "protocol/opcodes.h"

#include <QtEndian>

namespace sockpit::frames {

using protocol::Opcode;

void applyMask(QByteArray *data, const MaskKey &key)
{
    char *bytes = data->data();
    for (qsizetype i = 0; i < data->size(); ++i)
        bytes[i] = char(quint8(bytes[i]) ^ key[std::size_t(i % 4)]);
}

QByteArray encodeFrame(quint8 opcode, QByteArrayView payload, bool fin,
                       const std::optional<MaskKey> &maskKey, quint8 rsv)
{
    QByteArray out;
    const quint64 length = quint64(payload.size());
    out.reserve(14 + payload.size());
    out.append(char((fin ? 0x80 : 0x00) | ((rsv & 0x7) << 4) | (opcode & 0x0F)));
    const quint8 maskBit = maskKey ? 0x80 : 0x00;
    // Section 5.2: 7-bit length up to 125, 126 + 16 bits up to 65535, else 127 + 64 bits.
    if (length <= 125) {
        out.append(char(maskBit | quint8(length)));
    } else if (length <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char((length >> 8) & 0xFF));
        out.append(char(length & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((length >> shift) & 0xFF));
    }
    if (maskKey) {
        for (quint8 k : *maskKey)
            out.append(char(k));
        QByteArray masked = payload.toByteArray();
        applyMask(&masked, *maskKey);
        out.append(masked);
    } else {
        out.append(payload);
    }
    return out;
}

QByteArray encodeText(const QString &text, bool fin, const std::optional<MaskKey> &maskKey)
{
    return encodeFrame(quint8(Opcode::Text), text.toUtf8(), fin, maskKey);
}

QByteArray encodeBinary(QByteArrayView data, bool fin, const std::optional<MaskKey> &maskKey)
{
    return encodeFrame(quint8(Opcode::Binary), data, fin, maskKey);
}

QByteArray encodeContinuation(QByteArrayView data, bool fin, const std::optional<MaskKey> &maskKey)
{
    return encodeFrame(quint8(Opcode::Continuation), data, fin, maskKey);
}

QByteArray encodePing(QByteArrayView payload, const std::optional<MaskKey> &maskKey)
{
    return encodeFrame(quint8(Opcode::Ping), payload, true, maskKey);
}

QByteArray encodePong(QByteArrayView payload, const std::optional<MaskKey> &maskKey)
{
    return encodeFrame(quint8(Opcode::Pong), payload, true, maskKey);
}

QByteArray encodeClose(int code, const QString &reason, const std::optional<MaskKey> &maskKey)
{
    QByteArray body;
    if (code != 0) {
        body.append(char((code >> 8) & 0xFF));
        body.append(char(code & 0xFF));
        body.append(reason.toUtf8());
    }
    return encodeFrame(quint8(Opcode::Close), body, true, maskKey);
}

ClosePayload parseClosePayload(const QByteArray &payload)
{
    ClosePayload result;
    if (payload.size() >= 2) {
        result.code = (int(quint8(payload.at(0))) << 8) | int(quint8(payload.at(1)));
        result.reason = QString::fromUtf8(payload.mid(2));
    }
    return result;
}

} // namespace sockpit::frames
