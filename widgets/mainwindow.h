#pragma once

#include "events/event.h"

#include <QMainWindow>

#include <memory>

namespace sockpit {

class ClientTabs;
class ConnectionLinks;
class EventChannel;
class EventSink;
class NetworkThread;
class ServerHost;
class EventInspector;
class EventStore;
class LogFileWindow;
class LogView;
class ServerPanel;

// The window: the server panel (a dock), the client tabs, and the log with the inspector
// of the selected event. It owns the one EventStore, the network thread, the channel that
// brings every event from there into the store, and the embedded server (on the network
// thread, through its ServerHost); each client tab owns its session. It wires; the parts
// do the work.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    EventStore *eventStore() const { return m_store; }
    ServerHost *server() const { return m_server; }
    // Where producers put events: the channel into the store (any thread).
    EventSink *eventSink() const;
    ServerPanel *serverPanel() const { return m_serverPanel; }
    ClientTabs *clientTabs() const { return m_clientTabs; }
    LogView *logView() const { return m_logView; }
    EventInspector *inspector() const { return m_inspector; }
    ConnectionLinks *connectionLinks() const { return m_links; }

    // Shows a JSON Lines log (the WORKSPACE argument and File > Open Log) in a window of
    // its own; the live session is left as it is. Lines that do not parse are reported
    // with their numbers in a message box; the good ones are shown. Returns nullptr when
    // the file cannot be read at all.
    LogFileWindow *openLog(const QString &path);
    // JSON Lines, one event a line. Return false with *error set on failure.
    bool exportEvents(const QString &path, const QList<Event> &events, QString *error = nullptr);

    // Window layout and the last server and client settings (never passphrases).
    void saveSettings() const;
    void restoreSettings();

public Q_SLOTS:
    void openLogDialog();
    void exportAllDialog();
    void exportFilteredDialog();
    void openClientsDialog();
    // File > Preferences…: opens the PreferencesDialog (window-modal) and emits
    // preferencesRequested().
    void openPreferences();

Q_SIGNALS:
    void preferencesRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void showMessage(const QString &title, const QString &text, bool warning,
                     const QString &details = QString(), QWidget *parent = nullptr);
    QList<Event> allEvents() const;

    EventStore *m_store;
    std::unique_ptr<NetworkThread> m_network;
    std::unique_ptr<EventChannel> m_channel; // into m_store
    ServerHost *m_server;
    ServerPanel *m_serverPanel;
    ClientTabs *m_clientTabs;
    LogView *m_logView;
    EventInspector *m_inspector;
    ConnectionLinks *m_links;
};

} // namespace sockpit
