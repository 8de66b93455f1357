#pragma once

#include <QtGlobal>

namespace sockpit {

// One frame as seen on the wire (RFC 6455 section 5.2).
struct FrameInfo
{
    quint8 opcode = 0;
    bool fin = true;
    quint8 rsv = 0; // RSV1..RSV3 as bits 2..0
    bool masked = false;
    quint64 length = 0;
    friend bool operator==(const FrameInfo &, const FrameInfo &) = default;
};

} // namespace sockpit
