#pragma once

#include "events/event.h"

#include <QMainWindow>

namespace sockpit {

class EventInspector;
class EventStore;
class LogView;

// A JSON Lines log opened from a file, beside the live session: its own store, table,
// filter, counters and inspector, titled with the file name. It only shows what the file
// holds; nothing it does reaches the live session's store or connection numbers.
class LogFileWindow : public QMainWindow
{
    Q_OBJECT
public:
    LogFileWindow(const QString &path, const QList<Event> &events, QWidget *parent = nullptr);

    QString path() const { return m_path; }
    EventStore *eventStore() const { return m_store; }
    LogView *logView() const { return m_logView; }
    EventInspector *inspector() const { return m_inspector; }

private:
    QString m_path;
    EventStore *m_store;
    LogView *m_logView;
    EventInspector *m_inspector;
};

} // namespace sockpit
