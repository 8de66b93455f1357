#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <optional>

namespace sockpit::frames {

using MaskKey = std::array<quint8, 4>;

// Builds one frame (RFC 6455 section 5.2) with the minimal length encoding. A mask key
// masks the payload as a client must (section 5.3); without one the frame is unmasked, as
// a server sends it. Nothing is validated here: a protocol tester must be able to craft
// wrong frames too.
QByteArray encodeFrame(quint8 opcode, QByteArrayView payload, bool fin = true,
                       const std::optional<MaskKey> &maskKey = std::nullopt, quint8 rsv = 0);

QByteArray encodeText(const QString &text, bool fin = true,
                      const std::optional<MaskKey> &maskKey = std::nullopt);
QByteArray encodeBinary(QByteArrayView data, bool fin = true,
                        const std::optional<MaskKey> &maskKey = std::nullopt);
QByteArray encodeContinuation(QByteArrayView data, bool fin,
                              const std::optional<MaskKey> &maskKey = std::nullopt);
QByteArray encodePing(QByteArrayView payload, const std::optional<MaskKey> &maskKey = std::nullopt);
QByteArray encodePong(QByteArrayView payload, const std::optional<MaskKey> &maskKey = std::nullopt);
// Section 5.5.1: a code of 0 sends a Close frame without a body.
QByteArray encodeClose(int code, const QString &reason,
                       const std::optional<MaskKey> &maskKey = std::nullopt);

// The payload of a Close frame (section 5.5.1): code 1005 when it carried none.
struct ClosePayload
{
    int code = 1005;
    QString reason;
};
ClosePayload parseClosePayload(const QByteArray &payload);

// Section 5.3: XOR with the key, octet i with key[i % 4]. Applying it twice restores.
void applyMask(QByteArray *data, const MaskKey &key);

} // namespace sockpit::frames
