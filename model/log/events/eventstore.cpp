#include "eventstore.h"

#include <algorithm>

namespace sockpit {

EventStore::EventStore(QObject *parent)
    : EventStore(Limits{}, parent)
{ }

EventStore::EventStore(Limits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(30);
    connect(&m_flushTimer, &QTimer::timeout, this, &EventStore::flush);
}

quint64 EventStore::append(Event event)
{
    const quint64 seq = m_sequencer.stamp(event);
    Q_EMIT recorded(event);
    m_pendingBytes += event.payload.size();
    m_pending.push_back(std::move(event));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
    return seq;
}

qsizetype EventStore::indexOfSeq(quint64 seq) const
{
    if (m_events.empty() || seq < m_events.front().seq || seq > m_events.back().seq)
        return -1;
    const auto index = qsizetype(seq - m_events.front().seq);
    // Numbered without gaps (append stamps 1, 2, ... and only the oldest are ever dropped);
    // checked, so that a broken assumption is a miss and not a wrong row.
    return m_events.at(std::size_t(index)).seq == seq ? index : -1;
}

void EventStore::record(Event event)
{
    append(std::move(event));
}

void EventStore::flush()
{
    m_flushTimer.stop();
    if (m_pending.empty())
        return;

    // A batch larger than the whole window (by count or by bytes) only keeps its newest
    // part; what it drops was never visible but was recorded, so it counts as evicted.
    qsizetype dropFromBatch = 0;
    const qsizetype maxEvents = std::max<qsizetype>(m_limits.maxEvents, 0);
    while (
        !m_pending.empty()
        && (qsizetype(m_pending.size()) > maxEvents || m_pendingBytes > m_limits.maxPayloadBytes)) {
        m_pendingBytes -= m_pending.front().payload.size();
        m_pending.pop_front();
        ++dropFromBatch;
    }
    m_evicted += quint64(dropFromBatch);
    if (m_pending.empty()) {
        m_pendingBytes = 0;
        return;
    }

    evictToFit(qsizetype(m_pending.size()), m_pendingBytes);

    const qsizetype first = size();
    const qsizetype count = qsizetype(m_pending.size());
    Q_EMIT aboutToAppend(first, count);
    for (Event &e : m_pending)
        m_events.push_back(std::move(e));
    m_pending.clear();
    m_payloadBytes += m_pendingBytes;
    m_pendingBytes = 0;
    Q_EMIT appended(first, count);
}

void EventStore::evictToFit(qsizetype incomingEvents, qint64 incomingBytes)
{
    qsizetype count = 0;
    qint64 bytes = m_payloadBytes;
    const qsizetype held = size();
    while (count < held
           && (held - count + incomingEvents > m_limits.maxEvents
               || bytes + incomingBytes > m_limits.maxPayloadBytes)) {
        bytes -= m_events.at(std::size_t(count)).payload.size();
        ++count;
    }
    if (count == 0)
        return;
    Q_EMIT aboutToEvict(count);
    m_events.erase(m_events.begin(), m_events.begin() + count);
    m_payloadBytes = bytes;
    m_evicted += quint64(count);
    Q_EMIT evicted(count);
}

void EventStore::setLimits(Limits limits)
{
    m_limits = limits;
    evictToFit(0, 0);
}

void EventStore::clear()
{
    // Pending events go too: showing them only to remove them at once helps nobody.
    m_flushTimer.stop();
    m_pending.clear();
    m_pendingBytes = 0;
    Q_EMIT aboutToClear();
    m_events.clear();
    m_payloadBytes = 0;
    m_countedBefore = m_sequencer.nextSeq() - 1;
    m_evicted = 0;
    Q_EMIT cleared();
}

} // namespace sockpit
