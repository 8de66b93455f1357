#pragma once

#include <QObject>

class QSocketNotifier;

namespace sockpit::cli {

// Turns SIGINT and SIGTERM into a Qt signal (self-pipe), so that a headless command can
// close its connections with 1001 and flush its log before it exits.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    void readSignal();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace sockpit::cli
