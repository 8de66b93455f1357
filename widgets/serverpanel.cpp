#include "serverpanel.h"

#include "closecodecombo.h"
#include "handshakelimitsbox.h"
#include "server/connectionlistmodel.h"
#include "server/listenaddress.h"
#include "server/serverhost.h"
#include "serverpolicybox.h"
#include "servertlsbox.h"
#include "themecolors.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace sockpit {

namespace {
QStringList commaList(const QString &text)
{
    QStringList items;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty())
            items.append(part.trimmed());
    }
    return items;
}

} // namespace

ServerPanel::ServerPanel(ServerHost *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_connections(new ConnectionListModel(server, this))
    , m_host(new QLineEdit(QStringLiteral("localhost"), this))
    , m_port(new QSpinBox(this))
    , m_mode(new QComboBox(this))
    , m_reply(new QLineEdit(this))
    , m_subprotocols(new QLineEdit(this))
    , m_maxSize(new QSpinBox(this))
    , m_tls(new ServerTlsBox(this))
    , m_policy(new ServerPolicyBox(this))
    , m_handshake(new HandshakeLimitsBox(this))
    , m_startStop(new QPushButton(tr("Start"), this))
    , m_state(new QLabel(this))
    , m_clientCount(new QSpinBox(this))
    , m_openClients(new QPushButton(tr("Open clients"), this))
    , m_view(new QTableView(this))
    , m_sendText(new QLineEdit(this))
    , m_sendSelected(new QPushButton(tr("Send"), this))
    , m_sendAll(new QPushButton(tr("Send to all"), this))
    , m_closeCode(new CloseCodeCombo(this))
    , m_closeReason(new QLineEdit(this))
    , m_closeSelected(new QPushButton(tr("Close selected"), this))
    , m_closeAll(new QPushButton(tr("Close all"), this))
{
    m_startStop->setObjectName(QStringLiteral("startServerButton"));
    m_state->setObjectName(QStringLiteral("serverStateLabel"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_clientCount->setObjectName(QStringLiteral("openClientsCount"));
    m_clientCount->setRange(1, 100);
    m_clientCount->setValue(3);
    m_clientCount->setToolTip(tr("How many client tabs to open"));
    m_openClients->setObjectName(QStringLiteral("openClientsButton"));
    m_openClients->setToolTip(tr("Open this many client tabs to the running server and connect "
                                 "them all (for broadcast tests)"));

    auto *startRow = new QHBoxLayout;
    startRow->addWidget(m_startStop);
    startRow->addStretch();
    startRow->addWidget(m_clientCount);
    startRow->addWidget(m_openClients);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createSettingsBox());
    layout->addWidget(m_tls);
    layout->addWidget(m_policy);
    layout->addWidget(m_handshake);
    layout->addLayout(startRow);
    layout->addWidget(m_state);
    layout->addWidget(createConnectionsBox(), 1);

    connect(m_startStop, &QPushButton::clicked, this, &ServerPanel::startOrStop);
    connect(m_openClients, &QPushButton::clicked, this, [this] {
        if (m_server->isListening())
            Q_EMIT openClientsRequested(m_server->url().toString(), m_clientCount->value());
    });
    connect(m_tls, &ServerTlsBox::trustRequested, this, &ServerPanel::trustRequested);
    // A failed start is about the address it tried: once the address changes, it is old news.
    connect(m_host, &QLineEdit::textEdited, this, &ServerPanel::forgetProblem);
    connect(m_port, &QSpinBox::valueChanged, this, &ServerPanel::forgetProblem);
    connect(m_mode, &QComboBox::currentIndexChanged, this,
            [this] { m_server->setMode(ServerMode(m_mode->currentData().toInt())); });
    connect(m_reply, &QLineEdit::textChanged, this, [this] {
        m_server->setReplyTemplate(m_reply->text().isEmpty() ? QStringLiteral("%m")
                                                             : m_reply->text());
    });
    connect(m_server, &ServerHost::started, this, &ServerPanel::updateState);
    connect(m_server, &ServerHost::stopped, this, &ServerPanel::updateState);
    connect(m_server, &ServerHost::failed, this, &ServerPanel::showProblem);
    connect(m_sendSelected, &QPushButton::clicked, this, &ServerPanel::sendToSelected);
    connect(m_sendText, &QLineEdit::returnPressed, this, &ServerPanel::sendToSelected);
    connect(m_sendAll, &QPushButton::clicked, this,
            [this] { m_server->broadcastText(m_sendText->text()); });
    connect(m_closeSelected, &QPushButton::clicked, this, &ServerPanel::closeSelected);
    connect(m_closeAll, &QPushButton::clicked, this, [this] {
        const std::optional<int> code = m_closeCode->code();
        if (!code) {
            m_closeCode->setFocus(); // the box itself says why
            return;
        }
        m_server->closeAll(*code, m_closeReason->text());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ServerPanel::updateState);
    connect(m_connections, &QAbstractItemModel::rowsInserted, this, &ServerPanel::updateState);
    connect(m_connections, &QAbstractItemModel::rowsRemoved, this, &ServerPanel::updateState);
    connect(m_connections, &QAbstractItemModel::modelReset, this, &ServerPanel::updateState);
    updateState();
}

QWidget *ServerPanel::createSettingsBox()
{
    auto *box = new QGroupBox(tr("Listen"), this);
    m_host->setObjectName(QStringLiteral("listenHost"));
    m_host->setToolTip(tr("Where to listen: localhost (127.0.0.1 and ::1, this machine only), "
                          "one address such as 127.0.0.1 or ::1, or 0.0.0.0 / :: (every "
                          "interface)"));
    m_port->setObjectName(QStringLiteral("listenPort"));
    m_port->setRange(0, 65535);
    m_port->setValue(8080);
    m_port->setSpecialValueText(tr("0 (any free port)"));
    m_port->setToolTip(tr("0 picks a free port"));
    m_mode->setObjectName(QStringLiteral("serverMode"));
    m_mode->addItem(tr("Echo: reply to the sender"), int(ServerMode::Echo));
    m_mode->addItem(tr("Broadcast: to every client"), int(ServerMode::Broadcast));
    m_mode->addItem(tr("Silent: record only"), int(ServerMode::Silent));
    m_reply->setObjectName(QStringLiteral("replyTemplate"));
    m_reply->setPlaceholderText(tr("%m (e.g. Server says: %m)"));
    m_reply->setToolTip(tr("What is sent back; %m is the received message"));
    m_subprotocols->setObjectName(QStringLiteral("serverSubprotocols"));
    m_subprotocols->setPlaceholderText(tr("chat, superchat (in preference order)"));
    m_maxSize->setObjectName(QStringLiteral("maxMessageSize"));
    m_maxSize->setRange(1, 2 * 1024 * 1024);
    m_maxSize->setValue(16 * 1024);
    m_maxSize->setSuffix(tr(" KiB"));
    m_maxSize->setToolTip(tr("Larger incoming messages close the connection with 1009"));

    // One field a row, labels above fields when the panel is narrow: the panel must fit
    // beside the client tabs in a small window in every language.
    auto *form = new QFormLayout(box);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->addRow(tr("Host:"), m_host);
    form->addRow(tr("Port:"), m_port);
    form->addRow(tr("Mode:"), m_mode);
    form->addRow(tr("Reply:"), m_reply);
    form->addRow(tr("Subprotocols:"), m_subprotocols);
    form->addRow(tr("Max message:"), m_maxSize);
    return box;
}

QWidget *ServerPanel::createConnectionsBox()
{
    auto *box = new QGroupBox(tr("Connections"), this);
    m_view->setObjectName(QStringLiteral("connectionsView"));
    m_view->setModel(m_connections);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    for (const int column :
         {ConnectionListModel::BytesInColumn, ConnectionListModel::BytesOutColumn})
        m_view->setColumnHidden(column, true);
    // A handful of rows: measuring them is cheap and keeps every header readable.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_sendText->setObjectName(QStringLiteral("serverSendEdit"));
    m_sendText->setPlaceholderText(tr("Text to send"));
    m_sendSelected->setObjectName(QStringLiteral("serverSendButton"));
    m_sendSelected->setToolTip(tr("Send the text to the selected connections"));
    m_sendAll->setObjectName(QStringLiteral("serverSendAllButton"));
    m_sendAll->setToolTip(tr("Broadcast the text to every open connection"));
    m_closeCode->setObjectName(QStringLiteral("serverCloseCode"));
    m_closeReason->setObjectName(QStringLiteral("serverCloseReason"));
    m_closeReason->setPlaceholderText(tr("reason"));
    m_closeSelected->setObjectName(QStringLiteral("serverCloseButton"));
    m_closeAll->setObjectName(QStringLiteral("serverCloseAllButton"));

    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_sendText, 1);
    sendRow->addWidget(m_sendSelected);
    sendRow->addWidget(m_sendAll);
    auto *closeRow = new QHBoxLayout;
    closeRow->addWidget(m_closeCode, 1);
    closeRow->addWidget(m_closeReason, 1);
    auto *closeButtons = new QHBoxLayout;
    closeButtons->addStretch();
    closeButtons->addWidget(m_closeSelected);
    closeButtons->addWidget(m_closeAll);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_view, 1);
    layout->addLayout(sendRow);
    layout->addLayout(closeRow);
    layout->addLayout(closeButtons);
    return box;
}

std::optional<ServerConfig> ServerPanel::currentConfig(QString *problem) const
{
    ServerConfig config;
    const std::optional<ListenHost> host = parseListenHost(m_host->text());
    if (!host) {
        if (problem)
            *problem = tr("\"%1\" is not localhost or an IP address; use localhost, 127.0.0.1, "
                          "::1 or 0.0.0.0.")
                           .arg(m_host->text().trimmed());
        return std::nullopt;
    }
    config.host = host->name;
    config.port = quint16(m_port->value());
    config.mode = ServerMode(m_mode->currentData().toInt());
    config.replyTemplate = m_reply->text().isEmpty() ? QStringLiteral("%m") : m_reply->text();
    config.subprotocols = commaList(m_subprotocols->text());
    config.maxMessageSize = qint64(m_maxSize->value()) * 1024;
    config.tls = m_tls->settings();
    if (!applyPolicy(&config, problem))
        return std::nullopt;
    if (config.tls.enabled && config.tls.certificateFile.isEmpty()) {
        if (problem)
            *problem = tr("wss needs a certificate: choose one or generate a self-signed one.");
        return std::nullopt;
    }
    return config;
}

bool ServerPanel::applyPolicy(ServerConfig *config, QString *problem) const
{
    const QString policyProblem = m_policy->problem();
    if (!policyProblem.isEmpty()) {
        if (problem)
            *problem = policyProblem;
        return false;
    }
    config->allowedOrigins = m_policy->allowedOrigins();
    config->closeAfter = m_policy->closeAfter();
    m_handshake->apply(config);
    return true;
}

void ServerPanel::startOrStop()
{
    if (m_server->isListening())
        stop();
    else
        start();
}

void ServerPanel::start()
{
    m_problem.clear();
    QString problem;
    const std::optional<ServerConfig> config = currentConfig(&problem);
    if (!config)
        return showProblem(problem);
    // Listening, or the reason it cannot, follows from the network thread (started() or
    // failed()); meanwhile the panel says it is starting.
    m_server->start(*config);
    updateState();
}

void ServerPanel::stop()
{
    m_server->stop(1001, QStringLiteral("Server stopped")); // wire text: English
    updateState();
}

void ServerPanel::forgetProblem()
{
    if (m_problem.isEmpty())
        return;
    m_problem.clear();
    updateState();
}

void ServerPanel::showProblem(const QString &text)
{
    m_problem = text;
    updateState();
}

void ServerPanel::updateState()
{
    const bool listening = m_server->isListening();
    const bool starting = m_server->isStarting();
    if (listening)
        m_problem.clear();
    m_startStop->setText(listening ? tr("Stop") : tr("Start"));
    m_startStop->setEnabled(!starting);
    m_startStop->setToolTip(listening ? tr("Close every connection (1001) and stop listening")
                                      : tr("Start listening"));
    for (QWidget *field :
         {static_cast<QWidget *>(m_host), static_cast<QWidget *>(m_port),
          static_cast<QWidget *>(m_subprotocols), static_cast<QWidget *>(m_maxSize)})
        field->setEnabled(!listening && !starting);
    m_tls->setEditable(!listening && !starting);
    m_policy->setEditable(!listening && !starting);
    m_handshake->setEditable(!listening && !starting);
    m_openClients->setEnabled(listening);
    m_clientCount->setEnabled(listening);

    QPalette palette = m_state->palette();
    if (starting) {
        // TLS set-up (a generated certificate, a key to read) happens on the network
        // thread; the window stays usable meanwhile.
        m_state->setText(tr("Starting…"));
        palette.setColor(QPalette::WindowText, this->palette().color(QPalette::WindowText));
    } else if (!m_problem.isEmpty()) {
        m_state->setText(tr("Could not start: %1").arg(m_problem));
        palette.setColor(QPalette::WindowText, theme::errorText(palette));
    } else if (listening) {
        QString text = tr("Listening on %1").arg(m_server->url().toString());
        if (const QString note = m_server->note(); !note.isEmpty())
            text += u'\n' + note;
        m_state->setText(text);
        m_state->setToolTip(m_server->addresses().join(u'\n'));
        palette.setColor(QPalette::WindowText, theme::okText(palette));
    } else {
        m_state->setText(tr("Stopped"));
        palette.setColor(QPalette::WindowText, this->palette().color(QPalette::WindowText));
    }
    m_state->setPalette(palette);

    const bool anyConnection = m_connections->rowCount() > 0;
    const bool anySelected = !selectedConnections().isEmpty();
    m_sendSelected->setEnabled(anySelected);
    m_closeSelected->setEnabled(anySelected);
    m_sendAll->setEnabled(anyConnection);
    m_closeAll->setEnabled(anyConnection);
}

QList<qint64> ServerPanel::selectedConnections() const
{
    QList<qint64> ids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        ids.append(m_connections->idAt(row.row()));
    return ids;
}

void ServerPanel::sendToSelected()
{
    const QList<qint64> ids = selectedConnections();
    for (const qint64 id : ids)
        m_server->sendText(id, m_sendText->text());
}

void ServerPanel::closeSelected()
{
    const std::optional<int> code = m_closeCode->code();
    if (!code) {
        m_closeCode->setFocus(); // the box itself says why
        return;
    }
    const QList<qint64> ids = selectedConnections();
    for (const qint64 id : ids)
        m_server->closeConnection(id, *code, m_closeReason->text());
}

void ServerPanel::saveSettings(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("server"));
    settings.setValue(QStringLiteral("host"), m_host->text());
    settings.setValue(QStringLiteral("port"), m_port->value());
    settings.setValue(QStringLiteral("mode"),
                      serverModeName(ServerMode(m_mode->currentData().toInt())));
    settings.setValue(QStringLiteral("reply"), m_reply->text());
    settings.setValue(QStringLiteral("subprotocols"), m_subprotocols->text());
    settings.setValue(QStringLiteral("maxMessageKiB"), m_maxSize->value());
    settings.setValue(QStringLiteral("wss"), m_tls->isWssEnabled());
    settings.setValue(QStringLiteral("certificateFile"), m_tls->certificateFile());
    settings.setValue(QStringLiteral("keyFile"), m_tls->keyFile());
    settings.setValue(QStringLiteral("clientCaFile"), m_tls->clientCaFile());
    m_policy->saveSettings(settings);
    m_handshake->saveSettings(settings);
    settings.endGroup();
}

void ServerPanel::loadSettings(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("server"));
    m_host->setText(settings.value(QStringLiteral("host"), m_host->text()).toString());
    m_port->setValue(settings.value(QStringLiteral("port"), m_port->value()).toInt());
    const std::optional<ServerMode> mode
        = serverModeFromName(settings.value(QStringLiteral("mode")).toString());
    if (mode)
        m_mode->setCurrentIndex(m_mode->findData(int(*mode)));
    m_reply->setText(settings.value(QStringLiteral("reply")).toString());
    m_subprotocols->setText(settings.value(QStringLiteral("subprotocols")).toString());
    m_maxSize->setValue(
        settings.value(QStringLiteral("maxMessageKiB"), m_maxSize->value()).toInt());
    m_tls->setCertificateFile(settings.value(QStringLiteral("certificateFile")).toString());
    m_tls->setKeyFile(settings.value(QStringLiteral("keyFile")).toString());
    m_tls->setClientCaFile(settings.value(QStringLiteral("clientCaFile")).toString());
    m_tls->setWssEnabled(settings.value(QStringLiteral("wss"), false).toBool());
    m_policy->loadSettings(settings);
    m_handshake->loadSettings(settings);
    settings.endGroup();
}

} // namespace sockpit
