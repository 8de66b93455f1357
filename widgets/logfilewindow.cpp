#include "logfilewindow.h"

#include "eventinspector.h"
#include "events/eventstore.h"
#include "logview.h"

#include <QFileInfo>
#include <QSplitter>

namespace sockpit {

LogFileWindow::LogFileWindow(const QString &path, const QList<Event> &events, QWidget *parent)
    : QMainWindow(parent)
    , m_path(path)
    , m_store(new EventStore(this))
    , m_logView(new LogView(m_store, this))
    , m_inspector(new EventInspector(this))
{
    setObjectName(QStringLiteral("logFileWindow"));
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("%1 — Sockpit log").arg(QFileInfo(path).fileName()));
    setWindowFilePath(path);

    // Times and connection numbers are the file's; this store numbers the events 1, 2, …
    // in the file's order.
    for (const Event &event : events)
        m_store->append(event);
    m_store->flush();
    m_logView->setReadOnly(true);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("logFileSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_logView);
    splitter->addWidget(m_inspector);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    setCentralWidget(splitter);

    connect(m_logView, &LogView::currentEventChanged, m_inspector, &EventInspector::setEvent);
    connect(m_logView, &LogView::currentEventCleared, m_inspector, &EventInspector::clearEvent);
}

} // namespace sockpit
