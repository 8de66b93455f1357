#pragma once

#include "event.h"

#include <QRegularExpression>
#include <QSet>
#include <QSortFilterProxyModel>

#include <optional>

namespace sockpit {

// Filters an EventLogModel by kind, source, connection, direction and text (plain,
// case-insensitive, or a regular expression matched against each of the event's search
// fields, so that ^ and $ anchor at a field's ends). An unset criterion lets everything
// through.
class EventFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit EventFilterProxy(QObject *parent = nullptr);

    void setKinds(const QSet<EventKind> &kinds); // empty: every kind
    QSet<EventKind> kinds() const { return m_kinds; }
    void setSource(std::optional<EventSource> source);
    void setConnection(std::optional<qint64> connection);
    void setDirection(std::optional<EventDirection> direction);
    // Returns false (and keeps the old filter) when `regex` is true and the pattern is
    // not a valid regular expression; patternError() then says why.
    bool setText(const QString &text, bool regex = false);
    QString patternError() const { return m_patternError; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool matchesAnyField(const QStringList &fields) const;
    // The common case without building the row's search text; nullopt when it does not apply.
    std::optional<bool> quickMatch(const Event &event) const;

    QSet<EventKind> m_kinds;
    std::optional<EventSource> m_source;
    std::optional<qint64> m_connection;
    std::optional<EventDirection> m_direction;
    QString m_text;
    QByteArray m_asciiNeedle; // m_text in lower case, when it is ASCII without white space
    QRegularExpression m_regex;
    bool m_useRegex = false;
    QString m_patternError;
};

} // namespace sockpit
