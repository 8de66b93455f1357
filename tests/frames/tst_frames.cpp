#include "frames/framedecoder.h"
#include "frames/frameencoder.h"
#include "frames/messageassembler.h"

#include <QTest>

using namespace sockpit;
using namespace sockpit::frames;

namespace {

QList<Frame> decodeAll(const QByteArray &wire, bool byteByByte, FrameDecoder *decoder)
{
    QList<Frame> out;
    auto drain = [&] {
        Frame f;
        while (decoder->next(&f) == FrameDecoder::Status::Frame)
            out.append(f);
    };
    if (byteByByte) {
        for (qsizetype i = 0; i < wire.size(); ++i) {
            decoder->feed(QByteArrayView(wire).sliced(i, 1));
            drain();
        }
    } else {
        decoder->feed(wire);
        drain();
    }
    return out;
}

QByteArray repeated(qsizetype n)
{
    QByteArray data(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i)
        data[i] = char(i % 251);
    return data;
}

} // namespace

class tst_Frames : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void decodesRfcExamples_data();
    void decodesRfcExamples();
    void reportsProtocolErrors_data();
    void reportsProtocolErrors();
    void encoderRoundTrips_data();
    void encoderRoundTrips();
    void encoderMatchesRfcBytes();
    void assemblesFragmentedText();
    void assemblerAcceptsCharacterSplitAcrossFrames();
    void assemblerFailsAtTheFragmentWithInvalidUtf8();
    void utf8ValidatorResumesInsideACharacter_data();
    void utf8ValidatorResumesInsideACharacter();
    void assemblerRejects_data();
    void assemblerRejects();
    void closePayloadParses();
};

void tst_Frames::decodesRfcExamples_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<bool>("byteByByte");
    QTest::addColumn<QList<quint8>>("opcodes");
    QTest::addColumn<QList<bool>>("fins");
    QTest::addColumn<bool>("masked");
    QTest::addColumn<QByteArray>("payload"); // all payloads joined

    struct Row
    {
        const char *name;
        QByteArray wire;
        QList<quint8> opcodes;
        QList<bool> fins;
        bool masked;
        QByteArray payload;
    };
    // RFC 6455 section 5.7.
    const QList<Row> rows = {
        {"a single-frame unmasked text message",
         QByteArray::fromHex("810548656c6c6f"),
         {1},
         {true},
         false,
         "Hello"},
        {"a single-frame masked text message",
         QByteArray::fromHex("818537fa213d7f9f4d5158"),
         {1},
         {true},
         true,
         "Hello"},
        {"a fragmented unmasked text message",
         QByteArray::fromHex("010348656c80026c6f"),
         {1, 0},
         {false, true},
         false,
         "Hello"},
        {"an unmasked ping", QByteArray::fromHex("890548656c6c6f"), {9}, {true}, false, "Hello"},
        {"a masked pong",
         QByteArray::fromHex("8a8537fa213d7f9f4d5158"),
         {10},
         {true},
         true,
         "Hello"},
        {"a 256-byte binary message in one unmasked frame",
         QByteArray::fromHex("827e0100") + repeated(256),
         {2},
         {true},
         false,
         repeated(256)},
        {"a 64KiB binary message in one unmasked frame",
         QByteArray::fromHex("827f0000000000010000") + repeated(65536),
         {2},
         {true},
         false,
         repeated(65536)},
    };
    for (const Row &row : rows) {
        for (bool byteByByte : {false, true}) {
            QTest::addRow("%s, fed %s", row.name, byteByByte ? "byte by byte" : "whole")
                << row.wire << byteByByte << row.opcodes << row.fins << row.masked << row.payload;
        }
    }
}

void tst_Frames::decodesRfcExamples()
{
    QFETCH(QByteArray, wire);
    QFETCH(bool, byteByByte);
    QFETCH(QList<quint8>, opcodes);
    QFETCH(QList<bool>, fins);
    QFETCH(bool, masked);
    QFETCH(QByteArray, payload);

    FrameDecoder decoder;
    const QList<Frame> frames = decodeAll(wire, byteByByte, &decoder);
    QVERIFY(!decoder.error());
    QCOMPARE(frames.size(), opcodes.size());
    QByteArray joined;
    for (qsizetype i = 0; i < frames.size(); ++i) {
        QCOMPARE(frames[i].opcode, opcodes[i]);
        QCOMPARE(frames[i].fin, fins[i]);
        QCOMPARE(frames[i].masked, masked);
        QCOMPARE(frames[i].rsv, quint8(0));
        QCOMPARE(frames[i].length, quint64(frames[i].payload.size()));
        joined += frames[i].payload;
    }
    QCOMPARE(joined, payload);
    QCOMPARE(decoder.bufferedBytes(), qsizetype(0));
}

