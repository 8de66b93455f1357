#include "eventchannel.h"

#include <QDateTime>
#include <QMutexLocker>

namespace sockpit {

EventChannel::EventChannel(EventSink *target, int intervalMs)
    : m_target(target)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(intervalMs);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { drain(); });
}

EventChannel::~EventChannel() = default;

void EventChannel::record(Event event)
{
    bool post = false;
    {
        QMutexLocker lock(&m_mutex);
        if (event.time.isNull())
            event.time = QDateTime::currentDateTimeUtc();
        m_queue.push_back(std::move(event));
        post = !m_posted;
        m_posted = true;
    }
    // Posted outside the lock: the consumer may take it at once. A QTimer can only be
    // started on its own thread, hence the queued call.
    if (post)
        QMetaObject::invokeMethod(
            &m_timer, [this] { m_timer.start(); }, Qt::QueuedConnection);
}

void EventChannel::drain()
{
    m_timer.stop();
    std::vector<Event> batch;
    {
        QMutexLocker lock(&m_mutex);
        batch.swap(m_queue);
        m_posted = false;
        if (batch.empty())
            return;
        ++m_handOvers;
        m_handedOver += batch.size();
    }
    for (Event &event : batch)
        m_target->record(std::move(event));
}

quint64 EventChannel::handOvers() const
{
    QMutexLocker lock(&m_mutex);
    return m_handOvers;
}

quint64 EventChannel::handedOver() const
{
    QMutexLocker lock(&m_mutex);
    return m_handedOver;
}

qsizetype EventChannel::queued() const
{
    QMutexLocker lock(&m_mutex);
    return qsizetype(m_queue.size());
}

} // namespace sockpit
