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

// RFC 3629 well-formed UTF-8 checked as the bytes arrive (RFC 6455 section 8.1: an
// endpoint fails the connection as soon as it sees invalid UTF-8, not only at the end of a
// message). Bytes may be fed in any split, also inside a character.
class Utf8Validator
{
public:
    // False at the first byte that cannot continue well-formed UTF-8 (and from then on).
    bool feed(QByteArrayView bytes);
    // How many bytes at the end of what was fed begin a character not yet complete (0-3).
    int pendingBytes() const { return m_seen; }
    bool atBoundary() const { return m_needed == 0 && !m_failed; }
    void reset() { *this = Utf8Validator(); }

private:
    int m_needed = 0; // continuation bytes still expected
    int m_seen = 0; // bytes of the unfinished character seen so far
    quint8 m_lower = 0x80; // bounds of the next continuation byte (no overlong forms,
    quint8 m_upper = 0xBF; // no surrogates, nothing above U+10FFFF)
    bool m_failed = false;
};

// Joins fragments into messages (RFC 6455 section 5.4): a text or binary frame starts a
// message, continuation frames extend it, control frames may be interleaved and pass
// through on their own. A text message is validated as UTF-8 frame by frame as one stream
// (section 8.1): a character split across frames is accepted, and invalid UTF-8 fails at the
// frame that carries it, also before the message is complete.
class MessageAssembler
{
public:
    explicit MessageAssembler(quint64 maxMessageSize = quint64(16) * 1024 * 1024);

    enum class Status : quint8 { Message, Control, Incomplete, Error };
    Status add(const Frame &frame, AssembledMessage *out);

    const std::optional<ProtocolError> &error() const { return m_error; }
    bool inMessage() const { return m_inMessage; }
    // In a text message: how many bytes at the end of the payload so far begin a character
    // that the next fragment completes (0 at a character boundary).
    int pendingUtf8Bytes() const { return m_utf8.pendingBytes(); }

private:
    Status fail(int closeCode, const char *source, const QStringList &args = {});

    quint64 m_maxMessageSize;
    bool m_inMessage = false;
    AssembledMessage m_current;
    Utf8Validator m_utf8;
    std::optional<ProtocolError> m_error;
};

// RFC 3629 well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(QByteArrayView bytes);

} // namespace sockpit::frames
