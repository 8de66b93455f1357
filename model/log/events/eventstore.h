#pragma once

#include "event.h"
#include "eventsink.h"

#include <QObject>
#include <QTimer>

#include <deque>

namespace sockpit {

// The window's sink of every event. It numbers events, keeps a bounded window of the most
// recent ones (by count and by payload bytes, counting what it evicts), and tells views
// about changes in batches: appended events become visible to `at()` only when a batch
// is flushed (every `batchIntervalMs`, or on `flush()`), with one aboutTo/did pair per
// batch. Consumers that must see every event connect to `recorded`, which is emitted
// synchronously for each append. Headless commands use no store (docs/architecture.md,
// "Events"): their producers write to a JsonLinesWriter or a NullEventSink.
class EventStore : public QObject, public EventSink
{
    Q_OBJECT
public:
    struct Limits
    {
        qsizetype maxEvents = 200000;
        qint64 maxPayloadBytes = qint64(256) * 1024 * 1024;
    };

    explicit EventStore(QObject *parent = nullptr);
    EventStore(Limits limits, QObject *parent = nullptr);

    // Assigns seq (and time, when null) and returns the sequence number.
    quint64 append(Event event);
    // EventSink: the same as append().
    void record(Event event) override;

    // The retained, flushed events: index 0 is the oldest still held.
    qsizetype size() const { return qsizetype(m_events.size()); }
    const Event &at(qsizetype index) const { return m_events.at(std::size_t(index)); }
    // The index of the retained, flushed event with this sequence number, or -1. A look-up,
    // not a scan: the retained events are numbered without gaps.
    qsizetype indexOfSeq(quint64 seq) const;

    // Every event appended since the store began or was last cleared.
    quint64 totalCount() const { return m_sequencer.nextSeq() - 1 - m_countedBefore; }
    quint64 evictedCount() const { return m_evicted; } // since the last clear, too
    qint64 retainedPayloadBytes() const { return m_payloadBytes; }
    qsizetype pendingCount() const { return qsizetype(m_pending.size()); }

    Limits limits() const { return m_limits; }
    void setLimits(Limits limits); // evicts at once when the new limits are smaller

    int batchIntervalMs() const { return m_flushTimer.interval(); }
    void setBatchIntervalMs(int ms) { m_flushTimer.setInterval(ms); }

    // Drops every retained event and restarts the counts (the numbering goes on, so that a
    // sequence number never names two events).
    void clear();

public Q_SLOTS:
    void flush();

Q_SIGNALS:
    void recorded(const sockpit::Event &event);

    void aboutToEvict(qsizetype count); // the `count` oldest events
    void evicted(qsizetype count);
    void aboutToAppend(qsizetype first, qsizetype count);
    void appended(qsizetype first, qsizetype count);
    void aboutToClear();
    void cleared();

private:
    void evictToFit(qsizetype incomingEvents, qint64 incomingBytes);

    Limits m_limits;
    std::deque<Event> m_events;
    std::deque<Event> m_pending;
    qint64 m_pendingBytes = 0;
    qint64 m_payloadBytes = 0;
    EventSequencer m_sequencer;
    quint64 m_evicted = 0;
    quint64 m_countedBefore = 0; // events appended before the last clear
    QTimer m_flushTimer;
};

} // namespace sockpit
