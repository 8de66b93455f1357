#include "events/connectionlinks.h"
#include "events/eventfilterproxy.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"

#include <QAbstractItemModelTester>
#include <QLocale>
#include <QTest>

using namespace sockpit;

Q_DECLARE_METATYPE(sockpit::Event)

namespace {

Event withKind(EventKind kind, EventSource source, qint64 connection, EventDirection direction)
{
    Event e;
    e.kind = kind;
    e.source = source;
    e.connection = connection;
    e.direction = direction;
    return e;
}

std::shared_ptr<const Handshake> handshake(bool withResponse)
{
    auto h = std::make_shared<Handshake>();
    h->request.method = "GET";
    h->request.target = "/chat";
    h->request.headers = {{"Host", "127.0.0.1"}, {"X-Trace-Id", "abc123"}};
    if (withResponse)
        h->response = HttpResponseHead{101, "Switching Protocols", {{"Upgrade", "websocket"}}, {}};
    return h;
}

// The fixed log the filter rows select from; seq is the position + 1.
QList<Event> filterLog()
{
    Event listening = withKind(EventKind::Listening, EventSource::Server, 0, EventDirection::None);
    listening.url = QStringLiteral("ws://127.0.0.1:8080");
    Event hs = withKind(EventKind::Handshake, EventSource::Server, 1, EventDirection::In);
    hs.handshake = handshake(true);
    Event open = withKind(EventKind::Open, EventSource::Server, 1, EventDirection::None);
    open.peer = QStringLiteral("127.0.0.1:5555");
    return {
        listening,
        hs,
        open,
        makeTextEvent(EventSource::Server, 1, EventDirection::In, "Hello World"),
        makeTextEvent(EventSource::Server, 1, EventDirection::Out, "Server says: Hello"),
        makeTextEvent(EventSource::Client, 2, EventDirection::Out, "first\nSECOND line"),
        makeBinaryEvent(EventSource::Client, 2, EventDirection::In, "\x01\x02"),
        makeCloseEvent(EventSource::Client, 2, EventDirection::In, 1011,
                       QStringLiteral("server exploded"), CloseInitiator::Remote),
        makeErrorEvent(EventSource::Server, 0, QStringLiteral("port-in-use"),
                       QStringLiteral("The port is in use.")),
    };
}

QList<quint64> proxySeqs(const QAbstractItemModel &proxy)
{
    QList<quint64> seqs;
    for (int row = 0; row < proxy.rowCount(); ++row)
        seqs.append(proxy.index(row, 0).data(EventLogModel::SeqRole).toULongLong());
    return seqs;
}

} // namespace

class tst_EventModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void modelsStayConsistentThroughBatchesEvictionAndClear();
    void summaries_data();
    void summaries();
    void cells_data();
    void cells();
    void semanticRoles();
    void headersAreLabelled();
    void filter_data();
    void filter();
    void anInvalidRegexKeepsTheOldFilter();
    void plainTextFilterMatchesTheSearchTextExactly();
    void newRowsPassThroughTheFilter();
    void sourceNamesTheClientAndLinksBothEnds_data();
    void sourceNamesTheClientAndLinksBothEnds();
};

