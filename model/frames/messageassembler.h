#pragma once

#include "framedecoder.h"

#include <QList>

namespace sockpit::frames {

// A whole data message (or a control frame) with the frames it was made of.
struct AssembledMessage
{
    quint8 opcode = 0; // text or binary for messages; the control opcode otherwise
    QByteArray payload;
    QList<FrameInfo> frames;
};

// Joins fragments into messages (RFC 6455 section 5.4): a text or binary frame starts a
// message, continuation frames extend it, control frames may be interleaved and pass
// through on their own. A text message is validated as UTF-8 as a whole (section 8.1), so a
// character split across frames is accepted.
class MessageAssembler
{
public:
    explicit MessageAssembler(quint64 maxMessageSize = quint64(16) * 1024 * 1024);

    enum class Status : quint8 { Message, Control, Incomplete, Error };
    Status add(const Frame &frame, AssembledMessage *out);

    const std::optional<ProtocolError> &error() const { return m_error; }
    bool inMessage() const { return m_inMessage; }

private:
    Status fail(int closeCode, const QString &reason);

    quint64 m_maxMessageSize;
    bool m_inMessage = false;
    AssembledMessage m_current;
    std::optional<ProtocolError> m_error;
};

// RFC 3629 well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(QByteArrayView bytes);

} // namespace sockpit::frames
