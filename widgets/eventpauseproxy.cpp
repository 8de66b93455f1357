#include "eventpauseproxy.h"

#include "events/eventlogmodel.h"

namespace sockpit {

EventPauseProxy::EventPauseProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void EventPauseProxy::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    m_lastShownSeq = 0;
    if (paused && sourceModel()) {
        const int rows = sourceModel()->rowCount();
        if (rows > 0)
            m_lastShownSeq
                = sourceModel()->index(rows - 1, 0).data(EventLogModel::SeqRole).toULongLong();
    }
    invalidateFilter();
}

bool EventPauseProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_paused)
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return index.data(EventLogModel::SeqRole).toULongLong() <= m_lastShownSeq;
}

} // namespace sockpit