void tst_EventModels::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void tst_EventModels::modelsStayConsistentThroughBatchesEvictionAndClear()
{
    EventStore store(EventStore::Limits{50, qint64(1) << 30});
    store.setBatchIntervalMs(60 * 60 * 1000);
    EventLogModel model(&store);
    EventFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester modelTester(&model,
                                         QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester proxyTester(&proxy,
                                         QAbstractItemModelTester::FailureReportingMode::Fatal);
    proxy.setSource(EventSource::Client);

    int appended = 0;
    for (int batch = 1; batch <= 12; ++batch) {
        for (int i = 0; i < batch * 3; ++i, ++appended) {
            store.append(makeTextEvent(i % 2 ? EventSource::Client : EventSource::Server, batch,
                                       EventDirection::In, QByteArray::number(appended)));
        }
        store.flush();
        QCOMPARE(model.rowCount(), int(store.size()));
        QCOMPARE(model.index(model.rowCount() - 1, 0).data(EventLogModel::SeqRole).toULongLong(),
                 quint64(appended));
        for (int row = 0; row < proxy.rowCount(); ++row) {
            QCOMPARE(proxy.index(row, 0).data(EventLogModel::SourceRole).toInt(),
                     int(EventSource::Client));
        }
    }
    QCOMPARE(model.rowCount(), 50);
    QVERIFY(store.evictedCount() > 0);

    store.setLimits({10, qint64(1) << 30});
    QCOMPARE(model.rowCount(), 10);
    proxy.setSource(std::nullopt);
    QCOMPARE(proxy.rowCount(), 10);
    proxy.setText(QStringLiteral("7"));
    store.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(proxy.rowCount(), 0);
    store.append(makeTextEvent(EventSource::Server, 1, EventDirection::In, "after 7 clear"));
    store.flush();
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(proxy.rowCount(), 1);
}

void tst_EventModels::summaries_data()
{
    QTest::addColumn<Event>("event");
    QTest::addColumn<QString>("summary");

    QTest::newRow("text shows the text")
        << makeTextEvent(EventSource::Server, 1, EventDirection::In, "Hello, wörld")
        << QStringLiteral("Hello, wörld");
    QTest::newRow("a text of several lines reads as one line")
        << makeTextEvent(EventSource::Server, 1, EventDirection::In, "one\ntwo\r\n  three")
        << QStringLiteral("one two three");
    QTest::newRow("pretty-printed JSON reads as its first characters, not as {…")
        << makeTextEvent(EventSource::Server, 1, EventDirection::In,
                         "{\n    \"type\": \"chat\",\n    \"to\": [\n        1,\n        2\n    "
                         "],\n    \"text\": \"hi  there\"\n}")
        << QStringLiteral("{\"type\": \"chat\", \"to\": [1, 2], \"text\": \"hi  there\"}");
    QTest::newRow("a long pretty-printed message is capped after collapsing")
        << makeTextEvent(EventSource::Server, 1, EventDirection::In,
                         "[\n" + QByteArray(300, 'b') + "\n]")
        << QString(u'[' + QString(199, u'b') + u'…');
    QTest::newRow("long text is capped")
        << makeTextEvent(EventSource::Server, 1, EventDirection::In, QByteArray(500, 'a'))
        << QString(QString(200, u'a') + u'…');
    QTest::newRow("empty text") << makeTextEvent(EventSource::Server, 1, EventDirection::In, {})
                                << QStringLiteral("(empty)");
    QTest::newRow("short binary shows every byte")
        << makeBinaryEvent(EventSource::Server, 1, EventDirection::In, "\xde\xad\xbe\xef")
        << QStringLiteral("de ad be ef (4 bytes)");
    QTest::newRow("long binary shows its first bytes")
        << makeBinaryEvent(EventSource::Server, 1, EventDirection::In, QByteArray(40, '\0'))
        << QStringLiteral("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00… (40 bytes)");

    Event e = withKind(EventKind::Handshake, EventSource::Server, 1, EventDirection::In);
    e.handshake = handshake(true);
    QTest::newRow("handshake with a response")
        << e << QStringLiteral("GET /chat → 101 Switching Protocols");
    e.handshake = handshake(false);
    QTest::newRow("handshake without a response")
        << e << QStringLiteral("GET /chat → (no response observed)");

    e = withKind(EventKind::Open, EventSource::Server, 1, EventDirection::None);
    e.peer = QStringLiteral("127.0.0.1:5555");
    e.subprotocol = QStringLiteral("chat");
    QTest::newRow("open") << e << QStringLiteral("peer 127.0.0.1:5555, subprotocol chat");

    QTest::newRow("close with a reason")
        << makeCloseEvent(EventSource::Client, 1, EventDirection::In, 1000, QStringLiteral("bye"),
                          CloseInitiator::Remote)
        << QStringLiteral("1000 Normal Closure: bye (remote)");
    QTest::newRow("close without a reason") << makeCloseEvent(
        EventSource::Client, 1, EventDirection::Out, 1001, {}, CloseInitiator::Local)
                                            << QStringLiteral("1001 Going Away (local)");
    QTest::newRow("error") << makeErrorEvent(EventSource::Server, 0, QStringLiteral("x"),
                                             QStringLiteral("It broke."))
                           << QStringLiteral("It broke.");

    e = withKind(EventKind::Listening, EventSource::Server, 0, EventDirection::None);
    e.url = QStringLiteral("wss://127.0.0.1:8443");
    QTest::newRow("listening") << e << QStringLiteral("wss://127.0.0.1:8443");

    e = withKind(EventKind::Broadcast, EventSource::Server, 0, EventDirection::Out);
    e.recipients = 3;
    e.payload = "news";
    e.size = 4;
    e.textPayload = true;
    QTest::newRow("broadcast") << e << QStringLiteral("to 3: news");

    e = withKind(EventKind::Pong, EventSource::Client, 1, EventDirection::In);
    e.payload = "hi";
    e.size = 2;
    e.rttMs = 1.25;
    QTest::newRow("pong with a round trip time")
        << e << QStringLiteral("68 69 (2 bytes), rtt 1.3 ms");

    e = withKind(EventKind::Tls, EventSource::Client, 1, EventDirection::None);
    auto tls = std::make_shared<TlsInfo>();
    tls->protocol = QStringLiteral("TLSv1.3");
    tls->cipher = QStringLiteral("TLS_AES_128_GCM_SHA256");
    tls->peerCertificate = CertificateInfo{QStringLiteral("CN=localhost"), {}, {}, {}, {}};
    e.tls = tls;
    QTest::newRow("tls") << e << QStringLiteral("TLSv1.3 TLS_AES_128_GCM_SHA256, CN=localhost");
    auto untrusted = std::make_shared<TlsInfo>(*tls);
    untrusted->errors = {QStringLiteral("self-signed"), QStringLiteral("expired")};
    untrusted->verificationDisabled = true;
    e.tls = untrusted;
    QTest::newRow("tls with errors and no verification")
        << e
        << QStringLiteral("TLSv1.3 TLS_AES_128_GCM_SHA256, CN=localhost, 2 certificate "
                          "errors, verification disabled");
}

void tst_EventModels::summaries()
{
    QFETCH(Event, event);
    QFETCH(QString, summary);
    QCOMPARE(EventLogModel::summary(event), summary);

    EventStore store;
    EventLogModel model(&store);
    store.append(event);
    store.flush();
    QCOMPARE(model.index(0, EventLogModel::SummaryColumn).data().toString(), summary);
}

void tst_EventModels::cells_data()
{
    QTest::addColumn<Event>("event");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");

    Event text = makeTextEvent(EventSource::Client, 3, EventDirection::Out, QByteArray(12, 'x'));
    text.time = QDateTime(QDate(2026, 11, 25), QTime(18, 0, 0, 123), Qt::UTC);
    QTest::newRow("time in local time with milliseconds")
        << text << int(EventLogModel::TimeColumn)
        << text.time.toLocalTime().toString(QStringLiteral("hh:mm:ss.zzz"));
    QTest::newRow("source") << text << int(EventLogModel::SourceColumn) << QStringLiteral("client");
    QTest::newRow("connection") << text << int(EventLogModel::ConnectionColumn)
                                << QStringLiteral("#3");
    QTest::newRow("direction") << text << int(EventLogModel::DirectionColumn)
                               << QStringLiteral("out");
    QTest::newRow("kind") << text << int(EventLogModel::KindColumn) << QStringLiteral("text");
    QTest::newRow("size in bytes")
        << text << int(EventLogModel::SizeColumn) << QStringLiteral("12 B");
    Event big
        = makeBinaryEvent(EventSource::Server, 0, EventDirection::None, QByteArray(3482, 'x'));
    QTest::newRow("size in KiB") << big << int(EventLogModel::SizeColumn)
                                 << QStringLiteral("3.4 KiB");
    big.size = 3 * 1024 * 1024 + 512 * 1024;
    QTest::newRow("size in MiB") << big << int(EventLogModel::SizeColumn)
                                 << QStringLiteral("3.5 MiB");
    QTest::newRow("no connection for the server itself")
        << big << int(EventLogModel::ConnectionColumn) << QString();
    QTest::newRow("no direction") << big << int(EventLogModel::DirectionColumn) << QString();
    const Event error
        = makeErrorEvent(EventSource::Server, 0, QStringLiteral("x"), QStringLiteral("y"));
    QTest::newRow("no size for an error") << error << int(EventLogModel::SizeColumn) << QString();
}

void tst_EventModels::cells()
{
    QFETCH(Event, event);
    QFETCH(int, column);
    QFETCH(QString, text);
    EventStore store;
    EventLogModel model(&store);
    store.append(event);
    store.flush();
    QCOMPARE(model.index(0, column).data().toString(), text);
}

void tst_EventModels::semanticRoles()
{
    EventStore store;
    EventLogModel model(&store);
    Event text = makeTextEvent(EventSource::Client, 3, EventDirection::Out, "x");
    text.time = QDateTime(QDate(2026, 11, 25), QTime(18, 0, 0, 123), Qt::UTC);
    store.append(text);
    store.append(makeCloseEvent(EventSource::Client, 3, EventDirection::In, 1000, {},
                                CloseInitiator::Remote));
    store.append(makeCloseEvent(EventSource::Client, 3, EventDirection::In, 1006, {},
                                CloseInitiator::Remote));
    store.append(makeErrorEvent(EventSource::Server, 0, QStringLiteral("id"), QStringLiteral("s")));
    store.flush();

    const QModelIndex first = model.index(0, EventLogModel::SummaryColumn);
    QCOMPARE(first.data(EventLogModel::SeqRole).toULongLong(), 1u);
    QCOMPARE(first.data(EventLogModel::KindRole).toInt(), int(EventKind::Text));
    QCOMPARE(first.data(EventLogModel::SourceRole).toInt(), int(EventSource::Client));
    QCOMPARE(first.data(EventLogModel::DirectionRole).toInt(), int(EventDirection::Out));
    QCOMPARE(first.data(EventLogModel::ConnectionRole).toLongLong(), 3);
    QCOMPARE(model.index(0, EventLogModel::TimeColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("2026-11-25T18:00:00.123Z"));
    const QList<bool> isError = {false, false, true, true};
    for (int row = 0; row < 4; ++row)
        QCOMPARE(model.index(row, 0).data(EventLogModel::IsErrorRole).toBool(), isError.at(row));
    QVERIFY(!first.data(Qt::DecorationRole).isValid());
    QVERIFY(!first.data(Qt::ForegroundRole).isValid());
    QVERIFY(model.roleNames().contains(EventLogModel::SearchTextRole));
}

void tst_EventModels::headersAreLabelled()
{
    EventStore store;
    EventLogModel model(&store);
    const QStringList expected
        = {QStringLiteral("Time"),      QStringLiteral("Source"), QStringLiteral("Connection"),
           QStringLiteral("Direction"), QStringLiteral("Kind"),   QStringLiteral("Size"),
           QStringLiteral("Summary")};
    QCOMPARE(model.columnCount(), expected.size());
    for (int c = 0; c < model.columnCount(); ++c)
        QCOMPARE(model.headerData(c, Qt::Horizontal).toString(), expected.at(c));
}

void tst_EventModels::filter_data()
{
    QTest::addColumn<QList<int>>("kinds");
    QTest::addColumn<int>("source"); // -1: any
    QTest::addColumn<qint64>("connection"); // -1: any
    QTest::addColumn<int>("direction"); // -1: any
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("regex");
    QTest::addColumn<QList<quint64>>("seqs");

    const QList<quint64> all = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    QTest::newRow("no criteria let everything through")
        << QList<int>{} << -1 << qint64(-1) << -1 << QString() << false << all;
    QTest::newRow("by one kind") << QList<int>{int(EventKind::Text)} << -1 << qint64(-1) << -1
                                 << QString() << false << QList<quint64>{4, 5, 6};
    QTest::newRow("by two kinds") << QList<int>{int(EventKind::Close), int(EventKind::Error)} << -1
                                  << qint64(-1) << -1 << QString() << false << QList<quint64>{8, 9};
    QTest::newRow("by source") << QList<int>{} << int(EventSource::Client) << qint64(-1) << -1
                               << QString() << false << QList<quint64>{6, 7, 8};
    QTest::newRow("by connection") << QList<int>{} << -1 << qint64(1) << -1 << QString() << false
                                   << QList<quint64>{2, 3, 4, 5};
    QTest::newRow("by direction") << QList<int>{} << -1 << qint64(-1) << int(EventDirection::Out)
                                  << QString() << false << QList<quint64>{5, 6};
    QTest::newRow("by text, ignoring case")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("hello") << false
        << QList<quint64>{4, 5};
    QTest::newRow("text beyond the first line")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("second") << false
        << QList<quint64>{6};
    QTest::newRow("text in a url") << QList<int>{} << -1 << qint64(-1) << -1
                                   << QStringLiteral(":8080") << false << QList<quint64>{1};
    QTest::newRow("text in a header value")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("ABC123") << false
        << QList<quint64>{2};
    QTest::newRow("text in an error id") << QList<int>{} << -1 << qint64(-1) << -1
                                         << QStringLiteral("port-in") << false << QList<quint64>{9};
    QTest::newRow("text in a close reason")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("EXPLODED") << false
        << QList<quint64>{8};
    QTest::newRow("a plain text is not a pattern")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("h.llo") << false
        << QList<quint64>{};
    QTest::newRow("a regular expression, ignoring case")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("^h.llo") << true
        << QList<quint64>{4};
    QTest::newRow("^ and $ anchor at a message's start and end")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("^hello world$") << true
        << QList<quint64>{4};
    QTest::newRow("^ and $ anchor at a summary's start and end")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("^server says: hello$") << true
        << QList<quint64>{5};
    QTest::newRow("^ and $ anchor at a header's start and end")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("^x-trace-id: abc123$") << true
        << QList<quint64>{2};
    QTest::newRow("an anchored line of a message is not the message")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("^first$") << true
        << QList<quint64>{};
    QTest::newRow("(?m) anchors at the lines of a message when asked")
        << QList<int>{} << -1 << qint64(-1) << -1 << QStringLiteral("(?m)^second line$") << true
        << QList<quint64>{6};
    QTest::newRow("criteria combine")
        << QList<int>{int(EventKind::Text)} << int(EventSource::Server) << qint64(1)
        << int(EventDirection::Out) << QStringLiteral("says") << false << QList<quint64>{5};
}

void tst_EventModels::filter()
{
    QFETCH(QList<int>, kinds);
    QFETCH(int, source);
    QFETCH(qint64, connection);
    QFETCH(int, direction);
    QFETCH(QString, text);
    QFETCH(bool, regex);
    QFETCH(QList<quint64>, seqs);

    EventStore store;
    EventLogModel model(&store);
    EventFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    for (const Event &e : filterLog())
        store.append(e);
    store.flush();

    QSet<EventKind> kindSet;
    for (int k : kinds)
        kindSet.insert(EventKind(k));
    proxy.setKinds(kindSet);
    QCOMPARE(proxy.kinds(), kindSet);
    if (source >= 0)
        proxy.setSource(EventSource(source));
    if (connection >= 0)
        proxy.setConnection(connection);
    if (direction >= 0)
        proxy.setDirection(EventDirection(direction));
    QVERIFY(proxy.setText(text, regex));
    QCOMPARE(proxySeqs(proxy), seqs);

    // Unsetting every criterion brings every row back.
    proxy.setKinds({});
    proxy.setSource(std::nullopt);
    proxy.setConnection(std::nullopt);
    proxy.setDirection(std::nullopt);
    QVERIFY(proxy.setText({}));
    QCOMPARE(proxy.rowCount(), model.rowCount());
}

void tst_EventModels::anInvalidRegexKeepsTheOldFilter()
{
    EventStore store;
    EventLogModel model(&store);
    EventFilterProxy proxy;
    proxy.setSourceModel(&model);
    for (const Event &e : filterLog())
        store.append(e);
    store.flush();

    QVERIFY(proxy.setText(QStringLiteral("hello")));
    QCOMPARE(proxySeqs(proxy), (QList<quint64>{4, 5}));
    QVERIFY(proxy.patternError().isEmpty());

    QVERIFY(!proxy.setText(QStringLiteral("(unclosed"), true));
    QVERIFY(!proxy.patternError().isEmpty());
    QCOMPARE(proxySeqs(proxy), (QList<quint64>{4, 5}));

    QVERIFY(proxy.setText(QStringLiteral("world$"), true));
    QVERIFY(proxy.patternError().isEmpty());
    QCOMPARE(proxySeqs(proxy), (QList<quint64>{4}));
}

void tst_EventModels::newRowsPassThroughTheFilter()
{
    EventStore store;
    store.setBatchIntervalMs(60 * 60 * 1000);
    EventLogModel model(&store);
    EventFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    proxy.setKinds({EventKind::Error});
    for (const Event &e : filterLog())
        store.append(e);
    store.flush();
    QCOMPARE(proxySeqs(proxy), QList<quint64>{9});
    store.append(makeErrorEvent(EventSource::Client, 5, QStringLiteral("a"), QStringLiteral("b")));
    store.append(makeTextEvent(EventSource::Client, 5, EventDirection::In, "c"));
    store.flush();
    QCOMPARE(proxySeqs(proxy), (QList<quint64>{9, 10}));
}

void tst_EventModels::sourceNamesTheClientAndLinksBothEnds_data()
{
    QTest::addColumn<bool>("serverOpensFirst");
    QTest::newRow("the server's open event comes before the client knows its port") << true;
    QTest::newRow("the client knows its port before the server's open event") << false;
}

void tst_EventModels::sourceNamesTheClientAndLinksBothEnds()
{
    QFETCH(bool, serverOpensFirst);
    EventStore store;
    ConnectionLinks links(&store);
    EventLogModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConnectionLinks(&links);

    // Server connection 2 is client #1 (connection 3, local port 40001); server
    // connection 4 is some other program; client #2 (connection 5) went elsewhere.
    Event serverOpen = withKind(EventKind::Open, EventSource::Server, 2, EventDirection::None);
    serverOpen.peer = QStringLiteral("127.0.0.1:40001");
    Event stranger = withKind(EventKind::Open, EventSource::Server, 4, EventDirection::None);
    stranger.peer = QStringLiteral("[::1]:40999");
    store.append(makeTextEvent(EventSource::Client, 3, EventDirection::Out, "hi"));
    store.append(makeTextEvent(EventSource::Server, 2, EventDirection::In, "hi"));
    store.append(stranger);
    store.append(makeTextEvent(EventSource::Client, 5, EventDirection::Out, "elsewhere"));
    store.flush();
    links.setClient(3, 1, 0);
    links.setClient(5, 2, 40555);
    if (serverOpensFirst) {
        store.append(serverOpen);
        links.setClient(3, 1, 40001);
    } else {
        links.setClient(3, 1, 40001);
        store.append(serverOpen);
    }
    store.flush();

    const auto source = [&model](int row) {
        return model.index(row, EventLogModel::SourceColumn).data().toString();
    };
    QCOMPARE(source(0), QStringLiteral("client #1 \u2194 server #2"));
    QCOMPARE(source(1), QStringLiteral("server #2 \u2194 client #1"));
    QCOMPARE(source(2), QStringLiteral("server"));
    QCOMPARE(source(3), QStringLiteral("client #2"));
    QCOMPARE(source(4), QStringLiteral("server #2 \u2194 client #1"));
    QCOMPARE(links.linkedConnection(3), qint64(2));
    QCOMPARE(links.linkedConnection(2), qint64(3));
    QCOMPARE(links.linkedConnection(4), qint64(0));

    // Without links the column says only where the event comes from.
    EventLogModel plain(&store);
    QCOMPARE(plain.index(0, EventLogModel::SourceColumn).data().toString(),
             QStringLiteral("client"));
}

// The plain-text filter has a quick path for ASCII messages; whatever path it takes, it must
// accept exactly the rows whose search text contains the needle, in any case.
void tst_EventModels::plainTextFilterMatchesTheSearchTextExactly()
{
    EventStore store;
    EventLogModel log(&store);
    EventFilterProxy proxy;
    proxy.setSourceModel(&log);
    const QList<QByteArray> payloads{
        "hello World",
        "{\n  \"type\": \"chat\"\n}", // the summary drops the line breaks after { and before }
        "a  b\tc", // runs of spaces and a tab
        QByteArray(5000, 'y') + "tail-needle", // beyond the 4,096 bytes searched
        QByteArray(4090, 'y') + "edge", // across the end of the searched part
        "Grüße aus Köln",
        "x7000 and X7000",
        "",
        QByteArray("\x01ctl\x7f"),
    };
    for (const QByteArray &payload : payloads)
        store.append(makeTextEvent(EventSource::Server, 1, EventDirection::In, payload));
    Event withPeer = makeTextEvent(EventSource::Client, 2, EventDirection::Out, "plain");
    withPeer.peer = QStringLiteral("127.0.0.1:4711");
    withPeer.reason = QStringLiteral("Going Away");
    store.append(withPeer);
    Event open;
    open.kind = EventKind::Open;
    open.peer = QStringLiteral("[::1]:8080");
    store.append(open);
    store.flush();

    const QStringList needles{
        QStringLiteral("world"),       QStringLiteral("WORLD"), QStringLiteral("{\"type\""),
        QStringLiteral("\"chat\"}"),   QStringLiteral("a"),     QStringLiteral("b\tc"),
        QStringLiteral("tail-needle"), QStringLiteral("edge"),  QStringLiteral("yyyyedg"),
        QStringLiteral("köln"),        QStringLiteral("KÖLN"),  QStringLiteral("x7000"),
        QStringLiteral("4711"),        QStringLiteral("going"), QStringLiteral("8080"),
        QStringLiteral("empty"),       QStringLiteral("ctl"),   QStringLiteral("…"),
        QStringLiteral("zzz"),         QStringLiteral("a  b"),
    };
    for (const QString &needle : needles) {
        QVERIFY(proxy.setText(needle));
        QSet<quint64> expected;
        for (qsizetype i = 0; i < store.size(); ++i) {
            if (EventLogModel::searchText(store.at(i)).contains(needle, Qt::CaseInsensitive))
                expected.insert(store.at(i).seq);
        }
        QSet<quint64> accepted;
        for (int row = 0; row < proxy.rowCount(); ++row)
            accepted.insert(proxy.index(row, 0).data(EventLogModel::SeqRole).toULongLong());
        QVERIFY2(accepted == expected, qPrintable(needle));
    }
    // Some of them match through the quick path, some only through the summary.
    QVERIFY(proxy.setText(QStringLiteral("{\"type\"")));
    QCOMPARE(proxy.rowCount(), 1);
    QVERIFY(proxy.setText(QStringLiteral("WORLD")));
    QCOMPARE(proxy.rowCount(), 1);
    QVERIFY(proxy.setText(QStringLiteral("tail-needle")));
    QCOMPARE(proxy.rowCount(), 0);
}

QTEST_GUILESS_MAIN(tst_EventModels)
#include "tst_eventmodels.moc"
