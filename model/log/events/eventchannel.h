#pragma once

#include "eventsink.h"
#include "protocol/timing.h"

#include <QMutex>
#include <QTimer>

#include <vector>

namespace sockpit {

// Carries events from producers on any thread to one sink that lives on another thread
// (the window's store, a headless command's log writer). Producers call record() on their
// own thread; it stamps the time (when null) under the channel's lock, so that the time
// order is the order the target sees. The first event after a hand-over posts one queued
// call to the target's thread, which hands over, `intervalMs` later, every event queued by
// then: one hand-over per batch, never one per event, and at most one wake-up of the
// target's thread per interval however fast the producers are.
//
// Construct and destroy the channel on the target's thread; destroy it only when no
// producer can call record() any more (the producers' thread has finished, or the
// producers are gone). drain() hands what is queued to the target now (at shutdown).
class EventChannel final : public EventSink
{
public:
    static constexpr int DefaultIntervalMs = timing::EventHandOverMs;

    explicit EventChannel(EventSink *target, int intervalMs = DefaultIntervalMs);
    ~EventChannel() override;

    EventChannel(const EventChannel &) = delete;
    EventChannel &operator=(const EventChannel &) = delete;

    // Any thread.
    void record(Event event) override;

    // The target's thread: hands every queued event to the target, in order.
    void drain();

    // For tests and counters (any thread).
    quint64 handOvers() const; // batches handed to the target
    quint64 handedOver() const; // events handed to the target
    qsizetype queued() const;

private:
    EventSink *m_target;
    QTimer m_timer; // lives on the target's thread; the queued calls go to it
    mutable QMutex m_mutex;
    std::vector<Event> m_queue;
    bool m_posted = false;
    quint64 m_handOvers = 0;
    quint64 m_handedOver = 0;
};

} // namespace sockpit
