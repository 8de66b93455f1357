#pragma once

#include "event.h"

namespace sockpit {

// Where producers (the embedded server, its connections, client sessions) put each event
// they record. The window gives them its EventStore; a headless command gives them a
// JsonLinesWriter, or a NullEventSink when nothing is logged, so that no event is kept in
// memory that nobody reads.
class EventSink
{
public:
    virtual ~EventSink();
    virtual void record(Event event) = 0;

protected:
    EventSink() = default;
    EventSink(const EventSink &) = default;
    EventSink &operator=(const EventSink &) = default;
};

// Discards every event: a headless command without --log.
class NullEventSink final : public EventSink
{
public:
    void record(Event event) override;
};

// The one place where events are numbered and stamped: seq 1, 2, … in the order they
// are stamped, and the current UTC time for those that have none. The first sink an event
// reaches stamps it (the window's EventStore, a headless command's JsonLinesWriter);
// whatever it hands the event on to (EventStore::recorded) sees the same seq and time.
class EventSequencer
{
public:
    // Assigns the next seq and, when null, the time; returns the seq.
    quint64 stamp(Event &event);
    // The seq the next unstamped event gets.
    quint64 nextSeq() const { return m_next; }

private:
    quint64 m_next = 1;
};

} // namespace sockpit
