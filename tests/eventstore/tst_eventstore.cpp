#include "events/eventstore.h"

#include <QSignalSpy>
#include <QTest>

using namespace sockpit;

namespace {

Event textEvent(qsizetype payloadBytes = 1)
{
    return makeTextEvent(EventSource::Server, 1, EventDirection::In, QByteArray(payloadBytes, 'x'));
}

} // namespace

class tst_EventStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sequenceNumbersStartAtOneAndIncrease();
    void timeIsAssignedOnlyWhenMissing();
    void appendedEventsStayInvisibleUntilFlushed();
    void theTimerFlushesOneBatch();
    void eachBatchIsOneSignalPair();
    void eviction_data();
    void eviction();
    void evictionSignalsComeBeforeAndAfterTheChange();
    void shrinkingTheLimitsEvictsAtOnce();
    void clearDropsEverythingAndNumberingGoesOn();
    void clearRestartsTheTotalAndEvictedCounts();
    void recordedIsEmittedForEveryEventEvenIfEvictedBeforeAFlush();
    void asASinkTheStoreStampsOnceForEveryoneAfterIt();
    void theSequencerNumbersEveryEventAndKeepsAGivenTime();
    void aSequenceNumberIsFoundByLookUp();
};

void tst_EventStore::sequenceNumbersStartAtOneAndIncrease()
{
    EventStore store;
    QCOMPARE(store.append(textEvent()), 1u);
    QCOMPARE(store.append(textEvent()), 2u);
    QCOMPARE(store.append(textEvent()), 3u);
    store.flush();
    QCOMPARE(store.size(), 3);
    for (qsizetype i = 0; i < store.size(); ++i)
        QCOMPARE(store.at(i).seq, quint64(i + 1));
    QCOMPARE(store.totalCount(), 3u);
}

void tst_EventStore::timeIsAssignedOnlyWhenMissing()
{
    EventStore store;
    const QDateTime before = QDateTime::currentDateTimeUtc();
    store.append(textEvent());
    Event dated = textEvent();
    dated.time = QDateTime(QDate(2026, 11, 25), QTime(18, 0, 0, 123), Qt::UTC);
    store.append(dated);
    store.flush();
    QVERIFY(store.at(0).time >= before);
    QVERIFY(store.at(0).time <= QDateTime::currentDateTimeUtc());
    QCOMPARE(store.at(0).time.timeSpec(), Qt::UTC);
    QCOMPARE(store.at(1).time, dated.time);
}

void tst_EventStore::appendedEventsStayInvisibleUntilFlushed()
{
    EventStore store;
    store.setBatchIntervalMs(60 * 60 * 1000); // the timer must not interfere
    QSignalSpy appended(&store, &EventStore::appended);
    for (int i = 0; i < 5; ++i)
        store.append(textEvent());
    QCOMPARE(store.size(), 0);
    QCOMPARE(store.pendingCount(), 5);
    QCOMPARE(appended.count(), 0);
    store.flush();
    QCOMPARE(store.size(), 5);
    QCOMPARE(store.pendingCount(), 0);
    QCOMPARE(appended.count(), 1);
    store.flush(); // nothing pending: no signal
    QCOMPARE(appended.count(), 1);
}

void tst_EventStore::theTimerFlushesOneBatch()
{
    EventStore store;
    store.setBatchIntervalMs(10);
    QSignalSpy aboutToAppend(&store, &EventStore::aboutToAppend);
    QSignalSpy appended(&store, &EventStore::appended);
    for (int i = 0; i < 4; ++i)
        store.append(textEvent());
    QCOMPARE(store.size(), 0);
    QTRY_COMPARE(store.size(), 4);
    QCOMPARE(aboutToAppend.count(), 1);
    QCOMPARE(appended.count(), 1);
    QCOMPARE(appended.at(0).at(0).value<qsizetype>(), 0);
    QCOMPARE(appended.at(0).at(1).value<qsizetype>(), 4);
}

