#include "messageassembler.h"

#include "protocol/opcodes.h"

#include <QCoreApplication>

namespace sockpit::frames {

bool Utf8Validator::feed(QByteArrayView bytes)
{
    for (const char ch : bytes) {
        if (m_failed)
            return false;
        const quint8 c = quint8(ch);
        if (m_needed == 0) {
            if (c < 0x80)
                continue;
            if (c >= 0xC2 && c <= 0xDF) {
                m_needed = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                m_needed = 2;
                if (c == 0xE0)
                    m_lower = 0xA0; // overlong below U+0800
                else if (c == 0xED)
                    m_upper = 0x9F; // U+D800-U+DFFF are surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                m_needed = 3;
                if (c == 0xF0)
                    m_lower = 0x90; // overlong below U+10000
                else if (c == 0xF4)
                    m_upper = 0x8F; // above U+10FFFF
            } else {
                m_failed = true; // a continuation byte, C0/C1 (overlong) or F5-FF
                return false;
            }
            m_seen = 1;
            continue;
        }
        if (c < m_lower || c > m_upper) {
            m_failed = true;
            return false;
        }
        m_lower = 0x80;
        m_upper = 0xBF;
        ++m_seen;
        if (--m_needed == 0)
            m_seen = 0;
    }
    return !m_failed;
}

bool isValidUtf8(QByteArrayView bytes)
{
    Utf8Validator validator;
    return validator.feed(bytes) && validator.atBoundary();
}

MessageAssembler::MessageAssembler(quint64 maxMessageSize)
    : m_maxMessageSize(maxMessageSize)
{ }

MessageAssembler::Status MessageAssembler::fail(int closeCode, const char *source,
                                                const QStringList &args)
{
    m_error = makeProtocolError(closeCode, "sockpit::frames::MessageAssembler", source, args);
    m_inMessage = false;
    m_current = {};
    m_utf8.reset();
    return Status::Error;
}

MessageAssembler::Status MessageAssembler::add(const Frame &frame, AssembledMessage *out)
{
    using protocol::Opcode;
    if (m_error)
        return Status::Error;

    // Section 5.4: control frames may be injected in the middle of a fragmented message.
    if (protocol::isControlOpcode(frame.opcode)) {
        out->opcode = frame.opcode;
        out->payload = frame.payload;
        out->frames = {frame.info()};
        return Status::Control;
    }

    if (frame.opcode == quint8(Opcode::Continuation)) {
        if (!m_inMessage)
            return fail(1002,
                        QT_TRANSLATE_NOOP("sockpit::frames::MessageAssembler",
                                          "continuation frame without a message to continue "
                                          "(RFC 6455 section 5.4)"));
    } else {
        if (m_inMessage)
            return fail(1002,
                        QT_TRANSLATE_NOOP("sockpit::frames::MessageAssembler",
                                          "new data frame while a fragmented message is unfinished "
                                          "(RFC 6455 section 5.4)"));
        m_inMessage = true;
        m_current = {};
        m_current.opcode = frame.opcode;
        m_utf8.reset();
    }

    if (quint64(m_current.payload.size()) + quint64(frame.payload.size()) > m_maxMessageSize)
        return fail(1009,
                    QT_TRANSLATE_NOOP("sockpit::frames::MessageAssembler",
                                      "message larger than the limit of %1 bytes "
                                      "(RFC 6455 section 7.4.1, 1009)"),
                    {QString::number(m_maxMessageSize)});
    const bool text = m_current.opcode == quint8(Opcode::Text);
    // Section 8.1: fail at the first invalid byte, also in a fragment that is not the last.
    if (text && (!m_utf8.feed(frame.payload) || (frame.fin && !m_utf8.atBoundary())))
        return fail(1007,
                    QT_TRANSLATE_NOOP("sockpit::frames::MessageAssembler",
                                      "text message is not valid UTF-8 (RFC 6455 section 8.1)"));
    m_current.payload.append(frame.payload);
    m_current.frames.append(frame.info());
    if (!frame.fin)
        return Status::Incomplete;

    m_inMessage = false;
    m_utf8.reset();
    *out = std::move(m_current);
    m_current = {};
    return Status::Message;
}

} // namespace sockpit::frames
