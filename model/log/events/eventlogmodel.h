#pragma once

#include "event.h"

#include <QAbstractTableModel>

namespace sockpit {

class ConnectionLinks;
class EventStore;

// A table over the EventStore's retained events: one row an event, rows inserted and
// evicted in the store's batches. Cell text is made on demand. Semantic roles only:
// colours and icons are the view's business.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        SourceColumn,
        ConnectionColumn,
        DirectionColumn,
        KindColumn,
        SizeColumn,
        SummaryColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        SeqRole = Qt::UserRole + 1, // quint64
        KindRole, // int(EventKind)
        SourceRole, // int(EventSource)
        DirectionRole, // int(EventDirection)
        ConnectionRole, // qint64
        SearchTextRole, // QString: what a text filter matches (summary, url, headers...)
        IsErrorRole, // bool: an error, or a close that is not 1000/1001
        SearchFieldsRole, // QStringList: searchFields()
    };
    Q_ENUM(Role)

    // A text filter looks this far into a payload: enough for any message a person reads,
    // bounded so that filtering many rows stays quick.
    static constexpr qsizetype SearchBytes = 4096;

    explicit EventLogModel(EventStore *store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    const Event &eventAt(int row) const;
    EventStore *store() const { return m_store; }

    // Names the Source column's connections ("client #3", "client #1 ↔ server #2");
    // without links it shows "server" and "client". The links must outlive the model.
    void setConnectionLinks(const ConnectionLinks *links);
    // What the Source column shows for the event.
    QString sourceLabel(const Event &event) const;

    // One line that says what happened ("Server says: hi", "1000 Normal Closure: bye").
    static QString summary(const Event &event);
    // What a text filter matches: the summary, url, error id, close reason, handshake
    // header names and values, and the start of a text payload.
    static QString searchText(const Event &event);
    // The same, one field at a time: a regular expression is matched against each, so that
    // ^ and $ anchor at the start and end of the message (or summary, header, ...) a
    // person sees, not of the whole joined text.
    static QStringList searchFields(const Event &event);
    // "12 B", "3.4 KiB", "1.0 MiB" in the default locale.
    static QString humanSize(qint64 bytes);

private:
    void sourceLabelsChanged();

    EventStore *m_store;
    const ConnectionLinks *m_links = nullptr;
};

} // namespace sockpit