void tst_EventStore::eachBatchIsOneSignalPair()
{
    EventStore store;
    store.setBatchIntervalMs(60 * 60 * 1000);
    QSignalSpy aboutToAppend(&store, &EventStore::aboutToAppend);
    QSignalSpy appended(&store, &EventStore::appended);
    const QList<int> batches = {3, 1, 7};
    qsizetype first = 0;
    for (int batch : batches) {
        for (int i = 0; i < batch; ++i)
            store.append(textEvent());
        store.flush();
        QCOMPARE(aboutToAppend.count(), 1);
        QCOMPARE(appended.count(), 1);
        const QList<QVariant> args = aboutToAppend.takeFirst();
        QCOMPARE(args.at(0).value<qsizetype>(), first);
        QCOMPARE(args.at(1).value<qsizetype>(), qsizetype(batch));
        QCOMPARE(appended.takeFirst(), args);
        first += batch;
    }
    QCOMPARE(store.size(), first);
}

void tst_EventStore::eviction_data()
{
    QTest::addColumn<qsizetype>("maxEvents");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<QList<int>>("batches");
    QTest::addColumn<qsizetype>("payloadBytes");
    QTest::addColumn<qsizetype>("expectedSize");
    QTest::addColumn<quint64>("expectedEvicted");
    QTest::addColumn<quint64>("expectedFirstSeq");

    const qint64 plenty = qint64(1) << 40;
    QTest::newRow("within the limits nothing is evicted")
        << qsizetype(10) << plenty << QList<int>{3, 3} << qsizetype(5) << qsizetype(6) << quint64(0)
        << quint64(1);
    QTest::newRow("the count limit evicts the oldest")
        << qsizetype(5) << plenty << QList<int>{3, 3} << qsizetype(1) << qsizetype(5) << quint64(1)
        << quint64(2);
    QTest::newRow("the byte limit evicts the oldest")
        << qsizetype(100) << qint64(10) << QList<int>{2, 2, 2} << qsizetype(3) << qsizetype(3)
        << quint64(3) << quint64(4);
    QTest::newRow("a batch bigger than the window keeps its newest events")
        << qsizetype(4) << plenty << QList<int>{2, 10} << qsizetype(1) << qsizetype(4) << quint64(8)
        << quint64(9);
    QTest::newRow("a batch bigger than the byte window keeps its newest events")
        << qsizetype(100) << qint64(10) << QList<int>{6} << qsizetype(3) << qsizetype(3)
        << quint64(3) << quint64(4);
    QTest::newRow("an event larger than the byte window is not kept")
        << qsizetype(100) << qint64(10) << QList<int>{2} << qsizetype(11) << qsizetype(0)
        << quint64(2) << quint64(0);
    QTest::newRow("empty payloads only count against the event limit")
        << qsizetype(3) << qint64(0) << QList<int>{2, 2} << qsizetype(0) << qsizetype(3)
        << quint64(1) << quint64(2);
}

void tst_EventStore::eviction()
{
    QFETCH(qsizetype, maxEvents);
    QFETCH(qint64, maxBytes);
    QFETCH(QList<int>, batches);
    QFETCH(qsizetype, payloadBytes);
    QFETCH(qsizetype, expectedSize);
    QFETCH(quint64, expectedEvicted);
    QFETCH(quint64, expectedFirstSeq);

    EventStore store(EventStore::Limits{maxEvents, maxBytes});
    store.setBatchIntervalMs(60 * 60 * 1000);
    quint64 appended = 0;
    for (int batch : batches) {
        for (int i = 0; i < batch; ++i, ++appended)
            store.append(textEvent(payloadBytes));
        store.flush();
    }
    QCOMPARE(store.size(), expectedSize);
    QCOMPARE(store.evictedCount(), expectedEvicted);
    QCOMPARE(store.totalCount(), appended);
    QCOMPARE(quint64(store.size()) + store.evictedCount(), appended);
    QCOMPARE(store.retainedPayloadBytes(), qint64(expectedSize) * payloadBytes);
    QVERIFY(store.retainedPayloadBytes() <= maxBytes);
    QVERIFY(store.size() <= maxEvents);
    if (expectedSize > 0) {
        QCOMPARE(store.at(0).seq, expectedFirstSeq);
        QCOMPARE(store.at(store.size() - 1).seq, appended);
    }
}

