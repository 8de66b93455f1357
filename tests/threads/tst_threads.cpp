#include "events/eventchannel.h"
#include "events/eventstore.h"
#include "thread/networkthread.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <vector>

using namespace sockpit;

namespace {

// Keeps what it is given, and on which thread.
class RecordingSink final : public EventSink
{
public:
    void record(Event event) override
    {
        threads.push_back(QThread::currentThread());
        events.push_back(std::move(event));
    }
    std::vector<Event> events;
    std::vector<QThread *> threads;
};

Event numbered(qint64 n)
{
    return makeTextEvent(EventSource::Server, n, EventDirection::In, QByteArray::number(n));
}

} // namespace

class tst_Threads : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aChannelDeliversEveryEventInOrderOnTheTargetsThread();
    void eventsQueuedWhileTheTargetIsBusyArriveAsOneHandOver();
    void theChannelStampsTheTimeInTheOrderItRecords();
    void drainHandsOverWithoutTheEventLoop();
    void aFastProducerWakesTheTargetOncePerInterval();
    void twoProducersInterleaveAndNothingIsLost();
    void aNetworkThreadRunsWorkOnItselfAndWaits();
    void postedWorkRunsInOrderAndStopWaitsForIt();
};

void tst_Threads::aChannelDeliversEveryEventInOrderOnTheTargetsThread()
{
    RecordingSink sink;
    EventChannel channel(&sink);
    constexpr int Count = 20000;
    QThread *producer = QThread::create([&channel] {
        for (int i = 1; i <= Count; ++i)
            channel.record(numbered(i));
    });
    producer->start();
    QTRY_COMPARE_WITH_TIMEOUT(sink.events.size(), std::size_t(Count), 10000);
    producer->wait();
    delete producer;
    for (int i = 0; i < Count; ++i) {
        QCOMPARE(sink.events[std::size_t(i)].connection, qint64(i + 1));
        QCOMPARE(sink.threads[std::size_t(i)], QThread::currentThread());
    }
    QCOMPARE(channel.handedOver(), quint64(Count));
    QVERIFY(channel.handOvers() >= 1);
    QVERIFY(channel.handOvers() <= quint64(Count));
    QCOMPARE(channel.queued(), 0);
}

void tst_Threads::eventsQueuedWhileTheTargetIsBusyArriveAsOneHandOver()
{
    RecordingSink sink;
    EventChannel channel(&sink);
    // This thread does not run its event loop while the producer records: like a window busy
    // painting. What piled up must come over in one call, not one per event.
    QThread *producer = QThread::create([&channel] {
        for (int i = 1; i <= 1000; ++i)
            channel.record(numbered(i));
    });
    producer->start();
    producer->wait();
    delete producer;
    QCOMPARE(sink.events.size(), std::size_t(0));
    QCOMPARE(channel.queued(), 1000);
    QTRY_COMPARE(sink.events.size(), std::size_t(1000));
    QCOMPARE(channel.handOvers(), quint64(1));
    QCOMPARE(sink.events.back().connection, qint64(1000));
}

void tst_Threads::theChannelStampsTheTimeInTheOrderItRecords()
{
    RecordingSink sink;
    EventChannel channel(&sink);
    const QDateTime given
        = QDateTime::fromString(QStringLiteral("2026-01-02T03:04:05Z"), Qt::ISODate);
    Event kept = numbered(1);
    kept.time = given;
    channel.record(kept);
    for (int i = 2; i <= 500; ++i)
        channel.record(numbered(i));
    channel.drain();
    QCOMPARE(sink.events.size(), std::size_t(500));
    QCOMPARE(sink.events.front().time, given);
    for (std::size_t i = 1; i < sink.events.size(); ++i) {
        QVERIFY(!sink.events[i].time.isNull());
        if (i > 1)
            QVERIFY(sink.events[i - 1].time <= sink.events[i].time);
    }
}

void tst_Threads::drainHandsOverWithoutTheEventLoop()
{
    EventStore store;
    {
        EventChannel channel(&store);
        channel.record(numbered(1));
        channel.record(numbered(2));
        QCOMPARE(store.totalCount(), 0u);
        channel.drain();
        QCOMPARE(store.totalCount(), 2u);
        QCOMPARE(channel.handOvers(), quint64(1));
        channel.record(numbered(3));
        // Destroyed with a hand-over posted: the posted call goes with it.
        channel.drain();
    }
    QCoreApplication::processEvents();
    QCOMPARE(store.totalCount(), 3u);
}

