#include "descriptorreserve.h"

#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace sockpit {

DescriptorReserve::~DescriptorReserve()
{
    release();
}

bool DescriptorReserve::acquire()
{
#ifdef Q_OS_UNIX
    if (m_fd < 0)
        m_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
    return m_fd >= 0;
}

void DescriptorReserve::release()
{
#ifdef Q_OS_UNIX
    if (m_fd >= 0)
        ::close(m_fd);
#endif
    m_fd = -1;
}

bool DescriptorReserve::canOpenAnother()
{
#ifdef Q_OS_UNIX
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ::close(fd);
#endif
    return true;
}

long DescriptorReserve::openFileLimit()
{
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        return long(limit.rlim_cur);
#endif
    return -1;
}

} // namespace sockpit
