#pragma once

#include <QString>

namespace sockpit::protocol {

// RFC 6455 section 5.2 and 11.8.
enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// "continuation", "text", "binary", "close", "ping", "pong", or "reserved-0x3".
QString opcodeName(quint8 opcode);

// Section 5.2: 0x3-0x7 are reserved for further non-control frames, 0xB-0xF for further
// control frames.
constexpr bool isReservedOpcode(quint8 opcode)
{
    return (opcode >= 0x3 && opcode <= 0x7) || (opcode >= 0xB && opcode <= 0xF);
}

// Section 5.5: control frames have the high bit of the opcode set.
constexpr bool isControlOpcode(quint8 opcode)
{
    return (opcode & 0x8) != 0;
}

constexpr bool isValidOpcode(quint8 opcode)
{
    return opcode <= 0xF && !isReservedOpcode(opcode);
}

// Section 5.5: control frames carry at most 125 bytes and are never fragmented.
inline constexpr quint64 MaxControlPayload = 125;

} // namespace sockpit::protocol
