#pragma once

#include "serverhost.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>

namespace sockpit {

// The open connections of the embedded server (through its ServerHost) as a table (the GUI's server
// panel shows it). Rows follow the server's signals; the age column is refreshed once a second.
class ConnectionListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column : int {
        IdColumn,
        PeerColumn,
        PathColumn,
        SubprotocolColumn,
        AgeColumn,
        MessagesInColumn,
        MessagesOutColumn,
        BytesInColumn,
        BytesOutColumn,
        ColumnCount,
    };
    enum Role : int {
        IdRole = Qt::UserRole + 1, // qint64 connection id, on every column
        OpenedAtRole, // QDateTime (UTC)
        SecureRole, // bool
    };

    explicit ConnectionListModel(ServerHost *server, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    qint64 idAt(int row) const;
    int rowOf(qint64 id) const;

private:
    void onOpened(qint64 id);
    void onChanged(qint64 id);
    void onClosed(qint64 id);
    void refreshAges();

    QPointer<ServerHost> m_server;
    QList<ConnectionInfo> m_rows;
    QTimer m_ageTimer;
};

} // namespace sockpit
