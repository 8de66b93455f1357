// The catalogues only help if the code looks its strings up under the context lupdate filed
// them in. The translations test compares sources with catalogues; this one installs German
// and checks that sentences from every part of the core (and the command line) really come
// out translated at run time.
#include "client/clientsession.h"
#include "cliusage.h"
#include "events/eventstore.h"
#include "events/jsonlines.h"
#include "frames/framedecoder.h"
#include "frames/messageassembler.h"
#include "protocol/closecodes.h"
#include "protocol/handshakerequest.h"
#include "server/embeddedserver.h"
#include "translationloader.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <functional>

using namespace sockpit;

namespace {

using Producer = std::function<QString()>;

QString postRequestSentence()
{
    const auto parsed = protocol::parseRequestHead(
        "POST /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
        "13\r\n\r\n");
    return parsed ? protocol::validateUpgradeRequest(*parsed, {}).sentence : QString();
}

std::optional<frames::ProtocolError> reservedOpcodeError()
{
    frames::FrameDecoder decoder;
    decoder.feed(QByteArray::fromHex("8300"));
    frames::Frame frame;
    decoder.next(&frame);
    return decoder.error();
}

QString reservedOpcodeReason()
{
    const auto error = reservedOpcodeError();
    return error ? error->shown() : QString();
}

QString badJsonLineSentence()
{
    QString error;
    eventFromJsonLine(R"({"seq":1,"time":"2026-11-25T18:00:00.000Z","source":"server",)"
                      R"("connection":0,"direction":"none","kind":"no-such-kind"})",
                      &error);
    return error;
}

QString badUrlSentence()
{
    EventStore store;
    ClientSession session(&store);
    QSignalSpy failed(&session, &ClientSession::failed);
    ClientConfig config;
    config.url = QUrl(QStringLiteral("http://127.0.0.1/"));
    session.open(config);
    if (!failed.wait(5000) && failed.isEmpty())
        return QString();
    return failed.constFirst().at(1).toString();
}

QString portInUseSentence()
{
    QTcpServer holder;
    if (!holder.listen(QHostAddress::LocalHost, 0))
        return QString();
    EventStore store;
    EmbeddedServer server(&store);
    ServerConfig config;
    config.port = holder.serverPort();
    server.start(config);
    return server.errorString();
}

} // namespace

class tst_CoreLang : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sentencesAreTranslated_data();
    void sentencesAreTranslated();
    void wireTextStaysEnglish();
};

void tst_CoreLang::sentencesAreTranslated_data()
{
    QTest::addColumn<Producer>("produce");
    QTest::newRow("a close code's name")
        << Producer([] { return protocol::closeCodeInfo(1001).name; });
    QTest::newRow("a handshake rejection") << Producer(postRequestSentence);
    QTest::newRow("a frame decoder error") << Producer(reservedOpcodeReason);
    QTest::newRow("a JSON Lines reading error") << Producer(badJsonLineSentence);
    QTest::newRow("a client session failure") << Producer(badUrlSentence);
    QTest::newRow("a server start failure") << Producer(portInUseSentence);
    QTest::newRow("the command line's help usage line")
        << Producer([] { return cli::commandHelpOption().description(); });
}

void tst_CoreLang::sentencesAreTranslated()
{
    QFETCH(Producer, produce);
    QVERIFY(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")));
    const QString english = produce();
    QVERIFY(!english.isEmpty());
    QVERIFY(installTranslations(*QCoreApplication::instance(), QStringLiteral("de")));
    const QString german = produce();
    QVERIFY(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")));
    QVERIFY(!german.isEmpty());
    QVERIFY2(german != english, qPrintable(QStringLiteral("still English: ") + english));
}

void tst_CoreLang::wireTextStaysEnglish()
{
    // What a peer receives (an HTTP rejection's body) is fixed English whatever the
    // window's language; only the log's sentence is translated.
    QVERIFY(installTranslations(*QCoreApplication::instance(), QStringLiteral("de")));
    const auto parsed = protocol::parseRequestHead(
        "POST /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: "
        "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
        "13\r\n\r\n");
    QVERIFY(parsed);
    const protocol::HandshakeVerdict verdict = protocol::validateUpgradeRequest(*parsed, {});
    const QByteArray body = protocol::rejectionResponse(verdict).body;
    // A frame the decoder refuses: the reason goes out in the Close frame the tap sends.
    const auto frameError = reservedOpcodeError();
    QVERIFY(installTranslations(*QCoreApplication::instance(), QStringLiteral("en")));
    QCOMPARE(body, QByteArray("A WebSocket handshake must use the GET method.\n"));
    QVERIFY(verdict.sentence != verdict.wireText);
    QVERIFY(frameError);
    QCOMPARE(frameError->reason, QStringLiteral("reserved opcode 0x3 (RFC 6455 section 5.2)"));
    QVERIFY(frameError->sentence != frameError->reason);
}

QTEST_MAIN(tst_CoreLang)
#include "tst_corelang.moc"
