#pragma once

#include "events/event.h"

#include <QTabWidget>

namespace sockpit {

class ClientTab;
class ConnectionLinks;
class EventSink;
class NetworkThread;

// The client tabs: "+" opens one, a double-click renames one, the close button (or
// Ctrl+W) closes one (its connection is closed with 1001 Going Away first).
class ClientTabs : public QTabWidget
{
    Q_OBJECT
public:
    ClientTabs(NetworkThread *network, EventSink *sink, QWidget *parent = nullptr);

    ClientTab *tab(int index) const;
    ClientTab *currentTab() const;

    // The URL and headers a new tab starts with.
    void setDefaultUrl(const QString &url) { m_defaultUrl = url; }
    QString defaultUrl() const { return m_defaultUrl; }
    void setDefaultHeaders(const HeaderList &headers) { m_defaultHeaders = headers; }
    // Told each tab's connections, so that the log can name them by the tab's number.
    void setConnectionLinks(ConnectionLinks *links) { m_links = links; }
    // The CA file every tab (and every new tab) trusts.
    void setTrustedCaFile(const QString &path);

public Q_SLOTS:
    ClientTab *addClientTab();
    // Opens `count` tabs to `url` and connects them all.
    void openClients(const QString &url, int count);
    void closeClientTab(int index);
    void closeCurrentTab();
    void renameTab(int index);

private:
    void updateTitle(ClientTab *tab);
    void reportConnection(const ClientTab *tab);

    NetworkThread *m_network;
    EventSink *m_sink;
    QString m_defaultUrl;
    HeaderList m_defaultHeaders;
    QString m_trustedCaFile;
    ConnectionLinks *m_links = nullptr;
    int m_nextNumber = 1;
};

} // namespace sockpit