void tst_EventStore::evictionSignalsComeBeforeAndAfterTheChange()
{
    EventStore store(EventStore::Limits{4, qint64(1) << 30});
    store.setBatchIntervalMs(60 * 60 * 1000);
    for (int i = 0; i < 3; ++i)
        store.append(textEvent());
    store.flush();

    QList<QString> order;
    connect(&store, &EventStore::aboutToEvict, this, [&](qsizetype count) {
        order.append(QStringLiteral("aboutToEvict %1 of %2").arg(count).arg(store.size()));
    });
    connect(&store, &EventStore::evicted, this, [&](qsizetype count) {
        order.append(QStringLiteral("evicted %1 leaving %2").arg(count).arg(store.size()));
    });
    connect(&store, &EventStore::aboutToAppend, this, [&](qsizetype first, qsizetype count) {
        order.append(
            QStringLiteral("aboutToAppend %1+%2 to %3").arg(first).arg(count).arg(store.size()));
    });
    connect(&store, &EventStore::appended, this, [&](qsizetype first, qsizetype count) {
        order.append(
            QStringLiteral("appended %1+%2 giving %3").arg(first).arg(count).arg(store.size()));
    });
    for (int i = 0; i < 3; ++i)
        store.append(textEvent());
    store.flush();
    const QList<QString> expected = {
        QStringLiteral("aboutToEvict 2 of 3"),
        QStringLiteral("evicted 2 leaving 1"),
        QStringLiteral("aboutToAppend 1+3 to 1"),
        QStringLiteral("appended 1+3 giving 4"),
    };
    QCOMPARE(order, expected);
    QCOMPARE(store.at(0).seq, 3u);
}

void tst_EventStore::shrinkingTheLimitsEvictsAtOnce()
{
    EventStore store;
    for (int i = 0; i < 10; ++i)
        store.append(textEvent(10));
    store.flush();
    QSignalSpy aboutToEvict(&store, &EventStore::aboutToEvict);
    QSignalSpy evicted(&store, &EventStore::evicted);

    store.setLimits({6, qint64(1) << 30});
    QCOMPARE(store.size(), 6);
    QCOMPARE(store.evictedCount(), 4u);
    QCOMPARE(store.at(0).seq, 5u);
    QCOMPARE(evicted.count(), 1);
    QCOMPARE(evicted.at(0).at(0).value<qsizetype>(), 4);

    store.setLimits({6, 35}); // bytes now bind: three events of ten bytes fit
    QCOMPARE(store.size(), 3);
    QCOMPARE(store.evictedCount(), 7u);
    QCOMPARE(store.retainedPayloadBytes(), 30);
    QCOMPARE(aboutToEvict.count(), 2);

    store.setLimits({100, qint64(1) << 30}); // growing evicts nothing
    QCOMPARE(store.size(), 3);
    QCOMPARE(aboutToEvict.count(), 2);
}

void tst_EventStore::clearDropsEverythingAndNumberingGoesOn()
{
    EventStore store;
    store.setBatchIntervalMs(60 * 60 * 1000);
    for (int i = 0; i < 4; ++i)
        store.append(textEvent(2));
    store.flush();
    store.append(textEvent(2)); // still pending: cleared too
    QSignalSpy aboutToClear(&store, &EventStore::aboutToClear);
    QSignalSpy cleared(&store, &EventStore::cleared);
    QSignalSpy appended(&store, &EventStore::appended);

    store.clear();
    QCOMPARE(aboutToClear.count(), 1);
    QCOMPARE(cleared.count(), 1);
    QCOMPARE(appended.count(), 0);
    QCOMPARE(store.size(), 0);
    QCOMPARE(store.pendingCount(), 0);
    QCOMPARE(store.retainedPayloadBytes(), 0);
    QCOMPARE(store.evictedCount(), 0u);

    QCOMPARE(store.append(textEvent()), 6u);
    store.flush();
    QCOMPARE(store.size(), 1);
    QCOMPARE(store.at(0).seq, 6u);
}

