// The frame decoder on arbitrary bytes (RFC 6455 section 5.2). Besides not crashing:
// - fed in one piece or in pieces cut where the input says, it finds the same frames and
//   the same error (a peer decides how its bytes are split into TCP segments);
// - a frame it returns re-encodes to the bytes it was decoded from;
// - after an error it returns nothing more.
#include "frames/framedecoder.h"
#include "frames/frameencoder.h"
#include "fuzzcheck.h"

#include <QList>

#include <cstddef>
#include <cstdint>

using namespace sockpit::frames;

namespace {

struct Outcome
{
    QList<Frame> frames;
    QList<QByteArray> wire; // each frame's bytes, cut from the input
    std::optional<ProtocolError> error;
};

FrameDecoder::Options options()
{
    FrameDecoder::Options o;
    o.maxPayload = 64 * 1024; // small, so that the 1009 path is reached
    o.allowedRsv = 0;
    return o;
}

void drain(FrameDecoder *decoder, QByteArrayView input, qsizetype *consumed, Outcome *out)
{
    Frame frame;
    for (;;) {
        const FrameDecoder::Status status = decoder->next(&frame);
        if (status == FrameDecoder::Status::NeedMore)
            return;
        if (status == FrameDecoder::Status::Error) {
            out->error = decoder->error();
            FUZZ_CHECK(out->error.has_value());
            FUZZ_CHECK(decoder->next(&frame) == FrameDecoder::Status::Error);
            return;
        }
        const qsizetype size = bytesOnWire(frame);
        FUZZ_CHECK(size >= 2 && *consumed + size <= input.size());
        out->wire.append(input.sliced(*consumed, size).toByteArray());
        *consumed += size;
        out->frames.append(frame);
    }
}

Outcome decodeWhole(QByteArrayView input)
{
    FrameDecoder decoder(options());
    Outcome out;
    qsizetype consumed = 0;
    decoder.feed(input);
    drain(&decoder, input, &consumed, &out);
    return out;
}

// The first byte of the fuzz input chooses the piece sizes (1 to 16 bytes, cycling).
Outcome decodeInPieces(QByteArrayView input, quint8 seed)
{
    FrameDecoder decoder(options());
    Outcome out;
    qsizetype consumed = 0;
    qsizetype fed = 0;
    quint8 step = seed;
    while (fed < input.size() && !out.error) {
        const qsizetype piece = std::min<qsizetype>(1 + (step % 16), input.size() - fed);
        step = quint8(step * 31 + 7);
        decoder.feed(input.sliced(fed, piece));
        fed += piece;
        drain(&decoder, input, &consumed, &out);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const Outcome whole = decodeWhole(input);
    const Outcome pieces = decodeInPieces(input, data[0]);

    FUZZ_CHECK(whole.frames.size() == pieces.frames.size());
    FUZZ_CHECK(whole.error == pieces.error);
    for (qsizetype i = 0; i < whole.frames.size(); ++i) {
        const Frame &frame = whole.frames[i];
        const Frame &other = pieces.frames[i];
        FUZZ_CHECK(frame.opcode == other.opcode && frame.fin == other.fin && frame.rsv == other.rsv
                   && frame.masked == other.masked && frame.payload == other.payload);
        FUZZ_CHECK(quint64(frame.payload.size()) == frame.length);
        // The decoder unmasks; masking again with the same key gives the wire bytes back
        // (it refuses a length not in its minimal form, which the encoder always uses).
        const QByteArray again = encodeFrame(
            frame.opcode, frame.payload, frame.fin,
            frame.masked ? std::optional<MaskKey>(frame.maskKey) : std::nullopt, frame.rsv);
        FUZZ_CHECK(again == whole.wire[i]);
    }
    return 0;
}
