#pragma once

// Counts how often the GUI thread's event loop stalled: a timer ticks at a short interval
// and every gap between two ticks longer than the threshold is a stall. Tests assert on
// the count of stalls (and the longest gap, for the message), never on wall time alone.
// In a sanitizer build (every memory access checked, about 3-5x slower) the threshold is
// SanitizedSlowdown times longer: the probe still catches a freeze, not the checking.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace sockpit::test {

class StallProbe : public QObject
{
public:
#ifdef SOCKPIT_SANITIZED_BUILD
    static constexpr int SanitizedSlowdown = 5;
#else
    static constexpr int SanitizedSlowdown = 1;
#endif

    explicit StallProbe(int thresholdMs = 100, int intervalMs = 10)
        : m_thresholdMs(thresholdMs * SanitizedSlowdown)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(intervalMs);
        connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    }

    // Starts counting from now; the previous counts are dropped.
    void start()
    {
        m_stalls = 0;
        m_ticks = 0;
        m_longestMs = 0;
        m_clock.start();
        m_timer.start();
    }

    // Stops counting. The time since the last tick counts too: a stall that lasts until
    // stop() (a blocking call that has just returned) is a stall as well.
    void stop()
    {
        tick();
        m_timer.stop();
    }

    int stalls() const
    {
        return m_stalls;
    }
    int thresholdMs() const
    {
        return m_thresholdMs;
    }
    int ticks() const
    {
        return m_ticks;
    }
    qint64 longestGapMs() const
    {
        return m_longestMs;
    }

private:
    void tick()
    {
        if (!m_clock.isValid())
            return;
        const qint64 gap = m_clock.restart();
        ++m_ticks;
        m_longestMs = qMax(m_longestMs, gap);
        if (gap > m_thresholdMs)
            ++m_stalls;
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    int m_thresholdMs;
    int m_stalls = 0;
    int m_ticks = 0;
    qint64 m_longestMs = 0;
};

} // namespace sockpit::test
