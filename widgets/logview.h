#pragma once

#include "events/event.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QModelIndex;
class QTableView;
class QToolButton;

namespace sockpit {

class EventFilterProxy;
class EventLogModel;
class EventPauseProxy;
class EventStore;
class LogFilterBar;

// The one table of all events: filter bar, follow-newest (it stops when the user scrolls
// up and resumes at the bottom), pause, clear, and a counter of shown / total / evicted.
// Model chain: EventLogModel -> EventFilterProxy -> EventPauseProxy -> view.
class LogView : public QWidget
{
    Q_OBJECT
public:
    explicit LogView(EventStore *store, QWidget *parent = nullptr);

    EventStore *store() const { return m_store; }
    EventLogModel *logModel() const { return m_model; }
    EventFilterProxy *filterProxy() const { return m_filter; }
    QTableView *tableView() const { return m_view; }
    LogFilterBar *filterBar() const { return m_filterBar; }

    // Every retained event the filter lets through, oldest first (for "Export filtered").
    QList<Event> filteredEvents() const;
    // The row (in the view's model) of the event with this sequence number, or -1.
    int viewRowOfSeq(quint64 seq) const;

    // A view of a log read from a file: nothing arrives, so there is nothing to pause,
    // and nothing to clear.
    void setReadOnly(bool readOnly);

    bool isFollowing() const { return m_following; }
    bool isPaused() const;

public Q_SLOTS:
    void setFollowing(bool following);
    void setPaused(bool paused);
    void clear();
    void focusFilter();

Q_SIGNALS:
    void currentEventChanged(const sockpit::Event &event);
    void currentEventCleared();

private:
    void onCurrentChanged(const QModelIndex &current);
    void onScrollRangeChanged();
    void onScrollValueChanged(int value);
    void scheduleCounterUpdate();
    void updateCounter();

    EventStore *m_store;
    EventLogModel *m_model;
    EventFilterProxy *m_filter;
    EventPauseProxy *m_pause;
    LogFilterBar *m_filterBar;
    QTableView *m_view;
    QToolButton *m_followButton;
    QToolButton *m_pauseButton;
    QToolButton *m_clearButton;
    QLabel *m_counter;
    QTimer m_counterTimer;
    bool m_following = true;
    bool m_scrolling = false;
};

} // namespace sockpit
