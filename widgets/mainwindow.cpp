#include "mainwindow.h"

#include "clienttab.h"
#include "clienttabs.h"
#include "eventinspector.h"
#include "events/connectionlinks.h"
#include "events/eventchannel.h"
#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "events/jsonlines.h"
#include "logfilewindow.h"
#include "logview.h"
#include "panelscrollarea.h"
#include "preferencesdialog.h"
#include "server/serverhost.h"
#include "serverpanel.h"
#include "thread/networkthread.h"
#include "windowgeometry.h"

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QKeySequence>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>

namespace sockpit {

namespace {
// The store hands rows to the views in batches; 30 ms keeps the table lively without
// repainting per message.
constexpr int kBatchIntervalMs = 30;
constexpr int kMaxReportedBadLines = 20;
const QString kLogFilter = QStringLiteral("JSON Lines (*.jsonl *.ndjson *.log);;All files (*)");

QStringList headerStrings(const HeaderList &headers)
{
    QStringList list;
    for (const auto &[name, value] : headers)
        list.append(QString::fromUtf8(name) + QStringLiteral(": ") + QString::fromUtf8(value));
    return list;
}

HeaderList headersFromStrings(const QStringList &strings)
{
    HeaderList headers;
    for (const QString &line : strings) {
        const qsizetype colon = line.indexOf(u':');
        if (colon > 0)
            headers.append(
                {line.left(colon).trimmed().toUtf8(), line.mid(colon + 1).trimmed().toUtf8()});
    }
    return headers;
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_store(new EventStore(this))
    , m_network(std::make_unique<NetworkThread>())
    , m_channel(std::make_unique<EventChannel>(m_store))
    , m_server(new ServerHost(m_network.get(), m_channel.get(), this))
    , m_serverPanel(new ServerPanel(m_server, this))
    , m_clientTabs(new ClientTabs(m_network.get(), m_channel.get(), this))
    , m_logView(new LogView(m_store, this))
    , m_inspector(new EventInspector(this))
    , m_links(new ConnectionLinks(m_store, this))
{
    setWindowTitle(tr("Sockpit"));
    m_store->setBatchIntervalMs(kBatchIntervalMs);

    auto *scroll = new PanelScrollArea(m_serverPanel, this);
    auto *dock = new QDockWidget(tr("Server"), this);
    dock->setObjectName(QStringLiteral("serverDock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    dock->setWidget(scroll);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    resizeDocks({dock}, {400}, Qt::Horizontal);

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->setObjectName(QStringLiteral("logSplitter"));
    bottom->addWidget(m_logView);
    bottom->addWidget(m_inspector);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    bottom->setSizes({780, 320});
    auto *central = new QSplitter(Qt::Vertical, this);
    central->setObjectName(QStringLiteral("centralSplitter"));
    central->addWidget(m_clientTabs);
    central->addWidget(bottom);
    central->setStretchFactor(0, 2);
    central->setStretchFactor(1, 3);
    central->setSizes({340, 510});
    setCentralWidget(central);

    createMenus();
    statusBar();

    m_logView->logModel()->setConnectionLinks(m_links);
    m_inspector->setConnectionLinks(m_links);
    m_clientTabs->setConnectionLinks(m_links);

    connect(m_logView, &LogView::currentEventChanged, m_inspector, &EventInspector::setEvent);
    connect(m_logView, &LogView::currentEventCleared, m_inspector, &EventInspector::clearEvent);
    connect(m_serverPanel, &ServerPanel::openClientsRequested, m_clientTabs,
            &ClientTabs::openClients);
    connect(m_serverPanel, &ServerPanel::trustRequested, this, [this](const QString &path) {
        m_clientTabs->setTrustedCaFile(path);
        statusBar()->showMessage(tr("Client tabs now trust %1").arg(path), 5000);
    });
    connect(m_server, &ServerHost::started, this,
            [this](const QUrl &url) { m_clientTabs->setDefaultUrl(url.toString()); });

    resize(fittingWindowSize(QSize(1400, 900), screen()->availableGeometry()));
    restoreSettings();
    m_clientTabs->addClientTab();
}

MainWindow::~MainWindow()
{
    // The tabs' sessions live on the network thread: every tab goes before the thread stops
    // (deleting ClientTabs takes the closed tabs still waiting for deleteLater() too).
    delete m_clientTabs;
    m_clientTabs = nullptr;
    // The server closes its connections on the network thread; then nothing produces
    // events any more, and what is on its way reaches the store before the store goes.
    m_server->stop(1001);
    delete m_server;
    m_network->stop();
    m_channel->drain();
}

EventSink *MainWindow::eventSink() const
{
    return m_channel.get();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Log…"), this, &MainWindow::openLogDialog);
    open->setObjectName(QStringLiteral("openLogAction"));
    open->setShortcut(QKeySequence::Open);
    QAction *exportAll = file->addAction(tr("&Export All…"), this, &MainWindow::exportAllDialog);
    exportAll->setObjectName(QStringLiteral("exportAllAction"));
    exportAll->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction *exportFiltered
        = file->addAction(tr("Export &Filtered…"), this, &MainWindow::exportFilteredDialog);
    exportFiltered->setObjectName(QStringLiteral("exportFilteredAction"));
    file->addSeparator();
    QAction *preferences = file->addAction(tr("&Preferences…"), this, &MainWindow::openPreferences);
    preferences->setObjectName(QStringLiteral("preferencesAction"));
    preferences->setMenuRole(QAction::PreferencesRole);
    preferences->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *clients = menuBar()->addMenu(tr("&Clients"));
    QAction *newTab = clients->addAction(tr("&New Tab"), m_clientTabs, &ClientTabs::addClientTab);
    newTab->setObjectName(QStringLiteral("newTabAction"));
    newTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    QAction *closeTab
        = clients->addAction(tr("&Close Tab"), m_clientTabs, &ClientTabs::closeCurrentTab);
    closeTab->setObjectName(QStringLiteral("closeTabAction"));
    closeTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    QAction *renameTab = clients->addAction(tr("&Rename Tab…"), this, [this] {
        m_clientTabs->renameTab(m_clientTabs->currentIndex());
    });
    renameTab->setObjectName(QStringLiteral("renameTabAction"));
    clients->addSeparator();
    QAction *openN = clients->addAction(tr("Open N Clients to the &Local Server…"), this,
                                        &MainWindow::openClientsDialog);
    openN->setObjectName(QStringLiteral("openClientsAction"));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *find = view->addAction(tr("&Find in Log"), m_logView, &LogView::focusFilter);
    find->setObjectName(QStringLiteral("findAction"));
    find->setShortcut(QKeySequence::Find);
    QAction *clear = view->addAction(tr("&Clear Log"), m_logView, &LogView::clear);
    clear->setObjectName(QStringLiteral("clearLogAction"));
    view->addSeparator();
    const QList<QDockWidget *> docks = findChildren<QDockWidget *>();
    for (QDockWidget *dock : docks)
        view->addAction(dock->toggleViewAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Sockpit"), this, [this] {
        QMessageBox::about(this, tr("About Sockpit"),
                           tr("<p><b>Sockpit %1</b></p><p>A WebSocket test console: an embedded "
                              "server, client tabs and one wire-level log.</p>")
                               .arg(QStringLiteral(SOCKPIT_VERSION)));
    });
}

void MainWindow::openPreferences()
{
    auto *dialog = new PreferencesDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    Q_EMIT preferencesRequested();
}

LogFileWindow *MainWindow::openLog(const QString &path)
{
    QString openError;
    const JsonLinesReadResult result = readJsonLinesFile(path, &openError);
    if (!openError.isEmpty()) {
        showMessage(tr("Open Log"), tr("Cannot open %1: %2").arg(path, openError), true);
        return nullptr;
    }
    auto *logWindow = new LogFileWindow(path, result.events, this);
    logWindow->resize(size() * 9 / 10);
    logWindow->show();
    const QLocale locale;
    statusBar()->showMessage(
        tr("Read %Ln events from %1", nullptr, int(result.events.size())).arg(path), 5000);
    if (!result.errors.isEmpty()) {
        QStringList lines;
        for (const JsonLineError &error : result.errors) {
            if (lines.size() == kMaxReportedBadLines) {
                lines.append(tr("… and %1 more").arg(result.errors.size() - kMaxReportedBadLines));
                break;
            }
            lines.append(tr("Line %1: %2").arg(error.line).arg(error.message));
        }
        showMessage(tr("Open Log"),
                    tr("%1 of %Ln lines of %2 could not be read and were skipped; the other "
                       "events are shown.",
                       nullptr, int(result.errors.size() + result.events.size()))
                        .arg(locale.toString(result.errors.size()), path),
                    true, lines.join(u'\n'), logWindow);
    }
    return logWindow;
}

bool MainWindow::exportEvents(const QString &path, const QList<Event> &events, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    for (const Event &event : events) {
        file.write(eventToJsonLine(event));
        file.write("\n", 1);
    }
    if (!file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QList<Event> MainWindow::allEvents() const
{
    m_store->flush();
    QList<Event> events;
    events.reserve(m_store->size());
    for (qsizetype i = 0; i < m_store->size(); ++i)
        events.append(m_store->at(i));
    return events;
}

void MainWindow::openLogDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Log"), QString(), kLogFilter);
    if (!path.isEmpty())
        openLog(path);
}

void MainWindow::exportAllDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export All Events"),
                                                      QStringLiteral("sockpit.jsonl"), kLogFilter);
    QString error;
    if (!path.isEmpty() && !exportEvents(path, allEvents(), &error))
        showMessage(tr("Export"), error, true);
}

void MainWindow::exportFilteredDialog()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export Filtered Events"), QStringLiteral("sockpit-filtered.jsonl"), kLogFilter);
    QString error;
    if (!path.isEmpty() && !exportEvents(path, m_logView->filteredEvents(), &error))
        showMessage(tr("Export"), error, true);
}

void MainWindow::openClientsDialog()
{
    if (!m_server->isListening()) {
        showMessage(tr("Open Clients"), tr("Start the server first: the clients connect to it."),
                    false);
        return;
    }
    bool ok = false;
    const int count = QInputDialog::getInt(
        this, tr("Open Clients"),
        tr("Open this many client tabs to %1:").arg(m_server->url().toString()), 3, 1, 100, 1, &ok);
    if (ok)
        m_clientTabs->openClients(m_server->url().toString(), count);
}

void MainWindow::showMessage(const QString &title, const QString &text, bool warning,
                             const QString &details, QWidget *parent)
{
    // Window-modal and not blocking: the log keeps flowing while the message is open.
    auto *box = new QMessageBox(warning ? QMessageBox::Warning : QMessageBox::Information, title,
                                text, QMessageBox::Ok, parent ? parent : this);
    box->setObjectName(QStringLiteral("messageBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (!details.isEmpty())
        box->setDetailedText(details);
    box->open();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_serverPanel->saveSettings(settings);
    if (const ClientTab *tab = m_clientTabs->currentTab()) {
        settings.setValue(QStringLiteral("client/url"), tab->urlText());
        settings.setValue(QStringLiteral("client/headers"), headerStrings(tab->headers()));
    }
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    // A geometry saved on a larger screen would open the window past this one's edges.
    const QSize fitting = size();
    if (restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())
        && !fitsOn(frameGeometry(), screen()->availableGeometry())) {
        setWindowState(Qt::WindowNoState);
        resize(fitting);
        move(screen()->availableGeometry().center() - rect().center());
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_serverPanel->loadSettings(settings);
    const QString url = settings.value(QStringLiteral("client/url")).toString();
    if (!url.isEmpty())
        m_clientTabs->setDefaultUrl(url);
    m_clientTabs->setDefaultHeaders(
        headersFromStrings(settings.value(QStringLiteral("client/headers")).toStringList()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace sockpit
