#pragma once

namespace sockpit {

// One file descriptor held in reserve, so that a server whose process has run out of
// descriptors can still accept one more connection and tell the peer so (503) instead of
// leaving it in the kernel's backlog unanswered. release() makes the descriptor available
// to the next accept(); acquire() takes one back once that connection is closed.
//
// POSIX only (it holds /dev/null open); elsewhere it holds nothing, acquire() fails and
// canOpenAnother() is always true, so the server never sheds connections there.
class DescriptorReserve
{
public:
    DescriptorReserve() = default;
    ~DescriptorReserve();
    DescriptorReserve(const DescriptorReserve &) = delete;
    DescriptorReserve &operator=(const DescriptorReserve &) = delete;

    bool acquire();
    void release();
    bool isHeld() const { return m_fd >= 0; }

    // Whether the process can open one more descriptor now (tried, then closed again).
    static bool canOpenAnother();
    // The process's limit on open descriptors (RLIMIT_NOFILE), or -1 where unknown.
    static long openFileLimit();

private:
    int m_fd = -1;
};

} // namespace sockpit
