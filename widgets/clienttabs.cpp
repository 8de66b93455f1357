#include "clienttabs.h"

#include "clienttab.h"
#include "events/connectionlinks.h"
#include "themecolors.h"

#include <QInputDialog>
#include <QStyle>
#include <QTabBar>
#include <QToolButton>

namespace sockpit {

ClientTabs::ClientTabs(NetworkThread *network, EventSink *sink, QWidget *parent)
    : QTabWidget(parent)
    , m_network(network)
    , m_sink(sink)
    , m_defaultUrl(QStringLiteral("ws://localhost:8080/"))
{
    setObjectName(QStringLiteral("clientTabs"));
    setTabsClosable(true);
    setMovable(true);
    setDocumentMode(true);

    auto *plus = new QToolButton(this);
    plus->setObjectName(QStringLiteral("newTabButton"));
    plus->setText(QStringLiteral("+"));
    plus->setToolTip(tr("Open a new client tab (Ctrl+T)"));
    plus->setAutoRaise(true);
    setCornerWidget(plus, Qt::TopRightCorner);

    connect(plus, &QToolButton::clicked, this, &ClientTabs::addClientTab);
    connect(this, &QTabWidget::tabCloseRequested, this, &ClientTabs::closeClientTab);
    connect(this, &QTabWidget::tabBarDoubleClicked, this, &ClientTabs::renameTab);
}

ClientTab *ClientTabs::tab(int index) const
{
    return qobject_cast<ClientTab *>(widget(index));
}

ClientTab *ClientTabs::currentTab() const
{
    return qobject_cast<ClientTab *>(currentWidget());
}

void ClientTabs::setTrustedCaFile(const QString &path)
{
    m_trustedCaFile = path;
    for (int i = 0; i < count(); ++i)
        tab(i)->setTrustedCaFile(path);
}

ClientTab *ClientTabs::addClientTab()
{
    auto *clientTab = new ClientTab(m_network, m_sink, this);
    clientTab->setNumber(m_nextNumber++);
    clientTab->setUrlText(m_defaultUrl);
    clientTab->setHeaders(m_defaultHeaders);
    if (!m_trustedCaFile.isEmpty())
        clientTab->setTrustedCaFile(m_trustedCaFile);
    const int index = addTab(clientTab, clientTab->title());
    connect(clientTab, &ClientTab::titleChanged, this,
            [this, clientTab] { updateTitle(clientTab); });
    connect(clientTab->session(), &SessionHost::stateChanged, this,
            [this, clientTab] { reportConnection(clientTab); });
    setCurrentIndex(index);
    return clientTab;
}

void ClientTabs::openClients(const QString &url, int count)
{
    // Tabs that were never used (like the first one) are taken before new ones are added.
    QList<ClientTab *> unused;
    for (int i = 0; i < this->count(); ++i) {
        if (tab(i)->session()->state() == ClientSession::State::Idle)
            unused.append(tab(i));
    }
    for (int i = 0; i < count; ++i) {
        ClientTab *clientTab = i < unused.size() ? unused.at(i) : addClientTab();
        clientTab->setUrlText(url);
        clientTab->connectToServer();
    }
}

void ClientTabs::closeClientTab(int index)
{
    ClientTab *clientTab = tab(index);
    if (!clientTab)
        return;
    removeTab(index);
    // RFC 6455 section 7.4.1: 1001, the endpoint is going away.
    if (clientTab->session()->state() == ClientSession::State::Open)
        clientTab->session()->close(1001);
    else
        clientTab->session()->abort();
    clientTab->deleteLater();
}

void ClientTabs::closeCurrentTab()
{
    closeClientTab(currentIndex());
}

void ClientTabs::renameTab(int index)
{
    ClientTab *clientTab = tab(index);
    if (!clientTab)
        return;
    bool ok = false;
    const QString name
        = QInputDialog::getText(this, tr("Rename Tab"), tr("Tab name (empty: use host and port):"),
                                QLineEdit::Normal, clientTab->customName(), &ok);
    if (ok)
        clientTab->setCustomName(name);
}

void ClientTabs::reportConnection(const ClientTab *clientTab)
{
    const SessionHost *session = clientTab->session();
    if (m_links && session->connectionId() != 0)
        m_links->setClient(session->connectionId(), clientTab->number(), session->localPort());
}

void ClientTabs::updateTitle(ClientTab *clientTab)
{
    const int index = indexOf(clientTab);
    if (index >= 0) {
        setTabText(index, clientTab->title());
        const bool unsafe = clientTab->ignoresCertificateErrors();
        setTabToolTip(
            index,
            unsafe ? tr("%1\nCertificate errors are ignored in this tab.").arg(clientTab->urlText())
                   : clientTab->urlText());
        tabBar()->setTabTextColor(index, unsafe ? theme::errorText(palette()) : QColor());
    }
}

} // namespace sockpit
