#include "messageassembler.h"

#include "protocol/opcodes.h"

#include <QCoreApplication>

namespace sockpit::frames {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("sockpit::frames::MessageAssembler", text);
}
} // namespace

bool isValidUtf8(QByteArrayView bytes)
{
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        const quint8 c = quint8(bytes.at(i));
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        quint32 cp = 0;
        quint32 min = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (i + extra >= n)
            return false;
        for (int k = 1; k <= extra; ++k) {
            const quint8 cc = quint8(bytes.at(i + k));
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

MessageAssembler::MessageAssembler(quint64 maxMessageSize)
    : m_maxMessageSize(maxMessageSize)
{ }

MessageAssembler::Status MessageAssembler::fail(int closeCode, const QString &reason)
{
    m_error = ProtocolError{closeCode, reason};
    m_inMessage = false;
    m_current = {};
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
                        tr("continuation frame without a message to continue "
                           "(RFC 6455 section 5.4)"));
    } else {
        if (m_inMessage)
            return fail(1002,
                        tr("new data frame while a fragmented message is unfinished "
                           "(RFC 6455 section 5.4)"));
        m_inMessage = true;
        m_current = {};
        m_current.opcode = frame.opcode;
    }

    if (quint64(m_current.payload.size()) + quint64(frame.payload.size()) > m_maxMessageSize)
        return fail(1009,
                    tr("message larger than the limit of %1 bytes "
                       "(RFC 6455 section 7.4.1, 1009)")
                        .arg(m_maxMessageSize));
    m_current.payload.append(frame.payload);
    m_current.frames.append(frame.info());
    if (!frame.fin)
        return Status::Incomplete;

    m_inMessage = false;
    if (m_current.opcode == quint8(Opcode::Text) && !isValidUtf8(m_current.payload))
        return fail(1007, tr("text message is not valid UTF-8 (RFC 6455 section 8.1)"));
    *out = std::move(m_current);
    m_current = {};
    return Status::Message;
}

} // namespace sockpit::frames
