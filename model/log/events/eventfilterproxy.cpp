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
    m_asciiNeedle.clear();
    const bool plainAscii = std::all_of(text.cbegin(), text.cend(), [](QChar c) {
        return c.unicode() > 0x20 && c.unicode() < 0x7f;
    });
    if (!m_useRegex && plainAscii)
        m_asciiNeedle = text.toLatin1().toLower();
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
        if (const std::optional<bool> quick = quickMatch(e))
            return *quick;
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

namespace {

// Whether `haystack` contains `lowerNeedle`, ASCII letters compared in either case.
bool containsAsciiCaseInsensitive(QByteArrayView haystack, QByteArrayView lowerNeedle)
{
    const qsizetype n = lowerNeedle.size();
    const char first = lowerNeedle.front();
    const char firstUpper = char(first >= 'a' && first <= 'z' ? first - 32 : first);
    for (qsizetype i = 0; i + n <= haystack.size(); ++i) {
        const char c = haystack[i];
        if (c != first && c != firstUpper)
            continue;
        qsizetype j = 1;
        for (; j < n; ++j) {
            char h = haystack[i + j];
            if (h >= 'A' && h <= 'Z')
                h = char(h + 32);
            if (h != lowerNeedle[j])
                break;
        }
        if (j == n)
            return true;
    }
    return false;
}

} // namespace

// A text message whose searched start is printable ASCII, and a needle that is printable
// ASCII with no white space: then the search text's fields are the payload's start (the
// summary is a part of it with runs of spaces collapsed, which a needle without white space
// cannot tell apart) and the short string fields. The answer is the one searchText() would give,
// without decoding, collapsing and joining for each row (a tenth of the time over a million rows).
std::optional<bool> EventFilterProxy::quickMatch(const Event &e) const
{
    if (m_asciiNeedle.isEmpty() || e.kind != EventKind::Text || e.payload.isEmpty() || e.handshake)
        return std::nullopt;
    const QByteArrayView window = QByteArrayView(e.payload).first(
        std::min<qsizetype>(e.payload.size(), EventLogModel::SearchBytes));
    // Control characters (line breaks among them: the summary drops some of those) and
    // anything beyond ASCII take the full path.
    for (const char c : window) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return std::nullopt;
    }
    if (containsAsciiCaseInsensitive(window, m_asciiNeedle))
        return true;
    for (const QString *part : {&e.url, &e.errorId, &e.reason, &e.peer, &e.subprotocol}) {
        if (!part->isEmpty() && part->contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool EventFilterProxy::matchesAnyField(const QStringList &fields) const
{
    return std::any_of(fields.cbegin(), fields.cend(),
                       [this](const QString &field) { return m_regex.match(field).hasMatch(); });
}

} // namespace sockpit
