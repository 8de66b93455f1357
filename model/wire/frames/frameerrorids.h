#pragma once

#include "framedecoder.h"

#include <QString>

namespace sockpit::frames {

// The stable error id (docs/event-log.md) of a decoder error, from the first byte of the
// offending frame: message-too-big, protocol-reserved-bits, protocol-reserved-opcode,
// protocol-bad-control-frame or protocol-error. Both wire taps name errors this way.
QString decoderErrorId(quint8 firstByte, const ProtocolError &error);
// The id of a message assembler error: message-too-big, protocol-invalid-utf8 or
// protocol-bad-fragmentation.
QString assemblerErrorId(const ProtocolError &error);

} // namespace sockpit::frames
