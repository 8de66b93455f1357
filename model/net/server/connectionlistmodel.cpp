#include "connectionlistmodel.h"

namespace sockpit {

ConnectionListModel::ConnectionListModel(ServerHost *server, QObject *parent)
    : QAbstractTableModel(parent)
    , m_server(server)
{
    if (server) {
        m_rows = server->connections();
        connect(server, &ServerHost::connectionOpened, this, &ConnectionListModel::onOpened);
        connect(server, &ServerHost::connectionChanged, this, &ConnectionListModel::onChanged);
        connect(server, &ServerHost::connectionClosed, this, &ConnectionListModel::onClosed);
    }
    m_ageTimer.setInterval(1000);
    connect(&m_ageTimer, &QTimer::timeout, this, &ConnectionListModel::refreshAges);
    if (!m_rows.isEmpty())
        m_ageTimer.start();
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConnectionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConnectionInfo &info = m_rows.at(index.row());
    switch (role) {
    case IdRole:
        return info.id;
    case OpenedAtRole:
        return info.openedAt;
    case SecureRole:
        return info.secure;
    case Qt::TextAlignmentRole:
        if (index.column() == PeerColumn || index.column() == PathColumn
            || index.column() == SubprotocolColumn)
            return {};
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case IdColumn:
        return info.id;
    case PeerColumn:
        return info.peer;
    case PathColumn:
        return info.query.isEmpty() ? info.path : QString(info.path + u'?' + info.query);
    case SubprotocolColumn:
        return info.subprotocol;
    case AgeColumn:
        return tr("%1 s").arg(info.openedAt.secsTo(QDateTime::currentDateTimeUtc()));
    case MessagesInColumn:
        return info.messagesIn;
    case MessagesOutColumn:
        return info.messagesOut;
    case BytesInColumn:
        return info.bytesIn;
    case BytesOutColumn:
        return info.bytesOut;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant ConnectionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case MessagesInColumn:
            return tr("Messages received from this peer");
        case MessagesOutColumn:
            return tr("Messages sent to this peer");
        case BytesInColumn:
            return tr("Bytes received from this peer");
        case BytesOutColumn:
            return tr("Bytes sent to this peer");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    // Short labels: the list lives in a narrow panel; the tooltips say more.
    switch (Column(section)) {
    case IdColumn:
        return tr("Id");
    case PeerColumn:
        return tr("Peer");
    case PathColumn:
        return tr("Path");
    case SubprotocolColumn:
        return tr("Subprotocol");
    case AgeColumn:
        return tr("Age");
    case MessagesInColumn:
        return tr("In");
    case MessagesOutColumn:
        return tr("Out");
    case BytesInColumn:
        return tr("Bytes in");
    case BytesOutColumn:
        return tr("Bytes out");
    case ColumnCount:
        break;
    }
    return {};
}

QHash<int, QByteArray> ConnectionListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(IdRole, QByteArrayLiteral("connectionId"));
    names.insert(OpenedAtRole, QByteArrayLiteral("openedAt"));
    names.insert(SecureRole, QByteArrayLiteral("secure"));
    return names;
}

qint64 ConnectionListModel::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : 0;
}

int ConnectionListModel::rowOf(qint64 id) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == id)
            return row;
    }
    return -1;
}

void ConnectionListModel::onOpened(qint64 id)
{
    if (!m_server || rowOf(id) >= 0)
        return;
    const std::optional<ConnectionInfo> info = m_server->connection(id);
    if (!info)
        return;
    const int row = int(m_rows.size());
    beginInsertRows(QModelIndex(), row, row);
    m_rows.append(*info);
    endInsertRows();
    m_ageTimer.start();
}

void ConnectionListModel::onChanged(qint64 id)
{
    const int row = rowOf(id);
    if (row < 0 || !m_server)
        return;
    if (const std::optional<ConnectionInfo> info = m_server->connection(id)) {
        m_rows[row] = *info;
        Q_EMIT dataChanged(index(row, MessagesInColumn), index(row, BytesOutColumn));
    }
}

void ConnectionListModel::onClosed(qint64 id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    if (m_rows.isEmpty())
        m_ageTimer.stop();
}

void ConnectionListModel::refreshAges()
{
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, AgeColumn), index(int(m_rows.size()) - 1, AgeColumn),
                           {Qt::DisplayRole});
}

} // namespace sockpit