void tst_Threads::aFastProducerWakesTheTargetOncePerInterval()
{
    RecordingSink sink;
    EventChannel channel(&sink, 50);
    // 20,000 events over at least 200 ms: without the interval, an idle target would be
    // woken for nearly every event.
    constexpr int Count = 20000;
    QElapsedTimer clock;
    clock.start();
    QThread *producer = QThread::create([&channel] {
        for (int i = 1; i <= Count; ++i) {
            channel.record(numbered(i));
            if (i % 100 == 0)
                QThread::usleep(1000);
        }
    });
    producer->start();
    QTRY_COMPARE_WITH_TIMEOUT(sink.events.size(), std::size_t(Count), 20000);
    producer->wait();
    delete producer;
    const qint64 elapsedMs = clock.elapsed();
    QVERIFY(elapsedMs >= 200);
    // One hand-over per 50 ms interval, and one more for the tail.
    QVERIFY2(channel.handOvers() <= quint64(elapsedMs / 50 + 2),
             qPrintable(
                 QStringLiteral("%1 hand-overs in %2 ms").arg(channel.handOvers()).arg(elapsedMs)));
}

void tst_Threads::twoProducersInterleaveAndNothingIsLost()
{
    EventStore store;
    EventChannel channel(&store);
    constexpr int PerProducer = 5000;
    auto produce = [&channel](qint64 base) {
        for (int i = 0; i < PerProducer; ++i)
            channel.record(numbered(base + i));
    };
    QThread *a = QThread::create(produce, qint64(0));
    QThread *b = QThread::create(produce, qint64(100000));
    a->start();
    b->start();
    QTRY_COMPARE_WITH_TIMEOUT(store.totalCount(), quint64(2 * PerProducer), 10000);
    a->wait();
    b->wait();
    delete a;
    delete b;
    store.flush();
    // Each producer's events keep their order, and the store numbers them 1, 2, ...
    qint64 lastA = -1;
    qint64 lastB = 99999;
    for (qsizetype i = 0; i < store.size(); ++i) {
        const Event &e = store.at(i);
        QCOMPARE(e.seq, quint64(i + 1));
        qint64 &last = e.connection >= 100000 ? lastB : lastA;
        QCOMPARE(e.connection, last + 1);
        last = e.connection;
    }
    QCOMPARE(lastA, qint64(PerProducer - 1));
    QCOMPARE(lastB, qint64(100000 + PerProducer - 1));
}

void tst_Threads::aNetworkThreadRunsWorkOnItselfAndWaits()
{
    NetworkThread network;
    QCOMPARE(network.thread()->objectName(), QStringLiteral("sockpit-network"));
    QCOMPARE(network.context()->thread(), network.thread());
    QVERIFY(!network.isCurrent());
    QThread *ranOn = nullptr;
    bool current = false;
    network.run([&] {
        QThread::msleep(20); // run() must wait for this
        ranOn = QThread::currentThread();
        current = network.isCurrent();
        // Nested run() on the thread itself runs at once instead of waiting on itself.
        network.run([&] { current = current && network.isCurrent(); });
    });
    QCOMPARE(ranOn, network.thread());
    QVERIFY(ranOn != QThread::currentThread());
    QVERIFY(current);

    QObject *made = nullptr;
    network.run([&] { made = new QObject; });
    QCOMPARE(made->thread(), network.thread());
    network.run([&] { delete made; });
}

void tst_Threads::postedWorkRunsInOrderAndStopWaitsForIt()
{
    std::vector<int> order;
    {
        NetworkThread network;
        for (int i = 0; i < 100; ++i)
            network.post([&order, i] { order.push_back(i); });
        network.stop();
        QCOMPARE(order.size(), std::size_t(100));
        network.stop(); // again: nothing happens
        network.post([&order] { order.push_back(-1); }); // after stop: dropped
    }
    QCOMPARE(order.size(), std::size_t(100));
    for (int i = 0; i < 100; ++i)
        QCOMPARE(order[std::size_t(i)], i);
}

QTEST_GUILESS_MAIN(tst_Threads)
#include "tst_threads.moc"