void tst_EventStore::clearRestartsTheTotalAndEvictedCounts()
{
    EventStore store({3, qint64(1) << 30});
    for (int i = 0; i < 5; ++i)
        store.append(textEvent());
    store.flush();
    QCOMPARE(store.totalCount(), 5u);
    QCOMPARE(store.evictedCount(), 2u);

    // "0 total" after Clear, as the log's counter says, and counting again from there.
    store.clear();
    QCOMPARE(store.totalCount(), 0u);
    QCOMPARE(store.evictedCount(), 0u);
    for (int i = 0; i < 4; ++i)
        store.append(textEvent());
    store.flush();
    QCOMPARE(store.totalCount(), 4u);
    QCOMPARE(store.evictedCount(), 1u);
    QCOMPARE(quint64(store.size()) + store.evictedCount(), store.totalCount());
    QCOMPARE(store.at(store.size() - 1).seq, 9u); // the numbering went on
}

void tst_EventStore::recordedIsEmittedForEveryEventEvenIfEvictedBeforeAFlush()
{
    EventStore store(EventStore::Limits{2, qint64(1) << 30});
    store.setBatchIntervalMs(60 * 60 * 1000);
    QList<quint64> seen;
    connect(&store, &EventStore::recorded, this, [&seen](const Event &e) { seen.append(e.seq); });
    for (int i = 0; i < 5; ++i) {
        store.append(textEvent());
        QCOMPARE(seen.size(), i + 1); // synchronously, before any flush
    }
    store.flush();
    QCOMPARE(seen, (QList<quint64>{1, 2, 3, 4, 5}));
    QCOMPARE(store.size(), 2);
    QCOMPARE(store.evictedCount(), 3u);
}

void tst_EventStore::asASinkTheStoreStampsOnceForEveryoneAfterIt()
{
    EventStore store;
    QList<Event> seen;
    connect(&store, &EventStore::recorded, this, [&seen](const Event &e) { seen.append(e); });
    EventSink *sink = &store;
    for (int i = 0; i < 3; ++i)
        sink->record(textEvent());
    store.flush();
    QCOMPARE(store.size(), 3);
    QCOMPARE(seen.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(store.at(i).seq, quint64(i + 1));
        QVERIFY(store.at(i).time.isValid());
        // What `recorded` hands on (a log following the store) has the same seq and time.
        QCOMPARE(seen.at(i).seq, store.at(i).seq);
        QCOMPARE(seen.at(i).time, store.at(i).time);
    }
}

void tst_EventStore::theSequencerNumbersEveryEventAndKeepsAGivenTime()
{
    EventSequencer sequencer;
    Event first = textEvent();
    Event second = textEvent();
    second.seq = 40; // a number from elsewhere is replaced: the sequencer's order counts
    second.time = QDateTime(QDate(2026, 11, 25), QTime(18, 0, 0, 123), Qt::UTC);
    QCOMPARE(sequencer.stamp(first), 1u);
    QCOMPARE(sequencer.stamp(second), 2u);
    QCOMPARE(first.seq, 1u);
    QCOMPARE(second.seq, 2u);
    QVERIFY(first.time.isValid());
    QCOMPARE(second.time, QDateTime(QDate(2026, 11, 25), QTime(18, 0, 0, 123), Qt::UTC));
    QCOMPARE(sequencer.nextSeq(), 3u);
}

void tst_EventStore::aSequenceNumberIsFoundByLookUp()
{
    EventStore store({100, qint64(1) << 30});
    QCOMPARE(store.indexOfSeq(1), -1);
    for (int i = 0; i < 250; ++i)
        store.append(textEvent());
    QCOMPARE(store.indexOfSeq(250), -1); // not flushed yet
    store.flush();
    // 150 were evicted: seq 151 is the oldest held.
    QCOMPARE(store.size(), 100);
    QCOMPARE(store.indexOfSeq(150), -1);
    QCOMPARE(store.indexOfSeq(151), 0);
    QCOMPARE(store.indexOfSeq(200), 49);
    QCOMPARE(store.at(store.indexOfSeq(250)).seq, 250u);
    QCOMPARE(store.indexOfSeq(251), -1);
    QCOMPARE(store.indexOfSeq(0), -1);
    store.clear();
    store.append(textEvent());
    store.flush();
    QCOMPARE(store.indexOfSeq(251), 0); // the numbering goes on after a clear
    QCOMPARE(store.indexOfSeq(250), -1);
}

QTEST_GUILESS_MAIN(tst_EventStore)
#include "tst_eventstore.moc"
