#include "eventlogmodel.h"

#include "connectionlinks.h"
#include "eventstore.h"
#include "protocol/closecodes.h"

#include <QLocale>

#include <limits>

namespace sockpit {

namespace {

// The view shows one line; a person opens the inspector for the rest.
constexpr qsizetype SummaryChars = 200;
// Enough bytes to fill SummaryChars characters of any script, without decoding megabytes.
constexpr qsizetype SummaryBytes = SummaryChars * 4 + 4;
constexpr qsizetype HexBytes = 16;

const QChar Ellipsis(0x2026);

bool isLineBreak(QChar c)
{
    return c == u'\n' || c == u'\r' || c == QChar::LineSeparator || c == QChar::ParagraphSeparator;
}

// The first characters of a text as one line: a run of white space that breaks a line
// becomes one space, or nothing just inside a bracket, so that an indented JSON message
// reads {"type": "chat", "text": "hi"} rather than "{…".
QString collapsedStart(const QByteArray &utf8)
{
    const QString text = QString::fromUtf8(utf8.left(SummaryBytes));
    QString line;
    line.reserve(std::min(text.size(), SummaryChars + 1));
    qsizetype i = 0;
    while (i < text.size() && line.size() < SummaryChars) {
        if (!text.at(i).isSpace()) {
            line += text.at(i++);
            continue;
        }
        const qsizetype start = i;
        bool breaks = false;
        while (i < text.size() && text.at(i).isSpace())
            breaks = isLineBreak(text.at(i++)) || breaks;
        if (!breaks) {
            line += QStringView(text).sliced(start, i - start);
            continue;
        }
        const bool afterOpening = line.isEmpty() || line.endsWith(u'{') || line.endsWith(u'[');
        const bool beforeClosing = i >= text.size() || text.at(i) == u'}' || text.at(i) == u']';
        if (!afterOpening && !beforeClosing)
            line += u' ';
    }
    const bool cut = i < text.size() || utf8.size() > SummaryBytes || line.size() > SummaryChars;
    if (line.size() > SummaryChars)
        line.truncate(SummaryChars);
    if (cut)
        line += Ellipsis;
    return line;
}

// "1 byte" comes from the English catalogue of plural forms (sockpit_en.ts).
QString byteCount(qint64 n)
{
    return EventLogModel::tr("%n bytes", nullptr,
                             int(qMin<qint64>(n, std::numeric_limits<int>::max())));
}

QString hexSummary(const QByteArray &bytes, qint64 size)
{
    QString hex = QString::fromLatin1(bytes.left(HexBytes).toHex(' '));
    if (size > HexBytes || bytes.size() > HexBytes)
        hex += Ellipsis;
    return EventLogModel::tr("%1 (%2)").arg(hex, byteCount(size));
}

QString textOrEmpty(const QString &text)
{
    return text.isEmpty() ? EventLogModel::tr("(empty)") : text;
}

QString payloadSummary(const Event &e)
{
    if (e.isTextual())
        return textOrEmpty(collapsedStart(e.payload));
    if (e.payload.isEmpty() && e.size == 0)
        return EventLogModel::tr("(empty)");
    return hexSummary(e.payload, e.size);
}

QString translatedSource(EventSource source)
{
    switch (source) {
    case EventSource::Server:
        return EventLogModel::tr("server");
    case EventSource::Client:
        return EventLogModel::tr("client");
    }
    return {};
}

QString translatedDirection(EventDirection direction)
{
    switch (direction) {
    case EventDirection::In:
        return EventLogModel::tr("in");
    case EventDirection::Out:
        return EventLogModel::tr("out");
    case EventDirection::None:
        break;
    }
    return {};
}

QString translatedKind(EventKind kind)
{
    switch (kind) {
    case EventKind::Listening:
        return EventLogModel::tr("listening");
    case EventKind::Stopped:
        return EventLogModel::tr("stopped");
    case EventKind::Handshake:
        return EventLogModel::tr("handshake");
    case EventKind::Open:
        return EventLogModel::tr("open");
    case EventKind::Text:
        return EventLogModel::tr("text");
    case EventKind::Binary:
        return EventLogModel::tr("binary");
    case EventKind::Ping:
        return EventLogModel::tr("ping");
    case EventKind::Pong:
        return EventLogModel::tr("pong");
    case EventKind::Close:
        return EventLogModel::tr("close");
    case EventKind::Error:
        return EventLogModel::tr("error");
    case EventKind::Broadcast:
        return EventLogModel::tr("broadcast");
    case EventKind::Tls:
        return EventLogModel::tr("tls");
    }
    return {};
}

QString handshakeSummary(const Event &e)
{
    if (!e.handshake)
        return {};
    const Handshake &h = *e.handshake;
    const QString request
        = QString::fromLatin1(h.request.method) + u' ' + QString::fromLatin1(h.request.target);
    if (!h.response)
        return EventLogModel::tr("%1 \u2192 (no response observed)").arg(request);
    return EventLogModel::tr("%1 \u2192 %2 %3")
        .arg(request, QString::number(h.response->status), QString::fromLatin1(h.response->reason));
}

QString closeSummary(const Event &e)
{
    const QString initiator = e.initiator == CloseInitiator::Local ? EventLogModel::tr("local")
                                                                   : EventLogModel::tr("remote");
    const QString name = protocol::closeCodeInfo(e.closeCode).name;
    if (e.reason.isEmpty())
        return EventLogModel::tr("%1 %2 (%3)").arg(QString::number(e.closeCode), name, initiator);
    return EventLogModel::tr("%1 %2: %3 (%4)")
        .arg(QString::number(e.closeCode), name, e.reason, initiator);
}

QString tlsSummary(const Event &e)
{
    if (!e.tls)
        return {};
    const TlsInfo &tls = *e.tls;
    QString text = tls.protocol + u' ' + tls.cipher;
    if (tls.peerCertificate)
        text = EventLogModel::tr("%1, %2").arg(text, tls.peerCertificate->subject);
    if (!tls.errors.isEmpty())
        text = tls.errors.size() == 1
            ? EventLogModel::tr("%1, 1 certificate error").arg(text)
            : EventLogModel::tr("%1, %2 certificate errors").arg(text).arg(tls.errors.size());
    if (tls.verificationDisabled)
        text = EventLogModel::tr("%1, verification disabled").arg(text);
    return text;
}

QString pingSummary(const Event &e)
{
    const QString payload = payloadSummary(e);
    if (!e.rttMs)
        return payload;
    return EventLogModel::tr("%1, rtt %2 ms").arg(payload, QLocale().toString(*e.rttMs, 'f', 1));
}

void appendHeaders(QStringList &fields, const HeaderList &headers)
{
    for (const auto &[name, value] : headers)
        fields.append(QString::fromLatin1(name) + u": " + QString::fromLatin1(value));
}

} // namespace

EventLogModel::EventLogModel(EventStore *store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{
    Q_ASSERT(store);
    connect(store, &EventStore::aboutToAppend, this, [this](qsizetype first, qsizetype count) {
        if (count > 0)
            beginInsertRows({}, int(first), int(first + count - 1));
    });
    connect(store, &EventStore::appended, this, [this](qsizetype, qsizetype count) {
        if (count > 0)
            endInsertRows();
    });
    connect(store, &EventStore::aboutToEvict, this, [this](qsizetype count) {
        if (count > 0)
            beginRemoveRows({}, 0, int(count - 1));
    });
    connect(store, &EventStore::evicted, this, [this](qsizetype count) {
        if (count > 0)
            endRemoveRows();
    });
    connect(store, &EventStore::aboutToClear, this, &EventLogModel::beginResetModel);
    connect(store, &EventStore::cleared, this, &EventLogModel::endResetModel);
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_store->size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Event &EventLogModel::eventAt(int row) const
{
    return m_store->at(row);
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Event &e = eventAt(index.row());

    switch (role) {
    case SeqRole:
        return QVariant::fromValue(e.seq);
    case KindRole:
        return int(e.kind);
    case SourceRole:
        return int(e.source);
    case DirectionRole:
        return int(e.direction);
    case ConnectionRole:
        return QVariant::fromValue(e.connection);
    case SearchTextRole:
        return searchText(e);
    case SearchFieldsRole:
        return searchFields(e);
    case IsErrorRole:
        return e.kind == EventKind::Error
            || (e.kind == EventKind::Close && e.closeCode != 1000 && e.closeCode != 1001);
    default:
        break;
    }

    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case TimeColumn:
            return e.time.toLocalTime().toString(QStringLiteral("hh:mm:ss.zzz"));
        case SourceColumn:
            return sourceLabel(e);
        case ConnectionColumn:
            return e.connection == 0 ? QString() : u'#' + QString::number(e.connection);
        case DirectionColumn:
            return translatedDirection(e.direction);
        case KindColumn:
            return translatedKind(e.kind);
        case SizeColumn:
            return carriesPayload(e.kind) ? humanSize(e.size) : QString();
        case SummaryColumn:
            return summary(e);
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == TimeColumn)
            return e.time.toUTC().toString(Qt::ISODateWithMs);
        if (index.column() == SizeColumn && carriesPayload(e.kind))
            return byteCount(e.size);
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        if (index.column() == SizeColumn || index.column() == ConnectionColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    }
    return {};
}

void EventLogModel::setConnectionLinks(const ConnectionLinks *links)
{
    if (m_links)
        disconnect(m_links, nullptr, this, nullptr);
    m_links = links;
    if (m_links)
        connect(m_links, &ConnectionLinks::changed, this, &EventLogModel::sourceLabelsChanged);
    sourceLabelsChanged();
}

QString EventLogModel::sourceLabel(const Event &event) const
{
    if (m_links && event.connection != 0) {
        const QString label = m_links->label(event.source, event.connection);
        if (!label.isEmpty())
            return label;
    }
    return translatedSource(event.source);
}

void EventLogModel::sourceLabelsChanged()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, SourceColumn), index(rowCount() - 1, SourceColumn),
                           {Qt::DisplayRole});
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case TimeColumn:
        return tr("Time");
    case SourceColumn:
        return tr("Source");
    case ConnectionColumn:
        return tr("Connection");
    case DirectionColumn:
        return tr("Direction");
    case KindColumn:
        return tr("Kind");
    case SizeColumn:
        return tr("Size");
    case SummaryColumn:
        return tr("Summary");
    case ColumnCount:
        break;
    }
    return {};
}

