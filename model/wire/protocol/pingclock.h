#pragma once

#include <QByteArray>
#include <QElapsedTimer>

#include <deque>
#include <optional>

namespace sockpit::protocol {

// Round-trip times of pings, taken where the frames pass: sent() when a Ping goes out on
// the wire, answered() when a Pong comes in. A Pong answers the oldest outstanding Ping
// with the same payload (RFC 6455 section 5.5.3: it echoes the Ping's application data);
// an unsolicited Pong (section 5.5.3 allows them) has no round trip.
class PingClock
{
public:
    PingClock() { m_clock.start(); }

    void sent(const QByteArray &payload);
    // Milliseconds since the matching Ping was sent; nullopt for an unsolicited Pong.
    std::optional<double> answered(const QByteArray &payload);

    // Outstanding pings kept: a peer that never answers costs no more than this.
    static constexpr std::size_t MaxOutstanding = 64;

private:
    struct Outstanding
    {
        QByteArray payload;
        qint64 sentNs = 0;
    };
    QElapsedTimer m_clock;
    std::deque<Outstanding> m_outstanding;
};

} // namespace sockpit::protocol
