#include "logview.h"

#include "eventpauseproxy.h"
#include "eventrowdelegate.h"
#include "events/eventfilterproxy.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "logfilterbar.h"
#include "pluralcount.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollBar>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace sockpit {

LogView::LogView(EventStore *store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new EventLogModel(store, this))
    , m_filter(new EventFilterProxy(this))
    , m_pause(new EventPauseProxy(this))
    , m_filterBar(new LogFilterBar(m_filter, this))
    , m_view(new QTableView(this))
    , m_followButton(new QToolButton(this))
    , m_pauseButton(new QToolButton(this))
    , m_clearButton(new QToolButton(this))
    , m_counter(new QLabel(this))
{
    m_filter->setSourceModel(m_model);
    m_pause->setSourceModel(m_filter);

    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setModel(m_pause);
    m_view->setItemDelegate(new EventRowDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->setCornerButtonEnabled(false);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Uniform row heights: a fixed section size keeps the view from measuring rows, which
    // is what lets it keep up with thousands of new rows a second.
    QHeaderView *rows = m_view->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    QHeaderView *columns = m_view->horizontalHeader();
    columns->setStretchLastSection(true);
    columns->setHighlightSections(false);
    const int digit = m_view->fontMetrics().horizontalAdvance(u'0');
    m_view->setColumnWidth(EventLogModel::TimeColumn, digit * 13);
    // Room for "client #12 ↔ server #34".
    m_view->setColumnWidth(EventLogModel::SourceColumn, digit * 20);
    m_view->setColumnWidth(EventLogModel::ConnectionColumn, digit * 11);
    m_view->setColumnWidth(EventLogModel::DirectionColumn, digit * 9);
    m_view->setColumnWidth(EventLogModel::KindColumn, digit * 12);
    m_view->setColumnWidth(EventLogModel::SizeColumn, digit * 8);

    m_followButton->setObjectName(QStringLiteral("followButton"));
    m_followButton->setText(tr("Follow"));
    m_followButton->setCheckable(true);
    m_followButton->setChecked(true);
    m_followButton->setToolTip(tr("Keep the newest event in view. Scrolling up stops it; "
                                  "scrolling to the bottom starts it again."));
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_pauseButton->setText(tr("Pause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_pauseButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_pauseButton->setToolTip(tr("Freeze the table to read it: events are still recorded (and "
                                 "exported) and appear when you resume."));
    m_clearButton->setObjectName(QStringLiteral("clearLogButton"));
    m_clearButton->setText(tr("Clear"));
    m_clearButton->setIcon(style()->standardIcon(QStyle::SP_DialogResetButton));
    m_clearButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_clearButton->setToolTip(tr("Forget every event recorded so far"));
    m_counter->setObjectName(QStringLiteral("logCounter"));
    m_counter->setToolTip(tr("Events shown by the filter / recorded in total / evicted to keep "
                             "memory bounded"));

    // The filter bar gets the whole width; the controls of the view sit with the counter.
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_counter, 1);
    bottom->addWidget(m_followButton);
    bottom->addWidget(m_pauseButton);
    bottom->addWidget(m_clearButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_view, 1);
    layout->addLayout(bottom);

    connect(m_followButton, &QToolButton::toggled, this, &LogView::setFollowing);
    connect(m_pauseButton, &QToolButton::toggled, this, &LogView::setPaused);
    connect(m_clearButton, &QToolButton::clicked, this, &LogView::clear);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { onCurrentChanged(current); });
    connect(m_view->verticalScrollBar(), &QScrollBar::rangeChanged, this,
            &LogView::onScrollRangeChanged);
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &LogView::onScrollValueChanged);

    m_counterTimer.setSingleShot(true);
    m_counterTimer.setInterval(100);
    connect(&m_counterTimer, &QTimer::timeout, this, &LogView::updateCounter);
    for (const auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_pause, signal, this, &LogView::scheduleCounterUpdate);
    connect(m_pause, &QAbstractItemModel::modelReset, this, &LogView::scheduleCounterUpdate);
    connect(m_pause, &QAbstractItemModel::layoutChanged, this, &LogView::scheduleCounterUpdate);
    connect(m_store, &EventStore::cleared, this, &LogView::scheduleCounterUpdate);
    connect(m_store, &EventStore::appended, this, &LogView::scheduleCounterUpdate);
    connect(m_store, &EventStore::evicted, this, &LogView::scheduleCounterUpdate);
    updateCounter();
}