QHash<int, QByteArray> EventLogModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SeqRole, "seq");
    names.insert(KindRole, "kind");
    names.insert(SourceRole, "source");
    names.insert(DirectionRole, "direction");
    names.insert(ConnectionRole, "connection");
    names.insert(SearchTextRole, "searchText");
    names.insert(IsErrorRole, "isError");
    names.insert(SearchFieldsRole, "searchFields");
    return names;
}

QString EventLogModel::summary(const Event &e)
{
    switch (e.kind) {
    case EventKind::Listening:
    case EventKind::Stopped:
        return e.url;
    case EventKind::Handshake:
        return handshakeSummary(e);
    case EventKind::Open:
        if (e.subprotocol.isEmpty())
            return tr("peer %1").arg(e.peer);
        return tr("peer %1, subprotocol %2").arg(e.peer, e.subprotocol);
    case EventKind::Text:
    case EventKind::Binary:
        return payloadSummary(e);
    case EventKind::Ping:
    case EventKind::Pong:
        return pingSummary(e);
    case EventKind::Close:
        return closeSummary(e);
    case EventKind::Error:
        return e.error;
    case EventKind::Broadcast:
        return tr("to %1: %2").arg(QString::number(e.recipients), payloadSummary(e));
    case EventKind::Tls:
        return tlsSummary(e);
    }
    return {};
}