void tst_Frames::reportsProtocolErrors_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<quint64>("maxPayload");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<QString>("reasonContains");

    const quint64 big = quint64(1) << 40;
    QTest::newRow("a reserved non-control opcode is rejected")
        << QByteArray::fromHex("8300") << big << 1002 << QStringLiteral("reserved opcode 0x3");
    QTest::newRow("a reserved control opcode is rejected")
        << QByteArray::fromHex("8b00") << big << 1002 << QStringLiteral("reserved opcode 0xB");
    QTest::newRow("a fragmented ping is rejected")
        << QByteArray::fromHex("0900") << big << 1002 << QStringLiteral("fragmented control");
    QTest::newRow("a ping longer than 125 bytes is rejected") << QByteArray::fromHex("897e007e")
            + repeated(126) << big << 1002 << QStringLiteral("125 bytes");
    QTest::newRow("a 16-bit length below 126 is rejected") << QByteArray::fromHex("827e0005")
            + "Hello" << big << 1002 << QStringLiteral("minimally encoded in 16");
    QTest::newRow("a 64-bit length below 65536 is rejected")
        << QByteArray::fromHex("827f0000000000000005") + "Hello" << big << 1002
        << QStringLiteral("minimally encoded in 64");
    QTest::newRow("a 64-bit length with the top bit set is rejected")
        << QByteArray::fromHex("827f8000000000000000") << big << 1002
        << QStringLiteral("most significant bit");
    QTest::newRow("RSV1 without an extension is rejected")
        << QByteArray::fromHex("c10548656c6c6f") << big << 1002 << QStringLiteral("RSV");
    QTest::newRow("RSV3 without an extension is rejected")
        << QByteArray::fromHex("910548656c6c6f") << big << 1002 << QStringLiteral("RSV");
    QTest::newRow("a payload above the configured limit closes with 1009")
        << QByteArray::fromHex("827e0100") << quint64(255) << 1009 << QStringLiteral("limit");
}

void tst_Frames::reportsProtocolErrors()
{
    QFETCH(QByteArray, wire);
    QFETCH(quint64, maxPayload);
    QFETCH(int, closeCode);
    QFETCH(QString, reasonContains);

    for (bool byteByByte : {false, true}) {
        FrameDecoder::Options options;
        options.maxPayload = maxPayload;
        FrameDecoder decoder(options);
        const QList<Frame> frames = decodeAll(wire, byteByByte, &decoder);
        QVERIFY(frames.isEmpty());
        QVERIFY(decoder.error());
        QCOMPARE(decoder.error()->closeCode, closeCode);
        QVERIFY2(decoder.error()->reason.contains(reasonContains),
                 qPrintable(decoder.error()->reason));
        // The decoder stays failed.
        decoder.feed(QByteArray::fromHex("810548656c6c6f"));
        Frame f;
        QCOMPARE(decoder.next(&f), FrameDecoder::Status::Error);
    }
}

void tst_Frames::encoderRoundTrips_data()
{
    QTest::addColumn<quint8>("opcode");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<bool>("masked");

    for (bool masked : {false, true}) {
        const char *m = masked ? "masked" : "unmasked";
        QTest::addRow("an empty %s text frame", m) << quint8(1) << QByteArray() << true << masked;
        QTest::addRow("a 125-byte %s binary frame", m)
            << quint8(2) << repeated(125) << true << masked;
        QTest::addRow("a 126-byte %s binary frame", m)
            << quint8(2) << repeated(126) << true << masked;
        QTest::addRow("a 65535-byte %s non-final frame", m)
            << quint8(2) << repeated(65535) << false << masked;
        QTest::addRow("a 65536-byte %s continuation frame", m)
            << quint8(0) << repeated(65536) << true << masked;
        QTest::addRow("a %s ping with a payload", m)
            << quint8(9) << QByteArray("are you there") << true << masked;
    }
}