QList<Event> LogView::filteredEvents() const
{
    QList<Event> events;
    const int rowCount = m_filter->rowCount();
    events.reserve(rowCount);
    for (int row = 0; row < rowCount; ++row)
        events.append(m_model->eventAt(m_filter->mapToSource(m_filter->index(row, 0)).row()));
    return events;
}

int LogView::viewRowOfSeq(quint64 seq) const
{
    for (int row = m_pause->rowCount() - 1; row >= 0; --row) {
        if (m_pause->index(row, 0).data(EventLogModel::SeqRole).toULongLong() == seq)
            return row;
    }
    return -1;
}

void LogView::setReadOnly(bool readOnly)
{
    m_pauseButton->setVisible(!readOnly);
    m_clearButton->setVisible(!readOnly);
}

bool LogView::isPaused() const
{
    return m_pause->isPaused();
}

void LogView::setFollowing(bool following)
{
    m_following = following;
    if (m_followButton->isChecked() != following)
        m_followButton->setChecked(following);
    if (following)
        m_view->scrollToBottom();
}

void LogView::setPaused(bool paused)
{
    if (m_pauseButton->isChecked() != paused)
        m_pauseButton->setChecked(paused);
    m_pause->setPaused(paused);
    m_pauseButton->setText(paused ? tr("Resume") : tr("Pause"));
    m_pauseButton->setIcon(
        style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    updateCounter();
}

void LogView::clear()
{
    m_store->clear();
    Q_EMIT currentEventCleared();
}

void LogView::focusFilter()
{
    m_filterBar->focusTextField();
}

void LogView::onCurrentChanged(const QModelIndex &current)
{
    if (!current.isValid()) {
        Q_EMIT currentEventCleared();
        return;
    }
    const QModelIndex filtered = m_pause->mapToSource(current);
    const QModelIndex source = m_filter->mapToSource(filtered);
    if (!source.isValid()) {
        Q_EMIT currentEventCleared();
        return;
    }
    Q_EMIT currentEventChanged(m_model->eventAt(source.row()));
}

void LogView::onScrollRangeChanged()
{
    if (m_following) {
        m_scrolling = true;
        m_view->verticalScrollBar()->setValue(m_view->verticalScrollBar()->maximum());
        m_scrolling = false;
    }
}

void LogView::onScrollValueChanged(int value)
{
    if (m_scrolling)
        return;
    // The user moved the view: following stops above the bottom and resumes at it.
    const bool atBottom = value >= m_view->verticalScrollBar()->maximum();
    if (atBottom != m_following)
        setFollowing(atBottom);
}

void LogView::scheduleCounterUpdate()
{
    if (!m_counterTimer.isActive())
        m_counterTimer.start();
}

void LogView::updateCounter()
{
    QString text
        = tr("%1 / %2 / %3", "shown / total / evicted")
              .arg(tr("%Ln shown", nullptr, m_pause->rowCount()),
                   tr("%Ln total", nullptr, pluralCount(qint64(m_store->totalCount()))),
                   tr("%Ln evicted", nullptr, pluralCount(qint64(m_store->evictedCount()))));
    if (isPaused()) {
        // Say what pausing holds back, so that a still table is not mistaken for silence.
        const int waiting = qMax(0, m_filter->rowCount() - m_pause->rowCount());
        text += tr(" — paused, %Ln new waiting", nullptr, waiting);
    }
    m_counter->setText(text);
}

} // namespace sockpit
