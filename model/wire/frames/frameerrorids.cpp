#include "frameerrorids.h"

#include "protocol/opcodes.h"

namespace sockpit::frames {

QString decoderErrorId(quint8 firstByte, const ProtocolError &error)
{
    if (error.closeCode == 1009)
        return QStringLiteral("message-too-big");
    const quint8 opcode = firstByte & 0x0F;
    if (((firstByte >> 4) & 0x7) != 0)
        return QStringLiteral("protocol-reserved-bits");
    if (protocol::isReservedOpcode(opcode))
        return QStringLiteral("protocol-reserved-opcode");
    if (protocol::isControlOpcode(opcode))
        return QStringLiteral("protocol-bad-control-frame");
    return QStringLiteral("protocol-error");
}

QString assemblerErrorId(const ProtocolError &error)
{
    switch (error.closeCode) {
    case 1009:
        return QStringLiteral("message-too-big");
    case 1007:
        return QStringLiteral("protocol-invalid-utf8");
    default:
        return QStringLiteral("protocol-bad-fragmentation");
    }
}

} // namespace sockpit::frames