void tst_Frames::encoderRoundTrips()
{
    QFETCH(quint8, opcode);
    QFETCH(QByteArray, payload);
    QFETCH(bool, fin);
    QFETCH(bool, masked);

    const std::optional<MaskKey> key
        = masked ? std::optional<MaskKey>(MaskKey{0x12, 0x34, 0x56, 0x78}) : std::nullopt;
    const QByteArray wire = encodeFrame(opcode, payload, fin, key);
    FrameDecoder decoder;
    const QList<Frame> frames = decodeAll(wire, false, &decoder);
    QVERIFY(!decoder.error());
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames[0].opcode, opcode);
    QCOMPARE(frames[0].fin, fin);
    QCOMPARE(frames[0].masked, masked);
    QCOMPARE(frames[0].payload, payload);
    if (masked)
        QCOMPARE(frames[0].maskKey, *key);
}

void tst_Frames::encoderMatchesRfcBytes()
{
    // RFC 6455 section 5.7.
    QCOMPARE(encodeText(QStringLiteral("Hello")), QByteArray::fromHex("810548656c6c6f"));
    QCOMPARE(encodeText(QStringLiteral("Hello"), true, MaskKey{0x37, 0xfa, 0x21, 0x3d}),
             QByteArray::fromHex("818537fa213d7f9f4d5158"));
    QCOMPARE(encodeText(QStringLiteral("Hel"), false) + encodeContinuation("lo", true),
             QByteArray::fromHex("010348656c80026c6f"));
    QCOMPARE(encodePing("Hello"), QByteArray::fromHex("890548656c6c6f"));
    QCOMPARE(encodePong("Hello", MaskKey{0x37, 0xfa, 0x21, 0x3d}),
             QByteArray::fromHex("8a8537fa213d7f9f4d5158"));
    QCOMPARE(encodeBinary(repeated(256)).left(4), QByteArray::fromHex("827e0100"));
    QCOMPARE(encodeBinary(repeated(65536)).left(10), QByteArray::fromHex("827f0000000000010000"));
    QCOMPARE(encodeClose(1000, QStringLiteral("bye")), QByteArray::fromHex("880503e8627965"));
    QCOMPARE(encodeClose(0, QString()), QByteArray::fromHex("8800"));
}

void tst_Frames::assemblesFragmentedText()
{
    FrameDecoder decoder;
    // "Hel" + ping + "lo": a control frame in the middle of a fragmented message.
    const QByteArray wire
        = QByteArray::fromHex("010348656c") + encodePing("x") + QByteArray::fromHex("80026c6f");
    const QList<Frame> frames = decodeAll(wire, true, &decoder);
    QCOMPARE(frames.size(), 3);
    MessageAssembler assembler;
    AssembledMessage out;
    QCOMPARE(assembler.add(frames[0], &out), MessageAssembler::Status::Incomplete);
    QCOMPARE(assembler.add(frames[1], &out), MessageAssembler::Status::Control);
    QCOMPARE(out.opcode, quint8(9));
    QCOMPARE(assembler.add(frames[2], &out), MessageAssembler::Status::Message);
    QCOMPARE(out.opcode, quint8(1));
    QCOMPARE(out.payload, QByteArray("Hello"));
    QCOMPARE(out.frames.size(), 2);
    QCOMPARE(out.frames[0].length, quint64(3));
    QCOMPARE(out.frames[1].opcode, quint8(0));
}

void tst_Frames::assemblerAcceptsCharacterSplitAcrossFrames()
{
    const QByteArray euro = QStringLiteral("\u20ac").toUtf8(); // e2 82 ac
    MessageAssembler assembler;
    AssembledMessage out;
    Frame a;
    a.opcode = 1;
    a.fin = false;
    a.payload = euro.left(1);
    Frame b;
    b.opcode = 0;
    b.fin = true;
    b.payload = euro.mid(1);
    QCOMPARE(assembler.add(a, &out), MessageAssembler::Status::Incomplete);
    QCOMPARE(assembler.add(b, &out), MessageAssembler::Status::Message);
    QCOMPARE(out.payload, euro);
}

