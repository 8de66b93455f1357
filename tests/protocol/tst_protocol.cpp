#include "protocol/acceptkey.h"
#include "protocol/closecodes.h"
#include "protocol/opcodes.h"

#include <QTest>

using namespace sockpit::protocol;

class tst_Protocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void acceptKey_data();
    void acceptKey();
    void clientKeyValidity_data();
    void clientKeyValidity();
    void generatedKeysAreValidAndFresh();
    void closeCodeOnWire_data();
    void closeCodeOnWire();
    void closeCodeNames_data();
    void closeCodeNames();
    void everyRegisteredCodeHasAMeaning();
    void opcodes_data();
    void opcodes();
};

void tst_Protocol::acceptKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("accept");
    // RFC 6455 section 1.3 gives this pair.
    QTest::newRow("the RFC's example")
        << QByteArray("dGhlIHNhbXBsZSBub25jZQ==") << QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    // The key in the reference tutorial's handshake.
    QTest::newRow("the tutorial's key")
        << QByteArray("x3JJHMbDL1EzLkh9GBhXDw==") << QByteArray("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    QTest::newRow("surrounding white space is not part of the key")
        << QByteArray(" dGhlIHNhbXBsZSBub25jZQ== ") << QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

void tst_Protocol::acceptKey()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, accept);
    QCOMPARE(computeAcceptKey(key), accept);
}

void tst_Protocol::clientKeyValidity_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<bool>("valid");
    QTest::newRow("sixteen bytes in base64") << QByteArray("dGhlIHNhbXBsZSBub25jZQ==") << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("fifteen bytes") << QByteArray("dGhlIHNhbXBsZSBub25j") << false;
    QTest::newRow("seventeen bytes") << QByteArray("dGhlIHNhbXBsZSBub25jZSE=") << false;
    QTest::newRow("not base64") << QByteArray("!!!!!!!!!!!!!!!!!!!!!!==") << false;
}

void tst_Protocol::clientKeyValidity()
{
    QFETCH(QByteArray, key);
    QFETCH(bool, valid);
    QCOMPARE(isValidClientKey(key), valid);
}

void tst_Protocol::generatedKeysAreValidAndFresh()
{
    const QByteArray a = generateClientKey();
    const QByteArray b = generateClientKey();
    QVERIFY(isValidClientKey(a));
    QVERIFY(isValidClientKey(b));
    QVERIFY(a != b);
}

void tst_Protocol::closeCodeOnWire_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("valid");
    QTest::newRow("below the range") << 999 << false;
    QTest::newRow("normal closure") << 1000 << true;
    QTest::newRow("going away") << 1001 << true;
    QTest::newRow("unsupported data") << 1003 << true;
    QTest::newRow("reserved 1004") << 1004 << false;
    QTest::newRow("no status is only reported") << 1005 << false;
    QTest::newRow("abnormal closure is only reported") << 1006 << false;
    QTest::newRow("invalid payload") << 1007 << true;
    QTest::newRow("message too big") << 1009 << true;
    QTest::newRow("internal error") << 1011 << true;
    QTest::newRow("service restart") << 1012 << true;
    QTest::newRow("try again later") << 1013 << true;
    QTest::newRow("bad gateway") << 1014 << true;
    QTest::newRow("TLS failure is only reported") << 1015 << false;
    QTest::newRow("unassigned protocol range") << 1016 << false;
    QTest::newRow("top of the protocol range") << 2999 << false;
    QTest::newRow("library range") << 3000 << true;
    QTest::newRow("private range") << 4001 << true;
    QTest::newRow("top of the private range") << 4999 << true;
    QTest::newRow("above every range") << 5000 << false;
}

void tst_Protocol::closeCodeOnWire()
{
    QFETCH(int, code);
    QFETCH(bool, valid);
    QCOMPARE(isValidCloseCodeOnWire(code), valid);
}

