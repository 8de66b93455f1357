#include "pingclock.h"

#include <algorithm>

namespace sockpit::protocol {

void PingClock::sent(const QByteArray &payload)
{
    if (m_outstanding.size() == MaxOutstanding)
        m_outstanding.pop_front();
    m_outstanding.push_back({payload, m_clock.nsecsElapsed()});
}

std::optional<double> PingClock::answered(const QByteArray &payload)
{
    const auto it = std::find_if(m_outstanding.begin(), m_outstanding.end(),
                                 [&payload](const Outstanding &o) { return o.payload == payload; });
    if (it == m_outstanding.end())
        return std::nullopt;
    const double rttMs = double(m_clock.nsecsElapsed() - it->sentNs) / 1e6;
    m_outstanding.erase(it);
    return rttMs;
}

} // namespace sockpit::protocol
