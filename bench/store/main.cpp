// How the window's store holds up at a million events: the memory they take, how long a
// text filter over all of them takes, and how long finding an event by its sequence number
// takes. The events are what a flood into the window's server records: 64-byte text
// messages in and out, each with its one frame. Prints one JSON object.
//
//   sockpit_bench_store [--events N]      (default 1,000,000)

#include "events/eventfilterproxy.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>

using namespace sockpit;

namespace {

// Resident memory of this process in KiB, from /proc/self/status.
qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    // /proc files have no size: read until the end rather than asking atEnd().
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').constFirst().toLongLong();
    }
    return -1;
}

Event floodEvent(qint64 n)
{
    const bool in = n % 2 == 0;
    QByteArray payload = QByteArray::number(n).rightJustified(64, 'x');
    Event e = makeTextEvent(EventSource::Server, 1 + n % 10,
                            in ? EventDirection::In : EventDirection::Out, payload);
    FrameInfo frame;
    frame.opcode = 1;
    frame.fin = true;
    frame.masked = in;
    frame.length = 64;
    e.frames.append(frame);
    return e;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qsizetype count = 1000000;
    const QStringList args = app.arguments();
    if (const qsizetype at = args.indexOf(QStringLiteral("--events"));
        at > 0 && at + 1 < args.size())
        count = args.at(at + 1).toLongLong();

    EventStore store({count, qint64(count) * 1024});
    EventLogModel log(&store);
    EventFilterProxy filter;
    filter.setSourceModel(&log);

    const qint64 before = residentKiB();
    QElapsedTimer clock;
    clock.start();
    // In batches, as the window takes them from the network thread.
    for (qsizetype i = 0; i < count; ++i) {
        store.append(floodEvent(i));
        if (i % 4096 == 4095)
            store.flush();
    }
    store.flush();
    const qint64 appendMs = clock.elapsed();
    const qint64 after = residentKiB();

    // A text filter that matches about one event in ten thousand, then clearing it again.
    clock.restart();
    filter.setText(QStringLiteral("x7000"));
    const qint64 filterMs = clock.elapsed();
    const int matched = filter.rowCount();
    clock.restart();
    filter.setText(QString());
    const qint64 unfilterMs = clock.elapsed();
    // The same with a character beyond ASCII, which takes the full path for every row.
    clock.restart();
    filter.setText(QStringLiteral("x7000é"));
    const qint64 fullPathMs = clock.elapsed();
    filter.setText(QString());

    // Finding rows by sequence number.
    clock.restart();
    qsizetype found = 0;
    const quint64 first = store.at(0).seq;
    for (quint64 seq = first; seq < first + quint64(store.size()); seq += 7) {
        if (store.indexOfSeq(seq) >= 0)
            ++found;
    }
    const qint64 lookupNs = clock.nsecsElapsed();

    std::printf("{\"events\":%lld,\"appendMs\":%lld,\"rssKiB\":%lld,\"rssPerEventBytes\":%.0f,"
                "\"filterMs\":%lld,\"matched\":%d,\"unfilterMs\":%lld,\"fullPathFilterMs\":%lld,"
                "\"lookups\":%lld,"
                "\"lookupNsEach\":%.1f}\n",
                qlonglong(store.size()), appendMs, after - before,
                double(after - before) * 1024.0 / double(store.size()), filterMs, matched,
                unfilterMs, fullPathMs, qlonglong(found),
                double(lookupNs) / double(qMax<qsizetype>(found, 1)));
    return 0;
}
