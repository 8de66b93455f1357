#include "networkthread.h"

#include "tls/opensslhandles.h"

namespace sockpit {

NetworkThread::NetworkThread()
{
    m_thread.setObjectName(QStringLiteral("sockpit-network"));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    // Runs on the network thread as it ends: TLS handshakes there leave OpenSSL state for the
    // thread (its error queue), which OpenSSL does not free for threads it did not start.
    QObject::connect(
        &m_thread, &QThread::finished, m_context, [] { tls::detail::releaseOpenSslThreadState(); },
        Qt::DirectConnection);
    m_thread.start();
}

NetworkThread::~NetworkThread()
{
    stop();
}

void NetworkThread::run(const std::function<void()> &work)
{
    if (isCurrent() || !m_context) {
        work();
        return;
    }
    QMetaObject::invokeMethod(m_context, work, Qt::BlockingQueuedConnection);
}

void NetworkThread::post(std::function<void()> work)
{
    if (m_context)
        QMetaObject::invokeMethod(m_context, std::move(work), Qt::QueuedConnection);
}

void NetworkThread::stop()
{
    if (!m_context)
        return;
    // Queued behind what is already posted, so that it runs first.
    QThread *thread = &m_thread;
    QMetaObject::invokeMethod(
        m_context, [thread] { thread->quit(); }, Qt::QueuedConnection);
    m_thread.wait();
    // The thread has finished: nothing runs on it that could still use the context.
    delete m_context;
    m_context = nullptr;
}

} // namespace sockpit
