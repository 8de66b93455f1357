#pragma once

#include <QObject>
#include <QThread>

#include <functional>

namespace sockpit {

// The thread the network lives on: sockets, wire taps, Qt's WebSocket engines and the
// codecs of the embedded server and the client sessions (docs/architecture.md, "Threads").
// It runs an event loop from construction to destruction. Objects are made on it with
// run(), talked to with post() (queued) or run() (waits), and the last of them must be
// deleted on it before the thread stops: ~NetworkThread() stops it and waits.
class NetworkThread
{
public:
    NetworkThread();
    ~NetworkThread();

    NetworkThread(const NetworkThread &) = delete;
    NetworkThread &operator=(const NetworkThread &) = delete;

    // A context object that lives on the thread (for connections and invokeMethod).
    QObject *context() { return m_context; }
    QThread *thread() { return &m_thread; }
    bool isCurrent() const { return QThread::currentThread() == &m_thread; }

    // Runs `work` on the thread and waits for it (directly when called on the thread).
    void run(const std::function<void()> &work);
    // Queues `work` on the thread and returns at once.
    void post(std::function<void()> work);

    // Runs what is already posted, stops the event loop and waits for the thread; later
    // posts are dropped (idempotent; the destructor calls it).
    void stop();

private:
    QThread m_thread;
    QObject *m_context = nullptr;
};

// Calls `call(receiver)` on the receiver's thread, queued: how an object on the network
// thread reports to its host on the window's thread. Dropped if the receiver is gone first.
template<typename Receiver> void queueTo(Receiver *receiver, std::function<void(Receiver *)> call)
{
    QMetaObject::invokeMethod(
        receiver, [receiver, call = std::move(call)] { call(receiver); }, Qt::QueuedConnection);
}

} // namespace sockpit
