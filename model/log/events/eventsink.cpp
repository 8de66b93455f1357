#include "eventsink.h"

namespace sockpit {

EventSink::~EventSink() = default;

void NullEventSink::record(Event) { }

quint64 EventSequencer::stamp(Event &event)
{
    event.seq = m_next++;
    if (event.time.isNull())
        event.time = QDateTime::currentDateTimeUtc();
    return event.seq;
}

} // namespace sockpit
