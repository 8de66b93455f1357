#include "events/eventfilterproxy.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "events/jsonlines.h"
#include "protocol/closecodes.h"

#include <QBuffer>
#include <QTest>
#include <QWebSocket>

using namespace sockpit;

// Linked against sockpit_core alone: the ctest core_has_no_gui inspects this executable's
// shared libraries, so it uses the parts most likely to drag Gui in (the item models).
class tst_CoreLinks : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void theEventChainRunsWithoutAGuiApplication();
};

void tst_CoreLinks::theEventChainRunsWithoutAGuiApplication()
{
    QVERIFY(!QCoreApplication::instance()->inherits("QGuiApplication"));
    EventStore store;
    EventLogModel model(&store);
    EventFilterProxy proxy;
    proxy.setSourceModel(&model);
    QBuffer log;
    QVERIFY(log.open(QIODevice::ReadWrite));
    JsonLinesWriter writer;
    writer.setDevice(&log);
    connect(&store, &EventStore::recorded, &writer, &JsonLinesWriter::write);
    store.append(makeCloseEvent(EventSource::Client, 1, EventDirection::In, 1000, {},
                                CloseInitiator::Remote));
    store.flush();
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(writer.writtenCount(), 1u);
    QCOMPARE(protocol::closeCodeInfo(1000).name, QStringLiteral("Normal Closure"));
    QWebSocket socket; // pulls in QtWebSockets and QtNetwork, as the core does
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

QTEST_GUILESS_MAIN(tst_CoreLinks)
#include "tst_corelinks.moc"