// RFC 6455 section 8.1: invalid UTF-8 fails at once, not when the message is complete.
void tst_Frames::assemblerFailsAtTheFragmentWithInvalidUtf8()
{
    MessageAssembler assembler;
    AssembledMessage out;
    Frame first;
    first.opcode = 1;
    first.fin = false;
    first.payload = QByteArray("ab\xFF");
    QCOMPARE(assembler.add(first, &out), MessageAssembler::Status::Error);
    QCOMPARE(assembler.error()->closeCode, 1007);
}

void tst_Frames::utf8ValidatorResumesInsideACharacter_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("U+1F600 (RFC 3629)") << QByteArray("a\xF0\x9F\x98\x80z") << true;
    QTest::newRow("U+10FFFF, the last code point") << QByteArray("\xF4\x8F\xBF\xBF") << true;
    QTest::newRow("U+110000 is above the range") << QByteArray("\xF4\x90\x80\x80") << false;
    QTest::newRow("an overlong 3-byte form") << QByteArray("\xE0\x80\xAF") << false;
    QTest::newRow("a surrogate") << QByteArray("\xED\xB0\x80") << false;
    QTest::newRow("a lone continuation byte") << QByteArray("a\x80") << false;
}

void tst_Frames::utf8ValidatorResumesInsideACharacter()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(isValidUtf8(bytes), valid);
    // One byte at a time gives the same verdict, with the unfinished character's length.
    Utf8Validator validator;
    bool ok = true;
    for (qsizetype i = 0; i < bytes.size() && ok; ++i) {
        ok = validator.feed(bytes.sliced(i, 1));
        if (ok)
            QVERIFY(validator.pendingBytes() >= 0 && validator.pendingBytes() <= 3);
    }
    QCOMPARE(ok && validator.atBoundary(), valid);
}

void tst_Frames::assemblerRejects_data()
{
    QTest::addColumn<QList<QByteArray>>("frames"); // hex wire of each frame
    QTest::addColumn<int>("closeCode");

    QTest::newRow("a continuation without a start is a protocol error")
        << QList<QByteArray>{"80026c6f"} << 1002;
    QTest::newRow("a new text frame inside a fragmented message is a protocol error")
        << QList<QByteArray>{"010348656c", "81026c6f"} << 1002;
    QTest::newRow("invalid UTF-8 in a text message closes with 1007")
        << QList<QByteArray>{"8102c328"} << 1007;
    QTest::newRow("an encoded surrogate closes with 1007")
        << QList<QByteArray>{"8103eda080"} << 1007;
    QTest::newRow("an overlong encoding closes with 1007") << QList<QByteArray>{"8102c0af"} << 1007;
    QTest::newRow("a character cut at the end of the message closes with 1007")
        << QList<QByteArray>{"8102e282"} << 1007;
    QTest::newRow("a message above the limit closes with 1009")
        << QList<QByteArray>{"0205" + QByteArray(10, '4'), "8005" + QByteArray(10, '4')} << 1009;
}

void tst_Frames::assemblerRejects()
{
    QFETCH(QList<QByteArray>, frames);
    QFETCH(int, closeCode);
    MessageAssembler assembler(8);
    AssembledMessage out;
    MessageAssembler::Status status = MessageAssembler::Status::Incomplete;
    for (const QByteArray &hex : frames) {
        FrameDecoder decoder;
        const QList<Frame> decoded = decodeAll(QByteArray::fromHex(hex), false, &decoder);
        QCOMPARE(decoded.size(), 1);
        status = assembler.add(decoded[0], &out);
        if (status == MessageAssembler::Status::Error)
            break;
    }
    QCOMPARE(status, MessageAssembler::Status::Error);
    QCOMPARE(assembler.error()->closeCode, closeCode);
}

void tst_Frames::closePayloadParses()
{
    const ClosePayload withCode = parseClosePayload(QByteArray::fromHex("0fa1627965"));
    QCOMPARE(withCode.code, 4001);
    QCOMPARE(withCode.reason, QStringLiteral("bye"));
    QCOMPARE(parseClosePayload(QByteArray()).code, 1005);
}

QTEST_GUILESS_MAIN(tst_Frames)
#include "tst_frames.moc"
