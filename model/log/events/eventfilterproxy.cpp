#include "eventfilterproxy.h"

#include "eventlogmodel.h"

#include <algorithm>

namespace sockpit {

EventFilterProxy::EventFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void EventFilterProxy::setKinds(const QSet<EventKind> &kinds)
{
    if (kinds == m_kinds)
        return;
    m_kinds = kinds;
    invalidateFilter();
}

void EventFilterProxy::setSource(std::optional<EventSource> source)
{
    if (source == m_source)
        return;
    m_source = source;
    invalidateFilter();
}

void EventFilterProxy::setConnection(std::optional<qint64> connection)
{
    if (connection == m_connection)
        return;
    m_connection = connection;
    invalidateFilter();
}

void EventFilterProxy::setDirection(std::optional<EventDirection> direction)
{
    if (direction == m_direction)
        return;
    m_direction = direction;
    invalidateFilter();
}

bool EventFilterProxy::setText(const QString &text, bool regex)
{
    if (regex && !text.isEmpty()) {
        QRegularExpression expression(text, QRegularExpression::CaseInsensitiveOption);
        if (!expression.isValid()) {
            m_patternError = tr("%1 (at character %2)")
                                 .arg(expression.errorString())
                                 .arg(expression.patternErrorOffset() + 1);
            return false;
        }
        // Filtering runs the expression on every row: compile it once now.
        expression.optimize();
        m_regex = std::move(expression);
    } else {
        m_regex = QRegularExpression();
    }
    m_patternError.clear();
    m_text = text;
    m_useRegex = regex && !text.isEmpty();
    invalidateFilter();
    return true;
}

bool EventFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    // The usual source is an EventLogModel: read the Event itself rather than going
    // through QVariant roles for every criterion.
    if (const auto *log = qobject_cast<const EventLogModel *>(sourceModel());
        log && !sourceParent.isValid()) {
        const Event &e = log->eventAt(sourceRow);
        if (!m_kinds.isEmpty() && !m_kinds.contains(e.kind))
            return false;
        if (m_source && e.source != *m_source)
            return false;
        if (m_connection && e.connection != *m_connection)
            return false;
        if (m_direction && e.direction != *m_direction)
            return false;
        if (m_text.isEmpty())
            return true;
        if (m_useRegex)
            return matchesAnyField(EventLogModel::searchFields(e));
        return EventLogModel::searchText(e).contains(m_text, Qt::CaseInsensitive);
    }

    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_kinds.isEmpty()
        && !m_kinds.contains(EventKind(index.data(EventLogModel::KindRole).toInt())))
        return false;
    if (m_source && EventSource(index.data(EventLogModel::SourceRole).toInt()) != *m_source)
        return false;
    if (m_connection && index.data(EventLogModel::ConnectionRole).toLongLong() != *m_connection)
        return false;
    if (m_direction
        && EventDirection(index.data(EventLogModel::DirectionRole).toInt()) != *m_direction)
        return false;
    if (m_text.isEmpty())
        return true;
    if (m_useRegex)
        return matchesAnyField(index.data(EventLogModel::SearchFieldsRole).toStringList());
    return index.data(EventLogModel::SearchTextRole)
        .toString()
        .contains(m_text, Qt::CaseInsensitive);
}

bool EventFilterProxy::matchesAnyField(const QStringList &fields) const
{
    return std::any_of(fields.cbegin(), fields.cend(),
                       [this](const QString &field) { return m_regex.match(field).hasMatch(); });
}

} // namespace sockpit