QStringList EventLogModel::searchFields(const Event &e)
{
    QStringList fields{summary(e)};
    if (e.isTextual() && e.payload.size() > 0) {
        QString payload = QString::fromUtf8(e.payload.left(EventLogModel::SearchBytes));
        // A payload searched only in part must not seem to end where the search stops.
        if (e.payload.size() > EventLogModel::SearchBytes)
            payload += Ellipsis;
        fields.append(payload);
    }
    for (const QString *part : {&e.url, &e.errorId, &e.reason, &e.peer, &e.subprotocol}) {
        if (!part->isEmpty())
            fields.append(*part);
    }
    if (e.handshake) {
        appendHeaders(fields, e.handshake->request.headers);
        if (e.handshake->response)
            appendHeaders(fields, e.handshake->response->headers);
    }
    return fields;
}

QString EventLogModel::searchText(const Event &e)
{
    return searchFields(e).join(u'\n');
}

QString EventLogModel::humanSize(qint64 bytes)
{
    if (bytes < 1024)
        return tr("%1 B").arg(bytes);
    const QLocale locale;
    double value = double(bytes) / 1024.0;
    if (value < 1024.0)
        return tr("%1 KiB").arg(locale.toString(value, 'f', 1));
    value /= 1024.0;
    if (value < 1024.0)
        return tr("%1 MiB").arg(locale.toString(value, 'f', 1));
    return tr("%1 GiB").arg(locale.toString(value / 1024.0, 'f', 1));
}

} // namespace sockpit
