// The message assembler on arbitrary sequences of the frames the decoder lets through
// (RFC 6455 sections 5.4, 5.5, 5.6): the input is read as a header byte (FIN and a choice
// of continuation, text, binary, close, ping, pong), a length byte, then that many payload
// bytes; control frames are final and at most 125 bytes, as the decoder ensures. Besides
// not crashing:
// - a text message it completes is valid UTF-8 (RFC 3629), so it converts to a QString
//   and back unchanged;
// - a message's payload is its frames' payloads in order, within the size limit;
// - a control frame comes out alone and whole, never inside a message's frames;
// - after an error it assembles nothing more;
// - its UTF-8 check agrees with the one-shot isValidUtf8() however the bytes are split.
#include "frames/framedecoder.h"
#include "frames/messageassembler.h"
#include "fuzzcheck.h"

#include <QString>

#include <cstddef>
#include <cstdint>

using namespace sockpit::frames;

namespace {

constexpr quint64 MaxMessage = 4096;

void checkUtf8Agreement(QByteArrayView bytes, quint8 split)
{
    Utf8Validator validator;
    const qsizetype cut = bytes.isEmpty() ? 0 : split % (bytes.size() + 1);
    const bool first = validator.feed(bytes.first(cut));
    const bool both = first && validator.feed(bytes.sliced(cut)) && validator.atBoundary();
    const bool whole = isValidUtf8(bytes);
    FUZZ_CHECK(both == whole);
    if (whole)
        FUZZ_CHECK(QString::fromUtf8(bytes).toUtf8() == bytes);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    if (!input.isEmpty())
        checkUtf8Agreement(input.sliced(1), quint8(input[0]));

    MessageAssembler assembler(MaxMessage);
    QByteArray fragments; // payloads of the data frames since the message began
    qsizetype at = 0;
    bool failed = false;
    while (at + 2 <= input.size()) {
        static constexpr quint8 Opcodes[8] = {0x0, 0x1, 0x2, 0x0, 0x1, 0x8, 0x9, 0xA};
        const quint8 header = quint8(input[at]);
        Frame frame;
        frame.opcode = Opcodes[header & 0x07];
        const bool control = frame.opcode >= 0x8;
        frame.fin = control || (header & 0x80) != 0;
        qsizetype length = std::min<qsizetype>(quint8(input[at + 1]), input.size() - at - 2);
        if (control)
            length = std::min<qsizetype>(length, 125);
        frame.payload = input.sliced(at + 2, length).toByteArray();
        frame.length = quint64(length);
        at += 2 + length;

        if (frame.opcode == 0x0)
            fragments += frame.payload;
        else if (!control)
            fragments = frame.payload; // a new message (an error if one is unfinished)
        AssembledMessage message;
        const MessageAssembler::Status status = assembler.add(frame, &message);
        if (failed) {
            FUZZ_CHECK(status == MessageAssembler::Status::Error);
            continue;
        }
        switch (status) {
        case MessageAssembler::Status::Error:
            FUZZ_CHECK(assembler.error().has_value());
            failed = true;
            break;
        case MessageAssembler::Status::Control:
            FUZZ_CHECK(control);
            FUZZ_CHECK(message.opcode == frame.opcode && message.payload == frame.payload);
            FUZZ_CHECK(message.frames.size() == 1);
            break;
        case MessageAssembler::Status::Message:
            FUZZ_CHECK(!control && frame.fin);
            FUZZ_CHECK(message.opcode == 0x1 || message.opcode == 0x2);
            FUZZ_CHECK(message.payload == fragments);
            FUZZ_CHECK(quint64(message.payload.size()) <= MaxMessage);
            for (const auto &info : message.frames)
                FUZZ_CHECK(info.opcode < 0x8);
            if (message.opcode == 0x1) {
                FUZZ_CHECK(isValidUtf8(message.payload));
                FUZZ_CHECK(QString::fromUtf8(message.payload).toUtf8() == message.payload);
            }
            fragments.clear();
            break;
        case MessageAssembler::Status::Incomplete:
            FUZZ_CHECK(!control && assembler.inMessage());
            break;
        }
    }
    return 0;
}
