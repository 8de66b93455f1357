#pragma once

#include <QSortFilterProxyModel>

namespace sockpit {

// Holds the log view still: while paused, rows of events recorded after the pause are
// hidden from the view (the store keeps recording them); resuming shows them all.
class EventPauseProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit EventPauseProxy(QObject *parent = nullptr);

    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool m_paused = false;
    quint64 m_lastShownSeq = 0;
};

} // namespace sockpit