void tst_Protocol::closeCodeNames_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("name");
    QTest::newRow("1000") << 1000 << QStringLiteral("Normal Closure");
    QTest::newRow("1001") << 1001 << QStringLiteral("Going Away");
    QTest::newRow("1002") << 1002 << QStringLiteral("Protocol Error");
    QTest::newRow("1003") << 1003 << QStringLiteral("Unsupported Data");
    QTest::newRow("1005") << 1005 << QStringLiteral("No Status Received");
    QTest::newRow("1006") << 1006 << QStringLiteral("Abnormal Closure");
    QTest::newRow("1007") << 1007 << QStringLiteral("Invalid Frame Payload Data");
    QTest::newRow("1008") << 1008 << QStringLiteral("Policy Violation");
    QTest::newRow("1009") << 1009 << QStringLiteral("Message Too Big");
    QTest::newRow("1010") << 1010 << QStringLiteral("Mandatory Extension");
    QTest::newRow("1011") << 1011 << QStringLiteral("Internal Error");
    QTest::newRow("1012") << 1012 << QStringLiteral("Service Restart");
    QTest::newRow("1013") << 1013 << QStringLiteral("Try Again Later");
    QTest::newRow("1014") << 1014 << QStringLiteral("Bad Gateway");
    QTest::newRow("1015") << 1015 << QStringLiteral("TLS Handshake Failure");
    QTest::newRow("protocol range") << 2000 << QStringLiteral("Reserved for the Protocol");
    QTest::newRow("library range") << 3500 << QStringLiteral("Registered (Library or Framework)");
    QTest::newRow("application range") << 4001 << QStringLiteral("Private Use");
    QTest::newRow("out of range") << 42 << QStringLiteral("Invalid");
}

void tst_Protocol::closeCodeNames()
{
    QFETCH(int, code);
    QFETCH(QString, name);
    QCOMPARE(closeCodeInfo(code).name, name);
}

void tst_Protocol::everyRegisteredCodeHasAMeaning()
{
    const QList<int> codes = wellKnownCloseCodes();
    QCOMPARE(codes.first(), 1000);
    QCOMPARE(codes.last(), 1015);
    QCOMPARE(codes.size(), 16);
    for (int code : codes) {
        const CloseCodeInfo info = closeCodeInfo(code);
        QVERIFY2(!info.meaning.isEmpty(), qPrintable(QString::number(code)));
        QVERIFY2(info.name != closeCodeInfo(42).name, qPrintable(QString::number(code)));
    }
}

void tst_Protocol::opcodes_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("reserved");
    QTest::addColumn<bool>("control");
    QTest::newRow("continuation") << 0x0 << QStringLiteral("continuation") << false << false;
    QTest::newRow("text") << 0x1 << QStringLiteral("text") << false << false;
    QTest::newRow("binary") << 0x2 << QStringLiteral("binary") << false << false;
    QTest::newRow("first reserved data opcode")
        << 0x3 << QStringLiteral("reserved-0x3") << true << false;
    QTest::newRow("last reserved data opcode")
        << 0x7 << QStringLiteral("reserved-0x7") << true << false;
    QTest::newRow("close") << 0x8 << QStringLiteral("close") << false << true;
    QTest::newRow("ping") << 0x9 << QStringLiteral("ping") << false << true;
    QTest::newRow("pong") << 0xA << QStringLiteral("pong") << false << true;
    QTest::newRow("reserved control opcode")
        << 0xB << QStringLiteral("reserved-0xb") << true << true;
    QTest::newRow("last reserved control opcode")
        << 0xF << QStringLiteral("reserved-0xf") << true << true;
}

void tst_Protocol::opcodes()
{
    QFETCH(int, opcode);
    QFETCH(QString, name);
    QFETCH(bool, reserved);
    QFETCH(bool, control);
    const auto op = quint8(opcode);
    QCOMPARE(opcodeName(op), name);
    QCOMPARE(isReservedOpcode(op), reserved);
    QCOMPARE(isControlOpcode(op), control);
    QCOMPARE(isValidOpcode(op), !reserved);
}

QTEST_GUILESS_MAIN(tst_Protocol)
#include "tst_protocol.moc"
